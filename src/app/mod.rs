//! The application layer: turns parsed arguments into work, and is the only place (with `output`)
//! that touches the file system. `run` simulates and writes results; `validate` only checks.

pub mod analysis;
pub mod batch;
pub mod output;
pub mod progress;

use crate::charts::{self, ChartOptions, Format, ScenarioResults};
use crate::cli::{ChartArgs, Cli, Command, RunArgs};
use crate::engine::RunConfig;
use crate::error::{Error, InputErrors};
use crate::results::{runs::runs_csv, summary, yearly::yearly_csv};
use crate::scenario::{self, validate::MAX_RUNS, Model};
use std::path::Path;
use std::time::Instant;

/// Runs a parsed command line.
pub fn main(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate { files } => validate(&files),
        Command::Chart(args) => chart(&args),
        Command::Sensitivity(args) => analysis::sensitivity(&args),
        Command::Calibrate(args) => analysis::calibrate(&args),
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
        println!(
            "{}: ok ({}: {} states, {} transitions, {} parameters, {} to {})",
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
    let runs = args.runs.unwrap_or(first.defaults.runs);
    if runs == 0 || runs > MAX_RUNS {
        return Err(Error::Usage(format!(
            "--runs {runs} is outside 1 to {MAX_RUNS}; use e.g. --runs 200"
        )));
    }
    let scale = args.scale.unwrap_or(first.defaults.scale);
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(Error::Usage(format!(
            "--scale {scale} is outside (0, 1]; give the fraction of families to simulate, e.g. 0.02, or 1 for all"
        )));
    }
    if let Some(t) = args.threads {
        if t == 0 || t > 1024 {
            return Err(Error::Usage(format!("--threads {t} is outside 1 to 1024")));
        }
    }
    Ok(Settings {
        runs,
        seed: args.seed.unwrap_or(first.defaults.seed),
        scale,
    })
}

fn run(args: &RunArgs) -> Result<(), Error> {
    let models = load_all(&args.scenarios)?;
    for (i, m) in models.iter().enumerate() {
        if models[..i].iter().any(|o| o.name == m.name) {
            return Err(Error::Usage(format!(
                "two scenarios are named `{}`; their results would overwrite each other. Give each a distinct `name`",
                m.name
            )));
        }
    }
    let s = settings(args, &models[0])?;
    if let Some(tol) = args.until_stable {
        if !(tol > 0.0 && tol < 1.0) {
            return Err(Error::Usage(format!(
                "--until-stable {tol} is outside (0, 1); give a relative tolerance such as 0.002"
            )));
        }
    }
    std::fs::create_dir_all(&args.out).map_err(|e| {
        Error::io(
            format!("cannot create output folder {}", args.out.display()),
            e,
        )
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    for (model, file) in models.iter().zip(&args.scenarios) {
        let started = Instant::now();
        let cfg = RunConfig {
            master_seed: s.seed,
            scale: s.scale,
        };
        let bar = progress::bar(s.runs, &model.name);
        let mut extra = serde_json::Map::new();
        extra.insert("engine".into(), args.engine.as_str().into());
        let results = pool.install(|| match args.until_stable {
            None => batch::simulate(model, args.engine, 0..s.runs, &cfg, &|| bar.inc(1)),
            Some(tol) => {
                let (r, st) =
                    batch::until_stable(model, args.engine, s.runs, tol, &cfg, &|| bar.inc(1))?;
                eprintln!(
                    "{}: {} after {} runs (tolerance {tol})",
                    model.name,
                    if st.converged { "stable" } else { "NOT stable" },
                    r.len()
                );
                extra.insert("until_stable".into(), st.to_json());
                Ok(r)
            }
        })?;
        bar.finish_and_clear();
        let info = summary::RunInfo {
            command: command.clone(),
            scenario_file: file.display().to_string(),
            seed: s.seed,
            runs: s.runs,
            scale: s.scale,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            extra,
        };
        let staged = output::Staged::new(&args.out, &model.name)?;
        staged.write("yearly.csv", yearly_csv(model, &results).as_bytes())?;
        staged.write(
            "summary.json",
            summary::summary_json(model, &results, &info).as_bytes(),
        )?;
        if args.runs_csv {
            staged.write("runs.csv", runs_csv(model, &results, 0).as_bytes())?;
        }
        if !args.no_charts {
            let loaded = ScenarioResults::load(&staged.tmp)?;
            let chart_dir = staged.tmp.join("charts");
            std::fs::create_dir_all(&chart_dir)
                .map_err(|e| Error::io(format!("cannot create {}", chart_dir.display()), e))?;
            charts::render_all(
                &[loaded],
                &staged.tmp.join("charts"),
                &ChartOptions::default(),
            )?;
        }
        let dir = staged.commit()?;
        eprintln!(
            "{}: {} runs in {:.1}s -> {}",
            model.name,
            results.len(),
            info.elapsed_seconds,
            display(&dir)
        );
    }
    Ok(())
}

/// Re-renders charts from output folders alone.
fn chart(args: &ChartArgs) -> Result<(), Error> {
    let mut formats = Vec::new();
    for f in &args.format {
        match f.trim() {
            "svg" => formats.push(Format::Svg),
            "png" => formats.push(Format::Png),
            other => {
                return Err(Error::Usage(format!(
                    "--format `{other}` is not a chart format; use svg, png or svg,png"
                )))
            }
        }
    }
    let results = args
        .dirs
        .iter()
        .map(|d| ScenarioResults::load(d))
        .collect::<Result<Vec<_>, _>>()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dirs[0].join("charts"));
    std::fs::create_dir_all(&out)
        .map_err(|e| Error::io(format!("cannot create chart folder {}", out.display()), e))?;
    let opts = ChartOptions {
        formats,
        width: args.width,
        height: args.height,
    };
    let written = charts::render_all(&results, &out, &opts)?;
    eprintln!("{} charts -> {}", written.len(), display(&out));
    Ok(())
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
