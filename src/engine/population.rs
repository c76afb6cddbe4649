//! The families alive in one run, as blocks of columns: the starting population, where each
//! month's arrivals go, and the stocks by state and age at the end of a year.

use super::block::{stored_month, Block, NewFamily, BLOCK, HAD_PLAN};
use super::sampler::{draw_band, eval_bands, Bands, Sampler};
use super::tables::{EXIT, MAX_DUR_MONTHS};
use crate::rng::{self, Words};
use crate::scenario::model::Model;
use rayon::prelude::*;

/// The families of one run.
#[derive(Debug, Default)]
pub struct Population {
    pub blocks: Vec<Block>,
    /// The id the next new family gets.
    next_id: u32,
}

/// A family of the starting population: which `Model::initial` entry it belongs to, what that
/// entry draws from, and the state it starts in.
struct Start<'a> {
    state: u16,
    sampler: &'a Sampler,
    months: &'a Bands,
    history: u8,
}

impl Population {
    /// The starting population: each state's national stock of children, times `scale`. Family
    /// `n` (its id) draws its attributes from `Words` keyed by the run's "initial" stream and `n`;
    /// only the number of children is drawn in order (it decides when a stock is full), the rest
    /// block by block in parallel.
    pub fn initial(
        model: &Model,
        values: &[f64],
        seed: u64,
        scale: f64,
        is_plan: &[bool],
    ) -> Result<Population, String> {
        let key = rng::key(seed, "initial families");
        let mut samplers = Vec::with_capacity(model.initial.len());
        let mut targets = Vec::with_capacity(model.initial.len());
        for init in &model.initial {
            targets.push((init.children.eval(values).map_err(|e| e.0)? * scale).round());
            samplers.push((
                Sampler::new(
                    &init.profile,
                    values,
                    model.states[init.state].age_out_months,
                )?,
                eval_bands(&init.months, values)?,
            ));
        }
        let starts: Vec<Start> = model
            .initial
            .iter()
            .zip(&samplers)
            .map(|(init, (sampler, months))| Start {
                state: init.state as u16,
                sampler,
                months,
                history: if is_plan[init.state] { HAD_PLAN } else { 0 },
            })
            .collect();
        // Which entry each family belongs to, in id order: an entry takes families until their
        // children reach its target. Their numbers of children are drawn in parallel, a batch
        // of about the families still needed at a time, and added up in id order.
        let mut entry_of: Vec<u8> = Vec::new();
        let mut id = 0u32;
        for (k, (start, target)) in starts.iter().zip(&targets).enumerate() {
            let mut total = 0.0;
            let mean = start.sampler.mean_children().max(1.0);
            while total < *target {
                let batch = (((target - total) / mean) * 1.01).min(1e7) as u32 + 1024;
                let kids: Vec<u8> = (id..id.saturating_add(batch))
                    .into_par_iter()
                    .map(|n| start.sampler.children(&mut Words::new(key, n)))
                    .collect();
                for c in kids {
                    if total >= *target {
                        break;
                    }
                    total += f64::from(c);
                    entry_of.push(k as u8);
                    id += 1;
                }
            }
        }
        let blocks = entry_of
            .par_chunks(BLOCK)
            .enumerate()
            .map(|(b, entries)| {
                let mut block = Block::new();
                for (j, &k) in entries.iter().enumerate() {
                    let id = (b * BLOCK + j) as u32;
                    let s = &starts[k as usize];
                    let mut w = Words::new(key, id);
                    let (group, children, age) = s.sampler.draw(&mut w);
                    // Months in a state past the tables' last band all look the same.
                    let dur = draw_band(s.months, 1, &mut w).min(MAX_DUR_MONTHS) as u16;
                    block.push(
                        NewFamily {
                            id,
                            state: s.state,
                            group,
                            children,
                            age,
                            dur,
                            history: s.history,
                        },
                        0,
                    );
                }
                block
            })
            .collect();
        Ok(Population {
            blocks,
            next_id: id,
        })
    }

    /// Families alive.
    pub fn live(&self) -> usize {
        self.blocks.iter().map(Block::live).sum()
    }

    /// Shares this month's `n` arrivals out over the blocks in block order, each taking up to its
    /// room, and adds blocks when all are full; returns the id of the month's first arrival
    /// (arrival `j` of the month gets that id plus `j`).
    pub fn plan_arrivals(&mut self, n: u32) -> u32 {
        let mut next = 0u32;
        for b in &mut self.blocks {
            let take = (b.room() as u32).min(n - next);
            b.arrivals = (next, take);
            next += take;
        }
        while next < n {
            let mut b = Block::new();
            let take = (BLOCK as u32).min(n - next);
            b.arrivals = (next, take);
            next += take;
            self.blocks.push(b);
        }
        let first = self.next_id;
        self.next_id = self.next_id.wrapping_add(n);
        first
    }

    /// Moves every family marked as given a place into family help as of the start of month
    /// `month` (see `Block::place_marked`); returns their moves by the state they left, summed
    /// over blocks (integers, so in any order).
    pub fn place_marked(&mut self, capacity_state: u16, month: u32, states: usize) -> Vec<u64> {
        self.blocks
            .par_iter_mut()
            .for_each(|b| b.place_marked(capacity_state, month, states));
        let mut placed = vec![0u64; states];
        self.add_placed(&mut placed);
        placed
    }

    /// Adds every block's `BlockOut::placed` to `placed` (integers, so in any order).
    pub fn add_placed(&self, placed: &mut [u64]) {
        for b in &self.blocks {
            for (total, x) in placed.iter_mut().zip(&b.out.placed) {
                *total += x;
            }
        }
    }

    /// Children and families alive at the start of month `month` by state and age in months:
    /// `cells[s][age] = (children, families)`. Integer counts, so the sum over blocks is exact in
    /// any order and however rayon splits the blocks between workers.
    pub fn stocks(&self, n_states: usize, month: u32) -> Vec<Vec<(u64, u64)>> {
        let now = stored_month(month);
        // One flat row of age cells a state, per worker's share of the blocks; ages at or past
        // `WIDTH` (none in the shipped scenarios) are counted apart.
        const WIDTH: usize = 512;
        type Part = (Vec<(u64, u64)>, Vec<(usize, usize, u8)>);
        let empty = || -> Part { (vec![(0, 0); n_states * WIDTH], Vec::new()) };
        let (flat, older) = self
            .blocks
            .par_iter()
            .fold(empty, |(mut flat, mut older), b| {
                for ((&s, &birth), &ch) in b.state.iter().zip(&b.birth).zip(&b.children) {
                    if s == EXIT {
                        continue;
                    }
                    let a = usize::from(now.wrapping_sub(birth));
                    if a < WIDTH {
                        let cell = &mut flat[s as usize * WIDTH + a];
                        cell.0 += u64::from(ch);
                        cell.1 += 1;
                    } else {
                        older.push((s as usize, a, ch));
                    }
                }
                (flat, older)
            })
            .reduce(empty, |(mut flat, mut older), (f, o)| {
                for (t, x) in flat.iter_mut().zip(f) {
                    t.0 += x.0;
                    t.1 += x.1;
                }
                older.extend(o);
                (flat, older)
            });
        let mut total: Vec<Vec<(u64, u64)>> = flat.chunks_exact(WIDTH).map(<[_]>::to_vec).collect();
        for (s, a, ch) in older {
            let row = &mut total[s];
            if row.len() <= a {
                row.resize(a + 1, (0, 0));
            }
            row[a].0 += u64::from(ch);
            row[a].1 += 1;
        }
        total
    }
}
