//! `carecast calibrate --posterior`: runs the sequential Monte Carlo sampler with a progress bar
//! and Ctrl-C handling, and writes `<out>/<scenario>-posterior/` (posterior.json, fit.csv and a
//! fit chart per target metric) through a staged folder, so an interrupted or failed calibration leaves earlier results alone.

use super::interrupt::{self, Interrupt};
use super::output::Staged;
use super::progress;
use crate::analysis::calibrate::Target;
use crate::analysis::posterior::{self, Posterior, Settings};
use crate::cli_analysis::CalibrateArgs;
use crate::error::Error;
use crate::results::stats::{summarise, Summary};
use crate::scenario::Model;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The command.
pub fn posterior(args: &CalibrateArgs, model: &Model, targets: &[Target]) -> Result<(), Error> {
    let all: Vec<usize> = (0..targets.len()).collect();
    require_observation_sd(&args.targets, targets, &all, "--posterior")?;
    let settings = Settings {
        particles: args.particles,
        moves: args.moves,
        ess_share: 0.5,
        seed: args.seed.unwrap_or(model.defaults.seed),
    };
    let staged = Staged::new(&args.out, &format!("{}-posterior", model.name))?;
    let stop = Interrupt::install()?;
    let started = std::time::Instant::now();
    let post = sample(model, targets, &settings, &model.name, &stop)?;
    let Some(post) = post else {
        return Err(interrupt::interrupted(
            &[],
            std::slice::from_ref(&model.name),
        ));
    };
    let targets_sha256 = format!(
        "{:x}",
        Sha256::digest(std::fs::read(&args.targets).unwrap_or_default())
    );
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let stats = target_stats(&post, targets.len());
    let doc = posterior_json(
        model,
        (targets, &stats),
        &post,
        &settings,
        &command,
        (&args.targets.display().to_string(), &targets_sha256),
        started.elapsed().as_secs_f64(),
    );
    staged.write("posterior.json", doc.as_bytes())?;
    staged.write("fit.csv", fit_csv(model, targets, &stats).as_bytes())?;
    let footer = format!(
        "Source: carecast {}, calibrate --posterior of scenario {} on {}, {} particles, seed {}",
        env!("CARGO_PKG_VERSION"),
        model.name,
        args.targets.display(),
        settings.particles,
        settings.seed
    );
    super::fit_charts::write(model, targets, &post, &staged, &footer)?;
    let dir = staged.commit()?;
    let inside = inside_share(targets, &stats);
    eprintln!(
        "{}: {} targets, {} parameter slots; {} stages, {} evaluations in {:.0} s; effective sample size {:.0} of {} ({} distinct draws); {:.0}% of targets inside their 90% interval -> {}",
        model.name,
        targets.len(),
        model.params.slot_names.len(),
        post.stages.len(),
        post.evaluations,
        started.elapsed().as_secs_f64(),
        post.effective_sample_size,
        settings.particles,
        post.distinct,
        inside * 100.0,
        dir.display()
    );
    Ok(())
}

/// Runs the sampler with a progress bar labelled `label` (its length grows by a stage's moves
/// as the stages come); `Ok(None)` when `stop` was set.
pub(super) fn sample(
    model: &Model,
    targets: &[Target],
    settings: &Settings,
    label: &str,
    stop: &Interrupt,
) -> Result<Option<Posterior>, Error> {
    let step = (settings.particles * settings.moves) as u64;
    let bar = progress::bar(settings.particles as u64 + step, label);
    let tick = || {
        if bar.position() + 1 >= bar.length().unwrap_or(0) {
            bar.inc_length(step);
        }
        bar.inc(1);
    };
    let post = posterior::sample(model, targets, settings, &tick, &|| stop.is_set())
        .map_err(|e| Error::Other(format!("{}: {e}", model.name)))?;
    bar.finish_and_clear();
    Ok(post)
}

/// Refuses targets (of `targets`, by index in the file) without an `observation_sd`, naming the
/// file, each JSON path and the fix; `what` says what needs them.
pub(super) fn require_observation_sd(
    file: &std::path::Path,
    targets: &[Target],
    which: &[usize],
    what: &str,
) -> Result<(), Error> {
    let at: Vec<String> = which
        .iter()
        .filter(|&&i| targets[i].observation_sd.is_none())
        .map(|i| format!("$.targets[{i}]"))
        .collect();
    if at.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{}: {what} needs each target's observation error, but {} has no `observation_sd`; add e.g. \"observation_sd\": 0.03 (3% of the value) to each target and say why in `observation_note`",
        file.display(),
        at.join(", ")
    )))
}

/// The posterior's summary (p5, p50, p95) of each of `n` targets, summarised once for all outputs.
fn target_stats(post: &Posterior, n: usize) -> Vec<Summary> {
    (0..n)
        .map(|t| {
            let v: Vec<f64> = post.fitted.iter().map(|f| f[t]).collect();
            summarise(&v)
        })
        .collect()
}

/// Share of targets whose observed value lies in the posterior's 90% interval.
fn inside_share(targets: &[Target], stats: &[Summary]) -> f64 {
    let inside = targets
        .iter()
        .zip(stats)
        .filter(|(t, s)| t.value >= s.p5 && t.value <= s.p95)
        .count();
    inside as f64 / targets.len().max(1) as f64
}

/// `fit.csv`: each target, observed, and the posterior's p5, p50 and p95 (cohort engine).
fn fit_csv(model: &Model, targets: &[Target], stats: &[Summary]) -> String {
    let mut out = String::from("metric,year,observed,observation_sd,p5,p50,p95\n");
    for (t, s) in targets.iter().zip(stats) {
        let year = t
            .measure
            .year
            .map(|y| model.year_label(y))
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{year},{},{},{:.6},{:.6},{:.6}\n",
            crate::results::metrics::METRICS[t.measure.metric].0,
            t.value,
            t.observation_sd.map_or(String::new(), |s| s.to_string()),
            s.p5,
            s.p50,
            s.p95
        ));
    }
    out
}

/// The calibrated priors (each parameter with a distribution, as `run.draws` compares them).
fn priors(model: &Model) -> serde_json::Map<String, serde_json::Value> {
    model
        .params
        .params
        .iter()
        .filter(|p| p.dist.is_drawn())
        .map(|p| {
            (
                p.name.clone(),
                crate::scenario::posterior_draws::prior_key(&p.raw),
            )
        })
        .collect()
}

/// `posterior.json`; `targets` with their posterior summaries, and the targets file's name and
/// sha256.
fn posterior_json(
    model: &Model,
    (targets, stats): (&[Target], &[Summary]),
    post: &Posterior,
    settings: &Settings,
    command: &str,
    (targets_file, targets_sha256): (&str, &str),
    elapsed: f64,
) -> String {
    let stages: Vec<_> = post
        .stages
        .iter()
        .map(
            |s| json!({"beta": s.beta, "ess": s.ess, "acceptance": s.acceptance, "scale": s.scale}),
        )
        .collect();
    let tg: Vec<_> = targets
        .iter()
        .zip(stats)
        .map(|(t, s)| {
            json!({
                "metric": crate::results::metrics::METRICS[t.measure.metric].0,
                "year": t.measure.year.map(|y| model.year_label(y)),
                "observed": t.value,
                "observation_sd": t.observation_sd,
                "p5": s.p5, "p50": s.p50, "p95": s.p95,
                "source": t.source,
            })
        })
        .collect();
    let doc = json!({
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "scenario": model.name,
        "scenario_hash": model.hash,
        "command": command,
        "method": "Sequential Monte Carlo with adaptive likelihood tempering and random-walk Metropolis moves shaped by the particles' covariance, in the priors' normal scores, on the cohort engine; likelihood normal on the log scale with each target's observation_sd.",
        "settings": {"particles": settings.particles, "moves": settings.moves, "ess_share": settings.ess_share},
        "seed": settings.seed,
        "targets_file": targets_file,
        "targets_sha256": targets_sha256,
        "evaluations": post.evaluations,
        "elapsed_seconds": (elapsed * 1000.0).round() / 1000.0,
        "effective_sample_size": post.effective_sample_size,
        "distinct_draws": post.distinct,
        "stages": stages,
        "targets": tg,
        "priors": priors(model),
        "parameters": model.params.slot_names,
        "draws": post.draws,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
