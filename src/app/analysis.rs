//! The `sensitivity` and `calibrate` commands: load, check arguments before any long work, run or
//! call the analyses in `crate::analysis`, and write their tables and charts through
//! `output::Staged`.

use super::output::Staged;
use crate::analysis::{calibrate as cal, sensitivity as sens, Measure};
use crate::charts::tornado::{self, Bar, Tornado};
use crate::cli_analysis::{CalibrateArgs, Engine, SensitivityArgs};
use crate::error::Error;
use crate::results::store::{Col, Runs};
use crate::scenario::{self, Model};
use std::path::Path;

fn load(file: &Path) -> Result<Model, Error> {
    scenario::load_model(file).map_err(Error::from)
}

/// `carecast sensitivity SCENARIO [BASELINE]`: runs the scenario (and the baseline, with common
/// random numbers) as `run` would, then reads each parameter's effect on the measure's median
/// from the runs' own draws.
pub fn sensitivity(args: &SensitivityArgs) -> Result<(), Error> {
    let run = args.as_run();
    let models = super::load_all(&run.scenarios)?;
    let (model, baseline) = (&models[0], models.get(1));
    if let Some(b) = baseline {
        if b.start_year != model.start_year || b.years != model.years {
            return Err(Error::Usage(format!(
                "`{}` runs {} to {} but `{}` runs {} to {}; compare scenarios over the same years",
                model.name,
                model.year_label(0),
                model.year_label(model.years - 1),
                b.name,
                b.year_label(0),
                b.year_label(b.years - 1)
            )));
        }
    }
    let (metric, year) = match baseline {
        None => ("late_early_ratio", model.year_label(model.years - 1)),
        Some(_) => ("total_spend", "all".to_string()),
    };
    let metric = args.metric.as_deref().unwrap_or(metric);
    let year = args.year.clone().unwrap_or(year);
    let measure = Measure::parse(model, metric, &year).map_err(Error::Usage)?;
    let s = super::settings(&run, model)?;
    super::scale_warnings(&models, s.scale, args.engine, args.force)?;
    super::output::create_out(&args.out)?;
    let stores = models
        .iter()
        .map(|m| super::batch::run_all(m, args.engine, &s, args.sampling.threads, &args.out))
        .collect::<Result<Vec<_>, Error>>()?;
    let y = measure_by_run(
        &measure,
        model.years,
        &stores[0],
        stores.get(1).map(|b| b as &dyn Runs),
    )?;
    let mut slots = drawn_slots(model, &stores[0])?;
    if let (Some(b), Some(runs)) = (baseline, stores.get(1)) {
        // Parameters only the baseline draws move the difference too.
        let own: Vec<String> = slots.iter().map(|x| x.parameter.clone()).collect();
        slots.extend(
            drawn_slots(b, runs)?
                .into_iter()
                .filter(|x| !own.contains(&x.parameter)),
        );
    }
    let label = match baseline {
        Some(b) => format!(
            "change in {} ({} minus {})",
            measure.label(model),
            model.name,
            b.name
        ),
        None => format!("{} ({})", measure.label(model), model.name),
    };
    let draws = args.draws.min(s.runs) as usize;
    let starts = crate::engine::cohort::Starts::default();
    let projector = sens::Projector {
        model,
        baseline,
        measure: &measure,
        seed: s.seed,
        starts: &starts,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.sampling.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let result = pool
        .install(|| {
            use rayon::prelude::*;
            let base = (0..draws as u64)
                .into_par_iter()
                .map(|r| projector.at(r, None))
                .collect::<Result<Vec<f64>, String>>()?;
            sens::analyse(label, &y, &slots, draws, |name, x| {
                sens::average_change(&projector, &base, name, x)
            })
        })
        .map_err(Error::Other)?;
    let staged = Staged::new(&args.out, &format!("{}-sensitivity", model.name))?;
    staged.write("sensitivity.csv", sens::csv(&result).as_bytes())?;
    if !args.no_charts {
        let t = tornado_of(model, baseline, &measure, &result, &s, args.engine);
        let dir = staged.tmp.join("charts");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let svg = tornado::svg(&t, 1600, 1000)?;
        staged.write("charts/tornado.svg", svg.as_bytes())?;
        tornado::write_png(&t, &dir.join("tornado.png"), 1600, 1000)?;
    }
    let dir = staged.commit()?;
    eprintln!(
        "{}: {} parameters, {} runs; median {} = {}; largest swing {} -> {}",
        model.name,
        result.rows.len(),
        result.runs,
        result.measure_label,
        sens::fmt(result.central),
        result.rows.first().map_or("-", |r| r.parameter.as_str()),
        dir.display()
    );
    Ok(())
}

/// The measure in each run, in run order: the scenario's, or its difference from the baseline
/// run by run; summed over the `years` in year order where the measure covers them all.
fn measure_by_run(
    m: &Measure,
    years: usize,
    scenario: &dyn Runs,
    baseline: Option<&dyn Runs>,
) -> Result<Vec<f64>, Error> {
    let years: Vec<usize> = match m.year {
        Some(y) => vec![y],
        None => (0..years).collect(),
    };
    let mut total = vec![0.0; scenario.count()];
    for y in years {
        let col = Col::Metric { y, k: m.metric };
        let a = scenario.column(col)?;
        let b = match baseline {
            Some(b) => b.column(col)?,
            None => vec![0.0; a.len()],
        };
        for (t, (a, b)) in total.iter_mut().zip(a.iter().zip(&b)) {
            *t += a - b;
        }
    }
    Ok(total)
}

/// Every drawn parameter slot of `model` with its value in each run, described in words.
pub(crate) fn drawn_slots(model: &Model, runs: &dyn Runs) -> Result<Vec<sens::Slot>, Error> {
    let mut xs = Vec::new();
    for p in model.params.params.iter().filter(|p| p.dist.is_drawn()) {
        for k in 0..p.components.len().max(1) {
            let slot = p.slot + k;
            xs.push(sens::Slot {
                parameter: model.params.slot_names[slot].clone(),
                description: describe(p, k),
                draws: runs.column(Col::Param(slot))?,
            });
        }
    }
    Ok(xs)
}

/// A parameter (component `k` of it) in words: its `description`, else its name; a component
/// adds its own name ("Placement of children entering care: residential").
fn describe(p: &crate::scenario::params::Param, k: usize) -> String {
    let base = p
        .raw
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&p.name)
        .to_string();
    match p.components.get(k) {
        Some(c) => format!("{base}: {}", c.replace('_', " ")),
        None => base,
    }
}

fn tornado_of(
    model: &Model,
    baseline: Option<&Model>,
    m: &Measure,
    s: &sens::Sensitivity,
    settings: &super::Settings,
    engine: Engine,
) -> Tornado {
    let metric = crate::results::metrics::METRICS[m.metric];
    let unit = match metric.1 {
        crate::results::metrics::Unit::GbpM => " (£m)",
        crate::results::metrics::Unit::Children => " (children)",
        crate::results::metrics::Unit::Families => " (families)",
        crate::results::metrics::Unit::Ratio => "",
    };
    let when = match m.year {
        Some(y) => model.year_label(y),
        None => format!(
            "{} to {}",
            model.year_label(0),
            model.year_label(model.years - 1)
        ),
    };
    let top = s.rows.first().map_or("-", |r| r.description.as_str());
    let median = crate::charts::format::sig3(
        s.central,
        match metric.1 {
            crate::results::metrics::Unit::GbpM => crate::charts::ValueFormat::GbpM,
            crate::results::metrics::Unit::Ratio => crate::charts::ValueFormat::Ratio,
            _ => crate::charts::ValueFormat::Count,
        },
    );
    let words = match (metric.0, baseline, m.year) {
        ("total_spend", Some(_), None) => "net cost".to_string(),
        ("late_early_ratio", _, _) => "late spend per £1 of early spend".to_string(),
        (name, _, _) => name.replace('_', " "),
    };
    let (title, axis) = match baseline {
        None => (
            format!(
                "{}{} in {when}: median {median}",
                words[..1].to_uppercase(),
                &words[1..],
            ),
            format!("{}{unit}, {when}", metric.0),
        ),
        Some(b) => (
            format!(
                "{}{} of {} against {}, {when}: median {median}",
                words[..1].to_uppercase(),
                &words[1..],
                model.name,
                b.name,
            ),
            format!(
                "{} minus {}: {}{unit} (negative = saving)",
                model.name, b.name, metric.0
            ),
        ),
    };
    let more = s.rows.len().saturating_sub(tornado::MAX_BARS);
    let runs = match engine {
        Engine::Mc => format!("{} runs", s.runs),
        Engine::Cohort => format!("{} cohort-engine draws", s.runs),
    };
    let scale = match engine {
        Engine::Mc => format!(", scale {}", settings.scale),
        Engine::Cohort => String::new(),
    };
    Tornado {
        title,
        subtitle: format!(
            "Largest effect: {top} · centre: the median across {runs} · each bar: that median moved by the average change when one parameter is set to the p10 or p90 of its draws in each of the first {} runs' draws (cohort engine, the others as drawn) · bar ends: the parameter's value · {} parameters",
            s.draws,
            s.rows.len()
        ),
        axis_title: axis,
        footer: format!(
            "Source: carecast {}, scenario {}{} (hash {}), {runs}, seed {}{scale}, {} prices · {}sensitivity.csv holds every parameter and value",
            env!("CARGO_PKG_VERSION"),
            model.name,
            baseline.map_or(String::new(), |b| format!(" against {}", b.name)),
            &model.hash.chars().take(19).collect::<String>(),
            settings.seed,
            model.price_base,
            if more > 0 { format!("{more} smaller swings not drawn · ") } else { String::new() }
        ),
        central: s.central,
        central_label: format!("median {}", tornado::number(s.central)),
        bars: s
            .rows
            .iter()
            .map(|r| Bar {
                label: r.description.clone(),
                low_text: tornado::number(r.low_value),
                high_text: tornado::number(r.high_value),
                at_low: r.at_low,
                at_high: r.at_high,
            })
            .collect(),
    }
}

/// `carecast calibrate SCENARIO --targets T --free a,b`.
pub fn calibrate(args: &CalibrateArgs) -> Result<(), Error> {
    let model = load(&args.scenario)?;
    let command = if args.posterior {
        "calibrate --posterior"
    } else {
        "calibrate"
    };
    crate::scenario::continues::refuse(&model, &args.scenario, command)?;
    let (raw, targets) = read_targets(&args.targets, &model)?;
    if args.posterior {
        return super::posterior::posterior(args, &model, &targets);
    }
    calibrate_free(args, &model, &raw, &targets)
}

/// Reads and checks the targets file.
pub(super) fn read_targets(
    file: &Path,
    model: &Model,
) -> Result<(cal::RawTargets, Vec<cal::Target>), Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::io(format!("cannot read targets file {}", file.display()), e))?;
    let bad = |m: String| Error::Usage(format!("{}: {m}", file.display()));
    let de = &mut serde_json::Deserializer::from_str(&text);
    let raw: cal::RawTargets = serde_path_to_error::deserialize(de).map_err(|e| {
        bad(format!(
            "$.{}: {}; the file is {{\"year\": \"2025-26\", \"targets\": [{{\"metric\": \"children_in_care\", \"value\": 81770}}], \"bounds\": {{}}}}",
            e.path(),
            e.inner()
        ))
    })?;
    let targets = cal::targets(model, &raw).map_err(bad)?;
    Ok((raw, targets))
}

/// Least-squares calibration of the `--free` parameters' central values.
fn calibrate_free(
    args: &CalibrateArgs,
    model: &Model,
    raw: &cal::RawTargets,
    targets: &[cal::Target],
) -> Result<(), Error> {
    let free = cal::free_params(model, &args.free, &raw.bounds).map_err(Error::Usage)?;
    if args.max_evals < 10 {
        return Err(Error::Usage("--max-evals must be at least 10".into()));
    }
    let fit = cal::fit(model, targets, &free, args.max_evals).map_err(Error::Other)?;
    let staged = Staged::new(&args.out, &format!("{}-calibration", model.name))?;
    let scen = std::fs::canonicalize(&args.scenario).unwrap_or_else(|_| args.scenario.clone());
    let extends = scen
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let command = format!(
        "carecast calibrate {} --targets {} --free {}",
        args.scenario.display(),
        args.targets.display(),
        args.free.join(",")
    );
    staged.write(
        "fit.csv",
        cal::fit_csv(model, targets, &free, &fit).as_bytes(),
    )?;
    staged.write(
        "calibrated.json",
        cal::extends_json(
            model,
            &extends,
            &free,
            &fit,
            &command,
            &args.targets.display().to_string(),
        )
        .as_bytes(),
    )?;
    let dir = staged.commit()?;
    eprintln!(
        "{}: {} targets, {} free parameters, objective {:.3e} after {} evaluations; worst error {:+.2}% -> {} (calibrated.json extends `{extends}`: put it beside that file)",
        model.name,
        targets.len(),
        free.len(),
        fit.objective,
        fit.evaluations,
        100.0
            * targets
                .iter()
                .zip(&fit.fitted)
                .map(|(t, f)| (f - t.value) / t.value)
                .fold(0.0f64, |a, b| if b.abs() > a.abs() { b } else { a }),
        dir.display()
    );
    Ok(())
}
