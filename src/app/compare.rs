//! `carecast compare`: runs a baseline and alternatives with the same runs, seed and random
//! streams, and writes one comparison folder: each scenario's results, `deltas.csv`,
//! `comparison.json` and the comparison charts, all staged and committed at once.

use super::batch;
use super::interrupt::Interrupt;
use super::{load_all, output, scale_warnings, settings};
use crate::charts::{self, Comparison};
use crate::cli::CompareArgs;
use crate::cli_analysis::Engine;
use crate::engine::RunConfig;
use crate::error::Error;
use crate::results::compare::{comparison_json, deltas_csv, headline, CompareInfo, Side};
use crate::results::store::{RunStore, Runs};
use crate::results::{runs::write_runs_csv, summary};
use crate::scenario::Model;
use std::time::Instant;

/// Longest comparison folder name accepted.
const MAX_NAME: usize = 128;

/// Checks a comparison name is safe as one folder name.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "comparison name {name:?} cannot be used as a folder name; use --name with letters, digits, `-` and `_` only (at most {MAX_NAME}, starting with a letter or digit), e.g. --name family-help-vs-baseline"
        )))
    }
}

/// The default name: `<baseline>-vs-<alt1>[-<alt2>...]`, or `<baseline>-vs-<n>-alternatives`
/// when that would be too long for a folder name.
pub fn default_name(models: &[Model]) -> String {
    let alts: Vec<&str> = models[1..].iter().map(|m| m.name.as_str()).collect();
    let full = format!("{}-vs-{}", models[0].name, alts.join("-"));
    if full.len() <= MAX_NAME {
        full
    } else {
        format!("{}-vs-{}-alternatives", models[0].name, alts.len())
    }
}

/// Scenarios can be compared only when they cover the same years at the same prices.
pub(crate) fn check_comparable(
    models: &[Model],
    files: &[std::path::PathBuf],
) -> Result<(), Error> {
    let base = &models[0];
    for (i, m) in models.iter().enumerate() {
        if models[..i].iter().any(|o| o.name == m.name) {
            return Err(Error::Usage(format!(
                "two scenarios are named `{}`; their folders would overwrite each other. Give each a distinct `name`",
                m.name
            )));
        }
        if m.name == "charts" {
            return Err(Error::Usage(format!(
                "{}: a scenario named `charts` clashes with the comparison's charts folder; rename it",
                files[i].display()
            )));
        }
        if m.start_year != base.start_year || m.years != base.years {
            return Err(Error::Usage(format!(
                "{} covers {} to {} but the baseline {} covers {} to {}; compared scenarios must share `start_year` and `horizon_years`",
                files[i].display(),
                m.year_label(0),
                m.year_label(m.years - 1),
                files[0].display(),
                base.year_label(0),
                base.year_label(base.years - 1)
            )));
        }
        if m.price_base != base.price_base {
            return Err(Error::Usage(format!(
                "{} is in {} prices but the baseline {} is in {} prices; compared scenarios must share `price_base`",
                files[i].display(),
                m.price_base,
                files[0].display(),
                base.price_base
            )));
        }
    }
    Ok(())
}

/// Runs the comparison.
pub fn compare(args: &CompareArgs) -> Result<(), Error> {
    // Arguments that would change what a run is (`--shard`, `--engine`, `--until-stable`) are
    // not offered: comparisons pair Monte Carlo runs one to one.
    let run = args.as_run();
    let a = &run;
    let models = load_all(&a.scenarios)?;
    check_comparable(&models, &a.scenarios)?;
    let name = args.name.clone().unwrap_or_else(|| default_name(&models));
    check_name(&name)?;
    if models.len() > charts::MAX_SCENARIOS {
        return Err(Error::Usage(format!(
            "{} scenarios given; at most {} can be compared at once (one chart colour each)",
            models.len(),
            charts::MAX_SCENARIOS
        )));
    }
    let s = settings(a, &models[0])?;
    let warnings = scale_warnings(&models, s.scale, Engine::Mc, a.force)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.sampling.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let staged = output::Staged::new(&a.out, &name)?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let cfg = RunConfig {
        master_seed: s.seed,
        scale: s.scale,
    };
    let mut all: Vec<RunStore> = Vec::new();
    for ((model, file), warning) in models.iter().zip(&a.scenarios).zip(&warnings) {
        let started = Instant::now();
        let (results, _) = batch::fill_new(
            &pool,
            model,
            Engine::Mc,
            0..s.runs,
            &cfg,
            &Interrupt::never(),
            &a.out,
            &model.name,
        )?;
        let info = summary::RunInfo {
            command: command.clone(),
            scenario_file: file.display().to_string(),
            seed: s.seed,
            runs: s.runs,
            scale: s.scale,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            extra: warning
                .iter()
                .map(|w| ("warnings".to_string(), serde_json::json!([w])))
                .collect(),
        };
        staged.write_scenario(model, &results, &info)?;
        let dir = &model.name;
        if a.runs_csv {
            staged.write_with(&format!("{dir}/runs.csv"), |w, what| {
                write_runs_csv(model, &results, 0, w, what)
            })?;
        }
        eprintln!(
            "{}: {} runs in {:.1}s",
            model.name, s.runs, info.elapsed_seconds
        );
        all.push(results);
    }
    let sides: Vec<Side> = models
        .iter()
        .zip(&all)
        .map(|(model, runs)| Side {
            model,
            runs: runs as &dyn Runs,
        })
        .collect();
    let (base, alts) = (sides[0], &sides[1..]);
    let info = CompareInfo {
        name: name.clone(),
        command,
        seed: s.seed,
        runs: s.runs,
        scale: s.scale,
        files: a
            .scenarios
            .iter()
            .map(|f| f.display().to_string())
            .collect(),
    };
    staged.write("deltas.csv", deltas_csv(base, alts)?.as_bytes())?;
    // Each alternative's headline, read once for comparison.json and the charts.
    let headlines = alts
        .iter()
        .map(|alt| headline(base, *alt))
        .collect::<Result<Vec<_>, Error>>()?;
    staged.write(
        "comparison.json",
        comparison_json(base, alts, &headlines, &info).as_bytes(),
    )?;
    if !a.no_charts {
        // Drawn from the files just written, exactly as `chart` redraws the folder later.
        let cmp = Comparison::load(&staged.tmp)?;
        let chart_dir = staged.tmp.join("charts");
        std::fs::create_dir_all(&chart_dir)
            .map_err(|e| Error::io(format!("cannot create {}", chart_dir.display()), e))?;
        charts::render_comparison(&cmp, &chart_dir, &super::chart_options(&args.style))?;
    }
    let dir = staged.commit()?;
    eprintln!("{name} -> {}", dir.display());
    Ok(())
}
