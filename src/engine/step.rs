//! One month for one block of families: its share of the month's arrivals, then age-out, the
//! monthly draw and move, and requests for family-help places. A block records what it did in its
//! `BlockOut`; blocks are reduced in block order, so results are the same whether blocks run on
//! one thread or many.

use super::arrivals::MonthArrivals;
use super::block::{one_flow, stored_month, Block, Waiter, HAD_PLAN, NOT_WAITING};
use super::lookup::{Lookup, Scan};
use super::tables::{EXIT, NO_COST, TAG_REREFERRAL_12M};
use crate::rng;
use crate::scenario::model::Targeting;

/// What every block needs to know about the month.
pub struct StepCtx<'a> {
    pub lookup: &'a Lookup,
    /// The lookup's view for scanning families (rows, age-out ages, thresholds).
    pub scan: &'a Scan<'a>,
    /// One-off costs of moves: (£ per child, £ per family, class), by `Entry::cost`.
    pub costs: &'a [(f64, f64, crate::scenario::model::SpendClass)],
    pub key: u64,
    pub month: u32,
    pub n_states: usize,
    pub capacity_state: u16,
    pub need_state: u16,
    pub targeting: Targeting,
    /// Queue priority class of each group (lower first), as a rank below 256.
    pub priority: &'a [u64],
    /// (age in months, destination) at which each state ages out.
    pub age_out: &'a [(u32, u16)],
    /// Whether each state is a child protection plan.
    pub is_plan: &'a [bool],
    pub arrivals: &'a MonthArrivals<'a>,
}

impl StepCtx<'_> {
    /// The family-help queue entry of the family in slot `slot`, of `group`, with id `id`, in
    /// state `s` and waiting since `since`: lower classes first, then earlier months, then ids.
    #[inline]
    fn waiter(&self, s: u16, group: u8, since: u16, id: u32, slot: usize) -> Waiter {
        let class = match self.targeting {
            Targeting::NeedFirst => self.priority[group as usize],
            Targeting::FirstCome => 0,
            Targeting::StepDownFirst => u64::from(s == self.need_state),
        };
        Waiter::new(class, since, id, slot)
    }

    /// The flow cell of a move from `from` to `to` (`EXIT` is the last column).
    #[inline]
    fn cell(&self, from: u16, to: u16) -> usize {
        let to = if to == EXIT {
            self.n_states
        } else {
            to as usize
        };
        from as usize * (self.n_states + 1) + to
    }
}

/// Slots scanned together by `step_families`: one bit each in a `u64` mask, so a chunk is also
/// one word of the block's bitsets.
const CHUNK: usize = 64;

/// Steps block `b` through month `ctx.month`: gives last month's places, adds its arrivals, moves
/// every family, and brings its waiting list up to date. Arrivals fill the block's holes first,
/// in slot order as the step passes them (when their cells are being read anyway); the rest are
/// added at the end.
pub fn step_block(ctx: &StepCtx, b: &mut Block) {
    let n1 = ctx.n_states + 1;
    b.out.clear(n1 * n1, ctx.n_states);
    let (first, count) = b.arrivals;
    let into_holes = count.min(b.holes as u32);
    for j in first + into_holes..first + count {
        let f = ctx.arrivals.family(j);
        b.push(f, ctx.month);
        b.out.flows[ctx.n_states * n1 + f.state as usize] += one_flow(f.children);
    }
    b.arrivals = (0, 0);
    step_families(ctx, b, first..first + into_holes);
    b.update_waiting();
}

/// The monthly draw and move of every family in `b`, filling holes with `arrivals` (numbers of
/// the month's arrivals) as it passes them. A family that stays writes nothing: its age and
/// months in the state follow from the month.
fn step_families(ctx: &StepCtx, b: &mut Block, arrivals: std::ops::Range<u32>) {
    let lk = ctx.lookup;
    let cap = ctx.capacity_state;
    let month16 = ctx.month as u16;
    let now = stored_month(ctx.month);
    let Block {
        id,
        state,
        group,
        children,
        birth,
        entered,
        wait_since,
        history,
        holes,
        hole_bits,
        fresh,
        stopped,
        placing,
        out,
        ..
    } = b;
    let n = id.len();
    let (id, state, group, children) = (
        &mut id[..n],
        &mut state[..n],
        &mut group[..n],
        &mut children[..n],
    );
    let (birth, entered, wait_since, history) = (
        &mut birth[..n],
        &mut entered[..n],
        &mut wait_since[..n],
        &mut history[..n],
    );
    let mut arrivals = arrivals;
    let n1 = ctx.n_states + 1;
    let month = ctx.month;
    let month_draws = rng::MonthDraws::new(ctx.key, month);
    // Each chunk of `CHUNK` slots is scanned without branching on the families: their rows and
    // draws are kept, and a bit is set for each slot that may change (a family at its age-out
    // age, or a draw below its row's threshold). Families placed last month are moved before
    // the scan, and holes (marked in `hole_bits`) are filled after it, so the set bits that are
    // then stepped, in slot order, are all families that may move: neither a family that stays
    // nor a hole costs a mispredicted branch.
    let (mut rows, mut draws) = ([0u32; CHUNK], [0u64; CHUNK]);
    for c0 in (0..n).step_by(CHUNK) {
        let c1 = (c0 + CHUNK).min(n);
        // Families given a place last month move into family help before the scan, which then
        // reads their new state (their moves are counted by the state they leave).
        let mut placed = std::mem::take(&mut placing[c0 / CHUNK]);
        while placed != 0 {
            let i = c0 + placed.trailing_zeros() as usize;
            placed &= placed - 1;
            let cols = (&mut *state, &*children, &mut *entered, &mut *wait_since);
            Block::place(cols, stopped, &mut out.placed, i, cap, month);
        }
        let cols = Chunk {
            id: &id[c0..c1],
            state: &state[c0..c1],
            group: &group[c0..c1],
            birth: &birth[c0..c1],
            entered: &entered[c0..c1],
        };
        let mut mask = scan_chunk(ctx, month_draws, cols, &mut rows, &mut draws);
        let mut chunk_holes = hole_bits[c0 / CHUNK];
        // Holes take the next arrivals, in slot order, each scanned as it lands; the holes left
        // over stay empty and are not stepped.
        while chunk_holes != 0 {
            let Some(a) = arrivals.next() else {
                break;
            };
            let j = chunk_holes.trailing_zeros() as usize;
            chunk_holes &= chunk_holes - 1;
            let i = c0 + j;
            let f = ctx.arrivals.family(a);
            id[i] = f.id;
            state[i] = f.state;
            group[i] = f.group;
            children[i] = f.children;
            birth[i] = now - f.age;
            entered[i] = now - f.dur;
            wait_since[i] = NOT_WAITING;
            history[i] = f.history;
            *holes -= 1;
            hole_bits[c0 / CHUNK] &= !(1 << j);
            out.flows[ctx.n_states * n1 + f.state as usize] += one_flow(f.children);
            let draw = month_draws.of(f.id);
            let (r, listed) = ctx.scan.row(f.state, f.group, f.age, f.dur, draw);
            rows[j] = r;
            draws[j] = draw;
            mask = (mask & !(1 << j)) | (u64::from(listed) << j);
        }
        mask &= !chunk_holes;
        while mask != 0 {
            let j = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let i = c0 + j;
            let s = state[i];
            let (r, draw) = (rows[j] as usize, draws[j]);
            let (ao_age, ao_to) = ctx.age_out[s as usize];
            let age = now.wrapping_sub(birth[i]);
            let (d, cost, tag) = if u32::from(age) >= ao_age {
                (ao_to, NO_COST, 0)
            } else {
                match lk.pick(&lk.rows[r], draw) {
                    Some(e) => (e.dest, e.cost, e.tag),
                    None => continue,
                }
            };
            if d == cap {
                // A request for a place: wait where the family is until one is free.
                if wait_since[i] == NOT_WAITING {
                    wait_since[i] = month16;
                    if s != cap {
                        fresh.push(ctx.waiter(s, group[i], month16, id[i], i));
                    }
                }
                continue;
            }
            let ch = children[i];
            if tag & TAG_REREFERRAL_12M != 0 {
                out.rereferrals += u32::from(ch);
            }
            out.flows[ctx.cell(s, d)] += one_flow(ch);
            if cost != NO_COST {
                let (per_child, per_family, class) = ctx.costs[cost as usize];
                out.oneoff[class as usize] += per_child * f64::from(ch) + per_family;
            }
            // The rest is written without branching on whether the family leaves (`d == EXIT`
            // leaves a hole for a later arrival; a hole's other columns are not read) or was
            // waiting.
            Block::mark(stopped, i, wait_since[i] != NOT_WAITING);
            *holes += usize::from(d == EXIT);
            Block::mark(hole_bits, i, d == EXIT);
            let into_plan = ctx.is_plan.get(d as usize).copied().unwrap_or(false);
            if into_plan && !ctx.is_plan[s as usize] {
                if history[i] & HAD_PLAN != 0 {
                    out.repeat_plans += u32::from(ch);
                }
                history[i] |= HAD_PLAN;
            }
            state[i] = d;
            entered[i] = now + 1;
            wait_since[i] = NOT_WAITING;
        }
    }
    debug_assert!(
        arrivals.is_empty(),
        "every arrival meant for a hole found one"
    );
    debug_assert_eq!(
        hole_bits
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum::<usize>(),
        *holes,
        "every hole is marked in the hole bits"
    );
}

/// The columns `scan_chunk` reads, for up to `CHUNK` slots.
struct Chunk<'a> {
    id: &'a [u32],
    state: &'a [u16],
    group: &'a [u8],
    birth: &'a [u16],
    entered: &'a [u16],
}

/// Scans up to `CHUNK` families (the columns of one chunk) without branching on them: writes
/// each one's row and draw into `rows` and `draws`, and returns a mask with bit `j` set where
/// slot `j` may change (see `Scan::row`; holes are always set).
#[inline]
fn scan_chunk(
    ctx: &StepCtx,
    month_draws: rng::MonthDraws,
    c: Chunk,
    rows: &mut [u32; CHUNK],
    draws: &mut [u64; CHUNK],
) -> u64 {
    let (scan, month) = (ctx.scan, ctx.month);
    let now = stored_month(month);
    let len = c.id.len().min(CHUNK);
    let (id, state, group) = (&c.id[..len], &c.state[..len], &c.group[..len]);
    let (birth, entered) = (&c.birth[..len], &c.entered[..len]);
    // The draws first, in a loop of their own, so that neither loop runs short of registers.
    for (d, &id) in draws.iter_mut().zip(id) {
        *d = month_draws.of(id);
    }
    let mut mask = 0u64;
    for j in 0..len {
        let age = now.wrapping_sub(birth[j]);
        let dur = now.wrapping_sub(entered[j]);
        let (r, listed) = scan.row(state[j], group[j], age, dur, draws[j]);
        rows[j] = r;
        mask |= u64::from(listed) << j;
    }
    mask
}
