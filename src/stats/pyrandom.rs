//! CPython's `random.Random`: the Mersenne Twister (MT19937) seeded the way CPython seeds it from
//! an integer, `random()` and `choices(population, k)`. lighteval's bootstrap draws its resamples
//! with it, so reproducing it draws the very same resamples and gives the same standard errors.

const N: usize = 624;
const M: usize = 397;

pub struct PyRandom {
    state: [u32; N],
    /// The tempered outputs of the current state, computed in one pass after each twist.
    tempered: [u32; N],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)` for a non-negative integer seed.
    pub fn new(seed: u64) -> PyRandom {
        // CPython splits abs(seed) into 32-bit words, least significant first; 0 is one word.
        let mut key = vec![seed as u32];
        if seed >> 32 != 0 {
            key.push((seed >> 32) as u32);
        }
        let mut rng = PyRandom {
            state: [0; N],
            tempered: [0; N],
            index: N,
        };
        rng.init_by_array(&key);
        rng
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i]
                ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
        }
        self.state[0] = 0x8000_0000;
    }

    #[inline]
    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let y = self.tempered[self.index];
        self.index += 1;
        y
    }

    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        let mix = |upper: u32, lower: u32, far: u32| {
            let y = (upper & UPPER) | (lower & LOWER);
            far ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
        };
        // Three loops instead of `% N` in one, so the compiler can keep it tight.
        for i in 0..N - M {
            self.state[i] = mix(self.state[i], self.state[i + 1], self.state[i + M]);
        }
        for i in N - M..N - 1 {
            self.state[i] = mix(self.state[i], self.state[i + 1], self.state[i + M - N]);
        }
        self.state[N - 1] = mix(self.state[N - 1], self.state[0], self.state[M - 1]);
        for (out, &state) in self.tempered.iter_mut().zip(&self.state) {
            let mut y = state;
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c_5680;
            y ^= (y << 15) & 0xefc6_0000;
            *out = y ^ (y >> 18);
        }
        self.index = 0;
    }

    /// `random.random()`: 53 random bits as a float in [0, 1).
    #[inline]
    pub fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// One index as `random.choices` picks it from a population of `n`.
    #[inline]
    pub fn choice_index(&mut self, n: usize) -> usize {
        // For a non-negative value, truncation is floor (and needs no libm call).
        (self.random() * n as f64) as usize
    }

    /// The indices `random.choices(population, k=k)` picks from a population of `n`.
    pub fn choice_indices(&mut self, n: usize, k: usize, out: &mut Vec<usize>) {
        out.clear();
        let size = n as f64;
        out.extend((0..k).map(|_| (self.random() * size) as usize));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values printed by CPython 3.11's `random` module.
    #[test]
    fn random_matches_cpython() {
        let mut r = PyRandom::new(0);
        assert_eq!(
            [r.random(), r.random(), r.random()],
            [0.8444218515250481, 0.7579544029403025, 0.420571580830845]
        );
        let mut r = PyRandom::new(0);
        for _ in 0..700 {
            r.random();
        }
        assert_eq!(r.random(), 0.6380736282281027, "past the first twist");
    }

    #[test]
    fn choices_match_cpython() {
        let mut picks = Vec::new();
        PyRandom::new(1).choice_indices(10, 10, &mut picks);
        assert_eq!(picks, [1, 8, 7, 2, 4, 4, 6, 7, 0, 0]);
        PyRandom::new(42).choice_indices(1000, 5, &mut picks);
        assert_eq!(picks, [639, 25, 275, 223, 736]);
    }
}
