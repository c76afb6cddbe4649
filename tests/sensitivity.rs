//! End-to-end tests of `carecast sensitivity`: the tornado is centred on the median the other
//! commands report for the same runs (compare's net cost, run's yearly median), its bars carry the
//! parameters' descriptions, largest swing first, a parameter nothing reads has a bar of exactly
//! zero, and bad requests are refused.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

/// Runs and scale small enough for a test.
const SAMPLING: [&str; 4] = ["--runs", "40", "--scale", "0.004"];
/// Re-projected draws per bar, few for a test.
const DRAWS: [&str; 2] = ["--draws", "4"];

/// The rows of `sensitivity.csv` as (parameter, description, [numbers...]); descriptions may
/// be quoted.
fn table(dir: &Path) -> Vec<(String, String, Vec<f64>)> {
    let csv = fs::read_to_string(dir.join("sensitivity.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("parameter,description,p10_value,p90_value,measure_median,measure_at_p10,measure_at_p90,swing")
    );
    lines
        .map(|l| {
            let (parameter, rest) = l.split_once(',').unwrap();
            let (description, numbers) = match rest.strip_prefix('"') {
                Some(q) => {
                    let (d, n) = q.split_once("\",").unwrap();
                    (d.replace("\"\"", "\""), n)
                }
                None => {
                    let (d, n) = rest.split_once(',').unwrap();
                    (d.to_string(), n)
                }
            };
            let numbers = numbers.split(',').map(|v| v.parse().unwrap()).collect();
            (parameter.to_string(), description, numbers)
        })
        .collect()
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let text = t.split_once('>')?.1.split_once("</text>")?.0;
            Some(text.trim().replace("&apos;", "'").replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn the_tornado_is_centred_on_the_net_cost_compare_reports() {
    let out = tempfile::tempdir().unwrap();
    let fixture = "tests/fixtures/family-help-investment.json";
    carecast()
        .args(["compare", "scenarios/baseline.json", fixture, "--no-charts"])
        .args(SAMPLING)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    carecast()
        .args(["sensitivity", fixture, "scenarios/baseline.json"])
        .args(SAMPLING)
        .args(DRAWS)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            out.path()
                .join("baseline-vs-family-help-investment/comparison.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let net = json["alternatives"][0]["net_cost_gbp_m"]["p50"]
        .as_f64()
        .unwrap();
    let dir = out.path().join("family-help-investment-sensitivity");
    let rows = table(&dir);
    assert!(rows.len() > 30);
    for (_, _, v) in &rows {
        assert!(
            (v[2] - net).abs() < 0.01,
            "centre {} but compare's median {net}",
            v[2]
        );
    }
    let swings: Vec<f64> = rows.iter().map(|r| r.2[5]).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]));
    let rr = rows.iter().find(|r| r.0 == "family_help_rr").unwrap();
    assert_eq!(rr.1, "Effect of family help on escalation");
    // p10 below p90 of the draws; a stronger effect of family help saves more.
    assert!(rr.2[0] < rr.2[1]);
    assert!(rr.2[3] < rr.2[4], "{rr:?}");
    assert!((rr.2[5] - (rr.2[4] - rr.2[3]).abs()).abs() < 1e-3 * rr.2[5].max(1.0));
    let svg = fs::read_to_string(dir.join("charts/tornado.svg")).unwrap();
    let texts = svg_texts(&svg);
    // The bars (the 15 largest swings) carry descriptions, not parameter ids.
    for (_, description, _) in rows.iter().take(15) {
        assert!(texts.contains(description), "{description}: {texts:?}");
    }
    assert!(
        !texts.iter().any(|t| rows.iter().any(|r| *t == r.0)),
        "a bar is labelled with a parameter id: {texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("median ")), "{texts:?}");
    assert!(dir.join("charts/tornado.png").exists());
}

#[test]
fn the_tornado_of_one_scenario_is_centred_on_its_yearly_median() {
    let out = tempfile::tempdir().unwrap();
    carecast()
        .args(["run", "scenarios/baseline.json", "--no-charts"])
        .args(SAMPLING)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    carecast()
        .args(["sensitivity", "scenarios/baseline.json", "--no-charts"])
        .args(SAMPLING)
        .args(DRAWS)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let yearly = fs::read_to_string(out.path().join("baseline/yearly.csv")).unwrap();
    let p50: f64 = yearly
        .lines()
        .find(|l| l.starts_with("baseline,2034-35,late_early_ratio,"))
        .and_then(|l| l.split(',').nth(6))
        .and_then(|v| v.parse().ok())
        .unwrap();
    let rows = table(&out.path().join("baseline-sensitivity"));
    assert!(
        (rows[0].2[2] - p50).abs() < 1e-4,
        "{} vs {p50}",
        rows[0].2[2]
    );
    assert!(!out
        .path()
        .join("baseline-sensitivity/charts/tornado.svg")
        .exists());
}

#[test]
fn a_parameter_nothing_reads_has_a_bar_of_exactly_zero() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("inert.json");
    let baseline = fs::canonicalize("scenarios/baseline.json").unwrap();
    fs::write(
        &file,
        format!(
            r#"{{"extends": {:?}, "name": "inert", "parameters": {{"unused_rate": {{"dist": "beta", "mean": 0.2, "sd": 0.05, "description": "A rate nothing reads", "assumption": "test"}}}}}}"#,
            baseline.to_str().unwrap()
        ),
    )
    .unwrap();
    carecast()
        .arg("sensitivity")
        .arg(&file)
        .args(["scenarios/baseline.json", "--no-charts"])
        .args(SAMPLING)
        .args(DRAWS)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let rows = table(&out.path().join("inert-sensitivity"));
    let inert = rows.iter().find(|r| r.0 == "unused_rate").unwrap();
    assert_eq!(inert.1, "A rate nothing reads");
    assert_eq!(inert.2[5], 0.0);
    // The scenario is the baseline plus an unread parameter: every difference is zero.
    assert!(
        rows.iter().all(|r| r.2[5] == 0.0 && r.2[2] == 0.0),
        "{rows:?}"
    );
}

#[test]
fn bad_requests_are_refused_before_anything_runs() {
    let out = tempfile::tempdir().unwrap();
    for (args, want) in [
        (
            &["--draws", "0"][..],
            "--draws takes a whole number from 1 to 10000",
        ),
        (&["--metric", "nonsense"][..], "--metric `nonsense`"),
        (&["--runs", "0"][..], "--runs takes a whole number"),
    ] {
        let o = carecast()
            .args(["sensitivity", "scenarios/baseline.json"])
            .args(args)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    assert!(!out.path().join("baseline-sensitivity").exists());
}

#[test]
fn with_the_cohort_engine_the_centre_is_run_engine_cohorts_median() {
    let out = tempfile::tempdir().unwrap();
    for command in ["run", "sensitivity"] {
        carecast()
            .args([command, "scenarios/baseline.json", "--engine", "cohort"])
            .args(["--runs", "30", "--no-charts"])
            .args(if command == "sensitivity" {
                &DRAWS[..]
            } else {
                &[][..]
            })
            .arg("--out")
            .arg(out.path())
            .assert()
            .success();
    }
    let yearly = fs::read_to_string(out.path().join("baseline/yearly.csv")).unwrap();
    let p50: f64 = yearly
        .lines()
        .find(|l| l.starts_with("baseline,2034-35,late_early_ratio,"))
        .and_then(|l| l.split(',').nth(6))
        .and_then(|v| v.parse().ok())
        .unwrap();
    let rows = table(&out.path().join("baseline-sensitivity"));
    assert!(
        (rows[0].2[2] - p50).abs() < 1e-4,
        "{} vs {p50}",
        rows[0].2[2]
    );
}
