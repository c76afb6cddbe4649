//! The cohort (expected-value) engine: the same scenario as the Monte Carlo engine, run as expected
//! state occupancies with no individual randomness (`grid` lays out the cells, `mass` holds them,
//! `step` moves them one month on in place, gathering moves into month 0 in `entrants`, once
//! for each pool of states entered in fixed shares (`pools`), and `places` gives waiting
//! families family-help places; `sum` adds vectors up; `simd` picks the AVX2 copy of `project`
//! where the CPU has it). Tunnel states that fit are held as delay lines (`delay`, chosen by
//! `lines`, stepped by `delay_step`) rather than cell by cell.
//! One projection per parameter draw; `run_draws` uses the same draws as run i of the Monte Carlo
//! engine, so the two can be compared run by run. A scenario that continues another starts from
//! the continued scenario's projection of the same draw (`start`, `project_from`).
//!
//! Approximations (also in docs/guide.md): age is held in cells of `grid::AGE_UNIT` months (one), every
//! cell moving up one age cell each month; capacity serves each
//! priority class in turn as the fraction of its waiting families that the free places allow
//! (within a class, no one waits longer than another); months in state are exact (tunnel cells)
//! up to the state's last reachable duration boundary; cells hold `f32` (`mass::Real`), sums
//! and metrics `f64`.

pub mod delay;
pub mod delay_step;
pub mod entrants;
pub mod grid;
pub mod lines;
pub mod mass;
pub mod places;
pub mod pools;
pub mod shift;
pub mod simd;
pub mod start;
pub mod step;
pub mod sum;

use super::budget::Budgets;
use super::run::RunResult;
use super::tables::Tables;
use crate::engine::year_metrics::{
    add_flow_metrics, add_spend_metrics, add_stock_metrics, Occupancy,
};
use crate::error::Error;
use crate::results::metrics::{idx, N_METRICS};
use crate::scenario::model::{Dest, Model, Role, SpendClass};
use crate::scenario::validate::MAX_AGE_YEARS;
use grid::{band_cells, Grid, Spread};
use lines::Lines;
use mass::{Mass, Real, YearAcc};
use places::allocate;
use rayon::prelude::*;
pub use start::{start, Start, Starts};
use step::{transitions, Work};
use sum::sum;

/// One projection: metric rows and children in each state at each 31 March.
#[derive(Debug, Clone)]
pub struct Projection {
    pub years: Vec<[f64; N_METRICS]>,
    pub state_children: Vec<Vec<f64>>,
    pub clamped_rows: u32,
}

/// The starting stocks spread over the grid.
pub(super) fn initial(model: &Model, grid: &Grid, values: &[f64]) -> Result<Mass, String> {
    let mut m = Mass::zeros(grid.len);
    for init in &model.initial {
        let children = init.children.eval(values).map_err(|e| e.0)?;
        let st = &model.states[init.state];
        let sp = Spread::new(&init.profile, values, st.age_out_months, grid.age_unit)?;
        if sp.mean_children <= 0.0 {
            continue;
        }
        let families = children / sp.mean_children;
        // Months in state past the state's last months cell are held in it.
        let last = grid.states[init.state].n_dur - 1;
        let durs = band_cells(&init.months, values, 1, u32::MAX, |d| {
            (d as usize).min(last)
        })?;
        let marked = if st.role == Role::ChildProtection {
            children
        } else {
            0.0
        };
        for (g, sg) in sp.groups.iter().enumerate() {
            for &(d, sd) in &durs {
                for &(a, sa) in &sp.ages {
                    let w = sg * sa * sd;
                    let i = grid.cell(init.state, g, a, d, 0);
                    m.add(i, families * w, children * w, marked * w);
                }
            }
        }
    }
    Ok(m)
}

/// New families of one inflow, evaluated once per draw.
struct Arrivals {
    to: usize,
    /// Families a month in each year's first month, before the trend.
    rates: Vec<f64>,
    trend: f64,
    mean_children: f64,
    /// Share of the inflow in each group and age cell of `to` (one age vector a group).
    shares: Vec<Vec<f64>>,
}

impl Arrivals {
    /// Spreads `spread` over the age vectors of state `to`.
    fn new(grid: &Grid, to: usize, rates: Vec<f64>, trend: f64, spread: &Spread) -> Arrivals {
        let n_age = grid.states[to].n_age;
        let shares = spread
            .groups
            .iter()
            .map(|sg| {
                let mut v = vec![0.0; n_age];
                for &(age, sa) in &spread.ages {
                    v[age.min(n_age - 1)] += sg * sa;
                }
                v
            })
            .collect();
        Arrivals {
            to,
            rates,
            trend,
            mean_children: spread.mean_children,
            shares,
        }
    }
}

/// Projects `model` under one set of parameter values, from its own starting stocks. A scenario
/// that continues another needs the families it starts from: see `start` and `project_from`.
pub fn project(model: &Model, values: &[f64]) -> Result<Projection, String> {
    if let Some(c) = &model.continues {
        return Err(format!(
            "{} continues {}: its projection starts from the families of a run of that scenario (cohort::project_from)",
            model.name, c.model.name
        ));
    }
    let grid = Grid::new(model);
    let mass = initial(model, &grid, values)?;
    dispatch(model, values, &grid, mass).map(|(p, _)| p)
}

/// Projects `model` from `start` where it continues a scenario (`project` otherwise).
pub fn project_from(
    model: &Model,
    values: &[f64],
    start: Option<&Start>,
) -> Result<Projection, String> {
    match start {
        None => project(model, values),
        Some(st) => dispatch(model, values, &st.grid, st.mass.clone()).map(|(p, _)| p),
    }
}

/// Runs the projection's AVX2 copy where the CPU has it (`simd`; the same floating-point
/// operations in the same order, so the same results to the bit).
pub(super) fn dispatch(
    model: &Model,
    values: &[f64],
    grid: &Grid,
    mass: Mass,
) -> Result<(Projection, Mass), String> {
    #[cfg(target_arch = "x86_64")]
    if simd::avx2() {
        // SAFETY: the CPU has AVX2, checked at run time by `simd::avx2`.
        return unsafe { project_avx2(model, values, grid, mass) };
    }
    project_body(model, values, grid, mass)
}

/// `project_body` compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn project_avx2(
    model: &Model,
    values: &[f64],
    grid: &Grid,
    mass: Mass,
) -> Result<(Projection, Mass), String> {
    project_body(model, values, grid, mass)
}

/// The projection itself from the families in `mass`, inlined into each compiled copy with the
/// monthly kernels it calls; returns the families at the end (none held as delay lines).
#[inline(always)]
fn project_body(
    model: &Model,
    values: &[f64],
    grid: &Grid,
    mut mass: Mass,
) -> Result<(Projection, Mass), String> {
    let s_n = model.states.len();
    let budgets = Budgets::new(model, values)?;
    let year_values = model.year_values(values)?;
    let mut arrivals = Vec::new();
    for f in &model.inflows {
        let rates = year_values
            .iter()
            .map(|v| f.per_month.eval(v))
            .collect::<Result<Vec<f64>, _>>()
            .map_err(|e| format!("inflow {}: {e}", f.name))?;
        let trend = f
            .trend
            .eval(values)
            .map_err(|e| format!("inflow {}: {e}", f.name))?;
        let limit = model.states[f.to].age_out_months.min(MAX_AGE_YEARS * 12);
        let spread = Spread::new(&f.profile, values, limit, grid.age_unit)?;
        arrivals.push(Arrivals::new(grid, f.to, rates, trend, &spread));
    }
    let mut lines = Lines::new(model, grid);
    let mut work = Work::new(grid);
    let classes = places::classes(model, grid);
    let mut late_last = budgets.previous_late;
    let mut out = Projection {
        years: Vec::with_capacity(model.years),
        state_children: Vec::with_capacity(model.years),
        clamped_rows: 0,
    };
    let cap = model.capacity_state;
    for (y, values) in year_values.iter().enumerate() {
        let values = &values[..];
        let tables = Tables::build(model, values, y)?;
        let runs = grid.runs(&tables);
        work.entrants
            .set_pools(grid, pools::find(model, grid, &tables));
        lines.fit(grid, &runs, &mut mass);
        out.clamped_rows += tables.clamped_rows;
        let costs = crate::engine::run::state_costs(model, values, y)?;
        let early_base = budgets.early_base(y, late_last);
        let fh_cost = costs[cap].1;
        if fh_cost <= 0.0 {
            return Err(
                "the family help monthly cost per family is zero, so places cannot be priced"
                    .into(),
            );
        }
        let places_per_gbp_m = 1e6 / (12.0 * fh_cost);
        let base_places = early_base * (1.0 - budgets.universal_share) * places_per_gbp_m;
        let extra_places = budgets.extra[y] * places_per_gbp_m;
        let coverage = model.effects.coverage_at(values, y)?;
        let age_out: Vec<Dest> = (0..s_n).map(|s| model.age_out_to(s, y)).collect();
        let mut acc = YearAcc::new(s_n);
        for mm in 0..12 {
            let m = y * 12 + mm;
            for a in &arrivals {
                let lambda = a.rates[y] * (1.0 + a.trend).powf(m as f64 / 12.0);
                if lambda <= 0.0 {
                    continue;
                }
                let children = lambda * a.mean_children;
                acc.flows.add(s_n, a.to, children, lambda);
                let into_plan = model.states[a.to].role == Role::ChildProtection;
                for (g, shares) in a.shares.iter().enumerate() {
                    let at = grid.ages(a.to, g, 0, 0);
                    let cells = at..at + shares.len();
                    let (fam, ch) = (&mut mass.fam[cells.clone()], &mut mass.ch[cells.clone()]);
                    for ((f, c), &w) in fam.iter_mut().zip(ch.iter_mut()).zip(shares) {
                        *f += (lambda * w) as Real;
                        *c += (children * w) as Real;
                    }
                    if into_plan {
                        for (k, &w) in mass.had_plan[cells].iter_mut().zip(shares) {
                            *k += (children * w) as Real;
                        }
                    }
                }
            }
            transitions(
                model,
                grid,
                &tables,
                &runs,
                &age_out,
                (&mut mass, &mut lines),
                &mut work,
                &mut acc,
            );
            let bought = (base_places + extra_places * budgets.ramp(m)).max(0.0);
            allocate(model, grid, &classes, &mut mass, bought, coverage, &mut acc);
        }
        acc.extras.duty_gbp_m = acc.extras.duty_family_months * fh_cost / 1e6;
        let row = metrics(
            model,
            values,
            &budgets,
            y,
            early_base,
            &costs,
            (grid, &lines),
            &mass,
            &acc,
        )?;
        let row = acc.extras.apply(row, 1.0);
        late_last = row[idx::LATE_SPEND];
        out.years.push(row);
        out.state_children.push(stocks(grid, &lines, &mass).0);
    }
    lines.unload_all(grid, &mut mass);
    Ok((out, mass))
}

/// Children and families in each state (in the grid and held as delay lines).
#[inline(always)]
fn stocks(grid: &Grid, lines: &Lines, m: &Mass) -> (Vec<f64>, Vec<f64>) {
    let mut ch = Vec::with_capacity(grid.states.len());
    let mut fam = Vec::with_capacity(grid.states.len());
    for s in 0..grid.states.len() {
        let (lc, lf) = lines.totals(s);
        ch.push(sum(&m.ch[grid.block(s)]) + lc);
        fam.push(sum(&m.fam[grid.block(s)]) + lf);
    }
    (ch, fam)
}

/// The year's metrics, defined exactly as the Monte Carlo engine defines them.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn metrics(
    model: &Model,
    values: &[f64],
    budgets: &Budgets,
    y: usize,
    early_base: f64,
    costs: &[(f64, f64, SpendClass)],
    (grid, lines): (&Grid, &Lines),
    m: &Mass,
    acc: &YearAcc,
) -> Result<[f64; N_METRICS], String> {
    let mut out = [0.0; N_METRICS];
    let occ = Occupancy {
        children: &acc.occ_ch,
        families: &acc.occ_fam,
        oneoff: &acc.oneoff,
        weight: 1.0,
    };
    add_spend_metrics(
        model,
        values,
        y,
        early_base + budgets.extra[y],
        costs,
        &occ,
        &mut out,
    )?;
    // Stocks at 31 March, by state and age cell.
    for (s, sc) in grid.states.iter().enumerate() {
        let na = sc.n_age;
        for g in 0..grid.n_groups {
            // Children and families by age: the sum of the group's age vectors.
            let (mut ch_at, mut fam_at) = (vec![0.0f64; na], vec![0.0f64; na]);
            let first = grid.ages(s, g, 0, 0);
            for j in 0..sc.n_dur * sc.n_wait {
                let v = first + j * na..first + (j + 1) * na;
                ch_at
                    .iter_mut()
                    .zip(&m.ch[v.clone()])
                    .for_each(|(x, &y)| *x += f64::from(y));
                fam_at
                    .iter_mut()
                    .zip(&m.fam[v])
                    .for_each(|(x, &y)| *x += f64::from(y));
            }
            lines.add_ages(s, g, &mut ch_at, &mut fam_at);
            for (a, (&ch, &fam)) in ch_at.iter().zip(&fam_at).enumerate() {
                if ch != 0.0 || fam != 0.0 {
                    add_stock_metrics(model, s, (a * grid.age_unit) as u32, ch, fam, &mut out);
                }
            }
        }
    }
    let s_n = model.states.len();
    for from in 0..=s_n {
        for to in 0..=s_n {
            let k = from * acc.flows.n + to;
            let (ch, fams) = (acc.flows.children[k], acc.flows.families[k]);
            if fams == 0.0 && ch == 0.0 {
                continue;
            }
            add_flow_metrics(model, from, to, ch, fams, &mut out);
        }
    }
    Ok(out)
}

/// Projects run indices `runs` of `model`, each under the parameter draw of the Monte Carlo run
/// with the same index, in parallel; results come back in run order.
pub fn run_draws(
    model: &Model,
    runs: std::ops::Range<u64>,
    master_seed: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>, Error> {
    runs.into_par_iter()
        .map(|r| {
            let out = draw(model, r, master_seed);
            tick();
            out
        })
        .collect()
}

/// The projection of parameter draw `r` (the draw of Monte Carlo run `r`) as a run's results.
pub fn draw(model: &Model, r: u64, master_seed: u64) -> Result<RunResult, Error> {
    model
        .run_values(r, master_seed)
        .and_then(|values| {
            let start = start(model, r)?;
            project_from(model, &values, start.as_ref()).map(|p| RunResult {
                years: p.years,
                state_children: p.state_children,
                family_months: 0,
                clamped_rows: p.clamped_rows,
                params: values,
            })
        })
        .map_err(|message| Error::Draw { run: r, message })
}
