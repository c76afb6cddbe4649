//! `carecast report` of scenarios drawn from a posterior: the section on how well the model
//! reproduces the figures it was calibrated on (fit charts, fit table, backtest, what the
//! calibration cannot tell apart), the workbook's Fit sheet, and a comparison report's first
//! paragraph.

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn carecast() -> Command {
    Command::cargo_bin("carecast").unwrap()
}

const SMALL: [&str; 4] = ["--runs", "3", "--scale", "0.004"];
const SECTION: &str = "## How well the model reproduces 2010-2025";

/// Runs `scenario` (small, no charts) into `tmp` and returns its folder.
fn run(tmp: &Path, scenario: &str, name: &str) -> PathBuf {
    carecast()
        .args(["run", scenario])
        .args(SMALL)
        .args(["--no-charts", "--out"])
        .arg(tmp)
        .assert()
        .success();
    tmp.join(name)
}

fn report(dir: &Path) -> (String, String) {
    carecast().arg("report").arg(dir).assert().success();
    (
        std::fs::read_to_string(dir.join("report.md")).unwrap(),
        std::fs::read_to_string(dir.join("report.html")).unwrap(),
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `x` to three significant figures with thousands separators and a true minus sign, written
/// independently of the report's own formatting (as tests/report.rs does).
fn three_sf(x: f64) -> String {
    let r: f64 = format!("{:.2e}", x.abs() * (1.0 + 1e-12)).parse().unwrap();
    let s = if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    };
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut g = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(ch);
    }
    if !frac.is_empty() {
        g = format!("{g}.{frac}");
    }
    format!("{}{g}", if x < 0.0 && r != 0.0 { "\u{2212}" } else { "" })
}

fn money(x: f64) -> String {
    let t = three_sf(x);
    match t.strip_prefix('\u{2212}') {
        Some(rest) => format!("\u{2212}£{rest}m"),
        None => format!("£{t}m"),
    }
}

/// p5, p50, p95 of one yearly.csv (or deltas.csv) row.
fn stat(csv: &str, scenario: Option<&str>, year: &str, metric: &str) -> [f64; 3] {
    let line = csv
        .lines()
        .find(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() == 8 && f[1] == year && f[2] == metric && scenario.is_none_or(|s| f[0] == s)
        })
        .unwrap_or_else(|| panic!("no {year} {metric}"));
    let v: Vec<f64> = line
        .split(',')
        .skip(5)
        .map(|x| x.parse().unwrap())
        .collect();
    [v[0], v[1], v[2]]
}

#[test]
fn a_posterior_drawn_run_reports_its_fit_and_a_prior_drawn_one_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(tmp.path(), "scenarios/history-2010.json", "history-2010");
    let (md, html) = report(&dir);
    // After the findings, before the yearly path.
    let at = |text: &str, what: &str| text.find(what).unwrap_or_else(|| panic!("no {what}"));
    assert!(at(&md, "## Headline findings") < at(&md, SECTION));
    assert!(at(&md, SECTION) < at(&md, "## Yearly path of history-2010"));
    assert!(html.contains("<h2>How well the model reproduces 2010-2025</h2>"));
    assert!(html.contains("<h3>Fit to the published figures</h3>"));
    for want in [
        "takes its parameters from the posterior calibration/history-2010.posterior.json (2000 draws",
        "to the 56 published figures of calibration/history-2010-2025.json (2010-2025)",
        "the median and 90% interval across history-2010's 3 runs (Monte Carlo, yearly.csv)",
        "The posterior itself, on the cohort engine (posterior.json's targets), has ",
        "No backtest sits beside this folder",
        "What the calibration cannot tell apart: the posterior puts family\\_help\\_rr (effect of family help on escalation) at ",
        "in its prior: the 2010-2025 figures narrow its 90% interval by ",
        "it trades off most against ",
    ] {
        assert!(md.contains(want), "no `{want}` in\n{md}");
    }
    // One chart per target metric, written into the folder, embedded in the HTML and linked
    // from the Markdown; the fit charts are not repeated among the scenario's charts.
    let targets = json(Path::new("calibration/history-2010-2025.json"));
    let mut metrics: Vec<&str> = targets["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["metric"].as_str().unwrap())
        .collect();
    metrics.sort_unstable();
    metrics.dedup();
    assert_eq!(metrics.len(), 8);
    for m in &metrics {
        for ext in ["svg", "png"] {
            assert!(
                dir.join(format!("charts/fit-{m}.{ext}")).is_file(),
                "fit-{m}.{ext}"
            );
        }
        assert_eq!(
            md.matches(&format!("(charts/fit-{m}.png)")).count(),
            1,
            "{m}"
        );
    }
    assert_eq!(html.matches("<svg").count(), metrics.len());
    assert!(html.contains("inside the calibrated 90% interval"));

    // Drawn from its priors: no fit section, no fit charts.
    let base = run(
        tmp.path(),
        "scenarios/baseline-2025-stocks.json",
        "baseline-2025-stocks",
    );
    let (md, html) = report(&base);
    for text in [&md, &html] {
        assert!(!text.contains("How well the model reproduces"));
        assert!(!text.contains("Fit to the published figures"));
    }
    assert!(!base.join("charts/fit-children_in_care.svg").exists());
    let wb: Xlsx<_> = open_workbook(base.join("results.xlsx")).unwrap();
    assert!(!wb.sheet_names().contains(&"Fit".to_string()));
}

#[test]
fn the_fit_table_and_the_fit_sheet_quote_the_runs_yearly_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(tmp.path(), "scenarios/history-2010.json", "history-2010");
    let (md, _) = report(&dir);
    let yearly = std::fs::read_to_string(dir.join("yearly.csv")).unwrap();
    let targets = json(Path::new("calibration/history-2010-2025.json"));
    let targets = targets["targets"].as_array().unwrap();
    let stocks = ["children_in_care", "cp_plans", "children_in_need"];
    let mut within = 0;
    let mut inside = 0;
    for t in targets {
        let (m, y, v) = (
            t["metric"].as_str().unwrap(),
            t["year"].as_str().unwrap(),
            t["value"].as_f64().unwrap(),
        );
        let [p5, p50, p95] = stat(&yearly, None, y, m);
        let tol = if m == "late_early_ratio" {
            0.10
        } else if stocks.contains(&m) {
            0.03
        } else {
            0.06
        };
        within += usize::from((p50 / v - 1.0).abs() <= tol);
        inside += usize::from(p5 <= v && v <= p95);
        if m == "late_early_ratio" {
            continue;
        }
        let row = format!("| {} | {y} | ", m.replace('_', "\\_"));
        let line = md
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("no row {row}"));
        let want = format!(
            "| {} | {} to {} |",
            three_sf(p50),
            three_sf(p5),
            three_sf(p95)
        );
        assert!(line.contains(&want), "{line} lacks {want}");
        let inside_cell = if p5 <= v && v <= p95 {
            "| yes |"
        } else {
            "| no |"
        };
        assert!(line.contains(inside_cell), "{line}");
    }
    let want = format!(
        "{within} of the 56 published figures have the runs' median within 3% (stocks), 6% (flows) or 10% (the late:early ratio) of them, and {inside} of 56"
    );
    assert!(md.contains(&want), "no `{want}` in\n{md}");
    // The workbook's Fit sheet holds the same numbers exactly.
    let mut wb: Xlsx<_> = open_workbook(dir.join("results.xlsx")).unwrap();
    let range = wb.worksheet_range("Fit").expect("a Fit sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], Data::String("Metric".into()));
    assert_eq!(rows.len(), 57);
    for r in &rows[1..] {
        let (m, y) = (r[0].to_string(), r[1].to_string());
        let [p5, p50, p95] = stat(&yearly, None, &y, &m);
        assert_eq!(
            (r[4].clone(), r[5].clone(), r[6].clone()),
            (Data::Float(p50), Data::Float(p5), Data::Float(p95)),
            "{m} {y}"
        );
    }
}

#[test]
fn a_comparison_report_leads_with_its_change_and_the_interval_and_shows_the_fit() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/history-2010.json",
            "scenarios/history-2010-protected.json",
        ])
        .args(["--runs", "20", "--scale", "0.004"])
        .args(["--no-charts", "--name", "hist", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("hist");
    let (md, html) = report(&dir);
    let c = json(&dir.join("comparison.json"));
    let alt = &c["alternatives"][0];
    let drivers = &alt["uncertainty_drivers"];
    assert_eq!(drivers["year"], "2024-25");
    for k in ["children_in_care_change", "late_spend_change_in_year"] {
        assert_eq!(drivers[k].as_array().unwrap().len(), 5, "{k}");
    }
    let cic = alt["children_in_care_change"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == "2024-25")
        .unwrap();
    let q = |v: &Value, k: &str| v[k].as_f64().unwrap();
    let deltas = std::fs::read_to_string(dir.join("deltas.csv")).unwrap();
    let [l5, l50, l95] = stat(
        &deltas,
        Some("history-2010-protected"),
        "2024-25",
        "late_spend",
    );
    assert!(
        q(cic, "p50") < 0.0 && l50 < 0.0,
        "protecting early help lowers both"
    );
    let first = md.split("\n\n").nth(1).unwrap();
    let want = format!(
        "Against history-2010, history-2010-protected puts children in care at 31 March 2025 lower by {} (90% interval {} to {}) and late spend in 2024-25 lower by {} (90% interval {} to {}).",
        three_sf(-q(cic, "p50")),
        three_sf(-q(cic, "p95")),
        three_sf(-q(cic, "p5")),
        money(-l50),
        money(-l95),
        money(-l5)
    );
    assert!(
        first.contains(&want),
        "first paragraph:\n{first}\nwant:\n{want}"
    );
    let top = drivers["children_in_care_change"][0]["parameter"]
        .as_str()
        .unwrap()
        .replace('_', "\\_");
    assert!(first.contains(&format!("follows most {top}")), "{first}");
    assert!(html.contains(&format!("<p>{}", want.split(" (90%").next().unwrap())));
    // The fit is the history's own runs; the counterfactual draws from the same posterior.
    assert!(md.contains(SECTION));
    assert!(md.contains("across history-2010's 20 runs (Monte Carlo, yearly.csv)"));
    assert!(md.contains("history-2010-protected draws from the same posterior but changes the scenario, so the fit shown is history-2010's."));
    assert!(dir.join("charts/fit-children_in_care.png").is_file());
}

#[test]
fn any_comparison_leads_with_its_change_at_the_horizon() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/baseline.json",
            "scenarios/family-help-investment.json",
        ])
        .args(SMALL)
        .args(["--no-charts", "--name", "fhi", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("fhi");
    let (md, _) = report(&dir);
    let first = md.split("\n\n").nth(1).unwrap();
    assert!(
        first.starts_with(
            "Against baseline, family-help-investment puts children in care at 31 March 2035 "
        ),
        "{first}"
    );
    assert!(first.contains(" and late spend in 2034-35 "), "{first}");
    assert!(first.contains("(90% interval "), "{first}");
    // The baseline continues the calibrated history, so its comparisons show the fit.
    assert!(
        md.contains("How well the model reproduces"),
        "continuing the history"
    );
    // Three runs are too few for correlations: none is given, and the lead names none.
    let c = json(&dir.join("comparison.json"));
    let d = &c["alternatives"][0]["uncertainty_drivers"];
    assert_eq!(d["children_in_care_change"], serde_json::json!([]));
    assert!(!first.contains("rank correlation"), "{first}");
}

#[test]
fn a_missing_or_changed_posterior_is_named_in_the_section_without_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(tmp.path(), "scenarios/history-2010.json", "history-2010");
    let path = dir.join("summary.json");
    let original = json(&path);
    let mut missing = original.clone();
    missing["parameter_draws"]["file"] = "../calibration/gone.posterior.json".into();
    std::fs::write(&path, serde_json::to_string_pretty(&missing).unwrap()).unwrap();
    carecast()
        .arg("report")
        .arg(&dir)
        .assert()
        .success()
        .stderr(predicates::str::contains("gone.posterior.json"));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("## How well the model reproduces the published figures"));
    assert!(
        md.contains("was not found (looked for calibration/gone.posterior.json)"),
        "{md}"
    );
    assert!(md.contains("Fix: run carecast report from the folder"));
    let mut changed = original.clone();
    changed["parameter_draws"]["sha256"] = "0".repeat(64).into();
    std::fs::write(&path, serde_json::to_string_pretty(&changed).unwrap()).unwrap();
    let (md, _) = report(&dir);
    assert!(md.contains("has changed since the runs"), "{md}");
    assert!(!md.contains("Fit to the published figures"));
}

#[test]
fn a_backtest_beside_the_folder_is_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(tmp.path(), "scenarios/history-2010.json", "history-2010");
    let posterior = json(Path::new("calibration/history-2010.posterior.json"));
    let bt = tmp.path().join("history-2010-backtest");
    std::fs::create_dir(&bt).unwrap();
    let doc = serde_json::json!({
        "scenario": "history-2010", "scenario_hash": posterior["scenario_hash"],
        "until": "2016-17", "targets_calibrated": 26, "targets_scored": 30,
        "inside_90_interval": 25, "share_inside_90_interval": 25.0 / 30.0,
        "median_absolute_percentage_error": 3.46, "settings": {"runs": 200}
    });
    std::fs::write(bt.join("backtest.json"), doc.to_string()).unwrap();
    let (md, _) = report(&dir);
    let want = "-backtest/backtest.json, 200 runs): calibrated on the 26 targets to 2016-17 only, the model's Monte Carlo projection puts 25 of the 30 later published figures (83%) inside its 90% intervals, with a median absolute error of 3.5%.";
    assert!(md.contains(want), "no `{want}` in\n{md}");
    assert!(!md.contains("different version of the scenario"));
}
