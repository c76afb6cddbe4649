//! Per-run lookup tables built from one parameter draw: cumulative transition probabilities by
//! (state, group, age band, months-in-state band), so the monthly step is a lookup and a short scan.

use crate::scenario::model::{Cost, Dest, Model, Per, Role, SpendClass};
use crate::scenario::validate::MAX_AGE_YEARS;

/// Months in a state are told apart up to this many months (longer stays share the last band).
pub const MAX_DUR_MONTHS: u32 = 600;

/// Destination code for leaving the model.
pub const EXIT: u16 = u16::MAX;

/// Cost index meaning "no one-off cost".
pub const NO_COST: u16 = u16::MAX;

/// One possible move out of a table row (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Cumulative probability up to and including this move.
    pub cum: f64,
    pub dest: u16,
    /// Index into `Tables::costs`, or `NO_COST`.
    pub cost: u16,
    /// Outcome tags of the move (`TAG_*` bits).
    pub tag: u16,
}

/// Tag bit: a referral within 12 months of a case closing (a re-referral, DfE table C1).
pub const TAG_REREFERRAL_12M: u16 = 1;

/// A table row: where its entries are, and the probability of any move at all.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub start: u32,
    pub len: u32,
    /// Cumulative probability of the last entry: a uniform at or above it means no move.
    pub total: f64,
}

/// Transition tables for one run.
#[derive(Debug, Clone)]
pub struct Tables {
    pub n_groups: usize,
    pub n_age: usize,
    pub n_dur: usize,
    /// Age band of each age in months (0 ..= MAX_AGE_YEARS * 12).
    pub age_band_of: Vec<u8>,
    /// Months-in-state band of each duration (0 ..= dur_cap).
    pub dur_band_of: Vec<u8>,
    /// Durations are counted up to this many months and then held.
    pub dur_cap: u16,
    pub rows: Vec<Row>,
    pub entries: Vec<Entry>,
    /// One-off costs of moves: (£ per child, £ per family, class).
    pub costs: Vec<(f64, f64, SpendClass)>,
    /// How many rows had probabilities summing above 1 after the draw and were scaled down.
    pub clamped_rows: u32,
}

impl Tables {
    /// Row index of a family's cell.
    #[inline]
    pub fn row(&self, state: usize, group: usize, age_months: u16, dur: u16) -> usize {
        let a = self.age_band_of[(age_months as usize).min(self.age_band_of.len() - 1)] as usize;
        let d = self.dur_band_of[(dur as usize).min(self.dur_band_of.len() - 1)] as usize;
        ((state * self.n_groups + group) * self.n_age + a) * self.n_dur + d
    }

    /// The moves of row `row`.
    #[inline]
    pub fn moves(&self, row: usize) -> &[Entry] {
        let r = self.rows[row];
        &self.entries[r.start as usize..(r.start + r.len) as usize]
    }

    /// Builds the tables from parameter values; `year` sets the real growth of one-off costs.
    pub fn build(model: &Model, values: &[f64], year: usize) -> Result<Tables, String> {
        let max_age_m = MAX_AGE_YEARS * 12;
        let mut age_points: Vec<u32> = vec![0];
        // 12 months is always a boundary, so re-referrals within 12 months can be told apart.
        let mut dur_points: Vec<u32> = vec![0, 12];
        for t in &model.transitions {
            age_points.extend([t.age[0] * 12, t.age[1] * 12]);
            dur_points.push(t.months[0]);
            if t.months[1] != u32::MAX {
                dur_points.push(t.months[1]);
            }
        }
        age_points.retain(|&a| a < max_age_m);
        age_points.sort_unstable();
        age_points.dedup();
        dur_points.retain(|&d| d <= MAX_DUR_MONTHS);
        dur_points.sort_unstable();
        dur_points.dedup();
        let dur_cap = *dur_points.last().unwrap_or(&0);
        let band_of =
            |points: &[u32], x: u32| points.iter().rposition(|&p| p <= x).unwrap_or(0) as u8;
        let age_band_of: Vec<u8> = (0..=max_age_m).map(|m| band_of(&age_points, m)).collect();
        let dur_band_of: Vec<u8> = (0..=dur_cap).map(|d| band_of(&dur_points, d)).collect();

        let g_n = model.groups.len();
        let mut rows = Vec::new();
        let mut entries = Vec::new();
        let mut clamped_rows = 0;
        let mut probs: Vec<f64> = Vec::with_capacity(model.transitions.len());
        for t in &model.transitions {
            let p = t.p.eval(values).map_err(|e| format!("{}: {e}", t.path))?;
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "{}: the parameter draw gives probability {p:.6}, outside 0 to 1; narrow the distributions of the parameters it uses",
                    t.path
                ));
            }
            probs.push(p);
        }
        let fx = &model.effects;
        for e in &fx.rates {
            let ph = e.phase.at(year);
            if ph > 0.0 {
                let f = e
                    .factor
                    .eval(values)
                    .map_err(|x| format!("lever {}: {x}", e.lever))?;
                for &k in &e.transitions {
                    probs[k] = (probs[k] * (1.0 + ph * (f - 1.0))).max(0.0);
                }
            }
        }
        // Redirected shares of each transition: (destination, share of its probability).
        let mut redirect: Vec<Vec<(u16, f64)>> = vec![Vec::new(); model.transitions.len()];
        for e in &fx.redirects {
            let ph = e.phase.at(year);
            if ph > 0.0 {
                let v = e
                    .share
                    .eval(values)
                    .map_err(|x| format!("lever {}: {x}", e.lever))?;
                for &k in &e.transitions {
                    redirect[k].push((e.to as u16, (ph * v).clamp(0.0, 1.0)));
                }
            }
        }
        let mut costs: Vec<(f64, f64, SpendClass)> = Vec::new();
        let mut cost_of: Vec<u16> = Vec::new();
        let price = |c: &Cost, path: &str| -> Result<(f64, f64), String> {
            let gbp = c.gbp.eval(values).map_err(|e| format!("{path}: {e}"))?;
            let g = c
                .real_growth
                .eval(values)
                .map_err(|e| format!("{path}: {e}"))?;
            let v = gbp * (1.0 + g).powi(year as i32 + 1);
            Ok(match c.per {
                Per::Child => (v, 0.0),
                Per::Family => (0.0, v),
            })
        };
        // Lever one-off costs by transition (validation keeps them on late-priced moves).
        let mut lever_cost: Vec<Option<(f64, f64)>> = vec![None; model.transitions.len()];
        for e in &fx.oneoffs {
            let ph = e.phase.at(year);
            if ph > 0.0 {
                let (c, f) = price(&e.cost, &format!("lever {}", e.lever))?;
                for &k in &e.transitions {
                    let acc = lever_cost[k].get_or_insert((0.0, 0.0));
                    acc.0 += ph * c;
                    acc.1 += ph * f;
                }
            }
        }
        for (k, t) in model.transitions.iter().enumerate() {
            let base = match &t.cost {
                None => None,
                Some(c) => Some((price(c, &t.path)?, c.class)),
            };
            let cost = match (base, lever_cost[k]) {
                (None, None) => None,
                (Some(b), None) => Some(b),
                (None, Some(l)) => Some((l, SpendClass::Late)),
                (Some(((c, f), class)), Some((lc, lf))) => Some(((c + lc, f + lf), class)),
            };
            cost_of.push(match cost {
                None => NO_COST,
                Some(((c, f), class)) => {
                    costs.push((c, f, class));
                    (costs.len() - 1) as u16
                }
            });
        }
        let role = |s: usize| model.states[s].role;
        // Each state's transitions, in the scenario's order.
        let mut from: Vec<Vec<usize>> = vec![Vec::new(); model.states.len()];
        for (k, t) in model.transitions.iter().enumerate() {
            from[t.from].push(k);
        }
        for (s, from_s) in from.iter().enumerate() {
            for g in 0..g_n {
                for &age in &age_points {
                    for &dur in &dur_points {
                        let start = entries.len() as u32;
                        let mut cum = 0.0;
                        for &k in from_s {
                            let t = &model.transitions[k];
                            let age_y = age / 12;
                            if t.groups[g]
                                && age_y >= t.age[0]
                                && age_y < t.age[1]
                                && dur >= t.months[0]
                                && dur < t.months[1]
                                && probs[k] > 0.0
                            {
                                let moved: f64 = redirect[k].iter().map(|r| r.1).sum::<f64>();
                                let (dest, tag) = match t.to {
                                    Dest::State(d) => {
                                        let rereferral = role(s) == Role::Closed
                                            && role(d).is_statutory()
                                            && dur < 12;
                                        (d as u16, if rereferral { TAG_REREFERRAL_12M } else { 0 })
                                    }
                                    Dest::Exit => (EXIT, 0),
                                };
                                cum += probs[k] * (1.0 - moved.min(1.0));
                                entries.push(Entry {
                                    cum,
                                    dest,
                                    cost: cost_of[k],
                                    tag,
                                });
                                for &(to, share) in &redirect[k] {
                                    cum += probs[k] * share / moved.max(1.0);
                                    entries.push(Entry {
                                        cum,
                                        dest: to,
                                        cost: cost_of[k],
                                        tag,
                                    });
                                }
                            }
                        }
                        if cum > 1.0 {
                            clamped_rows += 1;
                            for e in &mut entries[start as usize..] {
                                e.cum /= cum;
                            }
                        }
                        let total = entries[start as usize..].last().map_or(0.0, |e| e.cum);
                        rows.push(Row {
                            start,
                            len: entries.len() as u32 - start,
                            total,
                        });
                    }
                }
            }
        }
        Ok(Tables {
            n_groups: g_n,
            n_age: age_points.len(),
            n_dur: dur_points.len(),
            age_band_of,
            dur_band_of,
            dur_cap: dur_cap.min(u32::from(u16::MAX - 1)) as u16,
            rows,
            entries,
            costs,
            clamped_rows,
        })
    }

    /// The move taken by uniform `u` from row `row`, if any.
    #[inline]
    pub fn pick(&self, row: usize, u: f64) -> Option<&Entry> {
        let r = self.rows[row];
        if u >= r.total {
            return None;
        }
        self.entries[r.start as usize..(r.start + r.len) as usize]
            .iter()
            .find(|e| u < e.cum)
    }
}
