//! A zip archive writer for the downloads that are several files (the Alembic project). Each
//! file is deflated with miniz_oxide, which the share link already ships, or stored when that
//! is not smaller; a CRC-32 and the central directory are all the format adds. Pure, so it is
//! tested natively; the dates are fixed, so the same files always give the same archive.

use miniz_oxide::deflate::compress_to_vec;

/// Why an archive could not be made; nothing was produced.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("{what} is too large for a zip archive; nothing was downloaded")]
    TooLarge { what: String },
}

/// MS-DOS date of every entry (2026-01-01), midnight: archives do not depend on the clock.
const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Names are UTF-8 (general purpose flag bit 11).
const UTF8_NAMES: u16 = 1 << 11;
const VERSION: u16 = 20;

/// The archive of `files` ((path with `/` between folders, contents), in this order).
pub fn write(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ZipError> {
    let too_large = |what: &str| ZipError::TooLarge {
        what: what.to_owned(),
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let deflated = compress_to_vec(data, 6);
        let (method, body): (u16, &[u8]) = if deflated.len() < data.len() {
            (8, &deflated)
        } else {
            (0, data)
        };
        let crc = crc32(data);
        let name_len = u16::try_from(name.len()).map_err(|_| too_large(name))?;
        let size = u32::try_from(data.len()).map_err(|_| too_large(name))?;
        let stored = u32::try_from(body.len()).map_err(|_| too_large(name))?;
        let offset = u32::try_from(out.len()).map_err(|_| too_large("the archive"))?;

        // The fields both headers share, from "version needed" to the name's length.
        let mut common = Vec::with_capacity(26);
        for half in [VERSION, UTF8_NAMES, method, DOS_TIME, DOS_DATE] {
            common.extend_from_slice(&half.to_le_bytes());
        }
        for word in [crc, stored, size] {
            common.extend_from_slice(&word.to_le_bytes());
        }
        common.extend_from_slice(&name_len.to_le_bytes());

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&VERSION.to_le_bytes()); // made by
        central.extend_from_slice(&common);
        // Extra field, comment, disk number, internal attributes: none; external: none.
        central.extend_from_slice(&[0; 2 + 2 + 2 + 2 + 4]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let count = u16::try_from(files.len()).map_err(|_| too_large("the number of files"))?;
    let central_size = u32::try_from(central.len()).map_err(|_| too_large("the archive"))?;
    let central_offset = u32::try_from(out.len()).map_err(|_| too_large("the archive"))?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // this disk, the disk the directory starts on
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // no comment
    Ok(out)
}

/// CRC-32 as zip uses it (IEEE, reflected, polynomial 0xEDB88320). Bit by bit: the files are
/// small text, and a table would only make the module bigger.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Reads an archive back the way an unzip tool does: from the end-of-directory record to the
/// central directory, then each local header and its data, checking every size and CRC. `None`
/// for anything that is not a whole archive of stored or deflated files (what [`write`] makes).
pub fn read(zip: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let u16_at = |i: usize| Some(u16::from_le_bytes(zip.get(i..i + 2)?.try_into().ok()?) as usize);
    let u32_at = |i: usize| Some(u32::from_le_bytes(zip.get(i..i + 4)?.try_into().ok()?) as usize);
    let end = zip.len().checked_sub(22)?;
    if u32_at(end)? != 0x0605_4b50 {
        return None;
    }
    let (count, mut at) = (u16_at(end + 10)?, u32_at(end + 16)?);
    let mut files = Vec::new();
    for _ in 0..count {
        if u32_at(at)? != 0x0201_4b50 {
            return None;
        }
        let (method, crc, stored, size) = (
            u16_at(at + 10)?,
            u32_at(at + 16)?,
            u32_at(at + 20)?,
            u32_at(at + 24)?,
        );
        let name_len = u16_at(at + 28)?;
        let name = String::from_utf8(zip.get(at + 46..at + 46 + name_len)?.to_vec()).ok()?;
        let local = u32_at(at + 42)?;
        if u32_at(local)? != 0x0403_4b50 {
            return None;
        }
        let start = local + 30 + u16_at(local + 26)? + u16_at(local + 28)?;
        let body = zip.get(start..start.checked_add(stored)?)?;
        let data = match method {
            0 => body.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec(body).ok()?,
            _ => return None,
        };
        if (data.len(), crc32(&data) as usize) != (size, crc) {
            return None;
        }
        files.push((name, data));
        at += 46 + name_len;
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn an_archive_reads_back_to_its_files() {
        let files = vec![
            (
                "alembic/env.py".to_owned(),
                "import os\n".repeat(50).into_bytes(),
            ),
            ("alembic/versions/0001_é.py".to_owned(), b"x".to_vec()),
            ("alembic/empty".to_owned(), Vec::new()),
        ];
        let zip = write(&files).unwrap();
        assert_eq!(read(&zip).as_ref(), Some(&files));
        assert_eq!(read(&zip[..zip.len() - 1]), None);
        // The repeated text is deflated, the one byte stored as it is.
        assert!(zip.len() < 500 + 3 * 100, "{} bytes", zip.len());
        assert_eq!(
            write(&files).unwrap(),
            zip,
            "the same files give the same bytes"
        );
    }

    /// Python's zipfile is an independent reader: it checks every CRC and extracts the files.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn python_s_zipfile_reads_the_archive() {
        let files = vec![
            (
                "p/alembic.ini".to_owned(),
                "[alembic]\nscript_location = %(here)s\n"
                    .repeat(20)
                    .into_bytes(),
            ),
            ("p/versions/a.py".to_owned(), b"revision = 'a'\n".to_vec()),
        ];
        let dir = std::env::temp_dir().join(format!("strata-zip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.zip");
        std::fs::write(&path, write(&files).unwrap()).unwrap();
        let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n\
                      for i in z.infolist(): print(i.filename, i.compress_type, z.read(i).decode().count('\\n'))";
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output()
            .expect(
                "python3 is needed to read the archive back (scripts/python-env.sh installs it)",
            );
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "p/alembic.ini 8 40\np/versions/a.py 0 1\n"
        );
    }
}
