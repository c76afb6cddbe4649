//! Loading and validating one scenario's output folder (`yearly.csv` + `summary.json`).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::csv;
use super::error::ChartError;
use super::metric::Metric;

const SUMMARY_SHAPE: &str = r#"{"carecast_version": "0.1.0", "scenario": "baseline", "description": "...", "seed": 42, "runs": 200, "scale": 0.02, "price_base": "2024-25", "start_year": "2025-26", "end_year": "2034-35"}"#;

/// The fields of `summary.json` that charts use; other fields are ignored.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Summary {
    pub carecast_version: String,
    pub scenario: String,
    /// The scenario's human name (absent from summaries written before labels: the name).
    #[serde(default)]
    pub label: Option<String>,
    pub description: String,
    pub seed: u64,
    pub runs: u64,
    pub scale: f64,
    pub price_base: String,
    pub start_year: String,
    pub end_year: String,
    /// `mc` or `cohort` (absent from summaries written before the cohort engine: Monte Carlo).
    #[serde(default)]
    pub engine: Option<String>,
}

/// A financial year such as `2025-26`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Year {
    /// Calendar year the financial year starts in (2025 for `2025-26`).
    pub start: i32,
    /// The label exactly as written in `yearly.csv`.
    pub label: String,
}

impl Year {
    /// Parses `YYYY-YY` where the second part is the following year.
    pub fn parse(label: &str) -> Option<Year> {
        let (a, b) = label.split_once('-')?;
        if a.len() != 4 || b.len() != 2 || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let start: i32 = a.parse().ok()?;
        let end: i32 = b.parse().ok()?;
        ((start + 1) % 100 == end).then(|| Year {
            start,
            label: label.to_string(),
        })
    }
}

/// Summary statistics of one metric in one year across the Monte Carlo runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub p5: f64,
    /// Present only when `yearly.csv` carries a `p25` column.
    pub p25: Option<f64>,
    pub p50: f64,
    /// Present only when `yearly.csv` carries a `p75` column.
    pub p75: Option<f64>,
    pub p95: f64,
}

/// One scenario's results, validated against the output contract.
#[derive(Debug, Clone)]
pub struct ScenarioResults {
    dir: PathBuf,
    summary: Summary,
    years: Vec<Year>,
    values: BTreeMap<Metric, Vec<Stat>>,
}

impl ScenarioResults {
    /// Reads `<dir>/summary.json` and `<dir>/yearly.csv`.
    pub fn load(dir: &Path) -> Result<Self, ChartError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| ChartError::Read { path, source })
        };
        let summary = read("summary.json")?;
        let yearly = read("yearly.csv")?;
        Self::from_strs(dir, &yearly, &summary)
    }

    /// Builds results from file contents; `dir` is used only in error messages.
    pub fn from_strs(dir: &Path, yearly_csv: &str, summary_json: &str) -> Result<Self, ChartError> {
        let summary = parse_summary(&dir.join("summary.json"), summary_json)?;
        let path = dir.join("yearly.csv");
        let (years, values) = parse_yearly(&path, yearly_csv, &summary.scenario)?;
        Ok(ScenarioResults {
            dir: dir.to_path_buf(),
            summary,
            years,
            values,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    pub fn scenario(&self) -> &str {
        &self.summary.scenario
    }

    /// The name legends show: the scenario's label, or its name where it has none.
    pub fn label(&self) -> &str {
        match &self.summary.label {
            Some(l) if !l.trim().is_empty() => l,
            _ => &self.summary.scenario,
        }
    }

    /// The years present, in order.
    pub fn years(&self) -> &[Year] {
        &self.years
    }

    /// One statistic per year (aligned with [`Self::years`]) for a contract metric.
    pub fn series(&self, metric: Metric) -> &[Stat] {
        self.values.get(&metric).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn parse_summary(path: &Path, text: &str) -> Result<Summary, ChartError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let summary: Summary = serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let message = if at == "." {
            e.inner().to_string()
        } else {
            format!("field `{at}`: {}", e.inner())
        };
        ChartError::Summary {
            path: path.to_path_buf(),
            message,
            expected: SUMMARY_SHAPE,
        }
    })?;
    let bad = |message: String| ChartError::Summary {
        path: path.to_path_buf(),
        message,
        expected: SUMMARY_SHAPE,
    };
    if summary.scenario.trim().is_empty() {
        return Err(bad("field `scenario` is empty".into()));
    }
    if Year::parse(&summary.price_base).is_none() {
        return Err(bad(format!(
            "field `price_base` is {:?}, not a financial year like \"2024-25\"",
            summary.price_base
        )));
    }
    Ok(summary)
}

type Parsed = (Vec<Year>, BTreeMap<Metric, Vec<Stat>>);

fn parse_yearly(path: &Path, text: &str, scenario: &str) -> Result<Parsed, ChartError> {
    let csv_err = |line: usize, message: String| ChartError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let records = csv::parse(text).map_err(|(line, m)| csv_err(line, m))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(ChartError::NoYears {
            path: path.to_path_buf(),
        });
    };
    let col = |name: &str| header.fields.iter().position(|f| f.trim() == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| ChartError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
        })
    };
    let [c_scen, c_year, c_metric, c_unit, c_mean, c_p5, c_p50, c_p95] = [
        "scenario", "year", "metric", "unit", "mean", "p5", "p50", "p95",
    ]
    .map(need);
    let (c_scen, c_year, c_metric, c_unit) = (c_scen?, c_year?, c_metric?, c_unit?);
    let (c_mean, c_p5, c_p50, c_p95) = (c_mean?, c_p5?, c_p50?, c_p95?);
    let (c_p25, c_p75) = (col("p25"), col("p75"));

    let mut cells: BTreeMap<(Metric, Year), Stat> = BTreeMap::new();
    for rec in rows {
        let line = rec.line;
        if rec.fields.len() != header.fields.len() {
            return Err(csv_err(
                line,
                format!(
                    "has {} fields but the header has {}; every row needs one value per column",
                    rec.fields.len(),
                    header.fields.len()
                ),
            ));
        }
        let field = |i: usize| rec.fields[i].trim();
        let Some(metric) = Metric::from_name(field(c_metric)) else {
            continue; // unknown metrics are allowed and ignored
        };
        if field(c_scen) != scenario {
            return Err(csv_err(
                line,
                format!(
                    "scenario is `{}` but summary.json says `{scenario}`; an output folder holds one scenario",
                    field(c_scen)
                ),
            ));
        }
        let year = Year::parse(field(c_year)).ok_or_else(|| {
            csv_err(
                line,
                format!(
                    "year `{}` is not a financial-year label like `2025-26`",
                    field(c_year)
                ),
            )
        })?;
        if field(c_unit) != metric.unit().as_str() {
            return Err(csv_err(
                line,
                format!(
                    "metric `{}` has unit `{}` but the contract says `{}`",
                    metric.name(),
                    field(c_unit),
                    metric.unit().as_str()
                ),
            ));
        }
        let num = |i: usize, name: &str| -> Result<f64, ChartError> {
            let raw = field(i);
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                Ok(v) if v.is_finite() => Err(csv_err(
                    line,
                    format!("`{name}` of `{}` is negative ({v}); counts, spend and ratios cannot be below zero", metric.name()),
                )),
                _ => Err(csv_err(
                    line,
                    format!("`{name}` of `{}` is `{raw}`, not a finite number", metric.name()),
                )),
            }
        };
        let opt = |c: Option<usize>, name: &str| c.map(|i| num(i, name)).transpose();
        let stat = Stat {
            mean: num(c_mean, "mean")?,
            p5: num(c_p5, "p5")?,
            p25: opt(c_p25, "p25")?,
            p50: num(c_p50, "p50")?,
            p75: opt(c_p75, "p75")?,
            p95: num(c_p95, "p95")?,
        };
        check_order(&stat).map_err(|m| csv_err(line, format!("{m} for `{}`", metric.name())))?;
        let label = year.label.clone();
        if cells.insert((metric, year), stat).is_some() {
            return Err(csv_err(
                line,
                format!(
                    "second row for `{}` in {label}; keep one row per year and metric",
                    metric.name()
                ),
            ));
        }
    }
    assemble(path, cells)
}

fn check_order(s: &Stat) -> Result<(), String> {
    let mut qs = vec![("p5", s.p5)];
    qs.extend(s.p25.map(|v| ("p25", v)));
    qs.push(("p50", s.p50));
    qs.extend(s.p75.map(|v| ("p75", v)));
    qs.push(("p95", s.p95));
    for w in qs.windows(2) {
        let ((a, va), (b, vb)) = (w[0], w[1]);
        if va > vb + 1e-9 * vb.abs().max(1.0) {
            return Err(format!(
                "{a} ({va}) is above {b} ({vb}); percentiles must not decrease"
            ));
        }
    }
    Ok(())
}

fn assemble(path: &Path, cells: BTreeMap<(Metric, Year), Stat>) -> Result<Parsed, ChartError> {
    let mut years: Vec<Year> = cells.keys().map(|(_, y)| y.clone()).collect();
    years.sort();
    years.dedup();
    if years.is_empty() {
        return Err(ChartError::NoYears {
            path: path.to_path_buf(),
        });
    }
    let mut values = BTreeMap::new();
    for metric in Metric::ALL {
        let mut series = Vec::with_capacity(years.len());
        let mut seen_any = false;
        let mut missing = None;
        for year in &years {
            match cells.get(&(metric, year.clone())) {
                Some(s) => {
                    seen_any = true;
                    series.push(*s);
                }
                None => missing = missing.or(Some(year.label.clone())),
            }
        }
        match (seen_any, missing) {
            (false, _) => {
                return Err(ChartError::MissingMetric {
                    path: path.to_path_buf(),
                    metric: metric.name().to_string(),
                })
            }
            (true, Some(year)) => {
                return Err(ChartError::MissingYear {
                    path: path.to_path_buf(),
                    metric: metric.name().to_string(),
                    year,
                })
            }
            (true, None) => {
                values.insert(metric, series);
            }
        }
    }
    Ok((years, values))
}
