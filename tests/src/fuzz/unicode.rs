//! Random characters from every class a parser may meet: ASCII controls and punctuation,
//! Latin-1, combining marks, CJK, right-to-left scripts, emoji (with joiners and variation
//! selectors), the code points next to the surrogate range, noncharacters, NUL, the byte-order
//! mark, line and paragraph separators and the other Unicode spaces.

use super::Rng;

/// Code point ranges, one per class; each class is drawn as often as the others.
const CLASSES: &[(u32, u32)] = &[
    (0x00, 0x1f),         // ASCII controls, NUL and the line breaks among them
    (0x20, 0x7e),         // printable ASCII
    (0x7f, 0x9f),         // DEL and the C1 controls (U+0085 is a line break to some)
    (0xa0, 0xff),         // Latin-1: NBSP, é, ß, ÿ
    (0x100, 0x24f),       // Latin Extended
    (0x300, 0x36f),       // combining marks
    (0x370, 0x3ff),       // Greek (final sigma changes case rules)
    (0x400, 0x4ff),       // Cyrillic
    (0x590, 0x5ff),       // Hebrew, right to left
    (0x600, 0x6ff),       // Arabic, right to left
    (0x200b, 0x200f),     // zero-width space, joiners, direction marks
    (0x2028, 0x202e),     // line and paragraph separators, embedding controls
    (0x2000, 0x200a),     // the Unicode spaces
    (0x3000, 0x303f),     // CJK punctuation and the ideographic space
    (0x4e00, 0x9fff),     // CJK ideographs
    (0xac00, 0xd7a3),     // Hangul syllables
    (0xd7fc, 0xd7ff),     // just below the surrogates
    (0xe000, 0xe0ff),     // just above them: private use
    (0xfdd0, 0xfdef),     // noncharacters
    (0xfe00, 0xfe0f),     // variation selectors
    (0xfeff, 0xfeff),     // byte-order mark / zero-width no-break space
    (0xfff0, 0xffff),     // specials, the replacement character, U+FFFF
    (0x1f300, 0x1f6ff),   // emoji
    (0x1f900, 0x1f9ff),   // more emoji
    (0x1d400, 0x1d7ff),   // mathematical letters (four bytes, case-less)
    (0xe0000, 0xe007f),   // tags
    (0x10fff0, 0x10ffff), // the last code points
];

/// Characters that mean something to at least one of the formats, or look as if they should.
const SPECIAL: &[char] = &[
    '\0', '\u{feff}', '\u{2028}', '\u{2029}', '\u{85}', '\u{a0}', '\r', '\n', '\t', '\u{b}', '\u{c}', 'é', 'ı', 'İ', 'ß', 'ſ', 'K', 'Σ', 'ς',
    '\u{301}', '\u{200d}', '\u{202e}', '😀', '👩', '中', '\u{ffff}', '\u{fffd}', '\u{d7ff}', '\u{e000}', '\u{10ffff}', '＂', '［', '］', '；', '（',
];

/// One random character of a random class.
pub fn char(rng: &mut Rng) -> char {
    if rng.one_in(4) {
        return *rng.pick(SPECIAL);
    }
    let (lo, hi) = *rng.pick(CLASSES);
    loop {
        let c = lo + rng.below((hi - lo + 1) as usize) as u32;
        if let Some(c) = char::from_u32(c) {
            return c;
        }
    }
}

/// A string of `n` random characters, mostly from one class (as real text is) with strays.
pub fn string(rng: &mut Rng, n: usize) -> String {
    let (lo, hi) = *rng.pick(CLASSES);
    (0..n)
        .map(|_| {
            if rng.one_in(5) {
                char(rng)
            } else {
                char::from_u32(lo + rng.below((hi - lo + 1) as usize) as u32).unwrap_or('\u{fffd}')
            }
        })
        .collect()
}

/// Random bytes read as UTF-8 the forgiving way (invalid sequences become U+FFFD), as a file
/// of unknown encoding would be by a caller that accepts any bytes.
pub fn bytes_as_text(rng: &mut Rng, n: usize) -> String {
    let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A name as a user might write one in any language: a word, then maybe more characters.
pub fn name(rng: &mut Rng) -> String {
    const NAMES: &[&str] = &[
        "café", "naïve", "größe", "Ελλάδα", "имя", "名前", "이름", "שם", "اسم", "emoji😀", "a\u{301}", "ǅ", "x\u{200d}y", "Σσς", "İı", "ﬁle",
    ];
    if rng.coin() {
        rng.pick(NAMES).to_string()
    } else {
        let n = rng.range(1, 6);
        string(rng, n)
    }
}
