//! One month for one chunk of families: age-out, the monthly draw and move, and requests for
//! family-help places. A chunk returns what it did; chunks are reduced in chunk order, so results
//! are the same whether chunks run on one thread or many.

use super::population::{FamilyChunk, HAD_PLAN, NOT_WAITING};
use super::tables::{Tables, EXIT, NO_COST, TAG_REREFERRAL_12M};
use crate::rng;
use crate::scenario::model::Targeting;

/// Families per chunk: fixed, so that the reduction order never depends on the thread count.
pub const CHUNK: usize = 16_384;

/// What every chunk needs to know about the month.
#[derive(Debug)]
pub struct StepCtx<'a> {
    pub tables: &'a Tables,
    pub key: u64,
    pub month: u32,
    pub capacity_state: u16,
    pub need_state: u16,
    pub targeting: Targeting,
    /// Queue priority of each group (lower first).
    pub priority: &'a [u64],
    /// (age in months, destination) at which each state ages out.
    pub age_out: &'a [(u32, u16)],
    /// Whether each state is a child protection plan.
    pub is_plan: &'a [bool],
}

/// What one chunk did in the month.
#[derive(Debug, Default)]
pub struct ChunkOut {
    /// (from, to, children) of every move; `to` is `EXIT` for families leaving the model.
    pub moves: Vec<(u16, u16, u8)>,
    /// One-off costs by spend class (£, unweighted).
    pub oneoff: [f64; 3],
    /// Families in family help after the moves.
    pub in_cap: u32,
    /// (queue key, family index) of families waiting for a family-help place.
    pub waiting: Vec<(u64, u32)>,
    /// Indices of families that left the model, ascending.
    pub removed: Vec<u32>,
    /// Children re-referred within 12 months of a case closing.
    pub rereferrals: u32,
    /// Children starting a plan in a family that has had one before.
    pub repeat_plans: u32,
}

impl ChunkOut {
    /// Empties the buffers, keeping their capacity (no allocation in the steady state).
    pub fn clear(&mut self) {
        self.moves.clear();
        self.oneoff = [0.0; 3];
        self.in_cap = 0;
        self.waiting.clear();
        self.removed.clear();
        self.rereferrals = 0;
        self.repeat_plans = 0;
    }
}

/// Steps every family of `c` through month `ctx.month`, writing what happened into `out`.
pub fn step_chunk(ctx: &StepCtx, c: FamilyChunk, out: &mut ChunkOut) {
    out.clear();
    let t = ctx.tables;
    let month16 = ctx.month as u16;
    for i in 0..c.id.len() {
        let s = c.state[i];
        let (ao_age, ao_to) = ctx.age_out[s as usize];
        let age = c.age[i];
        let mut moved = None;
        if u32::from(age) >= ao_age {
            moved = Some((ao_to, NO_COST, 0));
        } else {
            let row = t.row(s as usize, c.group[i] as usize, age, c.dur[i]);
            let r = t.rows[row];
            if r.len > 0 {
                let u = rng::family_uniform(ctx.key, c.id[i], ctx.month);
                if u < r.total {
                    let entries = &t.entries[r.start as usize..(r.start + r.len) as usize];
                    if let Some(e) = entries.iter().find(|e| u < e.cum) {
                        moved = Some((e.dest, e.cost, e.tag));
                    }
                }
            }
        }
        match moved {
            Some((d, _, _)) if d == ctx.capacity_state => {
                // A request for a place: wait where the family is until one is free.
                if c.wait_since[i] == NOT_WAITING {
                    c.wait_since[i] = month16;
                }
                c.dur[i] = (c.dur[i] + 1).min(t.dur_cap);
            }
            Some((d, cost, tag)) => {
                let ch = c.children[i];
                if tag & TAG_REREFERRAL_12M != 0 {
                    out.rereferrals += u32::from(ch);
                }
                out.moves.push((s, d, ch));
                if cost != NO_COST {
                    let (per_child, per_family, class) = t.costs[cost as usize];
                    out.oneoff[class as usize] += per_child * f64::from(ch) + per_family;
                }
                if d == EXIT {
                    out.removed.push((c.offset + i) as u32);
                    continue;
                }
                if ctx.is_plan[d as usize] && !ctx.is_plan[s as usize] {
                    if c.history[i] & HAD_PLAN != 0 {
                        out.repeat_plans += u32::from(ch);
                    }
                    c.history[i] |= HAD_PLAN;
                }
                c.state[i] = d;
                c.dur[i] = 0;
                c.wait_since[i] = NOT_WAITING;
            }
            None => c.dur[i] = (c.dur[i] + 1).min(t.dur_cap),
        }
        c.age[i] = age + 1;
        let s = c.state[i];
        if s == ctx.capacity_state {
            out.in_cap += 1;
        } else if c.wait_since[i] != NOT_WAITING {
            let wait = u64::from(c.wait_since[i]);
            let id = u64::from(c.id[i]);
            let key = match ctx.targeting {
                Targeting::NeedFirst => {
                    (ctx.priority[c.group[i] as usize] << 48) | (wait << 32) | id
                }
                Targeting::FirstCome => (wait << 32) | id,
                Targeting::StepDownFirst => {
                    (u64::from(s == ctx.need_state) << 48) | (wait << 32) | id
                }
            };
            out.waiting.push((key, (c.offset + i) as u32));
        }
    }
}
