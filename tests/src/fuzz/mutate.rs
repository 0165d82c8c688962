//! Mutations of an input: insert, delete, duplicate, swap, splice from another input, truncate
//! and repeat, at character boundaries and (read back leniently) at byte boundaries, with
//! fragments from the format's own dictionary or from any Unicode class.

use super::{unicode, Rng};

/// Applies one to `rounds` mutations to `text`. `dictionary` holds fragments that mean
/// something in the format (keywords, quotes, markers); `donors` are other inputs to splice from.
pub fn mutate(rng: &mut Rng, text: &str, rounds: usize, dictionary: &[&str], donors: &[String]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..rng.range(1, rounds.max(1)) {
        let at = rng.below(chars.len() + 1);
        let span = |rng: &mut Rng, len: usize| {
            let a = rng.below(len + 1);
            let b = (a + rng.len(8)).min(len);
            (a, b)
        };
        match rng.below(13) {
            0 | 1 => {
                let frag: Vec<char> = rng.pick(dictionary).chars().collect();
                chars.splice(at..at, frag);
            }
            2 => chars.insert(at, unicode::char(rng)),
            3 => {
                let n = rng.range(1, 4);
                let s: Vec<char> = unicode::string(rng, n).chars().collect();
                chars.splice(at..at, s);
            }
            4 | 5 => {
                let (a, b) = span(rng, chars.len());
                chars.drain(a..b);
            }
            6 => {
                let (a, b) = span(rng, chars.len());
                let copy: Vec<char> = chars[a..b].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy);
            }
            7 if !donors.is_empty() => {
                let donor: Vec<char> = rng.pick(donors).chars().collect();
                let (a, b) = span(rng, donor.len());
                chars.splice(at..at, donor[a..b].iter().copied());
            }
            8 => chars.truncate(at),
            9 => {
                // Repetition reaches depth and size: `((((`, a thousand quotes, a long name.
                let frag: Vec<char> = if rng.coin() {
                    let (a, b) = span(rng, chars.len());
                    chars[a..b].to_vec()
                } else {
                    rng.pick(dictionary).chars().collect()
                };
                let times = if rng.one_in(40) { rng.range(100, 3000) } else { rng.range(2, 20) };
                let rep: Vec<char> = frag.iter().copied().cycle().take(frag.len() * times).take(200_000).collect();
                chars.splice(at..at, rep);
            }
            10 => {
                // Byte-level: a byte changed inside a character, read back as UTF-8 would be
                // by a lenient caller.
                let s: String = chars.iter().collect();
                let mut bytes = s.into_bytes();
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    match rng.below(3) {
                        0 => bytes[i] ^= 1 << rng.below(8),
                        1 => {
                            bytes.insert(i, rng.next_u64() as u8);
                        }
                        _ => {
                            bytes.truncate(i);
                        }
                    }
                }
                chars = String::from_utf8_lossy(&bytes).chars().collect();
            }
            11 if chars.len() > 1 => {
                let (a, b) = span(rng, chars.len());
                let (c, d) = span(rng, chars.len());
                if b <= c {
                    let second: Vec<char> = chars[c..d].to_vec();
                    let first: Vec<char> = chars[a..b].to_vec();
                    chars.splice(c..d, first);
                    chars.splice(a..b, second);
                }
            }
            _ => {
                let i = at.min(chars.len().saturating_sub(1));
                if let Some(c) = chars.get_mut(i) {
                    *c = if rng.coin() { unicode::char(rng) } else { flip_case(*c) };
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn flip_case(c: char) -> char {
    if c.is_lowercase() {
        c.to_uppercase().next().unwrap_or(c)
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}
