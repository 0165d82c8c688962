//! The OPFS pool's files handled by hand, without the pool: read when it does not install, kept
//! aside before a repair wipes it, and put back when installing it again fails, so that a
//! repair that cannot be saved deletes nothing the visitor had stored.
//!
//! sqlite-wasm-vfs's `sahpool` keeps its files in `.opfs-sahpool/.opaque/` under random names
//! (each file's real name is in its own header), so a file copied byte for byte under the same
//! name is the same file to the pool.

use js_sys::{Array, IteratorNext, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DedicatedWorkerGlobalScope, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemRemoveOptions,
    FileSystemWritableFileStream,
};

/// The pool's directory in the origin private file system, and the folder inside it that holds
/// its files (sqlite-wasm-vfs's defaults, which `OpfsSAHPoolCfg::default()` uses).
const POOL_DIRECTORY: &str = ".opfs-sahpool";
const POOL_FILES: &str = ".opaque";

/// Where the damaged pool's files are kept while a repair wipes the pool and installs it again:
/// beside its files, in the pool's own directory, which the VFS leaves alone.
const KEPT_FILES: &str = ".strata-kept";

/// The pool's directory in the origin private file system.
async fn pool_directory() -> Result<FileSystemDirectoryHandle, String> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let storage = scope.navigator().storage();
    let root: FileSystemDirectoryHandle = JsFuture::from(storage.get_directory())
        .await
        .map_err(|e| js_text(&e))?
        .unchecked_into();
    Ok(JsFuture::from(root.get_directory_handle(POOL_DIRECTORY))
        .await
        .map_err(|e| js_text(&e))?
        .unchecked_into())
}

/// The folder `name` in the pool's directory, made if `create`.
async fn folder(name: &str, create: bool) -> Result<FileSystemDirectoryHandle, String> {
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(create);
    Ok(JsFuture::from(
        pool_directory()
            .await?
            .get_directory_handle_with_options(name, &options),
    )
    .await
    .map_err(|e| js_text(&e))?
    .unchecked_into())
}

/// Every file of the folder, by name, with its bytes (header and all).
async fn read_folder(files: &FileSystemDirectoryHandle) -> Result<Vec<(String, Vec<u8>)>, String> {
    let entries = files.entries();
    let mut read = Vec::new();
    loop {
        let next: IteratorNext = JsFuture::from(entries.next().map_err(|e| js_text(&e))?)
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
        if next.done() {
            return Ok(read);
        }
        let pair = Array::from(&next.value());
        let handle = pair.get(1);
        let kind = js_sys::Reflect::get(&handle, &"kind".into())
            .ok()
            .and_then(|k| k.as_string());
        if kind.as_deref() != Some("file") {
            continue;
        }
        let handle: FileSystemFileHandle = handle.unchecked_into();
        let file: web_sys::File = JsFuture::from(handle.get_file())
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|e| js_text(&e))?;
        let name = pair.get(0).as_string().unwrap_or_default();
        read.push((name, Uint8Array::new(&buffer).to_vec()));
    }
}

/// Writes `files` into `folder`, each under its name.
async fn write_folder(
    folder: &FileSystemDirectoryHandle,
    files: &[(String, Vec<u8>)],
) -> Result<(), String> {
    let create = FileSystemGetFileOptions::new();
    create.set_create(true);
    for (name, bytes) in files {
        let handle: FileSystemFileHandle =
            JsFuture::from(folder.get_file_handle_with_options(name, &create))
                .await
                .map_err(|e| js_text(&e))?
                .unchecked_into();
        let stream: FileSystemWritableFileStream = JsFuture::from(handle.create_writable())
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
        JsFuture::from(stream.write_with_u8_array(bytes).map_err(|e| js_text(&e))?)
            .await
            .map_err(|e| js_text(&e))?;
        JsFuture::from(stream.close())
            .await
            .map_err(|e| js_text(&e))?;
    }
    Ok(())
}

/// Removes the folder `name` of the pool's directory with all it holds. The browser removes
/// nothing when one of its files is held open by a worker.
async fn remove(name: &str) -> Result<(), String> {
    let options = FileSystemRemoveOptions::new();
    options.set_recursive(true);
    JsFuture::from(
        pool_directory()
            .await?
            .remove_entry_with_options(name, &options),
    )
    .await
    .map(drop)
    .map_err(|e| js_text(&e))
}

/// Every file of the pool, header and all, read without the pool (which did not install).
pub async fn read() -> Result<Vec<Vec<u8>>, String> {
    let files = folder(POOL_FILES, false).await?;
    Ok(read_folder(&files)
        .await?
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect())
}

/// Copies every file of the pool aside (see [`KEPT_FILES`]) and then removes the pool's
/// files. A failure before the removal leaves the pool as it was; the removal itself is all or
/// nothing. Either way a failure here has deleted nothing.
pub async fn keep_aside_and_wipe() -> Result<(), String> {
    let files = read_folder(&folder(POOL_FILES, false).await?).await?;
    // A copy left by an earlier attempt is replaced by this one, read from the pool as it is.
    let _ = remove(KEPT_FILES).await;
    write_folder(&folder(KEPT_FILES, true).await?, &files).await?;
    if let Err(e) = remove(POOL_FILES).await {
        // Nothing was removed, so the copy is not needed.
        let _ = remove(KEPT_FILES).await;
        return Err(format!("its damaged files cannot be removed ({e})"));
    }
    Ok(())
}

/// Puts the files kept aside back in place of whatever the pool's folder holds now (the pool
/// installed again, or nothing), so the pool is as it was before the repair started, then
/// drops the copy. If that fails the copy stays where it is; without a copy it does nothing
/// and fails.
pub async fn put_back() -> Result<(), String> {
    let files = read_folder(&folder(KEPT_FILES, false).await?).await?;
    // Only into an empty place: files another worker holds are not written among.
    match remove(POOL_FILES).await {
        Err(e) if !e.starts_with("NotFoundError") => return Err(e),
        _ => {}
    }
    write_folder(&folder(POOL_FILES, true).await?, &files).await?;
    let _ = remove(KEPT_FILES).await;
    Ok(())
}

/// Drops the files kept aside once the repair is safely in the pool installed again.
pub async fn forget_kept() {
    let _ = remove(KEPT_FILES).await;
}

/// A JavaScript error's name and message.
pub fn js_text(value: &JsValue) -> String {
    let property = |name: &str| {
        js_sys::Reflect::get(value, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    match (property("name"), property("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (_, Some(message)) => message,
        _ => format!("{value:?}"),
    }
}
