//! A block of at most `BLOCK` families stored as columns, with what the block did in the month.
//! Blocks are stepped in parallel and reduced in block order; a family keeps its slot in its block
//! for life (a family that leaves leaves a hole, which the step fills with a later arrival as it
//! passes it), so per-block waiting lists can refer to families by slot from one month to the next.

/// Families per block: fixed, so that which families share a block never depends on the thread
/// count.
pub const BLOCK: usize = 16_384;

/// Marks a family that is not waiting for a family-help place.
pub const NOT_WAITING: u16 = u16::MAX;

/// History bit: the family has had a child protection plan.
pub const HAD_PLAN: u8 = 1;

/// Months are stored plus this origin, so that births and state entries before the first month
/// (at most 30 years of age and `tables::MAX_DUR_MONTHS` in a state) fit in a `u16`.
pub const MONTH_ORIGIN: u16 = 1024;

/// Month `month` as stored in `Block::birth` and `Block::entered`.
#[inline]
pub fn stored_month(month: u32) -> u16 {
    month as u16 + MONTH_ORIGIN
}

/// A family's attributes when it is created.
#[derive(Debug, Clone, Copy)]
pub struct NewFamily {
    pub id: u32,
    pub state: u16,
    pub group: u8,
    pub children: u8,
    /// Age of the index child in months, and months in `state`, in the month it is created.
    pub age: u16,
    pub dur: u16,
    pub history: u8,
}

/// A family waiting for a family-help place, packed in one word so that waiting lists stream
/// cheaply: its queue key. Lower keys are served first: bits 56 to 63 hold the family's priority
/// class (a rank), bits 46 to 55 the month it started waiting, bits 14 to 45 its id and bits 0
/// to 13 its slot in the block. Ids are unique, so the slot never decides the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    pub key: u64,
}

/// Low bits of a waiter's key that hold its slot.
pub const SLOT_BITS: u32 = 14;

const _: () = assert!(
    BLOCK <= 1 << SLOT_BITS,
    "slots fit in the slot bits of a waiter"
);
const _: () = assert!(
    crate::scenario::validate::MAX_HORIZON_YEARS * 12 < 1 << 10,
    "months fit in 10 bits of a waiter"
);

impl Waiter {
    /// The waiter of the family with `id` in slot `slot`, of priority class `class` (below 256),
    /// waiting since month `since` (below 1,024).
    #[inline]
    pub fn new(class: u64, since: u16, id: u32, slot: usize) -> Waiter {
        debug_assert!(class < 256 && since < 1 << 10 && slot < BLOCK);
        Waiter {
            key: (class << 56)
                | (u64::from(since) << 46)
                | (u64::from(id) << SLOT_BITS)
                | slot as u64,
        }
    }

    /// The family's slot in its block.
    #[inline]
    pub fn slot(self) -> usize {
        (self.key & ((1 << SLOT_BITS) - 1)) as usize
    }
}

/// What a block did in one month.
#[derive(Debug, Default)]
pub struct BlockOut {
    /// Moves by (from, to) cell (`Flows` layout): children in the high 32 bits, families in the
    /// low 32 bits, so one add counts both.
    pub flows: Vec<u64>,
    /// One-off costs by spend class (£, unweighted).
    pub oneoff: [f64; 3],
    /// Children re-referred within 12 months of a case closing.
    pub rereferrals: u32,
    /// Children starting a plan in a family that has had one before.
    pub repeat_plans: u32,
    /// Families given a family-help place at the end of the previous month, by the state they
    /// left (`one_flow` sums): moves of that month, counted as the step passes them.
    pub placed: Vec<u64>,
}

impl BlockOut {
    /// Zeroes the month's results for `cells` flow cells and `states` states, keeping the
    /// buffers.
    pub fn clear(&mut self, cells: usize, states: usize) {
        self.flows.clear();
        self.flows.resize(cells, 0);
        self.placed.clear();
        self.placed.resize(states, 0);
        self.oneoff = [0.0; 3];
        self.rereferrals = 0;
        self.repeat_plans = 0;
    }
}

/// One flow of `children` children and one family, as added to a `BlockOut::flows` cell.
#[inline]
pub fn one_flow(children: u8) -> u64 {
    (u64::from(children) << 32) | 1
}

/// Families as columns (structure of arrays); slot `i` across all columns is one family, or a hole
/// (state `tables::EXIT`) left by a family that left the model.
#[derive(Debug, Default)]
pub struct Block {
    pub id: Vec<u32>,
    pub state: Vec<u16>,
    pub group: Vec<u8>,
    pub children: Vec<u8>,
    /// Month the index child was born (`stored_month`): its age in month `m` is
    /// `stored_month(m) - birth`, so ageing writes nothing.
    pub birth: Vec<u16>,
    /// Month from which months in the current state count (`stored_month`): in month `m` the
    /// family has been `stored_month(m) - entered` months in its state.
    pub entered: Vec<u16>,
    /// Month the family started waiting for a family-help place, or `NOT_WAITING`.
    pub wait_since: Vec<u16>,
    /// What the family has been through (`HAD_PLAN`).
    pub history: Vec<u8>,
    /// Slots of families that left (state `EXIT`): the step fills them with arrivals, in slot
    /// order, before the block grows.
    pub holes: usize,
    /// The holes' slots, one bit a slot.
    pub hole_bits: Vec<u64>,
    /// Families waiting for a family-help place, by key (ascending). Entries of families that
    /// stopped waiting are dropped at the end of each step.
    pub waiting: Vec<Waiter>,
    /// Slots of families given a family-help place at the end of the month, one bit a slot: the
    /// next step moves them into family help as it passes them (reading their columns while it
    /// streams them), or `place_marked` does at the end of a year.
    pub placing: Vec<u64>,
    /// Arrivals to place at the start of the next step: (first arrival of the month, count).
    pub arrivals: (u32, u32),
    /// What the block did in the last month.
    pub out: BlockOut,
    /// Families who started waiting in the month, until `update_waiting` merges them in.
    pub fresh: Vec<Waiter>,
    /// Slots whose family stopped waiting in the month (moved, left, or was given a place), one
    /// bit a slot, until `update_waiting` drops their entries.
    pub stopped: Vec<u64>,
}

impl Block {
    /// An empty block with room for `BLOCK` families.
    pub fn new() -> Block {
        let mut b = Block::default();
        b.id.reserve_exact(BLOCK);
        b.state.reserve_exact(BLOCK);
        b.group.reserve_exact(BLOCK);
        b.children.reserve_exact(BLOCK);
        b.birth.reserve_exact(BLOCK);
        b.entered.reserve_exact(BLOCK);
        b.wait_since.reserve_exact(BLOCK);
        b.history.reserve_exact(BLOCK);
        b.stopped = vec![0; BLOCK / 64];
        b.hole_bits = vec![0; BLOCK / 64];
        b.placing = vec![0; BLOCK / 64];
        b
    }

    /// Marks slot `i`'s family as having stopped waiting (its entry goes at `update_waiting`).
    #[inline]
    pub fn stop_waiting(stopped: &mut [u64], i: usize) {
        Block::mark(stopped, i, true);
    }

    /// Sets slot `i`'s bit in the one-bit-a-slot set `bits` where `on`, without a branch.
    #[inline]
    pub fn mark(bits: &mut [u64], i: usize, on: bool) {
        bits[i / 64] |= u64::from(on) << (i % 64);
    }

    /// Families alive in the block.
    pub fn live(&self) -> usize {
        self.id.len() - self.holes
    }

    /// Families the block can still take.
    pub fn room(&self) -> usize {
        BLOCK - self.live()
    }

    /// Adds a family created in month `month` at the end; returns its slot.
    pub fn push(&mut self, f: NewFamily, month: u32) -> usize {
        debug_assert!(self.id.len() < BLOCK, "block full");
        let i = self.id.len();
        let now = stored_month(month);
        self.id.push(f.id);
        self.state.push(f.state);
        self.group.push(f.group);
        self.children.push(f.children);
        self.birth.push(now - f.age);
        self.entered.push(now - f.dur);
        self.wait_since.push(NOT_WAITING);
        self.history.push(f.history);
        i
    }

    /// Marks the first `given` waiters as given a place (see `placing`).
    pub fn mark_placed(&mut self, given: usize) {
        for w in &self.waiting[..given] {
            let i = w.slot();
            Block::mark(&mut self.placing, i, true);
        }
    }

    /// Moves the family in slot `i`, marked in `placing`, into `capacity_state` as of the start
    /// of month `month`, counting its move by the state it leaves in `placed`. The step and
    /// `place_marked` both use it, on the block's columns.
    #[inline]
    pub fn place(
        (state, children, entered, wait_since): (&mut [u16], &[u8], &mut [u16], &mut [u16]),
        stopped: &mut [u64],
        placed: &mut [u64],
        i: usize,
        capacity_state: u16,
        month: u32,
    ) {
        placed[state[i] as usize] += one_flow(children[i]);
        state[i] = capacity_state;
        entered[i] = stored_month(month);
        wait_since[i] = NOT_WAITING;
        Block::stop_waiting(stopped, i);
    }

    /// Moves every family marked in `placing` into family help as of the start of month
    /// `month` (used at the end of a year, before stocks are counted), counting their moves in
    /// `out.placed`, which it clears first (`states` states).
    pub fn place_marked(&mut self, capacity_state: u16, month: u32, states: usize) {
        self.out.placed.clear();
        self.out.placed.resize(states, 0);
        for k in 0..self.placing.len() {
            let mut bits = std::mem::take(&mut self.placing[k]);
            while bits != 0 {
                let i = k * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let cols = (
                    &mut self.state[..],
                    &self.children[..],
                    &mut self.entered[..],
                    &mut self.wait_since[..],
                );
                Block::place(
                    cols,
                    &mut self.stopped,
                    &mut self.out.placed,
                    i,
                    capacity_state,
                    month,
                );
            }
        }
    }

    /// Drops waiting entries whose family stopped waiting (marked in `stopped`, which is then
    /// cleared), and merges in (and empties) `fresh`, keeping `waiting` sorted by key.
    pub fn update_waiting(&mut self) {
        let stopped = &self.stopped;
        self.waiting
            .retain(|w| stopped[w.slot() / 64] & (1 << (w.slot() % 64)) == 0);
        self.stopped.fill(0);
        if self.fresh.is_empty() {
            return;
        }
        self.fresh.sort_unstable_by_key(|w| w.key);
        merge_into(&mut self.waiting, &self.fresh);
        self.fresh.clear();
    }
}

/// Merges sorted `fresh` into sorted `waiting`, in place from the back, a run of fresh entries at
/// a time: each run falls between two neighbouring entries of `waiting`, found by binary search,
/// so the entries above it move as one block. A month's fresh entries all started waiting in the
/// latest month, so they fall in at most one gap per priority class.
fn merge_into(waiting: &mut Vec<Waiter>, fresh: &[Waiter]) {
    let (mut i, mut j) = (waiting.len(), fresh.len());
    let filler = fresh[0];
    waiting.resize(i + j, filler);
    let mut k = i + j;
    while j > 0 {
        // The old entries above the highest fresh one left move up, as one block.
        let top = fresh[j - 1].key;
        let p = waiting[..i].partition_point(|w| w.key < top);
        waiting.copy_within(p..i, k - (i - p));
        k -= i - p;
        i = p;
        // Then the fresh entries above the highest old one left.
        let q = match i {
            0 => 0,
            _ => {
                let floor = waiting[i - 1].key;
                fresh[..j].partition_point(|w| w.key < floor)
            }
        };
        waiting[k - (j - q)..k].copy_from_slice(&fresh[q..j]);
        k -= j - q;
        j = q;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tables::EXIT;

    /// What the step does when the family in slot `i` leaves the model.
    fn remove(b: &mut Block, i: usize) {
        if b.wait_since[i] != NOT_WAITING {
            Block::stop_waiting(&mut b.stopped, i);
        }
        b.state[i] = EXIT;
        b.wait_since[i] = NOT_WAITING;
        b.holes += 1;
        Block::mark(&mut b.hole_bits, i, true);
    }

    fn fam(id: u32, state: u16) -> NewFamily {
        NewFamily {
            id,
            state,
            group: 0,
            children: 2,
            age: 0,
            dur: 0,
            history: 0,
        }
    }

    fn waiter(b: &mut Block, slot: usize, since: u16, prio: u64) -> Waiter {
        b.wait_since[slot] = since;
        Waiter::new(prio, since, b.id[slot], slot)
    }

    #[test]
    fn families_are_added_at_the_end_with_ages_from_the_month() {
        let mut b = Block::new();
        for k in 0..4 {
            assert_eq!(b.push(fam(k, 1), 0), k as usize);
        }
        remove(&mut b, 1);
        assert_eq!((b.live(), b.room()), (3, BLOCK - 3));
        assert_eq!(b.state[1], EXIT);
        // Ages and months in a state come from the month.
        let older = NewFamily {
            age: 40,
            dur: 7,
            ..fam(11, 2)
        };
        let i = b.push(older, 5);
        let now = stored_month(9);
        assert_eq!((i, now - b.birth[i], now - b.entered[i]), (4, 44, 11));
    }

    #[test]
    fn waiting_lists_stay_sorted_and_drop_families_who_stopped_waiting() {
        let mut b = Block::new();
        for k in 0..6 {
            b.push(fam(k, 0), 0);
        }
        let old = vec![waiter(&mut b, 3, 1, 0), waiter(&mut b, 0, 2, 0)];
        b.waiting = old;
        b.fresh = vec![
            waiter(&mut b, 5, 4, 0),
            waiter(&mut b, 4, 4, 1),
            waiter(&mut b, 2, 4, 0),
        ];
        b.update_waiting();
        let slots: Vec<usize> = b.waiting.iter().map(|w| w.slot()).collect();
        assert_eq!(slots, vec![3, 0, 2, 5, 4]);
        // The first waiter is given a place, then the second leaves the model.
        b.mark_placed(1);
        b.place_marked(7, 3, 8);
        assert_eq!((b.state[3], b.wait_since[3]), (7, NOT_WAITING));
        assert!(b.placing.iter().all(|&w| w == 0));
        assert_eq!(b.entered[3], stored_month(3));
        // Its move is counted by the state it left (state 0, two children).
        assert_eq!(b.out.placed[0], (2 << 32) | 1);
        remove(&mut b, 0);
        b.update_waiting();
        let slots: Vec<usize> = b.waiting.iter().map(|w| w.slot()).collect();
        assert_eq!(slots, vec![2, 5, 4]);
    }

    #[test]
    fn merging_runs_matches_sorting_everything() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for case in 0..200 {
            let n_old = next(60) as usize;
            let n_new = 1 + next(30) as usize;
            // Few distinct high parts (like priority classes) make runs; low parts keep keys
            // unique.
            let mut key = |k: u64| (next(4) << 32) | (k << 8) | (case % 256);
            let mut old: Vec<u64> = (0..n_old as u64).map(&mut key).collect();
            let mut new: Vec<u64> = (1000..1000 + n_new as u64).map(&mut key).collect();
            old.sort_unstable();
            new.sort_unstable();
            let mut waiting: Vec<Waiter> = old.iter().map(|&key| Waiter { key }).collect();
            let fresh: Vec<Waiter> = new.iter().map(|&key| Waiter { key }).collect();
            merge_into(&mut waiting, &fresh);
            let mut want: Vec<u64> = old.iter().chain(&new).copied().collect();
            want.sort_unstable();
            let got: Vec<u64> = waiting.iter().map(|w| w.key).collect();
            assert_eq!(got, want, "case {case}");
        }
    }

    #[test]
    fn merging_keeps_keys_sorted() {
        let w = |key| Waiter { key };
        for (a, b) in [
            (vec![], vec![5]),
            (vec![1, 4, 9], vec![2, 3, 10]),
            (vec![7], vec![1]),
        ] {
            let mut waiting: Vec<Waiter> = a.iter().map(|&k| w(k)).collect();
            let fresh: Vec<Waiter> = b.iter().map(|&k| w(k)).collect();
            merge_into(&mut waiting, &fresh);
            let mut want: Vec<u64> = a.iter().chain(&b).copied().collect();
            want.sort_unstable();
            assert_eq!(waiting.iter().map(|w| w.key).collect::<Vec<_>>(), want);
        }
    }
}
