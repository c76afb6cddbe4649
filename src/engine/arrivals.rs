//! New families: how many arrive by each inflow in a month (Poisson counts, drawn in order from
//! the run's "arrivals" stream) and what each arrival is like (drawn counter-based from its id, so
//! blocks can create their share of a month's arrivals in parallel).

use super::block::{NewFamily, HAD_PLAN};
use super::sampler::Sampler;
use crate::rng::{self, Words};
use crate::scenario::model::{Model, Role};
use crate::scenario::validate::MAX_AGE_YEARS;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

/// One inflow, evaluated for a run.
struct Inflow {
    to: u16,
    /// Families a month at full scale in each year's first month (before the trend), and the
    /// yearly trend.
    rates: Vec<f64>,
    trend: f64,
    sampler: Sampler,
    history: u8,
}

/// The inflows of one run and the streams their arrivals come from.
pub struct Inflows {
    list: Vec<Inflow>,
    counts: ChaCha8Rng,
    key: u64,
}

/// One month's arrivals, numbered from 0 in inflow order; arrival `j` gets id `first_id + j`.
pub struct MonthArrivals<'a> {
    inflows: &'a Inflows,
    first_id: u32,
    /// Arrivals up to and including each inflow.
    ends: Vec<u32>,
}

impl Inflows {
    /// The inflows of a run whose parameters take `year_values` in each year (the first year's
    /// for everything but the monthly rate, which may follow a time path).
    pub fn new(model: &Model, year_values: &[Vec<f64>], seed: u64) -> Result<Inflows, String> {
        let mut list = Vec::with_capacity(model.inflows.len());
        let values = &year_values[0];
        for f in &model.inflows {
            let err = |e| format!("inflow {}: {e}", f.name);
            let rates = year_values
                .iter()
                .map(|v| f.per_month.eval(v).map_err(err))
                .collect::<Result<Vec<f64>, String>>()?;
            list.push(Inflow {
                to: f.to as u16,
                rates,
                trend: f.trend.eval(values).map_err(err)?,
                sampler: Sampler::new(
                    &f.profile,
                    values,
                    model.states[f.to].age_out_months.min(MAX_AGE_YEARS * 12),
                )?,
                history: if model.states[f.to].role == Role::ChildProtection {
                    HAD_PLAN
                } else {
                    0
                },
            });
        }
        Ok(Inflows {
            list,
            counts: rng::stream(seed, "arrivals"),
            key: rng::key(seed, "arriving families"),
        })
    }

    /// Draws how many families arrive by each inflow in month `m` at `scale`; returns the
    /// cumulative counts, in inflow order.
    pub fn draw_counts(&mut self, m: usize, scale: f64) -> Result<Vec<u32>, String> {
        let mut ends = Vec::with_capacity(self.list.len());
        let mut total = 0u32;
        for f in &self.list {
            let rate = f.rates[(m / 12).min(f.rates.len() - 1)];
            let lambda = rate * (1.0 + f.trend).powf(m as f64 / 12.0) * scale;
            if lambda > 0.0 {
                let n = Poisson::new(lambda)
                    .map_err(|e| format!("inflow rate {lambda}: {e}"))?
                    .sample(&mut self.counts) as u32;
                total += n;
            }
            ends.push(total);
        }
        Ok(ends)
    }

    /// The month's arrivals, given the cumulative counts and the first arrival's id.
    pub fn month(&self, ends: Vec<u32>, first_id: u32) -> MonthArrivals<'_> {
        MonthArrivals {
            inflows: self,
            first_id,
            ends,
        }
    }
}

impl MonthArrivals<'_> {
    /// Arrivals in the month.
    pub fn total(&self) -> u32 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Arrival `j` of the month.
    pub fn family(&self, j: u32) -> NewFamily {
        let k = self.ends.iter().position(|&e| j < e).unwrap_or(0);
        let f = &self.inflows.list[k];
        let id = self.first_id.wrapping_add(j);
        let (group, children, age) = f.sampler.draw(&mut Words::new(self.inflows.key, id));
        NewFamily {
            id,
            state: f.to,
            group,
            children,
            age,
            dur: 0,
            history: f.history,
        }
    }
}
