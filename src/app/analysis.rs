//! The `sensitivity` and `calibrate` commands: load, check arguments before any long work, call
//! the analyses in `crate::analysis`, and write their tables and charts through `output::Staged`.

use super::output::Staged;
use crate::analysis::{calibrate as cal, sensitivity as sens, Measure};
use crate::charts::tornado::{self, Bar, Tornado};
use crate::cli_analysis::{CalibrateArgs, SensitivityArgs};
use crate::error::Error;
use crate::scenario::{self, Model};
use std::path::Path;

fn load(file: &Path) -> Result<Model, Error> {
    scenario::load_model(file).map_err(Error::from)
}

/// `carecast sensitivity SCENARIO [BASELINE]`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<(), Error> {
    let model = load(&args.scenario)?;
    let baseline = args.baseline.as_deref().map(load).transpose()?;
    if let Some(b) = &baseline {
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
    let (metric, year) = match &baseline {
        None => ("late_early_ratio", model.year_label(model.years - 1)),
        Some(_) => ("total_spend", "all".to_string()),
    };
    let metric = args.metric.as_deref().unwrap_or(metric);
    let year = args.year.clone().unwrap_or(year);
    let measure = Measure::parse(&model, metric, &year).map_err(Error::Usage)?;
    let result = sens::analyse(&model, baseline.as_ref(), &measure).map_err(Error::Other)?;
    let staged = Staged::new(&args.out, &format!("{}-sensitivity", model.name))?;
    staged.write("sensitivity.csv", sens::csv(&result).as_bytes())?;
    if !args.no_charts {
        let t = tornado_of(&model, baseline.as_ref(), &measure, &result);
        let dir = staged.tmp.join("charts");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let svg = tornado::svg(&t, 1600, 1000)?;
        staged.write("charts/tornado.svg", svg.as_bytes())?;
        tornado::write_png(&t, &dir.join("tornado.png"), 1600, 1000)?;
    }
    let dir = staged.commit()?;
    eprintln!(
        "{}: {} parameters varied; central {} = {}; largest swing {} -> {}",
        model.name,
        result.rows.len(),
        result.measure_label,
        sens::fmt(result.central),
        result.rows.first().map_or("-", |r| r.parameter.as_str()),
        dir.display()
    );
    Ok(())
}

fn tornado_of(
    model: &Model,
    baseline: Option<&Model>,
    m: &Measure,
    s: &sens::Sensitivity,
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
    let (title, axis) = match baseline {
        None => (
            format!("What moves {} in {when} most", metric.0),
            format!("{}{unit}, {when}", metric.0),
        ),
        Some(b) => (
            format!("Change in {} from {}: what moves it most", metric.0, b.name),
            format!(
                "{} minus {}: {}{unit}, {when} (negative = saving)",
                model.name, b.name, metric.0
            ),
        ),
    };
    let more = s.rows.len().saturating_sub(tornado::MAX_BARS);
    Tornado {
        title,
        subtitle: format!(
            "One-way sensitivity, cohort engine · each parameter at its p10 and p90, all others at central values · bar ends labelled with the parameter value · {} parameters",
            s.rows.len()
        ),
        axis_title: axis,
        footer: format!(
            "Source: carecast {}, scenario {}{} (hash {}), cohort engine at central values, {} prices · {}sensitivity.csv holds every parameter and value",
            env!("CARGO_PKG_VERSION"),
            model.name,
            baseline.map_or(String::new(), |b| format!(" against {}", b.name)),
            &model.hash.chars().take(19).collect::<String>(),
            model.price_base,
            if more > 0 { format!("{more} smaller swings not drawn · ") } else { String::new() }
        ),
        central: s.central,
        bars: s
            .rows
            .iter()
            .map(|r| Bar {
                label: r.parameter.clone(),
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
