//! The family-help queue across blocks: each month's free places go to the waiting families with
//! the lowest queue keys, found from the blocks' sorted waiting lists without gathering them.

use super::block::{Block, Waiter, SLOT_BITS};
use rayon::prelude::*;

/// Families waiting in all blocks.
pub fn waiting(blocks: &[Block]) -> usize {
    blocks.iter().map(|b| b.waiting.len()).sum()
}

/// Gives `free` places to the waiting families with the lowest keys across `blocks` (keys are
/// unique, so the choice is exact and independent of how families are split into blocks): marks
/// each block's given prefix in `Block::placing`, for the next step (or the end of the year) to
/// move them into family help.
pub fn give_out(blocks: &mut [Block], free: usize) {
    let given: Vec<usize> = if free == 0 {
        vec![0; blocks.len()]
    } else if free >= waiting(blocks) {
        blocks.iter().map(|b| b.waiting.len()).collect()
    } else {
        // The smallest key with `free` keys at or below it, by bisection on keys without their
        // slot bits (ids are unique, so the rest of a key already tells families apart). Each
        // block keeps the range of its list where the count at any key still in [lo, hi] falls,
        // so later steps search ever shorter ranges, and the last step counts its given prefix.
        let family = |w: &Waiter| w.key >> SLOT_BITS;
        let mut lo = u64::MAX;
        let mut hi = 0;
        for w in blocks.iter().filter_map(|b| b.waiting.first()) {
            lo = lo.min(family(w));
        }
        for w in blocks.iter().filter_map(|b| b.waiting.last()) {
            hi = hi.max(family(w));
        }
        let mut ranges: Vec<(usize, usize)> = blocks.iter().map(|b| (0, b.waiting.len())).collect();
        // Each block's count of keys at or below `t`, into `at`.
        let count_at = |ranges: &[(usize, usize)], t: u64, at: &mut Vec<usize>| {
            at.clear();
            at.extend(
                blocks
                    .iter()
                    .zip(ranges)
                    .map(|(b, &(a, z))| a + b.waiting[a..z].partition_point(|w| family(w) <= t)),
            );
        };
        let mut at = Vec::with_capacity(blocks.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            count_at(&ranges, mid, &mut at);
            let below = at.iter().sum::<usize>() >= free;
            for (r, &p) in ranges.iter_mut().zip(&at) {
                if below {
                    r.1 = p;
                } else {
                    r.0 = p;
                }
            }
            if below {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        count_at(&ranges, lo, &mut at);
        at
    };
    blocks
        .par_iter_mut()
        .zip(given)
        .for_each(|(b, given)| b.mark_placed(given));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block whose families (state 0, one child each) wait with ids `ids`, in that order.
    fn block(ids: &[u32]) -> Block {
        let mut b = Block::new();
        for &id in ids {
            let f = crate::engine::block::NewFamily {
                id,
                state: 0,
                group: 0,
                children: 1,
                age: 0,
                dur: 0,
                history: 0,
            };
            let slot = b.push(f, 0);
            b.waiting.push(Waiter::new(0, 0, id, slot));
        }
        b
    }

    #[test]
    fn the_lowest_keys_across_blocks_are_given_places() {
        let mut blocks = vec![block(&[3, 9, 40]), block(&[]), block(&[1, 7, 8, 50])];
        for (free, given) in [
            (0, [0, 0, 0]),
            (4, [1, 0, 3]),
            (5, [2, 0, 3]),
            (99, [3, 0, 4]),
        ] {
            for b in &mut blocks {
                b.placing.fill(0);
            }
            give_out(&mut blocks, free);
            // Marked: each block's first `given` waiters (pushed into slots 0, 1, ...).
            let got: Vec<u64> = blocks.iter().map(|b| b.placing[0]).collect();
            let want: Vec<u64> = given.iter().map(|&g| (1u64 << g) - 1).collect();
            assert_eq!(got, want, "free {free}");
        }
    }
}
