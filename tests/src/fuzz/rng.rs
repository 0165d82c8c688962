//! The fuzzer's random source: SplitMix64, seeded per input from the run's seed, the target's
//! name and the input's number, so any single input can be made again on its own.

/// A small, fast, seedable generator; statistical quality is ample for choosing inputs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

/// FNV-1a over bytes: a stable hash for seeding (std's hasher may change between releases).
pub fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of input `index` of target `target` in a run seeded with `seed`.
    pub fn for_input(seed: u64, target: &str, index: u64) -> Rng {
        let mut r = Rng(seed ^ hash(target.as_bytes()) ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of a non-empty list of words.
    pub fn word<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A length that is usually small and now and then large: most parsers' bugs need few
    /// characters, while a few need depth or size.
    pub fn len(&mut self, typical: usize) -> usize {
        match self.below(20) {
            0 => self.below(typical * 12 + 1),
            1..=3 => self.below(4),
            _ => self.below(typical + 1),
        }
    }
}
