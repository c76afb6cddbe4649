//! Reading a comparison folder written by `carecast compare` back into a [`Comparison`]: each
//! scenario's results (`<dir>/<scenario>/`), each alternative's headline measures
//! (`comparison.json`), its cumulative net cost by year and its yearly differences in children in
//! care, late spend and the ratio (`deltas.csv`). The comparison
//! charts are drawn only from these files, so `chart` of the folder redraws what `compare` drew.
use std::path::Path;

use serde::Deserialize;

use super::comparison::{Comparison, ComparisonSeries};
use super::csv;
use super::data::{ScenarioResults, Stat};
use super::error::ChartError;
use super::metric::Metric;

/// A `{mean, p5, p50, p95}` object of `comparison.json`.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Measure {
    mean: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

impl From<Measure> for Stat {
    fn from(m: Measure) -> Stat {
        Stat {
            mean: m.mean,
            p5: m.p5,
            p25: None,
            p50: m.p50,
            p75: None,
            p95: m.p95,
        }
    }
}

#[derive(Debug, Deserialize)]
struct BreakEven {
    median_year: Option<String>,
}

/// The `deltas.csv` rows each alternative's difference chart draws, by panel.
const DIFFERENCES: [Metric; 3] = [
    Metric::ChildrenInCare,
    Metric::LateSpend,
    Metric::LateEarlyRatio,
];

/// The fields of one alternative in `comparison.json` that the charts use.
#[derive(Debug, Deserialize)]
struct Alternative {
    scenario: String,
    extra_early_spend_gbp_m: Measure,
    late_spend_change_gbp_m: Measure,
    net_cost_gbp_m: Measure,
    children_kept_out_of_care: Measure,
    break_even: BreakEven,
    probability_net_saving: f64,
}

/// The fields of `comparison.json` that the charts use; others are ignored.
#[derive(Debug, Deserialize)]
struct ComparisonJson {
    baseline: String,
    alternatives: Vec<Alternative>,
}

/// The `deltas.csv` row whose cumulative net cost the payback chart draws.
const CUMULATIVE_NET_COST: &str = "cumulative_net_cost";

impl Comparison {
    /// True when `dir` holds a `comparison.json` (a folder written by `carecast compare`).
    pub fn is_folder(dir: &Path) -> bool {
        dir.join("comparison.json").is_file()
    }

    /// Reads the comparison folder `dir`.
    pub fn load(dir: &Path) -> Result<Comparison, ChartError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| ChartError::Comparison {
                path,
                message: format!("cannot be read ({e})"),
            })
        };
        let json = read("comparison.json")?;
        let deltas = read("deltas.csv")?;
        Comparison::from_files(dir, &json, &deltas)
    }

    /// Builds a comparison from the texts of `dir`'s `comparison.json` and `deltas.csv`, reading
    /// each scenario's results from `<dir>/<scenario>`.
    fn from_files(
        dir: &Path,
        comparison_json: &str,
        deltas_csv: &str,
    ) -> Result<Comparison, ChartError> {
        let json_path = dir.join("comparison.json");
        let de = &mut serde_json::Deserializer::from_str(comparison_json);
        let doc: ComparisonJson =
            serde_path_to_error::deserialize(de).map_err(|e| ChartError::Comparison {
                path: json_path.clone(),
                message: format!("field `{}`: {}", e.path(), e.inner()),
            })?;
        let bad = |message: String| ChartError::Comparison {
            path: json_path.clone(),
            message,
        };
        if doc.alternatives.is_empty() {
            return Err(bad("lists no alternatives".into()));
        }
        let names =
            std::iter::once(&doc.baseline).chain(doc.alternatives.iter().map(|a| &a.scenario));
        let mut scenarios = Vec::new();
        for name in names {
            let safe = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                && name != "."
                && name != "..";
            if !safe {
                return Err(bad(format!(
                    "scenario name {name:?} is not the name of a folder beside it"
                )));
            }
            scenarios.push(ScenarioResults::load(&dir.join(name))?);
        }
        let years = scenarios[0].years().to_vec();
        let deltas_path = dir.join("deltas.csv");
        let mut alternatives = Vec::new();
        for (j, alt) in doc.alternatives.iter().enumerate() {
            let names: Vec<&str> = std::iter::once(CUMULATIVE_NET_COST)
                .chain(DIFFERENCES.iter().map(|m| m.name()))
                .collect();
            let mut series = delta_rows(&deltas_path, deltas_csv, &alt.scenario, &names)?;
            let expected: Vec<&str> = years.iter().map(|y| y.label.as_str()).collect();
            for (rows, metric) in series.iter().zip(&names) {
                let labels: Vec<&str> = rows.iter().map(|(y, _)| y.as_str()).collect();
                if labels != expected {
                    return Err(ChartError::Comparison {
                        path: deltas_path.clone(),
                        message: format!(
                            "`{metric}` of `{}` covers years [{}] but the baseline's results cover [{}]",
                            alt.scenario,
                            labels.join(", "),
                            expected.join(", ")
                        ),
                    });
                }
            }
            let cumulative = series.remove(0);
            let median_break_even = match &alt.break_even.median_year {
                None => None,
                Some(label) => Some(expected.iter().position(|y| y == label).ok_or_else(|| {
                    bad(format!(
                        "`break_even.median_year` of `{}` is {label:?}, not one of the years {}",
                        alt.scenario,
                        expected.join(", ")
                    ))
                })?),
            };
            alternatives.push(ComparisonSeries {
                scenario: alt.scenario.clone(),
                label: scenarios[j + 1].label().to_string(),
                extra_early: alt.extra_early_spend_gbp_m.into(),
                late_change: alt.late_spend_change_gbp_m.into(),
                net_cost: alt.net_cost_gbp_m.into(),
                care_entries_avoided: alt.children_kept_out_of_care.into(),
                // The saving is the cost's negative, so its p5 is the cost's p95.
                cumulative_net_saving: cumulative
                    .iter()
                    .map(|(_, c)| Stat {
                        mean: -c.mean,
                        p5: -c.p95,
                        p25: None,
                        p50: -c.p50,
                        p75: None,
                        p95: -c.p5,
                    })
                    .collect(),
                median_break_even,
                probability_net_saving: alt.probability_net_saving,
                differences: DIFFERENCES
                    .iter()
                    .zip(series)
                    .map(|(&m, rows)| (m, rows.into_iter().map(|(_, v)| v.into()).collect()))
                    .collect(),
            });
        }
        Ok(Comparison {
            scenarios,
            alternatives,
        })
    }
}

/// The rows of `scenario` in `deltas.csv` for each of `metrics`, in file order, as (year, stat).
fn delta_rows(
    path: &Path,
    text: &str,
    scenario: &str,
    metrics: &[&str],
) -> Result<Vec<Vec<(String, Measure)>>, ChartError> {
    let csv_err = |line: usize, message: String| ChartError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let records = csv::parse(text).map_err(|(line, m)| csv_err(line, m))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(ChartError::Comparison {
            path: path.to_path_buf(),
            message: "is empty".into(),
        });
    };
    let col = |name: &str| {
        header
            .fields
            .iter()
            .position(|f| f.trim() == name)
            .ok_or_else(|| ChartError::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
            })
    };
    let [c_scen, c_year, c_metric, c_mean, c_p5, c_p50, c_p95] =
        ["scenario", "year", "metric", "mean", "p5", "p50", "p95"].map(col);
    let (c_scen, c_year, c_metric) = (c_scen?, c_year?, c_metric?);
    let (c_mean, c_p5, c_p50, c_p95) = (c_mean?, c_p5?, c_p50?, c_p95?);
    let mut out = vec![Vec::new(); metrics.len()];
    for rec in rows {
        if rec.fields.len() != header.fields.len() {
            return Err(csv_err(
                rec.line,
                format!(
                    "has {} fields but the header has {}; every row needs one value per column",
                    rec.fields.len(),
                    header.fields.len()
                ),
            ));
        }
        let field = |i: usize| rec.fields[i].trim();
        if field(c_scen) != scenario {
            continue;
        }
        let Some(k) = metrics.iter().position(|m| *m == field(c_metric)) else {
            continue;
        };
        let num = |i: usize, name: &str| match field(i).parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(csv_err(
                rec.line,
                format!(
                    "`{name}` of `{}` is `{}`, not a finite number",
                    metrics[k],
                    field(i)
                ),
            )),
        };
        let m = Measure {
            mean: num(c_mean, "mean")?,
            p5: num(c_p5, "p5")?,
            p50: num(c_p50, "p50")?,
            p95: num(c_p95, "p95")?,
        };
        out[k].push((field(c_year).to_string(), m));
    }
    Ok(out)
}
