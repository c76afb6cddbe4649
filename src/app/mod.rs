//! The application layer: turns parsed arguments into work, and is the only place (with `output`)
//! that touches the file system. `run` simulates and writes results; `validate` only checks;
//! `compare` (in `compare`) runs scenarios side by side and writes their differences; `backtest`
//! (in `backtest`) calibrates on the past up to a year and scores the projection after it;
//! `decompose` (in `decompose`) splits a scenario's change by driver.

pub mod analysis;
pub mod backtest;
pub mod batch;
pub mod compare;
pub mod decompose;
pub mod fit_charts;
pub mod folder;
pub mod guard;
pub mod interrupt;
pub mod output;
pub mod posterior;
pub mod progress;
pub mod report;
pub mod report_fit;
pub mod scale;
pub mod shard;

use crate::charts::{self, ChartOptions, ScenarioResults};
use crate::cli::{ChartArgs, ChartStyle, Cli, Command, MergeArgs, RunArgs};
use crate::engine::RunConfig;
use crate::error::{Error, InputErrors};
use crate::results::store::{RunStore, Runs};
use crate::results::{runs::write_runs_csv, summary, yearly::yearly_csv};
use crate::scenario::{self, validate::MAX_RUNS, Model};
use std::path::Path;
use std::time::Instant;

/// Runs a parsed command line.
pub fn main(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate(args) => validate(&args.files),
        Command::Chart(args) => chart(&args),
        Command::Merge(args) => merge(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Sensitivity(args) => analysis::sensitivity(&args),
        Command::Calibrate(args) => analysis::calibrate(&args),
        Command::Backtest(args) => backtest::backtest(&args),
        Command::Decompose(args) => decompose::decompose(&args),
        Command::Report(args) => report::report(&args),
    }
}

/// Loads and validates every file, reporting all problems together.
fn load_all(files: &[std::path::PathBuf]) -> Result<Vec<Model>, Error> {
    let mut models = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match scenario::load_model(f) {
            Ok(m) => models.push(m),
            Err(InputErrors(es)) => errors.extend(es),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors).into());
    }
    Ok(models)
}

fn validate(files: &[std::path::PathBuf]) -> Result<(), Error> {
    let models = load_all(files)?;
    for (f, m) in files.iter().zip(&models) {
        let levers = match m.effects.levers.as_slice() {
            [] => String::new(),
            names => format!("; levers: {}", names.join(", ")),
        };
        println!(
            "{}: ok ({}: {} states, {} transitions, {} parameters, {} to {}{levers})",
            f.display(),
            m.name,
            m.states.len(),
            m.transitions.len(),
            m.params.params.len(),
            m.year_label(0),
            m.year_label(m.years - 1)
        );
    }
    Ok(())
}

/// The run settings after command-line overrides, checked.
struct Settings {
    runs: u64,
    seed: u64,
    scale: f64,
}

fn settings(args: &RunArgs, first: &Model) -> Result<Settings, Error> {
    let runs = args.sampling.runs.unwrap_or(first.defaults.runs);
    if runs == 0 || runs > MAX_RUNS {
        return Err(Error::Usage(format!(
            "--runs {runs} is outside 1 to {MAX_RUNS}; use e.g. --runs 200"
        )));
    }
    let scale = args.sampling.scale.unwrap_or(first.defaults.scale);
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(Error::Usage(format!(
            "--scale {scale} is outside (0, 1]; give the fraction of families to simulate, e.g. 0.02, or 1 for all"
        )));
    }
    if let Some(t) = args.sampling.threads {
        if t == 0 || t > 1024 {
            return Err(Error::Usage(format!("--threads {t} is outside 1 to 1024")));
        }
    }
    Ok(Settings {
        runs,
        seed: args.sampling.seed.unwrap_or(first.defaults.seed),
        scale,
    })
}

/// Everything `run` checks before it simulates: distinct names, the settings, the scale (with
/// a warning for each model forced through) and the resource guard.
fn preflight(args: &RunArgs, models: &[Model]) -> Result<(Settings, Vec<Option<String>>), Error> {
    for (i, m) in models.iter().enumerate() {
        if models[..i].iter().any(|o| o.name == m.name) {
            return Err(Error::Usage(format!(
                "two scenarios are named `{}`; their results would overwrite each other. Give each a distinct `name`",
                m.name
            )));
        }
    }
    if args.shard.is_some()
        && (args.until_stable.is_some() || args.engine != crate::cli_analysis::Engine::Mc)
    {
        return Err(Error::Usage(
            "--shard works with the Monte Carlo engine and a fixed number of runs; drop --until-stable and --engine cohort".into(),
        ));
    }
    let s = settings(args, &models[0])?;
    let warnings = scale_warnings(models, s.scale, args.engine, args.force)?;
    let threads = args
        .sampling
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let available = guard::available_memory();
    for model in models {
        let est = guard::estimate(model, s.runs, s.scale, threads, s.seed, available);
        guard::check(&est, available, args.force)?;
    }
    Ok((s, warnings))
}

fn run(args: &RunArgs) -> Result<(), Error> {
    let models = load_all(&args.scenarios)?;
    let (s, warnings) = preflight(args, &models)?;
    let stop = interrupt::Interrupt::install()?;
    let mut written: Vec<String> = Vec::new();
    let not_written =
        |i: usize| -> Vec<String> { models[i..].iter().map(|m| m.name.clone()).collect() };
    output::create_out(&args.out)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.sampling.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let shard = args.shard.as_deref().map(shard::Shard::parse).transpose()?;
    let range = shard.map_or(0..s.runs, |sh| sh.range(s.runs));
    for (i, (model, file)) in models.iter().zip(&args.scenarios).enumerate() {
        let started = Instant::now();
        let cfg = RunConfig {
            master_seed: s.seed,
            scale: s.scale,
        };
        // Staged first: the folder is checked writable before the long run, and an interrupt
        // at any point drops it, removing the temporary folder. Shards write their own folder.
        let staged = match shard {
            None => Some(output::Staged::new(&args.out, &model.name)?),
            Some(_) => None,
        };
        let bar = progress::bar(range.end - range.start, &model.name);
        let mut extra = serde_json::Map::new();
        extra.insert("engine".into(), args.engine.as_str().into());
        if let Some(w) = &warnings[i] {
            extra.insert("warnings".into(), serde_json::json!([w]));
        }
        let mut store = RunStore::new(&args.out);
        let done = pool.install(|| match args.until_stable {
            None => batch::fill(
                model,
                args.engine,
                range.clone(),
                &cfg,
                &|| bar.inc(1),
                &stop,
                &mut store,
            ),
            Some(tol) => {
                let tick = || bar.inc(1);
                let Some(st) = batch::until_stable(
                    model,
                    args.engine,
                    s.runs,
                    tol,
                    &cfg,
                    &tick,
                    &stop,
                    &mut store,
                )?
                else {
                    return Ok(false);
                };
                eprintln!(
                    "{}: {} after {} runs (tolerance {tol})",
                    model.name,
                    if st.converged { "stable" } else { "NOT stable" },
                    store.count()
                );
                extra.insert("until_stable".into(), st.to_json());
                Ok(true)
            }
        })?;
        bar.finish_and_clear();
        if !done {
            return Err(interrupt::interrupted(&written, &not_written(i)));
        }
        let info = summary::RunInfo {
            command: command.clone(),
            scenario_file: file.display().to_string(),
            seed: s.seed,
            runs: s.runs,
            scale: s.scale,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            extra,
        };
        let Some(staged) = staged else {
            let sh = shard.unwrap_or(shard::Shard { k: 1, n: 1 });
            let dir = shard::write_shard(
                &args.out,
                model,
                &info.scenario_file,
                sh,
                s.seed,
                s.runs,
                s.scale,
                info.elapsed_seconds,
                &store,
            )?;
            written.push(model.name.clone());
            eprintln!(
                "{}: runs {}..{} of {} in {:.1}s -> {}",
                model.name,
                range.start,
                range.end,
                s.runs,
                info.elapsed_seconds,
                display(&dir)
            );
            continue;
        };
        fill_outputs(
            &staged,
            model,
            &store,
            &info,
            args.runs_csv,
            !args.no_charts,
        )?;
        if stop.is_set() {
            return Err(interrupt::interrupted(&written, &not_written(i)));
        }
        let dir = staged.commit()?;
        written.push(model.name.clone());
        eprintln!(
            "{}: {} runs in {:.1}s -> {}",
            model.name,
            store.count(),
            info.elapsed_seconds,
            display(&dir)
        );
    }
    Ok(())
}

/// Fills a staged result folder: yearly.csv, summary.json, runs.csv and charts.
fn fill_outputs(
    staged: &output::Staged,
    model: &Model,
    results: &RunStore,
    info: &summary::RunInfo,
    with_runs_csv: bool,
    with_charts: bool,
) -> Result<(), Error> {
    staged.write("yearly.csv", yearly_csv(model, results)?.as_bytes())?;
    staged.write(
        "summary.json",
        summary::summary_json(model, results, info)?.as_bytes(),
    )?;
    if with_runs_csv {
        staged.write_with("runs.csv", |w, what| {
            write_runs_csv(model, results, 0, w, what)
        })?;
    }
    if with_charts {
        let loaded = ScenarioResults::load(&staged.tmp)?;
        let chart_dir = staged.tmp.join("charts");
        std::fs::create_dir_all(&chart_dir)
            .map_err(|e| Error::io(format!("cannot create {}", chart_dir.display()), e))?;
        charts::render_all(&[loaded], &chart_dir, &ChartOptions::default())?;
    }
    Ok(())
}

/// Checks that `scale` is large enough for each model's Monte Carlo results to mean anything
/// (`scale::check`): a warning for each model run anyway with `force` (None where the scale is
/// fine, and for the cohort engine, which does not sample families), or the first refusal.
fn scale_warnings(
    models: &[Model],
    scale: f64,
    engine: crate::cli_analysis::Engine,
    force: bool,
) -> Result<Vec<Option<String>>, Error> {
    let mut out = Vec::new();
    for m in models {
        let w = match engine {
            crate::cli_analysis::Engine::Mc => scale::check(m, scale, force)?,
            crate::cli_analysis::Engine::Cohort => None,
        };
        if let Some(w) = &w {
            eprintln!("warning: {w}");
        }
        out.push(w);
    }
    Ok(out)
}

/// Combines the shards of one scenario into the results one machine would have written.
fn merge(args: &MergeArgs) -> Result<(), Error> {
    output::create_out(&args.out)?;
    let mut results = RunStore::new(&args.out);
    let (model, meta) = shard::read_shards(&args.dirs, &mut results)?;
    let mut extra: serde_json::Map<String, serde_json::Value> =
        [("engine".to_string(), serde_json::Value::from("mc"))]
            .into_iter()
            .collect();
    // The shards were run with --force if their scale is too small: say so, as the run would.
    if let Some(w) = scale::check(&model, meta.scale, true)? {
        extra.insert("warnings".into(), serde_json::json!([w]));
    }
    let info = summary::RunInfo {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario_file: meta.scenario_file.clone(),
        seed: meta.seed,
        runs: meta.runs,
        scale: meta.scale,
        elapsed_seconds: meta.elapsed_seconds,
        extra,
    };
    let staged = output::Staged::new(&args.out, &model.name)?;
    fill_outputs(
        &staged,
        &model,
        &results,
        &info,
        args.runs_csv,
        !args.no_charts,
    )?;
    let dir = staged.commit()?;
    eprintln!(
        "{}: merged {} shards ({} runs) -> {}",
        model.name,
        args.dirs.len(),
        meta.runs,
        display(&dir)
    );
    Ok(())
}

/// The chart options `--format`, `--width` and `--height` ask for (each format once).
pub(crate) fn chart_options(style: &ChartStyle) -> ChartOptions {
    let mut formats = Vec::new();
    for f in &style.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    ChartOptions {
        formats,
        width: style.width,
        height: style.height,
        ..ChartOptions::default()
    }
}

/// Re-renders charts from result folders alone: scenario folders (overlaid) or one comparison
/// folder (every chart `compare` writes).
fn chart(args: &ChartArgs) -> Result<(), Error> {
    let opts = ChartOptions {
        only: args.only.clone(),
        title: args.title.clone(),
        subtitle: args.subtitle.clone(),
        ..chart_options(&args.style)
    };
    let kinds = args
        .dirs
        .iter()
        .map(|d| folder::kind(d))
        .collect::<Result<Vec<_>, _>>()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dirs[0].join("charts"));
    let comparison = kinds
        .iter()
        .position(|k| *k == folder::ResultFolder::Comparison);
    let written = match comparison {
        Some(i) if args.dirs.len() > 1 => {
            let d = display(&args.dirs[i]);
            return Err(Error::Usage(format!(
                "{d} is a comparison folder, which is re-rendered on its own: run `carecast chart {d}`, or overlay its scenarios' folders (e.g. `carecast chart {d}/<scenario> ...`)"
            )));
        }
        Some(_) => {
            opts.validate(true)?;
            let cmp = charts::Comparison::load(&args.dirs[0])?;
            create_chart_dir(&out)?;
            charts::render_comparison(&cmp, &out, &opts)?
        }
        None => {
            opts.validate(false)?;
            let results = args
                .dirs
                .iter()
                .map(|d| ScenarioResults::load(d))
                .collect::<Result<Vec<_>, _>>()?;
            create_chart_dir(&out)?;
            charts::render_all(&results, &out, &opts)?
        }
    };
    eprintln!("{} charts -> {}", written.len(), display(&out));
    Ok(())
}

fn create_chart_dir(out: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out)
        .map_err(|e| Error::io(format!("cannot create chart folder {}", out.display()), e))
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
