//! `carecast backtest`: calibrates a scenario on the targets up to and including a year (the
//! sampler of `calibrate --posterior`), runs the Monte Carlo engine over its whole horizon on that
//! posterior (run i takes draw i, as `run.draws` does), scores the projection against the later
//! targets and writes `<out>/<scenario>-backtest/` (backtest.csv, backtest.json, charts) through a
//! staged folder, so an interrupted or failed backtest leaves earlier results alone.

use super::interrupt::{self, Interrupt};
use super::output::Staged;
use super::{batch, guard, scale};
use crate::analysis::backtest::{self as bt, Row, Scores};
use crate::analysis::calibrate::Target;
use crate::analysis::posterior::{Posterior, Settings};
use crate::charts::backtest::{Backtest, BacktestPanel};
use crate::charts::{self, Year};
use crate::cli_analysis::{BacktestArgs, Engine};
use crate::engine::RunConfig;
use crate::error::Error;
use crate::results::metrics::METRICS;
use crate::results::stats::summarise;
use crate::results::store::{Col, RunStore, Runs};
use crate::scenario::model::parse_year_label;
use crate::scenario::posterior_draws::PosteriorDraws;
use crate::scenario::{self, Model};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The run settings after command-line overrides.
struct RunSettings {
    runs: u64,
    seed: u64,
    scale: f64,
}

/// The command.
pub fn backtest(args: &BacktestArgs) -> Result<(), Error> {
    let mut model = scenario::load_model(&args.scenario)?;
    scenario::continues::refuse(&model, &args.scenario, "backtest")?;
    let (_, targets) = super::analysis::read_targets(&args.targets, &model)?;
    let until = until_year(&model, &args.until)?;
    let (fit, later) = split(&args.targets, &model, &targets, until)?;
    let what = format!("--until {} calibrates on targets that", args.until);
    super::posterior::require_observation_sd(&args.targets, &targets, &fit, &what)?;
    let s = run_settings(args, &model)?;
    let sampler = Settings {
        particles: args.particles,
        moves: args.moves,
        ess_share: 0.5,
        seed: s.seed,
    };
    // The handler first, so that an interrupt once the folder is staged always removes it.
    let stop = Interrupt::install()?;
    let staged = Staged::new(&args.out, &format!("{}-backtest", model.name))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.sampling.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let started = Instant::now();
    let fit_targets: Vec<Target> = fit.iter().map(|&i| targets[i].clone()).collect();
    let label = format!("{} calibrate", model.name);
    let post =
        pool.install(|| super::posterior::sample(&model, &fit_targets, &sampler, &label, &stop))?;
    let not_written = || interrupt::interrupted(&[], std::slice::from_ref(&model.name));
    let Some(post) = post else {
        return Err(not_written());
    };
    model.posterior = Some(Arc::new(draws_of(&model, &post)));
    let cfg = RunConfig {
        master_seed: s.seed,
        scale: s.scale,
    };
    let label = format!("{} project", model.name);
    let (store, done) = batch::fill_new(
        &pool,
        &model,
        Engine::Mc,
        0..s.runs,
        &cfg,
        &stop,
        &args.out,
        &label,
    )?;
    if !done {
        return Err(not_written());
    }
    let rows = bt::sorted(
        later
            .iter()
            .map(|&i| row_of(&targets[i], &store))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let scores = Scores::of(&rows);
    staged.write(
        "backtest.csv",
        bt::csv(&rows, |y| model.year_label(y)).as_bytes(),
    )?;
    let doc = summary_json(
        args,
        &model,
        (until, fit.len(), &rows, &scores),
        &post,
        &s,
        started.elapsed().as_secs_f64(),
    );
    staged.write("backtest.json", doc.as_bytes())?;
    let chart = chart_of(&model, &targets, until, &rows, &scores, &store, &s)?;
    let dir = staged.tmp.join("charts");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let fig = charts::backtest::figure(&chart);
    let opts = super::chart_options(&args.style);
    for format in &opts.formats {
        charts::write_figure("backtest", &fig, *format, &dir, &opts)?;
    }
    if stop.is_set() {
        return Err(not_written());
    }
    let dir = staged.commit()?;
    eprintln!(
        "{}: calibrated on {} targets to {} (effective sample size {:.0} of {}), {} runs; {} of {} later targets inside their 90% interval, median absolute error {:.1}% in {:.0} s -> {}",
        model.name,
        fit.len(),
        args.until,
        post.effective_sample_size,
        args.particles,
        s.runs,
        scores.inside,
        scores.targets,
        scores.mape_percent,
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

/// The year index of `--until`, which must be a `YYYY-YY` label of one of the scenario's years.
fn until_year(model: &Model, until: &str) -> Result<usize, Error> {
    let span = format!(
        "{} to {}",
        model.year_label(0),
        model.year_label(model.years - 1)
    );
    let Some(start) = parse_year_label(until.trim()) else {
        return Err(Error::Usage(format!(
            "--until `{until}` is not a financial year label; give one as YYYY-YY, e.g. --until {}, from `{}`'s years {span}",
            model.year_label(model.years / 2),
            model.name
        )));
    };
    let y = start - model.start_year;
    if y < 0 || y as usize >= model.years {
        return Err(Error::Usage(format!(
            "--until {until} is not a year of `{}`, which runs {span}; give one of its years, before the last target's",
            model.name
        )));
    }
    Ok(y as usize)
}

/// The targets to calibrate on (in `until` or before) and to score (after it), by index; refuses
/// a split with nothing on either side, naming the file and the targets' years.
fn split(
    file: &Path,
    model: &Model,
    targets: &[Target],
    until: usize,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    let (fit, later) = bt::split(targets, until);
    let years: Vec<usize> = targets.iter().filter_map(|t| t.measure.year).collect();
    let (first, last) = (
        years.iter().min().copied().unwrap_or(0),
        years.iter().max().copied().unwrap_or(0),
    );
    let span = format!(
        "its targets run {} to {}",
        model.year_label(first),
        model.year_label(last)
    );
    let until = model.year_label(until);
    if fit.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no target is in {until} or before, so there is nothing to calibrate on; {span}: give a later --until (at least {})",
            file.display(),
            model.year_label(first)
        )));
    }
    if later.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no target is after {until}, so there is nothing to test the projection against; {span}: give an earlier --until (before {})",
            file.display(),
            model.year_label(last)
        )));
    }
    Ok((fit, later))
}

/// Runs, seed and scale: the options, or the scenario's `run` settings; the scale and the
/// resource guard checked as `run` checks them.
fn run_settings(args: &BacktestArgs, model: &Model) -> Result<RunSettings, Error> {
    let s = RunSettings {
        runs: args.sampling.runs.unwrap_or(model.defaults.runs),
        seed: args.sampling.seed.unwrap_or(model.defaults.seed),
        scale: args.sampling.scale.unwrap_or(model.defaults.scale),
    };
    scale::check(model, s.scale, false)?;
    let threads = args
        .sampling
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let available = guard::available_memory();
    let est = guard::estimate(model, s.runs, s.scale, threads, s.seed, available);
    guard::check(&est, available, false)?;
    Ok(s)
}

/// The posterior as the draws runs take: every drawn parameter's slots from the sample (which
/// holds full parameter vectors by slot), draw i for run i.
fn draws_of(model: &Model, post: &Posterior) -> PosteriorDraws {
    let drawn: Vec<_> = model
        .params
        .params
        .iter()
        .filter(|p| p.dist.is_drawn())
        .collect();
    PosteriorDraws {
        file: "(calibrated by backtest)".into(),
        sha256: String::new(),
        effective_sample_size: post.effective_sample_size,
        rows: post.draws.clone(),
        map: drawn
            .iter()
            .flat_map(|p| (0..p.components.len().max(1)).map(|k| (p.slot + k, p.slot + k)))
            .collect(),
        from_posterior: drawn.iter().map(|p| p.name.clone()).collect(),
        from_prior: Vec::new(),
        redefined: Vec::new(),
    }
}

/// A later target and the runs' p5, p50 and p95 of it.
fn row_of(t: &Target, store: &RunStore) -> Result<Row, Error> {
    let year = t.measure.year.unwrap_or(0);
    let s = summarise(&store.column(Col::Metric {
        y: year,
        k: t.measure.metric,
    })?);
    Ok(Row {
        year,
        metric: t.measure.metric,
        actual: t.value,
        p5: s.p5,
        p50: s.p50,
        p95: s.p95,
    })
}

/// The chart's data: a panel for each metric with later targets (`METRICS` order), with the
/// projection in every year and every target of that metric.
fn chart_of(
    model: &Model,
    targets: &[Target],
    until: usize,
    rows: &[Row],
    scores: &Scores,
    store: &RunStore,
    s: &RunSettings,
) -> Result<Backtest, Error> {
    let mut panels = Vec::new();
    for (k, (name, unit)) in METRICS.iter().enumerate() {
        if !rows.iter().any(|r| r.metric == k) {
            continue;
        }
        let mut projection = Vec::with_capacity(model.years);
        for y in 0..model.years {
            let q = summarise(&store.column(Col::Metric { y, k })?);
            projection.push((y, q.p5, q.p50, q.p95));
        }
        let observed = |later: bool| -> Vec<(usize, f64)> {
            targets
                .iter()
                .filter(|t| t.measure.metric == k)
                .filter_map(|t| t.measure.year.map(|y| (y, t.value)))
                .filter(|(y, _)| (*y > until) == later)
                .collect()
        };
        panels.push(BacktestPanel {
            metric: (*name).to_string(),
            unit: *unit,
            projection,
            calibrated: observed(false),
            held_out: observed(true),
        });
    }
    Ok(Backtest {
        scenario: model.name.clone(),
        years: (0..model.years)
            .map(|y| Year {
                start: model.start_year + y as i32,
                label: model.year_label(y),
            })
            .collect(),
        until,
        panels,
        scored: scores.targets,
        inside: scores.inside,
        mape_percent: scores.mape_percent,
        runs: s.runs,
        footer: format!(
            "Source: carecast {}, scenario {}, {} runs, seed {}, scale {}, {} prices · backtest.csv holds every scored target",
            env!("CARGO_PKG_VERSION"),
            model.name,
            s.runs,
            s.seed,
            s.scale,
            model.price_base
        ),
    })
}

/// `backtest.json`: the scores (overall and by metric), the cut-off, the posterior's effective
/// sample size, the settings and seed, and the targets file's sha256.
fn summary_json(
    args: &BacktestArgs,
    model: &Model,
    (until, calibrated, rows, scores): (usize, usize, &[Row], &Scores),
    post: &Posterior,
    s: &RunSettings,
    elapsed: f64,
) -> String {
    let by_metric: Vec<Value> = bt::by_metric(rows)
        .into_iter()
        .map(|(metric, sc)| {
            json!({
                "metric": metric,
                "targets": sc.targets,
                "median_absolute_percentage_error": sc.mape_percent,
                "inside_90_interval": sc.inside,
                "share_inside_90_interval": sc.inside_share(),
            })
        })
        .collect();
    let doc = json!({
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "scenario": model.name,
        "scenario_hash": model.hash,
        "scenario_file": args.scenario.display().to_string(),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "method": "Calibrated by sequential Monte Carlo (as calibrate --posterior, on the cohort engine) on the targets in the cut-off year and before; then the Monte Carlo engine over the whole horizon, run i on draw i of that posterior (parameters without a distribution as the scenario sets them). Each later target is scored by the runs' p5, p50 and p95 in its year. median_absolute_percentage_error is in percent, the median over targets of |p50 - actual| / actual.",
        "targets_file": args.targets.display().to_string(),
        "targets_sha256": format!("{:x}", Sha256::digest(std::fs::read(&args.targets).unwrap_or_default())),
        "until": model.year_label(until),
        "targets_calibrated": calibrated,
        "targets_scored": scores.targets,
        "median_absolute_percentage_error": scores.mape_percent,
        "inside_90_interval": scores.inside,
        "share_inside_90_interval": scores.inside_share(),
        "by_metric": by_metric,
        "posterior": {
            "effective_sample_size": post.effective_sample_size,
            "distinct_draws": post.distinct,
            "stages": post.stages.len(),
            "evaluations": post.evaluations,
            "parameters_calibrated": model.posterior.as_ref().map(|p| p.from_posterior.clone()),
        },
        "settings": {
            "particles": args.particles,
            "moves": args.moves,
            "ess_share": 0.5,
            "runs": s.runs,
            "scale": s.scale,
            "engine": "mc",
        },
        "seed": s.seed,
        "elapsed_seconds": (elapsed * 1000.0).round() / 1000.0,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
