//! One Monte Carlo run: draw the parameters, build the starting population, then step every family
//! month by month, allocate family-help places within the budget, and aggregate the year's
//! metrics as it goes (memory holds the families alive, not their history).

use super::arrivals::Inflows;
use super::budget::Budgets;
use super::lookup::{Lookup, Scan};
use super::population::Population;
use super::queue;
use super::step::{step_block, StepCtx};
use super::tables::{Tables, EXIT};
use super::year_metrics::{
    add_flow_metrics, add_spend_metrics, add_stock_metrics, Occupancy, YearExtras,
};
use crate::results::metrics::{idx, N_METRICS};
use crate::rng;
use crate::scenario::effects::CostChange;
use crate::scenario::expr::ExprError;
use crate::scenario::model::{Dest, Model, Per, Role, SpendClass};
use rayon::prelude::*;

/// Settings shared by every run of a batch.
#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub master_seed: u64,
    /// Fraction of families simulated; each stands for 1/scale families.
    pub scale: f64,
}

/// What one run produces: a row of metric values per year.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub years: Vec<[f64; N_METRICS]>,
    /// Children in each state at the end of each year (weighted), for calibration and checks.
    pub state_children: Vec<Vec<f64>>,
    pub family_months: u64,
    pub clamped_rows: u32,
    /// The parameter values drawn for this run, by slot.
    pub params: Vec<f64>,
}

/// Monthly costs of each state in one year: (£ per child, £ per family, class), with the levers'
/// cost changes applied. Shared with the cohort engine so both price states identically.
pub(crate) fn state_costs(
    model: &Model,
    values: &[f64],
    y: usize,
) -> Result<Vec<(f64, f64, SpendClass)>, String> {
    let fx = &model.effects.state_costs;
    let lever_err = |lever: &str, e: ExprError| format!("lever {lever}: {e}");
    let mut out = Vec::with_capacity(model.states.len());
    for (s, st) in model.states.iter().enumerate() {
        let mut row = match &st.cost {
            None => (0.0, 0.0, SpendClass::None),
            Some(c) => {
                let gbp = c
                    .gbp
                    .eval(values)
                    .map_err(|e| format!("$.states.{}.monthly_cost: {e}", st.name))?;
                let g = c.real_growth.eval(values).map_err(|e| e.0)?;
                let mut growth = None;
                for e in fx.iter().filter(|e| e.states.contains(&s)) {
                    if let CostChange::Growth(new) = &e.change {
                        let gn = new.eval(values).map_err(|x| lever_err(e.lever, x))?;
                        growth = Some((gn, e.phase));
                    }
                }
                let index = match growth {
                    None => (1.0 + g).powi(y as i32 + 1),
                    Some((gn, phase)) => (0..=y)
                        .map(|t| 1.0 + g + phase.at(t) * (gn - g))
                        .product::<f64>(),
                };
                let v = gbp * index;
                match c.per {
                    Per::Child => (v, 0.0, c.class),
                    Per::Family => (0.0, v, c.class),
                }
            }
        };
        for e in fx.iter().filter(|e| e.states.contains(&s)) {
            let ph = e.phase.at(y);
            if ph <= 0.0 {
                continue;
            }
            match &e.change {
                CostChange::Scale(f) => {
                    let f = f.eval(values).map_err(|x| lever_err(e.lever, x))?;
                    let k = 1.0 + ph * (f - 1.0);
                    row.0 *= k;
                    row.1 *= k;
                }
                CostChange::Add(c) => {
                    let gbp = c.gbp.eval(values).map_err(|x| lever_err(e.lever, x))?;
                    let g = c
                        .real_growth
                        .eval(values)
                        .map_err(|x| lever_err(e.lever, x))?;
                    let v = ph * gbp * (1.0 + g).powi(y as i32 + 1);
                    match c.per {
                        Per::Child => row.0 += v,
                        Per::Family => row.1 += v,
                    }
                    if row.2 == SpendClass::None {
                        row.2 = c.class;
                    }
                }
                CostChange::Growth(_) => {}
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// Each group's family-help priority as its rank among the distinct priorities (same order,
/// below 256 since groups are stored in a byte).
fn priority_ranks(model: &Model) -> Vec<u64> {
    let mut distinct: Vec<u32> = model.groups.iter().map(|(_, p)| *p).collect();
    distinct.sort_unstable();
    distinct.dedup();
    model
        .groups
        .iter()
        .map(|(_, p)| distinct.partition_point(|&d| d < *p).min(255) as u64)
        .collect()
}

/// Simulates run `run` of `model`. A scenario that continues another first simulates run `run`
/// of that one (exactly as a run of it alone, under its own seed) and carries its families on.
pub fn simulate(model: &Model, run: u64, cfg: &RunConfig) -> Result<RunResult, String> {
    simulate_seeded(model, run, cfg, rng::run_seed(cfg.master_seed, run))
}

/// Simulates run `run` of `model` (its parameter draw under `cfg.master_seed`) with the random
/// numbers of run seed `seed` instead of the run's own (`simulate`): the same draw under other
/// Monte Carlo noise, to tell one seed's luck from a gap between the engines. A continued
/// scenario's part keeps its own seed.
pub fn simulate_seeded(
    model: &Model,
    run: u64,
    cfg: &RunConfig,
    seed: u64,
) -> Result<RunResult, String> {
    let values = model.run_values(run, cfg.master_seed)?;
    let mut sim = match &model.continues {
        None => Sim::new(model, &values, seed, cfg.scale)?,
        Some(c) => {
            let start_values = c.start_values(run)?;
            let mut sim = Sim::new(&c.model, &start_values, c.start_seed(run), cfg.scale)?;
            let mut late_last = sim.budgets.previous_late;
            for y in 0..c.model.years {
                late_last = sim.year(y, late_last)?.0[idx::LATE_SPEND];
            }
            sim.continue_as(model, &values, seed)?;
            sim
        }
    };
    let mut years = Vec::with_capacity(model.years);
    let mut state_children = Vec::with_capacity(model.years);
    let mut late_last = sim.budgets.previous_late;
    let mut clamped_rows = 0;
    for y in 0..model.years {
        let (row, clamped) = sim.year(y, late_last)?;
        clamped_rows += clamped;
        late_last = row[idx::LATE_SPEND];
        years.push(row);
        state_children.push(sim.state_children());
    }
    Ok(RunResult {
        years,
        state_children,
        family_months: sim.family_months,
        clamped_rows,
        params: values,
    })
}

/// One run in progress: its parameters, budgets and the families alive. Public so that benchmarks
/// can time a year of the monthly step; `simulate` is the normal entry point.
pub struct Sim<'a> {
    model: &'a Model,
    /// The parameter values of each year (time paths moved on; otherwise copies of `values`).
    year_values: Vec<Vec<f64>>,
    scale: f64,
    weight: f64,
    key: u64,
    budgets: Budgets,
    pop: Population,
    inflows: Inflows,
    n_states: usize,
    /// Whether each state is a child protection plan.
    is_plan: Vec<bool>,
    priority: Vec<u64>,
    family_months: u64,
    /// Children and families in each state now (unweighted), kept current by `apply`.
    count_ch: Vec<i64>,
    count_fam: Vec<i64>,
    /// Months simulated before this model's first month (by the scenario it continues).
    month0: usize,
}

impl<'a> Sim<'a> {
    /// Builds the starting population of a run from drawn parameter `values`.
    pub fn new(model: &'a Model, values: &[f64], seed: u64, scale: f64) -> Result<Self, String> {
        let n_states = model.states.len();
        let is_plan: Vec<bool> = model
            .states
            .iter()
            .map(|s| s.role == Role::ChildProtection)
            .collect();
        let pop = Population::initial(model, values, seed, scale, &is_plan)?;
        let year_values = model.year_values(values)?;
        let stocks = pop.stocks(n_states, 0);
        let count_ch = stocks
            .iter()
            .map(|row| row.iter().map(|c| c.0 as i64).sum())
            .collect();
        let count_fam = stocks
            .iter()
            .map(|row| row.iter().map(|c| c.1 as i64).sum())
            .collect();
        Ok(Sim {
            model,
            scale,
            weight: 1.0 / scale,
            key: rng::family_key(seed),
            budgets: Budgets::new(model, values)?,
            pop,
            inflows: Inflows::new(model, &year_values, seed)?,
            year_values,
            n_states,
            is_plan,
            priority: priority_ranks(model),
            family_months: 0,
            count_ch,
            count_fam,
            month0: 0,
        })
    }

    /// Carries the families on into `model`, which continues the scenario simulated so far
    /// (same states and groups, checked when it was loaded), with its parameter `values`, its
    /// budgets and inflows and its own random numbers from `seed`.
    pub fn continue_as(
        &mut self,
        model: &'a Model,
        values: &[f64],
        seed: u64,
    ) -> Result<(), String> {
        let done = self.year_values.len();
        self.year_values = model.year_values(values)?;
        self.budgets = Budgets::new(model, values)?;
        self.inflows = Inflows::new(model, &self.year_values, seed)?;
        self.key = rng::family_key(seed);
        self.priority = priority_ranks(model);
        // States a lever adds come after the continued scenario's, and start empty.
        let n = model.states.len();
        self.n_states = n;
        self.count_ch.resize(n, 0);
        self.count_fam.resize(n, 0);
        self.is_plan = model
            .states
            .iter()
            .map(|s| s.role == Role::ChildProtection)
            .collect();
        self.model = model;
        self.month0 += done * 12;
        Ok(())
    }

    /// Adds a month's moves (`BlockOut::flows` layout) to the year's flows and keeps the
    /// per-state counts current; `first` is the flow cell `cells` starts at.
    fn apply(&mut self, flows: &mut Flows, first: usize, cells: &[u64]) {
        let n1 = self.n_states + 1;
        for (k, &v) in (first..).zip(cells) {
            if v == 0 {
                continue;
            }
            let (ch, fams) = ((v >> 32) as i64, (v & 0xFFFF_FFFF) as i64);
            flows.add(k, ch as u64, fams as u64);
            let (from, to) = (k / n1, k % n1);
            if from < self.n_states {
                self.count_ch[from] -= ch;
                self.count_fam[from] -= fams;
            }
            if to < self.n_states {
                self.count_ch[to] += ch;
                self.count_fam[to] += fams;
            }
        }
    }

    /// Adds moves into family help by the state they left (`BlockOut::placed` layout).
    fn apply_placed(&mut self, flows: &mut Flows, placed: &[u64]) {
        let (n1, cap) = (self.n_states + 1, self.model.capacity_state);
        for (s, &v) in placed.iter().enumerate() {
            if v != 0 {
                self.apply(flows, s * n1 + cap, &[v]);
            }
        }
    }

    /// Families alive now.
    pub fn families(&self) -> usize {
        self.pop.live()
    }

    /// Family-months simulated so far.
    pub fn family_months(&self) -> u64 {
        self.family_months
    }

    /// Children in each state now, weighted to national numbers.
    fn state_children(&self) -> Vec<f64> {
        self.count_ch
            .iter()
            .map(|&c| c as f64 * self.weight)
            .collect()
    }

    /// Simulates year `y`; returns its metrics and the number of clamped table rows.
    pub fn year(&mut self, y: usize, late_last: f64) -> Result<([f64; N_METRICS], u32), String> {
        let model = self.model;
        let s_n = self.n_states;
        let n1 = s_n + 1;
        let yv = self.year_values[y].clone();
        let tables = Tables::build(model, &yv, y)?;
        let lookup = Lookup::new(&tables);
        let costs = state_costs(model, &yv, y)?;
        let cap = model.capacity_state;
        let need = model.need_state;
        let early_base = self.budgets.early_base(y, late_last);
        let fh_cost = costs[cap].1;
        if fh_cost <= 0.0 {
            return Err(
                "the family help monthly cost per family is zero, so places cannot be priced"
                    .into(),
            );
        }
        let places_per_gbp_m = 1e6 / (12.0 * fh_cost);
        let base_places = early_base * (1.0 - self.budgets.universal_share) * places_per_gbp_m;
        let extra_places = self.budgets.extra[y] * places_per_gbp_m;
        let coverage = model.effects.coverage_at(&yv, y)?;
        let age_out: Vec<(u32, u16)> = (0..s_n)
            .map(|s| {
                let to = match model.age_out_to(s, y) {
                    Dest::State(d) => d as u16,
                    Dest::Exit => EXIT,
                };
                (model.states[s].age_out_months, to)
            })
            .collect();
        let scan = Scan::new(&lookup, age_out.iter().map(|a| a.0));
        let mut extras = YearExtras::default();

        let mut flows = Flows::new(s_n);
        let mut occ_ch = vec![0.0f64; s_n];
        let mut occ_fam = vec![0.0f64; s_n];
        let mut oneoff = [0.0f64; 3];
        let mut month = vec![0u64; n1 * n1];
        let mut placed = vec![0u64; s_n];
        for mm in 0..12 {
            let m = y * 12 + mm;
            let ends = self.inflows.draw_counts(m, self.scale)?;
            let month_now = (self.month0 + m) as u32;
            let first_id = self.pop.plan_arrivals(ends.last().copied().unwrap_or(0));
            let arrivals = self.inflows.month(ends, first_id);
            let ctx = StepCtx {
                lookup: &lookup,
                scan: &scan,
                costs: &tables.costs,
                key: self.key,
                month: month_now,
                n_states: s_n,
                capacity_state: cap as u16,
                need_state: need as u16,
                targeting: model.policy.targeting,
                priority: &self.priority,
                age_out: &age_out,
                is_plan: &self.is_plan,
                arrivals: &arrivals,
            };
            self.pop
                .blocks
                .par_iter_mut()
                .for_each(|b| step_block(&ctx, b));
            // Reduce in block order.
            month.fill(0);
            for b in &self.pop.blocks {
                for (acc, x) in month.iter_mut().zip(&b.out.flows) {
                    *acc += x;
                }
                for (total, part) in oneoff.iter_mut().zip(b.out.oneoff) {
                    *total += part;
                }
                extras.rereferrals += f64::from(b.out.rereferrals);
                extras.repeat_plans += f64::from(b.out.repeat_plans);
            }
            // Last month's places (moves of that month, counted by this step), then arrivals
            // (the last row: from outside) count toward the month's occupancy; the month's
            // moves come after it.
            placed.fill(0);
            self.pop.add_placed(&mut placed);
            self.apply_placed(&mut flows, &placed);
            self.apply(&mut flows, s_n * n1, &month[s_n * n1..]);
            for s in 0..s_n {
                occ_ch[s] += self.count_ch[s] as f64;
                occ_fam[s] += self.count_fam[s] as f64;
            }
            self.family_months += self.count_fam.iter().sum::<i64>() as u64;
            self.apply(&mut flows, 0, &month[..s_n * n1]);
            debug_assert_eq!(
                self.count_fam.iter().sum::<i64>() as usize,
                self.pop.live(),
                "families counted by state at month {m}"
            );
            // Family-help places: what the budget buys this month, less those already in use.
            let bought = ((base_places + extra_places * self.budgets.ramp(m)) * self.scale)
                .max(0.0)
                .round() as usize;
            // A coverage duty adds places up to its share of the families with need.
            let in_cap = self.count_fam[cap] as usize;
            let duty =
                (coverage * (self.count_fam[need] + self.count_fam[cap]) as f64).round() as usize;
            let places = bought.max(duty);
            let free = places
                .saturating_sub(in_cap)
                .min(queue::waiting(&self.pop.blocks));
            // The duty pays for the places in use between what the budget bought and the duty.
            extras.duty_family_months += (in_cap + free).min(duty).saturating_sub(bought) as f64;
            queue::give_out(&mut self.pop.blocks, free);
        }
        // The last month's places move before the stocks at 31 March are counted.
        let next_month = (self.month0 + (y + 1) * 12) as u32;
        let placed = self.pop.place_marked(cap as u16, next_month, s_n);
        self.apply_placed(&mut flows, &placed);
        extras.duty_gbp_m = extras.duty_family_months * fh_cost * self.weight / 1e6;
        let row = self.metrics(
            y, early_base, &costs, &occ_ch, &occ_fam, &oneoff, &flows, next_month,
        )?;
        let row = extras.apply(row, self.weight);
        Ok((row, tables.clamped_rows))
    }

    /// The year's metrics; stocks are counted at the start of month `stock_month` (31 March).
    #[allow(clippy::too_many_arguments)]
    fn metrics(
        &self,
        y: usize,
        early_base: f64,
        costs: &[(f64, f64, SpendClass)],
        occ_ch: &[f64],
        occ_fam: &[f64],
        oneoff: &[f64; 3],
        flows: &Flows,
        stock_month: u32,
    ) -> Result<[f64; N_METRICS], String> {
        let model = self.model;
        let w = self.weight;
        let mut out = [0.0; N_METRICS];
        let occ = Occupancy {
            children: occ_ch,
            families: occ_fam,
            oneoff,
            weight: w,
        };
        add_spend_metrics(
            model,
            &self.year_values[y],
            y,
            early_base + self.budgets.extra[y],
            costs,
            &occ,
            &mut out,
        )?;
        // Stocks at 31 March.
        for (s, row) in self
            .pop
            .stocks(self.n_states, stock_month)
            .iter()
            .enumerate()
        {
            for (age, &(ch, fams)) in row.iter().enumerate() {
                if fams > 0 {
                    let (ch, fams) = (ch as f64 * w, fams as f64 * w);
                    add_stock_metrics(model, s, age as u32, ch, fams, &mut out);
                }
            }
        }
        // Flows in the year.
        let s_n = self.n_states;
        for from in 0..=s_n {
            for to in 0..=s_n {
                let (ch, fams) = flows.get(from, to);
                if fams == 0.0 {
                    continue;
                }
                let (ch, fams) = (ch * w, fams * w);
                add_flow_metrics(model, from, to, ch, fams, &mut out);
            }
        }
        Ok(out)
    }
}

/// Children and families moving between states in a year; index `n_states` is outside the model.
struct Flows {
    n: usize,
    children: Vec<u64>,
    families: Vec<u64>,
}

impl Flows {
    fn new(n_states: usize) -> Flows {
        let n = n_states + 1;
        Flows {
            n,
            children: vec![0; n * n],
            families: vec![0; n * n],
        }
    }

    /// Adds `children` and `families` to cell `k` (`from * (n_states + 1) + to`).
    #[inline]
    fn add(&mut self, k: usize, children: u64, families: u64) {
        self.children[k] += children;
        self.families[k] += families;
    }

    fn get(&self, from: usize, to: usize) -> (f64, f64) {
        let k = from * self.n + to;
        (self.children[k] as f64, self.families[k] as f64)
    }
}
