//! Run-time choice of the instruction set for the cohort engine's projection (`project`).
//!
//! `project` is compiled twice: for the x86-64 baseline every CPU runs (SSE2), and with AVX2,
//! which nearly every x86-64 CPU made since 2013-2015 has; each projection takes the AVX2
//! copy where the CPU has it. The copies run the same floating-point operations in the same
//! order: AVX2 only lets the compiler work on eight `f32` age cells at once instead of four, and no
//! fused multiply-add is enabled, so every value is rounded as in the portable copy and results
//! are the same to the bit either way (the test below checks it). Setting the environment
//! variable `CARECAST_PORTABLE` keeps a whole command on the portable copy. (The Monte Carlo step
//! stays portable: an AVX2 copy of it ran 10% fewer instructions but was no faster, BENCHMARKS.md.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Set to keep every projection on the portable copy.
static PORTABLE: AtomicBool = AtomicBool::new(false);

/// Whether this CPU has AVX2 and the environment variable `CARECAST_PORTABLE` is unset, looked up
/// once.
static AVX2: OnceLock<bool> = OnceLock::new();

/// Whether the projection may use its AVX2 copy on this CPU.
#[inline]
pub fn avx2() -> bool {
    !PORTABLE.load(Ordering::Relaxed) && *AVX2.get_or_init(detect)
}

/// Whether the CPU has AVX2, unless `CARECAST_PORTABLE` is set.
fn detect() -> bool {
    if std::env::var_os("CARECAST_PORTABLE").is_some() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Keeps every later projection on the portable copy (`true`) or lets it use AVX2 again
/// (`false`), for tests that compare the two. (To rule the AVX2 copy out of a whole command, set
/// the environment variable `CARECAST_PORTABLE`.)
pub fn force_portable(on: bool) {
    PORTABLE.store(on, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_cohort_projection_is_the_same_to_the_bit() {
        // The only test that switches copies (other tests may run either; both agree).
        if !avx2() {
            eprintln!("this CPU has no AVX2: only the portable projection runs here");
            return;
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.json");
        let model = crate::scenario::load_model(path.as_ref()).expect("baseline loads");
        // Run 5 of the baseline: the history's projection of its draw, then the baseline's.
        let seed = model.defaults.seed;
        force_portable(true);
        let portable = crate::engine::cohort::draw(&model, 5, seed);
        force_portable(false);
        let wide = crate::engine::cohort::draw(&model, 5, seed).expect("the AVX2 projection");
        let portable = portable.expect("the portable projection");
        let bits = |p: &crate::engine::RunResult| {
            let rows = p.years.iter().flat_map(|r| r.iter());
            let stocks = p.state_children.iter().flat_map(|r| r.iter());
            rows.chain(stocks)
                .map(|x| x.to_bits())
                .collect::<Vec<u64>>()
        };
        assert!(portable.years.len() == model.years && model.years > 0);
        assert_eq!(bits(&portable), bits(&wide));
    }
}
