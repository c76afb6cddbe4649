//! The report's section "How well the model reproduces ..." for folders whose scenarios take
//! their parameters from a posterior (summary.json's `parameter_draws.from` is `posterior`):
//! finds the posterior file the runs used (resolved as the scenario loader resolves `run.draws`,
//! checked against the sha256 the runs recorded), reads a backtest beside the folder where there
//! is one, and writes the fit charts into the folder's `charts/`.

use crate::charts::{self, ChartOptions, Format};
use crate::error::Error;
use crate::report::content::{label_of, Chart, ScenarioFiles};
use crate::report::fit::{self, ChartWords, FitSection, FitSource};
use crate::report::method::Engine;
use crate::report::tradeoffs;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or("(not recorded)")
}

/// The posterior a summary.json names, if its draws came from one: (file as written, sha256).
/// A scenario that continues another (the baseline continues history-2010) takes the continued
/// scenario's draws, so its posterior is that scenario's.
fn posterior_of(summary: &Value) -> Option<(String, String)> {
    let d = summary.get("parameter_draws")?;
    let d = match d.get("from").and_then(Value::as_str) {
        Some("posterior") => d,
        Some("continued scenario") => summary.get("continues")?.get("parameter_draws")?,
        _ => return None,
    };
    if d.get("from").and_then(Value::as_str) != Some("posterior") {
        return None;
    }
    Some((text(d, "file").to_string(), text(d, "sha256").to_string()))
}

/// The scenario file whose `run.draws` names the posterior: the continued scenario's where the
/// scenario continues one (resolved as the loader resolves `continues`), else its own.
fn draws_holder(summary: &Value) -> PathBuf {
    let scenario = PathBuf::from(text(summary, "scenario_file"));
    let Some(c) = summary
        .get("continues")
        .and_then(|c| c.get("file"))
        .and_then(Value::as_str)
    else {
        return scenario;
    };
    match crate::scenario::load::load(&scenario) {
        Ok(loaded) => {
            let holder = loaded.file_for("$.continues");
            holder.parent().unwrap_or(Path::new(".")).join(c)
        }
        Err(_) => scenario.parent().unwrap_or(Path::new(".")).join(c),
    }
}

/// `path` with every `dir/..` pair removed, for reading ("scenarios/../calibration/x.json" is
/// "calibration/x.json").
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match (c, out.last()) {
            (Component::ParentDir, Some(Component::Normal(_))) => {
                out.pop();
            }
            (Component::CurDir, _) => {}
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// Where the posterior of `summary` may be: beside the scenario file in its `extends` chain that
/// names `run.draws` (as the loader resolves it), then beside the scenario file itself.
fn candidates(summary: &Value, file: &str) -> Vec<PathBuf> {
    let scenario = draws_holder(summary);
    let mut out = Vec::new();
    if scenario.is_file() {
        if let Ok(loaded) = crate::scenario::load::load(&scenario) {
            let holder = loaded.file_for("$.run.draws");
            out.push(holder.parent().unwrap_or(Path::new(".")).join(file));
        }
    }
    out.push(scenario.parent().unwrap_or(Path::new(".")).join(file));
    out.dedup();
    out
}

/// The posterior file found, or why not, in words.
enum Found {
    Posterior { path: PathBuf, doc: Value },
    Problem(String),
}

fn find(summary: &Value, file: &str, sha: &str) -> Found {
    let tried = candidates(summary, file);
    let mut changed = None;
    for path in &tried {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let got = format!("{:x}", Sha256::digest(&bytes));
        if got != sha {
            changed.get_or_insert((path.clone(), got));
            continue;
        }
        return match serde_json::from_slice(&bytes) {
            Ok(doc) => Found::Posterior {
                path: path.clone(),
                doc,
            },
            Err(e) => Found::Problem(format!(
                "{} is not valid JSON ({e}). Fix: restore the posterior file the runs used.",
                tidy(path).display()
            )),
        };
    }
    let list: Vec<String> = tried
        .iter()
        .map(|p| tidy(p).display().to_string())
        .collect();
    Found::Problem(match changed {
        Some((path, got)) => format!(
            "the posterior file {} has changed since the runs (its sha256 is {got}; the runs used {sha}), so its targets and draws are not the ones the runs took. Fix: rerun the scenarios on the current file, or restore the one they used.",
            tidy(&path).display()
        ),
        None => format!(
            "the posterior file {file} named in summary.json's parameter_draws was not found (looked for {}). Fix: run carecast report from the folder the scenarios were run from, or restore the file.",
            list.join(" and ")
        ),
    })
}

/// The section of every posterior the folder's scenarios take their parameters from (one for
/// nearly every folder), its charts written into `dir/charts`.
pub fn sections(dir: &Path, scenarios: &[ScenarioFiles]) -> Result<Vec<FitSection>, Error> {
    let mut groups: Vec<((String, String), Vec<&ScenarioFiles>)> = Vec::new();
    for s in scenarios {
        if let Some(key) = posterior_of(s.summary) {
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, users)) => users.push(s),
                None => groups.push((key, vec![s])),
            }
        }
    }
    let several = groups.len() > 1;
    let mut out = Vec::new();
    for ((file, sha), users) in &groups {
        let labels: Vec<String> = users.iter().map(|u| label_of(u.summary)).collect();
        out.push(match find(users[0].summary, file, sha) {
            Found::Posterior { path, doc } => {
                let prefix = if several { text(&doc, "scenario") } else { "" };
                section(dir, &path, &doc, users, scenarios, prefix)?
            }
            Found::Problem(why) => {
                eprintln!("warning: the report has no fit section: {why}");
                FitSection {
                    title: "How well the model reproduces the published figures".into(),
                    paragraphs: vec![format!(
                        "{} {} from a posterior, but {why}",
                        join_and(&labels),
                        if labels.len() == 1 {
                            "takes its parameters"
                        } else {
                            "take their parameters"
                        }
                    )],
                    charts: Vec::new(),
                    table: None,
                    rows: Vec::new(),
                    numbers_from: String::new(),
                }
            }
        });
    }
    Ok(out)
}

/// The section of one posterior found at `path`; `users` draw from it, `prefix` (non-empty when
/// the folder names several posteriors) keeps their charts apart.
fn section(
    dir: &Path,
    path: &Path,
    doc: &Value,
    users: &[&ScenarioFiles],
    scenarios: &[ScenarioFiles],
    prefix: &str,
) -> Result<FitSection, Error> {
    let calibrated = text(doc, "scenario");
    let targets = fit::posterior_rows(doc);
    let draws = doc
        .get("draws")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    // A run of the calibrated scenario itself, over the targets' years, gives its own numbers.
    let fitted = scenarios
        .iter()
        .filter(|s| text(s.summary, "scenario") == calibrated)
        .find_map(|s| fit::run_rows(&targets, s.yearly).map(|rows| (s, rows)));
    let (rows, source, yearly) = match &fitted {
        Some((s, rows)) => {
            let engine = match Engine::of(s.summary) {
                Engine::Cohort => "cohort engine: parameter uncertainty only",
                _ => "Monte Carlo",
            };
            let source = FitSource::Runs {
                label: label_of(s.summary),
                runs: crate::report::params::plain(s.summary.get("runs")),
                engine: engine.into(),
            };
            (rows.clone(), source, Some(s.yearly))
        }
        None => (targets.clone(), FitSource::Posterior { draws }, None),
    };
    let span = fit::span(&rows).unwrap_or_else(|| "the calibration's years".into());
    let words = chart_words(doc, fitted.as_ref().map(|f| f.0.summary), draws);
    let mut charts_out = Vec::new();
    let chart_dir = dir.join("charts");
    std::fs::create_dir_all(&chart_dir)
        .map_err(|e| Error::io(format!("cannot create {}", chart_dir.display()), e))?;
    let opts = ChartOptions::default();
    for (stem, series) in fit::chart_series(&rows, yearly, &words) {
        let stem = if prefix.is_empty() {
            stem
        } else {
            format!("{prefix}-{stem}")
        };
        let fig = charts::fit_figure(&series);
        let svg = charts::write_figure(&stem, &fig, Format::Svg, &chart_dir, &opts)?;
        charts::write_figure(&stem, &fig, Format::Png, &chart_dir, &opts)?;
        charts_out.push(Chart {
            title: fig.title.clone(),
            svg: std::fs::read_to_string(&svg)
                .map_err(|e| Error::io(format!("cannot read {}", svg.display()), e))?,
            link: format!("charts/{stem}.png"),
        });
    }
    let mut paragraphs = vec![intro(path, doc, users, fitted.map(|f| f.0), &span, &source)];
    let mut counts = fit::counts_sentence(&rows, &source);
    if matches!(source, FitSource::Runs { .. }) {
        let own = targets.iter().filter(|t| t.within()).count();
        counts.push_str(&format!(
            " The posterior itself, on the cohort engine (posterior.json's targets), has {own} of {} medians within those tolerances.",
            targets.len()
        ));
    }
    paragraphs.push(counts);
    paragraphs.push(backtest(dir, doc, users));
    let summary = users.first().map(|u| u.summary);
    paragraphs.extend(tradeoffs::sentence(doc, &span, summary));
    Ok(FitSection {
        title: format!("How well the model reproduces {span}"),
        paragraphs,
        charts: charts_out,
        table: Some(fit::table(&rows, &source)),
        rows,
        numbers_from: source.words(),
    })
}

/// The fit charts' legend, note, subtitle and source line.
fn chart_words(doc: &Value, fitted: Option<&Value>, draws: usize) -> ChartWords {
    let observed = format!("observed: {}", text(doc, "targets_file"));
    match fitted {
        Some(s) => {
            let runs = crate::report::params::plain(s.get("runs"));
            let engine = match Engine::of(s) {
                Engine::Cohort => "cohort-engine projections",
                _ => "Monte Carlo runs",
            };
            ChartWords {
                median_label: format!("Median of {runs} runs"),
                band: format!("90% interval across {runs} {engine} on the posterior's draws"),
                subtitle: format!(
                    "{} against the published series it was calibrated on",
                    label_of(s)
                ),
                footer: format!(
                    "Source: carecast {}, scenario {}, {runs} runs, seed {}, scale {}, {} prices · {observed}",
                    text(s, "carecast_version"),
                    text(s, "scenario"),
                    crate::report::params::plain(s.get("seed")),
                    crate::report::params::plain(s.get("scale")),
                    text(s, "price_base")
                ),
            }
        }
        None => ChartWords {
            median_label: "Posterior median".into(),
            band: format!(
                "90% interval across {draws} posterior draws at the target years (cohort engine)"
            ),
            subtitle: format!(
                "The posterior of {} against the published series (calibrate --posterior)",
                text(doc, "scenario")
            ),
            footer: format!(
                "Source: carecast {}, posterior of {}, {draws} draws, seed {} · {observed}",
                text(doc, "carecast_version"),
                text(doc, "scenario"),
                crate::report::params::plain(doc.get("seed"))
            ),
        },
    }
}

/// The section's first paragraph: which posterior, fitted to what, and whose numbers follow.
fn intro(
    path: &Path,
    doc: &Value,
    users: &[&ScenarioFiles],
    fitted: Option<&ScenarioFiles>,
    span: &str,
    source: &FitSource,
) -> String {
    let labels: Vec<String> = users.iter().map(|u| label_of(u.summary)).collect();
    let n = fit::posterior_rows(doc).len();
    let ess = doc
        .get("effective_sample_size")
        .and_then(Value::as_f64)
        .map_or(String::new(), |e| format!(", effective sample size {e:.0}"));
    let draws = doc
        .get("draws")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let calibrated = text(doc, "scenario");
    let mut s = format!(
        "{} {} from the posterior {} ({draws} draws{ess}), which carecast calibrate --posterior fitted for {calibrated}, on the cohort engine, to the {n} published figures of {} ({span}). ",
        join_and(&labels),
        if labels.len() == 1 { "takes its parameters" } else { "take their parameters" },
        tidy(path).display(),
        text(doc, "targets_file")
    );
    match fitted {
        Some(f) => {
            let label = label_of(f.summary);
            s.push_str(&format!(
                "The charts and the table set {} against those figures: the one statistic throughout is the median with its 90% interval.",
                source.words()
            ));
            let others: Vec<&String> = labels.iter().filter(|l| **l != label).collect();
            if !others.is_empty() {
                let others: Vec<String> = others.into_iter().cloned().collect();
                let one = others.len() == 1;
                s.push_str(&format!(
                    " {} {} from the same posterior but {} the scenario, so the fit shown is {label}'s.",
                    join_and(&others),
                    if one { "draws" } else { "draw" },
                    if one { "changes" } else { "change" }
                ));
            }
        }
        None => s.push_str(&format!(
            "This folder holds no run of {calibrated} over those years, so the charts and the table give {}, at the target years; the report of a carecast run of {calibrated} sets its Monte Carlo runs against the same figures.",
            source.words()
        )),
    }
    s
}

/// The backtest's sentence, from `<out>/<scenario>-backtest/backtest.json` beside `dir`, or where
/// to get one.
fn backtest(dir: &Path, doc: &Value, users: &[&ScenarioFiles]) -> String {
    let out = dir.parent().unwrap_or(Path::new("."));
    let mut names: Vec<&str> = vec![text(doc, "scenario")];
    names.extend(users.iter().map(|u| text(u.summary, "scenario")));
    names.dedup();
    for name in &names {
        let path = out.join(format!("{name}-backtest")).join("backtest.json");
        let Ok(t) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(b) = serde_json::from_str::<Value>(&t) else {
            return format!(
                "{} is not valid JSON, so no backtest is quoted. Fix: rerun carecast backtest.",
                path.display()
            );
        };
        let Some(mut s) = fit::backtest_sentence(&path.display().to_string(), &b) else {
            continue;
        };
        if b.get("scenario_hash") != doc.get("scenario_hash") {
            s.push_str(" The backtest was made on a different version of the scenario than the posterior (their scenario_hash differ).");
        }
        return s;
    }
    format!(
        "No backtest sits beside this folder ({}); carecast backtest {} --targets {} --until YEAR --out {} writes one, which says how well the model calibrated on the years to YEAR forecasts the later figures.",
        out.join(format!("{}-backtest", names[0])).display(),
        scenario_file(doc, users, names[0]),
        text(doc, "targets_file"),
        out.display()
    )
}

/// The file of scenario `name`: a run's summary.json names it, or the posterior's own command
/// line (`carecast calibrate FILE ...`) does.
fn scenario_file<'a>(doc: &'a Value, users: &[&'a ScenarioFiles], name: &str) -> &'a str {
    if let Some(u) = users.iter().find(|u| text(u.summary, "scenario") == name) {
        return text(u.summary, "scenario_file");
    }
    let words: Vec<&str> = text(doc, "command").split_whitespace().collect();
    words
        .iter()
        .position(|w| *w == "calibrate")
        .and_then(|i| words.get(i + 1))
        .copied()
        .unwrap_or("SCENARIO.json")
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
