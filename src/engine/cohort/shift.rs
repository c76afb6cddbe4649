//! Vector kernels of the cohort step. Each takes age vectors (one cell a month of age) and writes
//! into the vector one month on: age `a` into cell `a + 1`, ages at or past the destination's
//! last cell into that cell.

use super::mass::Real;
use super::sum::sum;

/// Ages `lo..hi` split at the destination's last cell `last`: `lo..mid` move up one cell (none
/// when `mid <= lo`) and `tail..hi` go to the last cell.
#[inline]
fn split(lo: usize, hi: usize, last: usize) -> (usize, usize) {
    let mid = hi.min(last);
    (mid, mid.max(lo))
}

/// Transitions: `dst[a + 1] += p * src[a]` for ages `a` in `lo..hi`.
#[inline(always)]
pub fn add_aged(dst: &mut [Real], lo: usize, hi: usize, p: f64, src: &[Real]) {
    let last = dst.len() - 1;
    let (p, p64) = (p as Real, p);
    let (mid, tail) = split(lo, hi, last);
    if lo < mid {
        for (x, &v) in dst[lo + 1..mid + 1].iter_mut().zip(&src[lo..mid]) {
            *x += p * v;
        }
    }
    if tail < hi {
        dst[last] += (p64 * sum(&src[tail..hi])) as Real;
    }
}

/// Families who stay in a state without a waiting flag: `dst[a + 1] = stay * src[a]` (or `+=`
/// when `ADD`) for ages `a` in `lo..hi`, the last cell keeping its own, while `sum[a] += src[a]`
/// (or `=` when `FIRST`, the first vector of a run).
#[inline]
pub fn stay<const ADD: bool, const FIRST: bool>(
    dst: &mut [Real],
    src: &[Real],
    (lo, hi): (usize, usize),
    stay: f64,
    sum: &mut [Real],
) {
    let last = dst.len() - 1;
    let stay = stay as Real;
    let (mid, tail) = split(lo, hi, last);
    if lo < mid {
        let out = dst[lo + 1..mid + 1].iter_mut().zip(&mut sum[lo..mid]);
        for ((x, s), &v) in out.zip(&src[lo..mid]) {
            *s = if FIRST { v } else { *s + v };
            *x = if ADD { *x + stay * v } else { stay * v };
        }
    }
    for a in tail..hi {
        sum[a] = if FIRST { src[a] } else { sum[a] + src[a] };
        dst[last] += stay * src[a];
    }
}

/// Families who stay in a state with a waiting flag (`src0`, `dst0` not waiting, `src1`, `dst1`
/// waiting): `dst0[a + 1] = free * src0[a]`, `dst1[a + 1] = wait * src0[a] + stay * src1[a]`
/// (or `+=` when `ADD`), while `sum[a] += src0[a] + src1[a]` (or `=` when `FIRST`).
#[inline]
pub fn stay_or_wait<const ADD: bool, const FIRST: bool>(
    (dst0, dst1): (&mut [Real], &mut [Real]),
    (src0, src1): (&[Real], &[Real]),
    (lo, hi): (usize, usize),
    (free, wait, stay): (f64, f64, f64),
    sum: &mut [Real],
) {
    let last = dst0.len() - 1;
    let (free, wait, stay) = (free as Real, wait as Real, stay as Real);
    let (mid, tail) = split(lo, hi, last);
    if lo < mid {
        let out = dst0[lo + 1..mid + 1]
            .iter_mut()
            .zip(&mut dst1[lo + 1..mid + 1]);
        let src = src0[lo..mid].iter().zip(&src1[lo..mid]);
        for (((x0, x1), s), (&v0, &v1)) in out.zip(&mut sum[lo..mid]).zip(src) {
            *s = if FIRST { v0 + v1 } else { *s + (v0 + v1) };
            let (y0, y1) = (free * v0, wait * v0 + stay * v1);
            if ADD {
                *x0 += y0;
                *x1 += y1;
            } else {
                *x0 = y0;
                *x1 = y1;
            }
        }
    }
    for a in tail..hi {
        sum[a] = if FIRST {
            src0[a] + src1[a]
        } else {
            sum[a] + (src0[a] + src1[a])
        };
        dst0[last] += free * src0[a];
        dst1[last] += wait * src0[a] + stay * src1[a];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_past_a_shorter_destination_gather_in_its_last_cell() {
        let mut dst = vec![0.0; 3];
        add_aged(&mut dst, 0, 5, 2.0, &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(dst, [0.0, 2.0, 4.0 + 2.0 * (3.0 + 4.0 + 5.0)]);
        let mut dst = vec![0.0; 3];
        add_aged(&mut dst, 4, 5, 1.0, &[0.0, 0.0, 0.0, 0.0, 7.0]);
        assert_eq!(dst, [0.0, 0.0, 7.0]);
    }

    #[test]
    fn stays_set_then_add_and_the_last_cell_keeps_its_own() {
        let (mut dst, mut sum) = (vec![9.0; 3], vec![0.0; 3]);
        stay::<false, false>(&mut dst, &[1.0, 2.0, 4.0], (0, 3), 0.5, &mut sum);
        assert_eq!(
            (dst[1..].to_vec(), sum.clone()),
            (vec![0.5, 1.0 + 2.0], vec![1.0, 2.0, 4.0])
        );
        let (mut d0, mut d1, mut sum) = (vec![0.0; 2], vec![0.0; 2], vec![0.0; 2]);
        let src = ([2.0, 0.0].as_slice(), [4.0, 0.0].as_slice());
        stay_or_wait::<true, false>((&mut d0, &mut d1), src, (0, 1), (0.25, 0.5, 1.0), &mut sum);
        assert_eq!(
            (d0, d1, sum),
            (vec![0.0, 0.5], vec![0.0, 5.0], vec![6.0, 0.0])
        );
    }
}
