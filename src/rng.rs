//! The only place random generators are made. One master seed gives each run index its own seed;
//! each run splits into named streams (parameter draws, arrivals, the initial population), each a
//! `ChaCha8Rng`; per-family monthly uniforms come from a counter-based hash keyed by (run, family,
//! month), so a family draws the same numbers in every scenario (common random numbers) and results
//! do not depend on thread count or on the order families are stored in. A new family's
//! attributes come from `Words`, counter-based too, keyed by (stream, family id), so families can
//! be drawn in parallel.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The SplitMix64 finaliser (Steele, Lea and Flood, 2014): a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a hash of a name: stable across versions and platforms.
pub fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The seed of run `run` under master seed `master`.
pub fn run_seed(master: u64, run: u64) -> u64 {
    mix64(mix64(master) ^ mix64(run.wrapping_add(GAMMA)))
}

/// A named stream of one run, e.g. `stream(seed, "arrivals")` or a parameter's name.
pub fn stream(run_seed: u64, name: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix64(run_seed ^ name_hash(name)))
}

/// The key of a named counter-based stream of one run (for `family_draw` or `Words`).
pub fn key(run_seed: u64, name: &str) -> u64 {
    mix64(run_seed ^ name_hash(name))
}

/// The key of the per-family uniforms of one run.
pub fn family_key(run_seed: u64) -> u64 {
    key(run_seed, "families")
}

/// SplitMix64's increment (the golden ratio in 64 bits), odd.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The draw of family `id` in month `month`: 53 random bits, a pure function of its arguments.
/// It is output number `id * 2^32 + month` of SplitMix64 (Steele, Lea and Flood, 2014) seeded
/// with `key`, that is the finaliser applied to `key + n * GAMMA`: one bijective mix of a Weyl
/// sequence, so distinct (id, month) give distinct inputs. Two runs' draws coincide only where
/// their keys happen to differ by a used position times `GAMMA` (about 2^-31 a pair of runs).
/// The family's uniform in [0, 1) is `draw / 2^53`; the step compares the bits with integer
/// thresholds instead (`engine::lookup`).
#[inline]
pub fn family_draw(key: u64, id: u32, month: u32) -> u64 {
    MonthDraws::new(key, month).of(id)
}

/// The family draws of one month under one key (`family_draw`), with the month's part of the
/// counter, `month * GAMMA`, added to the key once: `key + (id * 2^32 + month) * GAMMA` is
/// `(key + month * GAMMA) + (id * 2^32) * GAMMA` in wrapping arithmetic.
#[derive(Debug, Clone, Copy)]
pub struct MonthDraws(u64);

impl MonthDraws {
    /// The draws of month `month` under `key`.
    #[inline]
    pub fn new(key: u64, month: u32) -> MonthDraws {
        MonthDraws(key.wrapping_add(u64::from(month).wrapping_mul(GAMMA)))
    }

    /// The draw of family `id`: `family_draw(key, id, month)`.
    #[inline]
    pub fn of(self, id: u32) -> u64 {
        mix64(
            self.0
                .wrapping_add((u64::from(id) << 32).wrapping_mul(GAMMA)),
        ) >> 11
    }
}

/// The random words of one keyed draw (say, one new family's attributes): word `i` of draw `n` is
/// SplitMix64's output number `n * 256 + i` seeded with `key` (as in `family_draw`), a pure
/// function of (key, n, i), so draws can be made in any order and on any thread.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    key: u64,
    next: u64,
}

impl Words {
    /// The words of draw `n` under `key` (at most 256 words a draw).
    #[inline]
    pub fn new(key: u64, n: u32) -> Words {
        Words {
            key,
            next: u64::from(n) << 8,
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn word(&mut self) -> u64 {
        let x = mix64(self.key.wrapping_add(self.next.wrapping_mul(GAMMA)));
        self.next += 1;
        x
    }

    /// The next uniform in [0, 1), with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        self.bits53() as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// The 53 bits of the next uniform (`uniform` is these over 2^53).
    #[inline]
    pub fn bits53(&mut self) -> u64 {
        self.word() >> 11
    }

    /// The next integer uniform in 0..n (multiply-high: bias below n / 2^64).
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        ((u128::from(self.word()) * u128::from(n)) >> 64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_draws_is_splitmix_output_number_id_times_2_pow_32_plus_month() {
        for (key, id, month) in [
            (0, 0, 0),
            (u64::MAX, u32::MAX, 1023),
            (0x1234_5678, 77, 119),
        ] {
            let n = (u64::from(id) << 32) | u64::from(month);
            let want = mix64(key.wrapping_add(n.wrapping_mul(GAMMA))) >> 11;
            assert_eq!(MonthDraws::new(key, month).of(id), want);
            assert_eq!(family_draw(key, id, month), want);
        }
    }

    #[test]
    fn family_draws_are_uniform_and_independent_of_call_order() {
        let key = family_key(run_seed(7, 3));
        let mut bins = [0u32; 20];
        let n = 200_000u32;
        for id in 0..n {
            let u = family_draw(key, id, id % 120) as f64 / (1u64 << 53) as f64;
            assert!((0.0..1.0).contains(&u));
            bins[(u * 20.0) as usize] += 1;
        }
        let expected = f64::from(n) / 20.0;
        let chi2: f64 = bins
            .iter()
            .map(|&b| (f64::from(b) - expected).powi(2) / expected)
            .sum();
        // 19 degrees of freedom: the 99.9th percentile is 43.8.
        assert!(chi2 < 43.8, "chi-square {chi2}");
        assert_eq!(family_draw(key, 5, 9), family_draw(key, 5, 9));
        assert_ne!(family_draw(key, 5, 9), family_draw(key, 5, 10));
    }

    #[test]
    fn words_are_uniform_and_a_pure_function_of_key_and_draw() {
        let mut bins = [0u32; 10];
        for n in 0..50_000u32 {
            let mut w = Words::new(11, n);
            for _ in 0..2 {
                bins[w.below(10) as usize] += 1;
            }
            let u = w.uniform();
            assert!((0.0..1.0).contains(&u));
        }
        // 9 degrees of freedom: the 99.9th percentile is 27.9.
        let chi2: f64 = bins
            .iter()
            .map(|&b| (f64::from(b) - 10_000.0).powi(2) / 10_000.0)
            .sum();
        assert!(chi2 < 27.9, "chi-square {chi2}");
        let (mut a, mut b) = (Words::new(3, 7), Words::new(3, 7));
        assert_eq!(a.word(), b.word());
        assert_ne!(a.word(), Words::new(3, 7).word());
        assert_ne!(Words::new(3, 7).word(), Words::new(4, 7).word());
    }

    #[test]
    fn runs_and_streams_get_distinct_seeds() {
        assert_ne!(run_seed(1, 0), run_seed(1, 1));
        assert_ne!(run_seed(1, 0), run_seed(2, 0));
        assert_eq!(run_seed(1, 0), run_seed(1, 0));
        use rand::Rng;
        let a: u64 = stream(5, "a").random();
        let b: u64 = stream(5, "b").random();
        assert_ne!(a, b);
    }

    #[test]
    fn name_hash_is_pinned() {
        // FNV-1a of "a": a change here would change every published result.
        assert_eq!(name_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
