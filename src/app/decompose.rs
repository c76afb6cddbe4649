//! `carecast decompose`: runs a base scenario and driver scenarios (each holding one driver at its
//! first-year value) on the same runs, seed, parameter draws and random numbers, splits the change
//! in late spend from the base's first year to its last into each driver's part and a remainder,
//! run by run, and writes one folder: decomposition.csv, decomposition.json, each scenario's
//! results and the waterfall chart, all staged and committed at once.

use super::interrupt::{self, Interrupt};
use super::output::Staged;
use super::{batch, compare, guard, load_all, scale_warnings, settings};
use crate::analysis::decompose::{top_correlates, Correlate, Decomposition, Held, Summaries};
use crate::analysis::sensitivity::Slot;
use crate::charts::waterfall::{self, Step, Waterfall};
use crate::cli::RunArgs;
use crate::cli_analysis::{DecomposeArgs, Engine};
use crate::engine::RunConfig;
use crate::error::Error;
use crate::results::metrics::idx;
use crate::results::stats::Summary;
use crate::results::store::{Col, RunStore, Runs};
use crate::results::summary;
use crate::scenario::Model;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

/// The measure decomposed: late spend, in £ million a year.
const METRIC: usize = idx::LATE_SPEND;
/// Parameters listed for each part, most rank-correlated first.
const CORRELATES: usize = 5;
/// Names a driver scenario cannot take: they are the other rows of decomposition.csv.
const RESERVED: [&str; 4] = ["start", "end", "total", "remainder"];

/// What was run: the scenarios (the base first) and their files, the settings, the command line
/// and the folder's name.
struct Run<'a> {
    models: &'a [Model],
    files: &'a [PathBuf],
    settings: &'a Settings,
    command: &'a str,
    name: &'a str,
}

/// The run settings, checked as `run` checks them.
struct Settings {
    runs: u64,
    seed: u64,
    scale: f64,
    engine: Engine,
}

impl Settings {
    /// The runs in words for the chart: "200 runs", or "200 cohort-engine draws".
    fn runs_words(&self) -> String {
        match self.engine {
            Engine::Mc => format!("{} runs", self.runs),
            Engine::Cohort => format!("{} cohort-engine draws", self.runs),
        }
    }
}

/// Runs the decomposition.
pub fn decompose(args: &DecomposeArgs) -> Result<(), Error> {
    let files: Vec<PathBuf> = std::iter::once(args.base.clone())
        .chain(args.drivers.iter().cloned())
        .collect();
    let models = load_all(&files)?;
    compare::check_comparable(&models, &files)?;
    check_shared(&models, &files)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("{}-decomposition", models[0].name));
    compare::check_name(&name)?;
    let s = checked_settings(args, &files, &models)?;
    let stop = Interrupt::install()?;
    let staged = Staged::new(&args.out, &name)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.sampling.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let started = Instant::now();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let cfg = RunConfig {
        master_seed: s.seed,
        scale: s.scale,
    };
    let mut stores: Vec<RunStore> = Vec::new();
    for (i, (model, file)) in models.iter().zip(&files).enumerate() {
        let t0 = Instant::now();
        let (store, done) = batch::fill_new(
            &pool,
            model,
            args.engine,
            0..s.runs,
            &cfg,
            &stop,
            &args.out,
            &model.name,
        )?;
        if !done || stop.is_set() {
            let not: Vec<String> = vec![name.clone()];
            return Err(interrupt::interrupted(&[], &not));
        }
        let info = summary::RunInfo {
            command: command.clone(),
            scenario_file: file.display().to_string(),
            seed: s.seed,
            runs: s.runs,
            scale: s.scale,
            elapsed_seconds: t0.elapsed().as_secs_f64(),
            extra: [("engine".to_string(), Value::from(args.engine.as_str()))]
                .into_iter()
                .collect(),
        };
        staged.write_scenario(model, &store, &info)?;
        eprintln!(
            "{} ({} of {}): {} runs in {:.1}s",
            model.name,
            i + 1,
            models.len(),
            s.runs,
            info.elapsed_seconds
        );
        stores.push(store);
    }
    let d = decomposition(&models, &stores)?;
    let slots = super::analysis::drawn_slots(&models[0], &stores[0])?;
    let sums = d.summaries();
    staged.write("decomposition.csv", csv(&models, &sums).as_bytes())?;
    let run = Run {
        models: &models,
        files: &files,
        settings: &s,
        command: &command,
        name: &name,
    };
    let doc = json_doc(&run, &d, &sums, &slots);
    staged.write("decomposition.json", doc.as_bytes())?;
    if !args.no_charts {
        let chart = chart_of(&models, &sums, &s);
        let dir = staged.tmp.join("charts");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let fig = waterfall::figure(&chart);
        let opts = super::chart_options(&args.style);
        for format in &opts.formats {
            crate::charts::write_figure("waterfall", &fig, *format, &dir, &opts)?;
        }
    }
    if stop.is_set() {
        return Err(interrupt::interrupted(&[], &[name]));
    }
    let dir = staged.commit()?;
    let money = |v: f64| crate::charts::format::sig3(v, crate::charts::ValueFormat::GbpM);
    eprintln!(
        "{}: late spend {} {} to {} {} (median); drivers {}, remainder {}, in {:.0} s -> {}",
        models[0].name,
        models[0].year_label(0),
        money(sums.start.p50),
        models[0].year_label(models[0].years - 1),
        money(sums.end.p50),
        models[1..]
            .iter()
            .zip(&sums.parts)
            .map(|(m, p)| format!("{} {}", m.label, money(p.p50)))
            .collect::<Vec<_>>()
            .join(", "),
        money(sums.remainder.p50),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

/// Refuses drivers that would not take the base's parameter draws and random numbers run by
/// run (another `run.seed` or `run.draws`), and driver names that clash with the CSV's rows.
fn check_shared(models: &[Model], files: &[PathBuf]) -> Result<(), Error> {
    let base = &models[0];
    let draws = |m: &Model| {
        m.posterior
            .as_ref()
            .map(|p| (p.file.clone(), p.sha256.clone()))
    };
    let describe = |m: &Model| match &m.posterior {
        Some(p) => format!("the draws in {} (sha256 {:.12})", p.file, p.sha256),
        None => "no draws file (parameters drawn from their priors)".to_string(),
    };
    for (m, f) in models.iter().zip(files).skip(1) {
        if RESERVED.contains(&m.name.as_str()) {
            return Err(Error::Usage(format!(
                "{}: a driver named `{}` clashes with a row of decomposition.csv; rename it (any name but {})",
                f.display(),
                m.name,
                RESERVED.join(", ")
            )));
        }
        if m.defaults.seed != base.defaults.seed {
            return Err(Error::Usage(format!(
                "{} has `run.seed` {} but the base {} has {}; a driver must run on the base's random numbers: remove its `run.seed` so that it inherits the base's (extend the base), or give it {}",
                f.display(),
                m.defaults.seed,
                files[0].display(),
                base.defaults.seed,
                base.defaults.seed
            )));
        }
        if draws(m).map(|d| d.1) != draws(base).map(|d| d.1) {
            return Err(Error::Usage(format!(
                "{} takes {} but the base {} takes {}; a driver must run on the base's parameter draws: extend the base and leave `run.draws` as it inherits it",
                f.display(),
                describe(m),
                files[0].display(),
                describe(base)
            )));
        }
    }
    Ok(())
}

/// Runs, seed and scale from the options or the base's `run`, with the scale and the resource
/// guard checked for every scenario.
fn checked_settings(
    args: &DecomposeArgs,
    files: &[PathBuf],
    models: &[Model],
) -> Result<Settings, Error> {
    let run = RunArgs {
        scenarios: files.to_vec(),
        sampling: args.sampling.clone(),
        out: args.out.clone(),
        runs_csv: false,
        no_charts: args.no_charts,
        shard: None,
        force: false,
        engine: args.engine,
        until_stable: None,
    };
    let s = settings(&run, &models[0])?;
    scale_warnings(models, s.scale, args.engine, false)?;
    let threads = args
        .sampling
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let available = guard::available_memory();
    for model in models {
        let est = guard::estimate(model, s.runs, s.scale, threads, s.seed, available);
        guard::check(&est, available, false)?;
    }
    Ok(Settings {
        runs: s.runs,
        seed: s.seed,
        scale: s.scale,
        engine: args.engine,
    })
}

/// The decomposition of the base's late spend by the drivers', run by run.
fn decomposition(models: &[Model], stores: &[RunStore]) -> Result<Decomposition, Error> {
    let last = models[0].years - 1;
    let col = |st: &RunStore, y: usize| st.column(Col::Metric { y, k: METRIC });
    let mut held = Vec::new();
    for (m, st) in models.iter().zip(stores).skip(1) {
        held.push(Held {
            scenario: &m.name,
            label: &m.label,
            start: col(st, 0)?,
            end: col(st, last)?,
        });
    }
    Decomposition::of(col(&stores[0], 0)?, col(&stores[0], last)?, held).map_err(Error::Other)
}

/// `x` rounded to 0.1 (money in £ million), for the files.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// decomposition.csv: `kind,scenario,label,mean,p5,p50,p95` for the start, each driver, the
/// remainder, the end and the total change, in £ million.
fn csv(models: &[Model], s: &Summaries) -> String {
    let base = &models[0];
    let field = |t: &str| {
        if t.contains([',', '"', '\n']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_string()
        }
    };
    let row = |kind: &str, scenario: &str, label: &str, v: &Summary| {
        format!(
            "{kind},{},{},{},{},{},{}\n",
            field(scenario),
            field(label),
            round1(v.mean),
            round1(v.p5),
            round1(v.p50),
            round1(v.p95)
        )
    };
    let mut out = String::from("kind,scenario,label,mean,p5,p50,p95\n");
    let first = format!("Late spend {}", base.year_label(0));
    let last = format!("Late spend {}", base.year_label(base.years - 1));
    out.push_str(&row("start", &base.name, &first, &s.start));
    for (m, p) in models[1..].iter().zip(&s.parts) {
        out.push_str(&row("driver", &m.name, &m.label, p));
    }
    out.push_str(&row("remainder", "", "All else", &s.remainder));
    out.push_str(&row("end", &base.name, &last, &s.end));
    out.push_str(&row("total", &base.name, "Change", &s.total));
    out
}

fn summary_json(v: &Summary) -> Value {
    json!({"mean": round1(v.mean), "p5": round1(v.p5), "p50": round1(v.p50), "p95": round1(v.p95)})
}

fn correlates_json(c: &[Correlate]) -> Value {
    c.iter()
        .map(|c| {
            json!({
                "parameter": c.parameter,
                "description": c.description,
                "rank_correlation": (c.rank_correlation * 1000.0).round() / 1000.0,
            })
        })
        .collect()
}

/// decomposition.json: the method, the settings and every part's summary with its strongest
/// parameter correlates.
fn json_doc(run: &Run, d: &Decomposition, s: &Summaries, slots: &[Slot]) -> String {
    let Run {
        models,
        files,
        settings,
        command,
        name,
    } = *run;
    let base = &models[0];
    let base_redefined: Vec<String> = base
        .posterior
        .as_ref()
        .map_or(Vec::new(), |p| p.redefined.clone());
    let drivers: Vec<Value> = models[1..]
        .iter()
        .zip(&files[1..])
        .zip(d.parts.iter().zip(&s.parts))
        .map(|((m, f), (part, sum))| {
            let redefined: Vec<String> = m.posterior.as_ref().map_or(Vec::new(), |p| {
                p.redefined
                    .iter()
                    .filter(|r| !base_redefined.contains(r))
                    .cloned()
                    .collect()
            });
            json!({
                "scenario": m.name,
                "label": m.label,
                "file": f.display().to_string(),
                "scenario_hash": m.hash,
                "description": m.description,
                "late_spend_explained_gbp_m": summary_json(sum),
                "first_year_difference_gbp_m": summary_json(&crate::results::stats::summarise(&part.start_difference)),
                "calibrated_parameters_redefined": redefined,
                "uncertainty": correlates_json(&top_correlates(&part.runs, slots, CORRELATES)),
            })
        })
        .collect();
    let doc = json!({
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "name": name,
        "command": command,
        "method": "Each driver scenario holds one driver at its first-year value, all else as the base; every scenario runs the same runs on the same parameter draws and random numbers (run i of each takes the same draw). Per run: change = base late spend in the last year minus in the first; a driver's part = base last-year late spend minus the driver scenario's (the late spend that holding the driver takes away); remainder = change minus the sum of the parts (what no one driver explains, with the drivers' interactions). Summaries are across runs; the p50 of a part is not the difference of p50s, and medians need not add up. `uncertainty` lists the drawn parameters whose values across runs are most rank-correlated (Spearman) with the part.",
        "measure": "late_spend",
        "unit": "gbp_m",
        "price_base": base.price_base,
        "base": {
            "scenario": base.name,
            "label": base.label,
            "file": files[0].display().to_string(),
            "scenario_hash": base.hash,
        },
        "first_year": base.year_label(0),
        "last_year": base.year_label(base.years - 1),
        "engine": settings.engine.as_str(),
        "runs": settings.runs,
        "seed": settings.seed,
        "scale": settings.scale,
        "parameter_draws": base.posterior.as_ref().map(|p| json!({"file": p.file, "sha256": p.sha256})),
        "start_gbp_m": summary_json(&s.start),
        "end_gbp_m": summary_json(&s.end),
        "change_gbp_m": summary_json(&s.total),
        "change_uncertainty": correlates_json(&top_correlates(&d.total, slots, CORRELATES)),
        "drivers": drivers,
        "remainder_gbp_m": summary_json(&s.remainder),
        "remainder_uncertainty": correlates_json(&top_correlates(&d.remainder, slots, CORRELATES)),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The waterfall's data.
fn chart_of(models: &[Model], s: &Summaries, settings: &Settings) -> Waterfall {
    let base = &models[0];
    Waterfall {
        measure: "Late spend".into(),
        base: base.label.clone(),
        first_year: base.year_label(0),
        last_year: base.year_label(base.years - 1),
        price_base: base.price_base.clone(),
        start: s.start,
        end: s.end,
        change: s.total,
        drivers: models[1..]
            .iter()
            .zip(&s.parts)
            .map(|(m, p)| Step {
                label: m.label.clone(),
                value: *p,
            })
            .collect(),
        remainder: s.remainder,
        runs: settings.runs_words(),
        footer: format!(
            "Source: carecast {}, scenario {} and {} driver scenarios, {}, seed {}{}, {} prices · decomposition.csv holds every bar",
            env!("CARGO_PKG_VERSION"),
            base.name,
            models.len() - 1,
            settings.runs_words(),
            settings.seed,
            match settings.engine {
                Engine::Mc => format!(", scale {}", settings.scale),
                Engine::Cohort => String::new(),
            },
            base.price_base
        ),
    }
}
