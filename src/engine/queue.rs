//! The family-help queue across blocks: each month's free places go to the waiting families with
//! the lowest queue keys, found from the blocks' sorted waiting lists without gathering them.

use super::block::Block;
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
        select(blocks, free)
    };
    blocks
        .par_iter_mut()
        .zip(given)
        .for_each(|(b, given)| b.mark_placed(given));
}

/// How many of each block's waiters hold the `free` lowest keys across `blocks` (fewer than are
/// waiting), by selection over the sorted lists: each block keeps the range of its list still
/// undecided (waiters before it are given a place, from its end on they are not). Each round
/// takes the middle key of the longest range as a pivot and counts the keys at or below it in
/// every range: if they do not exceed the places still to give, all are given; otherwise none
/// above it is, nor the pivot itself (keys are unique, so it is not among the lowest). Every
/// round decides the pivot, so it ends; with keys spread over blocks it takes about as many
/// rounds as the longest list has bits.
fn select(blocks: &[Block], free: usize) -> Vec<usize> {
    let mut ranges: Vec<(usize, usize)> = blocks.iter().map(|b| (0, b.waiting.len())).collect();
    let mut at = vec![0; blocks.len()];
    let mut given = 0;
    loop {
        let need = free - given;
        let (longest, &(a, z)) = ranges
            .iter()
            .enumerate()
            .max_by_key(|&(k, &(a, z))| (z - a, std::cmp::Reverse(k)))
            .expect("at least one block");
        let open: usize = ranges.iter().map(|&(a, z)| z - a).sum();
        if need == 0 || need == open {
            return ranges
                .iter()
                .map(|&(a, z)| if need == 0 { a } else { z })
                .collect();
        }
        let mid = (a + z) / 2;
        let pivot = blocks[longest].waiting[mid].key;
        for ((b, &(a, z)), p) in blocks.iter().zip(&ranges).zip(at.iter_mut()) {
            *p = a + b.waiting[a..z].partition_point(|w| w.key <= pivot);
        }
        let below: usize = ranges.iter().zip(&at).map(|(&(a, _), &p)| p - a).sum();
        if below <= need {
            given += below;
            for (r, &p) in ranges.iter_mut().zip(&at) {
                r.0 = p;
            }
        } else {
            for (r, &p) in ranges.iter_mut().zip(&at) {
                r.1 = p;
            }
            ranges[longest].1 = mid;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::block::Waiter;

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
    fn selection_gives_the_same_places_as_sorting_every_key() {
        // Keys spread unevenly over blocks (one block holds most), from a fixed stream.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..40 {
            let n_blocks = 1 + case % 7;
            let mut blocks: Vec<Block> = (0..n_blocks)
                .map(|b| {
                    let n = (next() % if b == 0 { 300 } else { 40 }) as usize;
                    let mut keys: Vec<u64> = (0..n).map(|_| next() >> 20 << 4 | b as u64).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    let mut block = Block::new();
                    block.waiting = keys.into_iter().map(|key| Waiter { key }).collect();
                    block
                })
                .collect();
            let mut all: Vec<(u64, usize)> = blocks
                .iter()
                .enumerate()
                .flat_map(|(b, bl)| bl.waiting.iter().map(move |w| (w.key, b)))
                .collect();
            all.sort_unstable();
            for free in [
                1,
                2,
                all.len() / 3,
                all.len() / 2,
                all.len().saturating_sub(1),
            ] {
                if free == 0 || free >= all.len() {
                    continue;
                }
                let mut want = vec![0; n_blocks];
                for &(_, b) in &all[..free] {
                    want[b] += 1;
                }
                assert_eq!(select(&blocks, free), want, "case {case} free {free}");
            }
            // No places, or a place for everyone, need no selection.
            give_out(&mut blocks, 0);
            assert!(blocks.iter().all(|b| b.placing.iter().all(|&w| w == 0)));
            give_out(&mut blocks, all.len());
            for b in &blocks {
                let mut every = vec![0u64; b.placing.len()];
                for w in &b.waiting {
                    every[w.slot() / 64] |= 1 << (w.slot() % 64);
                }
                assert_eq!(
                    b.placing, every,
                    "case {case}: every waiter's slot is marked"
                );
            }
        }
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
