//! Sums of the cohort engine's cell vectors, added in `f64` in eight interleaved partial sums so
//! that they are not one chain of dependent additions (as `Iterator::sum` must be).

use super::mass::Real;

/// Lanes of partial sums.
const LANES: usize = 8;

/// The sum of `v` (cells of the grid, added in `f64`): element `i` goes to partial sum `i % 8`,
/// and the partial sums are added in a fixed tree, so the result depends only on `v` (it may
/// differ from a sequential sum in the last bits).
#[inline]
pub fn sum(v: &[Real]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += f64::from(x);
        }
    }
    for (a, &x) in acc.iter_mut().zip(rest) {
        *a += f64::from(x);
    }
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_the_exact_sum_of_integers_at_every_length() {
        for n in 0..40usize {
            let v: Vec<Real> = (0..n).map(|i| (i * i) as Real).collect();
            let want = (0..n).map(|i| i * i).sum::<usize>() as f64;
            assert_eq!(sum(&v), want, "length {n}");
        }
        // Rounding differs from a sequential sum only in the last bits.
        let v: Vec<Real> = (1..1000).map(|i| 1.0 / i as Real).collect();
        let seq: f64 = v.iter().map(|&x| f64::from(x)).sum();
        assert!((sum(&v) - seq).abs() < 1e-13 * seq);
    }
}
