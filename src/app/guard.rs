//! The resource guard: before a run starts, estimate its work (family-months) and memory, and
//! refuse a request that would exceed the machine's memory or run for more than six hours, with
//! the estimate and a smaller request that would fit; `--force` runs it anyway.
//!
//! The estimate starts from a cheap upper bound at the parameters' central values (every family
//! that starts or arrives stays to the end of the horizon). Where that bound alone would refuse,
//! one small pilot run measures the family-months and the peak population, and the request is
//! scaled up from it.

use crate::engine::{simulate, RunConfig};
use crate::error::Error;
use crate::results::metrics::N_METRICS;
use crate::results::store::BUDGET_BYTES;
use crate::scenario::Model;

/// Family-months simulated per second by one thread, set well below what we measure (about 9 to
/// 13 million per second on one core of the 2-core development machine, baseline, release build)
/// so that the guard errs towards letting a run through only when it surely fits.
pub const FAMILY_MONTHS_PER_SECOND_PER_THREAD: f64 = 3.0e6;
/// Bytes held per family alive (the family columns, the per-month keep flags and waiting list,
/// and headroom for vectors doubling as they grow).
pub const BYTES_PER_FAMILY: f64 = 64.0;
/// Longest run accepted without `--force`, in seconds.
pub const MAX_SECONDS: f64 = 6.0 * 3600.0;
/// Share of the available memory a run may plan to use.
pub const MEMORY_SHARE: f64 = 0.8;
/// Family-months a pilot run may simulate (about a second).
const PILOT_FAMILY_MONTHS: f64 = 2.0e7;

/// What a request would cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub runs: u64,
    pub scale: f64,
    pub threads: usize,
    /// Family-months of one run.
    pub family_months_per_run: f64,
    /// Families alive at once in one run, at most.
    pub peak_families: f64,
    pub memory_bytes: f64,
    pub seconds: f64,
    /// Whether a pilot run measured the work (otherwise it is the upper bound).
    pub measured: bool,
}

/// Upper bounds at central values for one run at `scale`: (family-months, peak families alive).
pub fn bound(model: &Model, scale: f64) -> (f64, f64) {
    let values = model.params.central().unwrap_or_default();
    let eval = |e: &crate::scenario::expr::Expr| e.eval(&values).unwrap_or(0.0).max(0.0);
    let months = (model.years * 12) as f64;
    // A family holds at least one child, so children bound families.
    let initial: f64 = model.initial.iter().map(|i| eval(&i.children)).sum();
    let arrivals: f64 = model
        .inflows
        .iter()
        .map(|f| {
            let trend = f.trend.eval(&values).unwrap_or(0.0);
            let growth = (1.0 + trend).max(0.0).powf(model.years as f64).max(1.0);
            eval(&f.per_month) * growth * months
        })
        .sum();
    let peak = (initial + arrivals) * scale;
    (peak * months, peak)
}

/// Estimates `runs` runs of `model` at `scale` on `threads` threads, with a pilot run where the
/// upper bound alone would be refused.
pub fn estimate(
    model: &Model,
    runs: u64,
    scale: f64,
    threads: usize,
    seed: u64,
    available: Option<f64>,
) -> Estimate {
    let (fm, peak) = bound(model, scale);
    let mut est = assemble(model, runs, scale, threads, fm, peak, false);
    if fits(&est, available) || fm <= 0.0 {
        return est;
    }
    let pilot_scale = scale * (PILOT_FAMILY_MONTHS / fm).min(1.0);
    let cfg = RunConfig {
        master_seed: seed,
        scale: pilot_scale,
    };
    if let Ok(r) = simulate(model, 0, &cfg) {
        let up = scale / pilot_scale;
        // State counts are weighted to national children, which bound families.
        let peak_children = r
            .state_children
            .iter()
            .map(|y| y.iter().sum::<f64>())
            .fold(0.0, f64::max);
        // The year-end peak can be exceeded within a year: keep a margin.
        let peak = (peak_children * scale * 1.5).min(peak);
        est = assemble(
            model,
            runs,
            scale,
            threads,
            r.family_months as f64 * up,
            peak,
            true,
        );
    }
    est
}

fn assemble(
    model: &Model,
    runs: u64,
    scale: f64,
    threads: usize,
    fm: f64,
    peak: f64,
    measured: bool,
) -> Estimate {
    let threads = threads.max(1);
    let concurrent = (threads as u64).min(runs.max(1)) as f64;
    let per_run_result = (model.years * (N_METRICS + model.states.len() + 1)
        + model.params.slot_names.len()) as f64
        * 8.0;
    // Results go to a store that holds about `BUDGET_BYTES` in memory (the rest in a temporary
    // file), with a few runs finished ahead of an earlier one (allow four a thread); the
    // summaries read one value of every run at a time.
    let in_memory =
        (runs as f64 * per_run_result).min(BUDGET_BYTES as f64) + 4.0 * concurrent * per_run_result;
    let results = in_memory + runs as f64 * 8.0;
    Estimate {
        runs,
        scale,
        threads,
        family_months_per_run: fm,
        peak_families: peak,
        memory_bytes: peak * BYTES_PER_FAMILY * concurrent + results,
        seconds: fm * runs as f64 / (FAMILY_MONTHS_PER_SECOND_PER_THREAD * concurrent),
        measured,
    }
}

fn fits(est: &Estimate, available: Option<f64>) -> bool {
    est.seconds <= MAX_SECONDS && available.is_none_or(|a| est.memory_bytes <= a * MEMORY_SHARE)
}

/// Refuses an estimate that would not fit, unless `force`.
pub fn check(est: &Estimate, available: Option<f64>, force: bool) -> Result<(), Error> {
    if force || fits(est, available) {
        return Ok(());
    }
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let mem = match available {
        Some(a) => format!(
            "about {:.1} GiB of memory of {:.1} GiB available",
            gib(est.memory_bytes),
            gib(a)
        ),
        None => format!("about {:.1} GiB of memory", gib(est.memory_bytes)),
    };
    // The largest number of runs, and the largest scale, that would fit.
    let time_ratio = MAX_SECONDS / est.seconds.max(1e-9);
    let mem_ratio = available.map_or(f64::INFINITY, |a| {
        a * MEMORY_SHARE / est.memory_bytes.max(1.0)
    });
    let ratio = time_ratio.min(mem_ratio).min(1.0);
    let runs = ((est.runs as f64 * time_ratio.min(1.0)).floor() as u64).max(1);
    let scale = est.scale * ratio;
    Err(Error::Usage(format!(
        "this request is too large to start: {} runs at --scale {} would simulate about {:.2e} family-months ({}) and take about {} on {} thread(s) at a conservative {:.0e} family-months per second per thread, and need {mem}. \
         Try fewer runs (e.g. --runs {runs}) or a smaller scale (e.g. --scale {}), or pass --force to run it anyway",
        est.runs,
        est.scale,
        est.family_months_per_run * est.runs as f64,
        if est.measured { "measured by a pilot run" } else { "an upper bound" },
        duration(est.seconds),
        est.threads,
        FAMILY_MONTHS_PER_SECOND_PER_THREAD,
        round_down(scale),
    )))
}

/// The memory the operating system says is available, in bytes (Linux; elsewhere unknown).
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

fn duration(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} seconds")
    } else if s < 2.0 * 3600.0 {
        format!("{:.0} minutes", s / 60.0)
    } else if s < 3.0 * 86400.0 {
        format!("{:.1} hours", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86400.0)
    }
}

/// A scale suggestion with one significant figure, rounded down.
fn round_down(x: f64) -> String {
    if x <= 0.0 || !x.is_finite() {
        return "0.001".into();
    }
    let p = 10f64.powf(x.log10().floor());
    let v = (x / p).floor() * p;
    format!("{}", (v * 1e9).round() / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline() -> Model {
        crate::scenario::load_model(std::path::Path::new("scenarios/baseline.json")).unwrap()
    }

    #[test]
    fn an_absurd_request_is_refused_and_forced_through() {
        let m = baseline();
        let est = estimate(&m, 1_000_000, 1.0, 2, 1, Some(24e9));
        assert!(est.measured, "the bound alone refuses, so a pilot measures");
        assert!(est.seconds > MAX_SECONDS * 100.0, "{est:?}");
        let e = check(&est, Some(24e9), false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(msg.contains("--force") && msg.contains("--runs"), "{msg}");
        assert!(check(&est, Some(24e9), true).is_ok());
    }

    #[test]
    fn the_default_request_fits_without_a_pilot() {
        let m = baseline();
        let est = estimate(&m, 200, 0.02, 2, 1, Some(24e9));
        assert!(!est.measured);
        assert!(est.seconds < MAX_SECONDS, "{est:?}");
        assert!(check(&est, Some(24e9), false).is_ok());
    }

    #[test]
    fn the_bound_is_above_a_measured_run_and_the_pilot_close_to_it() {
        let m = baseline();
        let scale = 0.004;
        let (fm, peak) = bound(&m, scale);
        let cfg = RunConfig {
            master_seed: 1,
            scale,
        };
        let r = simulate(&m, 0, &cfg).unwrap();
        assert!(fm >= r.family_months as f64, "{fm} < {}", r.family_months);
        assert!(peak * 120.0 >= r.family_months as f64);
        // A pilot at a quarter of the scale predicts the full run within 10%.
        let pilot = simulate(
            &m,
            0,
            &RunConfig {
                master_seed: 1,
                scale: scale / 4.0,
            },
        )
        .unwrap();
        let predicted = pilot.family_months as f64 * 4.0;
        let actual = r.family_months as f64;
        assert!(
            (predicted / actual - 1.0).abs() < 0.1,
            "{predicted} vs {actual}"
        );
    }

    #[test]
    fn memory_alone_can_refuse() {
        let m = baseline();
        let est = estimate(&m, 4, 0.5, 2, 1, Some(1e6));
        assert!(est.seconds < MAX_SECONDS);
        let msg = check(&est, Some(1e6), false).unwrap_err().to_string();
        assert!(msg.contains("GiB of memory"), "{msg}");
    }
}
