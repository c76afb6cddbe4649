//! One Monte Carlo run: draw the parameters, build the starting population, then step every family
//! month by month, allocate family-help places within the budget, and aggregate the year's
//! metrics as it goes (memory holds the families alive, not their history).

use super::budget::Budgets;
use super::population::{
    draw_band, eval_bands, Families, NewFamily, Sampler, HAD_PLAN, NOT_WAITING,
};
use super::step::{step_chunk, ChunkOut, StepCtx, CHUNK};
use super::tables::{Tables, EXIT};
use super::year_metrics::{
    add_flow_metrics, add_spend_metrics, add_stock_metrics, Occupancy, YearExtras,
};
use crate::results::metrics::{idx, N_METRICS};
use crate::rng;
use crate::scenario::effects::CostChange;
use crate::scenario::expr::ExprError;
use crate::scenario::model::{Dest, Model, Per, Role, SpendClass};
use crate::scenario::validate::MAX_AGE_YEARS;
use rand_distr::{Distribution, Poisson};
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

/// Simulates run `run` of `model`.
pub fn simulate(model: &Model, run: u64, cfg: &RunConfig) -> Result<RunResult, String> {
    let seed = rng::run_seed(cfg.master_seed, run);
    let values = model
        .params
        .draw(seed)
        .map_err(|(p, e)| format!("parameter `{p}`: {e}"))?;
    let mut sim = Sim::new(model, &values, seed, cfg.scale)?;
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
    values: &'a [f64],
    scale: f64,
    weight: f64,
    key: u64,
    budgets: Budgets,
    fam: Families,
    arrivals_rng: rand_chacha::ChaCha8Rng,
    inflows: Vec<(u16, f64, f64, Sampler)>,
    n_states: usize,
    /// Whether each state is a child protection plan.
    is_plan: Vec<bool>,
    priority: Vec<u64>,
    family_months: u64,
    /// Children and families in each state now (unweighted), kept current by `record`.
    count_ch: Vec<f64>,
    count_fam: Vec<f64>,
    /// Reused output buffers, one per chunk.
    chunk_outs: Vec<ChunkOut>,
}

impl<'a> Sim<'a> {
    /// Builds the starting population of a run from drawn parameter `values`.
    pub fn new(model: &'a Model, values: &'a [f64], seed: u64, scale: f64) -> Result<Self, String> {
        let n_states = model.states.len();
        let mut inflows = Vec::new();
        for f in &model.inflows {
            let rate = f
                .per_month
                .eval(values)
                .map_err(|e| format!("inflow {}: {e}", f.name))?;
            let trend = f
                .trend
                .eval(values)
                .map_err(|e| format!("inflow {}: {e}", f.name))?;
            inflows.push((f.to as u16, rate, trend, Sampler::new(&f.profile, values)?));
        }
        let mut sim = Sim {
            model,
            values,
            scale,
            weight: 1.0 / scale,
            key: rng::family_key(seed),
            budgets: Budgets::new(model, values)?,
            fam: Families::default(),
            arrivals_rng: rng::stream(seed, "arrivals"),
            inflows,
            n_states,
            is_plan: model
                .states
                .iter()
                .map(|s| s.role == Role::ChildProtection)
                .collect(),
            priority: model
                .groups
                .iter()
                .map(|(_, p)| u64::from(*p).min(0xFFFF))
                .collect(),
            family_months: 0,
            count_ch: vec![0.0; n_states],
            count_fam: vec![0.0; n_states],
            chunk_outs: Vec::new(),
        };
        sim.populate(seed)?;
        for i in 0..sim.fam.len() {
            let s = sim.fam.state[i] as usize;
            sim.count_ch[s] += f64::from(sim.fam.children[i]);
            sim.count_fam[s] += 1.0;
        }
        Ok(sim)
    }

    /// The starting population: each state's national stock of children, times the scale.
    fn populate(&mut self, seed: u64) -> Result<(), String> {
        let mut r = rng::stream(seed, "initial");
        for init in &self.model.initial {
            let target = (init.children.eval(self.values).map_err(|e| e.0)? * self.scale).round();
            let sampler = Sampler::new(&init.profile, self.values)?;
            let months = eval_bands(&init.months, self.values)?;
            let max_age = self.model.states[init.state].age_out_months;
            let mut total = 0.0;
            while total < target {
                let (group, children, age) = sampler.draw(&mut r, max_age);
                let dur = draw_band(&months, 1, &mut r).min(u32::from(u16::MAX - 1)) as u16;
                self.fam.push(NewFamily {
                    state: init.state as u16,
                    group,
                    children,
                    age,
                    dur,
                    history: if self.is_plan[init.state] {
                        HAD_PLAN
                    } else {
                        0
                    },
                });
                total += f64::from(children);
            }
        }
        Ok(())
    }

    /// Records a move in the year's flows and keeps the per-state counts current.
    #[inline]
    fn record(&mut self, flows: &mut Flows, from: usize, to: u16, children: f64) {
        let to = if to == EXIT {
            self.n_states
        } else {
            to as usize
        };
        flows.add(from, to, children);
        if from < self.n_states {
            self.count_ch[from] -= children;
            self.count_fam[from] -= 1.0;
        }
        if to < self.n_states {
            self.count_ch[to] += children;
            self.count_fam[to] += 1.0;
        }
    }

    /// Children in each state now, weighted to national numbers.
    /// Families alive now.
    pub fn families(&self) -> usize {
        self.fam.len()
    }

    /// Family-months simulated so far.
    pub fn family_months(&self) -> u64 {
        self.family_months
    }

    fn state_children(&self) -> Vec<f64> {
        self.count_ch.iter().map(|c| c * self.weight).collect()
    }

    fn arrive(&mut self, m: usize, flows: &mut Flows) -> Result<(), String> {
        let max_age = MAX_AGE_YEARS * 12;
        for k in 0..self.inflows.len() {
            let (to, rate, trend, _) = &self.inflows[k];
            let (to, lambda) = (*to, rate * (1.0 + trend).powf(m as f64 / 12.0) * self.scale);
            if lambda <= 0.0 {
                continue;
            }
            let n = Poisson::new(lambda)
                .map_err(|e| format!("inflow rate {lambda}: {e}"))?
                .sample(&mut self.arrivals_rng) as u64;
            let age_limit = self.model.states[to as usize].age_out_months.min(max_age);
            for _ in 0..n {
                let (group, children, age) =
                    self.inflows[k].3.draw(&mut self.arrivals_rng, age_limit);
                self.fam.push(NewFamily {
                    state: to,
                    group,
                    children,
                    age,
                    dur: 0,
                    history: if self.is_plan[to as usize] {
                        HAD_PLAN
                    } else {
                        0
                    },
                });
                let outside = self.n_states;
                self.record(flows, outside, to, f64::from(children));
            }
        }
        Ok(())
    }

    /// Simulates year `y`; returns its metrics and the number of clamped table rows.
    pub fn year(&mut self, y: usize, late_last: f64) -> Result<([f64; N_METRICS], u32), String> {
        let model = self.model;
        let s_n = self.n_states;
        let tables = Tables::build(model, self.values, y)?;
        let costs = state_costs(model, self.values, y)?;
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
        let coverage = model.effects.coverage_at(self.values, y)?;
        let age_out: Vec<(u32, u16)> = (0..s_n)
            .map(|s| {
                let to = match model.age_out_to(s, y) {
                    Dest::State(d) => d as u16,
                    Dest::Exit => EXIT,
                };
                (model.states[s].age_out_months, to)
            })
            .collect();
        let mut extras = YearExtras::default();

        let mut flows = Flows::new(s_n);
        let mut occ_ch = vec![0.0f64; s_n];
        let mut occ_fam = vec![0.0f64; s_n];
        let mut oneoff = [0.0f64; 3];
        let mut waiting: Vec<(u64, u32)> = Vec::new();
        let mut removed: Vec<u32> = Vec::new();
        for mm in 0..12 {
            let m = y * 12 + mm;
            self.arrive(m, &mut flows)?;
            for s in 0..s_n {
                occ_ch[s] += self.count_ch[s];
                occ_fam[s] += self.count_fam[s];
            }
            self.family_months += self.fam.len() as u64;
            debug_assert_eq!(
                self.count_fam.iter().sum::<f64>() as usize,
                self.fam.len(),
                "families counted by state at month {m}"
            );
            let ctx = StepCtx {
                tables: &tables,
                key: self.key,
                month: m as u32,
                capacity_state: cap as u16,
                need_state: need as u16,
                targeting: model.policy.targeting,
                priority: &self.priority,
                age_out: &age_out,
                is_plan: &self.is_plan,
            };
            let chunks = self.fam.chunks_mut(CHUNK);
            let n_chunks = chunks.len();
            let mut outs = std::mem::take(&mut self.chunk_outs);
            if outs.len() < n_chunks {
                outs.resize_with(n_chunks, ChunkOut::default);
            }
            if n_chunks > 1 {
                chunks
                    .into_par_iter()
                    .zip(outs.par_iter_mut())
                    .for_each(|(c, out)| step_chunk(&ctx, c, out));
            } else {
                chunks
                    .into_iter()
                    .zip(outs.iter_mut())
                    .for_each(|(c, out)| step_chunk(&ctx, c, out));
            }
            waiting.clear();
            removed.clear();
            let mut in_cap = 0usize;
            for out in &outs[..n_chunks] {
                for &(from, to, ch) in &out.moves {
                    self.record(&mut flows, from as usize, to, f64::from(ch));
                }
                for (total, part) in oneoff.iter_mut().zip(out.oneoff) {
                    *total += part;
                }
                in_cap += out.in_cap as usize;
                extras.rereferrals += f64::from(out.rereferrals);
                extras.repeat_plans += f64::from(out.repeat_plans);
                waiting.extend_from_slice(&out.waiting);
                removed.extend_from_slice(&out.removed);
            }
            // Family-help places: what the budget buys this month, less those already in use.
            let bought = ((base_places + extra_places * self.budgets.ramp(m)) * self.scale)
                .max(0.0)
                .round() as usize;
            // A coverage duty adds places up to its share of the families with need.
            let duty = (coverage * (self.count_fam[need] + self.count_fam[cap])).round() as usize;
            let places = bought.max(duty);
            let free = places.saturating_sub(in_cap).min(waiting.len());
            // The duty pays for the places in use between what the budget bought and the duty.
            extras.duty_family_months += (in_cap + free).min(duty).saturating_sub(bought) as f64;
            if free > 0 {
                if free < waiting.len() {
                    waiting.select_nth_unstable(free - 1);
                }
                for &(_, i) in &waiting[..free] {
                    let i = i as usize;
                    let s = self.fam.state[i] as usize;
                    let ch = f64::from(self.fam.children[i]);
                    self.record(&mut flows, s, cap as u16, ch);
                    self.fam.state[i] = cap as u16;
                    self.fam.dur[i] = 0;
                    self.fam.wait_since[i] = NOT_WAITING;
                }
            }
            self.chunk_outs = outs;
            self.fam.remove_sorted(&removed);
        }
        extras.duty_gbp_m = extras.duty_family_months * fh_cost * self.weight / 1e6;
        let row = self.metrics(y, early_base, &costs, &occ_ch, &occ_fam, &oneoff, &flows)?;
        let row = extras.apply(row, self.weight);
        Ok((row, tables.clamped_rows))
    }

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
            self.values,
            y,
            early_base + self.budgets.extra[y],
            costs,
            &occ,
            &mut out,
        )?;
        // Stocks at 31 March.
        let f = &self.fam;
        for i in 0..f.len() {
            let c = f64::from(f.children[i]) * w;
            add_stock_metrics(
                model,
                f.state[i] as usize,
                u32::from(f.age[i]),
                c,
                w,
                &mut out,
            );
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
    children: Vec<f64>,
    families: Vec<f64>,
}

impl Flows {
    fn new(n_states: usize) -> Flows {
        let n = n_states + 1;
        Flows {
            n,
            children: vec![0.0; n * n],
            families: vec![0.0; n * n],
        }
    }

    #[inline]
    fn add(&mut self, from: usize, to: usize, children: f64) {
        let k = from * self.n + to;
        self.children[k] += children;
        self.families[k] += 1.0;
    }

    fn get(&self, from: usize, to: usize) -> (f64, f64) {
        let k = from * self.n + to;
        (self.children[k], self.families[k])
    }
}
