//! `carecast report DIR`: writes report.html, report.md and results.xlsx into a run or
//! comparison folder (and, for scenarios drawn from a posterior, the fit charts into its
//! `charts/`).

use super::folder::{self, ResultFolder};
use super::report_fit;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::report::content::{self, Chart, ScenarioFiles};
use crate::report::tables::{self, ResultRow};
use crate::report::{html, markdown, xlsx};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn chart_title(stem: &str) -> String {
    match stem {
        "impact" => "Impact: differences from the baseline".into(),
        "payback" => "Payback: cumulative net saving by year".into(),
        "difference" => "Difference from the baseline, run by run".into(),
        "ratio" => "Late:early spend ratio by year".into(),
        "spend" => "Early and late spend by year".into(),
        "children-in-care" => "Children in care at 31 March".into(),
        "child-protection" => "Children on child protection plans".into(),
        "children-in-need" => "Children in need".into(),
        "placements" => "Care placements by type".into(),
        "flows" => "Flows between stages".into(),
        other => other.replace('-', " "),
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let text = read(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{} is not valid JSON ({e}). Fix: regenerate the folder with `carecast run` or `carecast compare`.",
            path.display()
        ))
    })
}

/// The SVG charts under `dir/charts`, in report order, linked to their PNG where there is one;
/// the fit charts (`fit-*`, which the fit section writes and shows) are left out.
fn charts(dir: &Path) -> Result<Vec<Chart>, Error> {
    let chart_dir = dir.join("charts");
    let Ok(entries) = std::fs::read_dir(&chart_dir) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::io(format!("cannot list {}", chart_dir.display()), e))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("svg") {
            continue;
        }
        let Some(stem) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if stem.starts_with("fit-") || stem.contains("-fit-") {
            continue;
        }
        let link = if chart_dir.join(format!("{stem}.png")).is_file() {
            format!("charts/{stem}.png")
        } else {
            format!("charts/{stem}.svg")
        };
        let chart = Chart {
            title: chart_title(&stem),
            svg: read(&path)?,
            link,
        };
        found.push((stem, chart));
    }
    Ok(content::order_charts(found))
}

/// Parses a yearly.csv or deltas.csv text read from `path`.
fn result_table(path: &Path, text: &str) -> Result<Vec<ResultRow>, Error> {
    tables::parse(text).map_err(|e| {
        Error::Usage(format!(
            "{} is not a carecast result table: {e}. Fix: regenerate the folder with `carecast run` or `carecast compare`.",
            path.display()
        ))
    })
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so a reader
/// never sees a half-written file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = path.with_extension("tmp-report");
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// Runs the command.
pub fn report(args: &ReportArgs) -> Result<(), Error> {
    let dir = &args.dir;
    let kind = folder::kind(dir)?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let (mut report, yearly, deltas) = if kind == ResultFolder::Comparison {
        let comparison = read_json(&dir.join("comparison.json"))?;
        let mut names: Vec<String> = vec![comparison
            .get("baseline")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()];
        for alt in comparison
            .get("alternatives")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            names.push(
                alt.get("scenario")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        let mut loaded: Vec<(Value, String)> = Vec::new();
        let mut yearly: Vec<ResultRow> = Vec::new();
        for name in &names {
            let sub: PathBuf = dir.join(name);
            if name.is_empty() || !sub.join("summary.json").is_file() {
                return Err(Error::Usage(format!(
                    "{} lists scenario '{name}' but {} is missing. Fix: regenerate the comparison with `carecast compare`.",
                    dir.join("comparison.json").display(),
                    sub.join("summary.json").display()
                )));
            }
            let text = read(&sub.join("yearly.csv"))?;
            yearly.extend(result_table(&sub.join("yearly.csv"), &text)?);
            loaded.push((read_json(&sub.join("summary.json"))?, text));
        }
        let deltas_path = dir.join("deltas.csv");
        let deltas = result_table(&deltas_path, &read(&deltas_path)?)?;
        let files: Vec<ScenarioFiles> = loaded
            .iter()
            .map(|(s, y)| ScenarioFiles {
                summary: s,
                yearly: y,
            })
            .collect();
        let mut report =
            content::for_comparison(&comparison, &files, &deltas, charts(dir)?, &command);
        report.fit = report_fit::sections(dir, &files)?;
        (report, yearly, Some(deltas))
    } else {
        let summary = read_json(&dir.join("summary.json"))?;
        let yearly = read(&dir.join("yearly.csv"))?;
        let rows = result_table(&dir.join("yearly.csv"), &yearly)?;
        let files = ScenarioFiles {
            summary: &summary,
            yearly: &yearly,
        };
        let mut report = content::for_run(&files, charts(dir)?, &command);
        report.fit = report_fit::sections(dir, std::slice::from_ref(&files))?;
        (report, rows, None)
    };
    if let Some(title) = &args.title {
        report.title = title.clone();
    }
    let xlsx_path = dir.join("results.xlsx");
    let workbook = xlsx::render(&report, &yearly, deltas.as_deref()).map_err(|e| {
        Error::Other(format!(
            "cannot build {}: {e}. Nothing was written; please report this as a carecast bug.",
            xlsx_path.display()
        ))
    })?;
    write_atomically(&dir.join("report.html"), html::render(&report).as_bytes())?;
    write_atomically(&dir.join("report.md"), markdown::render(&report).as_bytes())?;
    write_atomically(&xlsx_path, &workbook)?;
    println!(
        "wrote {}, {} and {}",
        dir.join("report.html").display(),
        dir.join("report.md").display(),
        xlsx_path.display()
    );
    Ok(())
}
