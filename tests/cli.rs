//! End-to-end tests of the `carecast` binary: runs, determinism and every shipped scenario (the
//! corpus of bad scenario files is in tests/bad_inputs.rs).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

/// Runs `scenario` quickly into `out` and returns its yearly.csv.
fn quick_run(scenario: &str, out: &Path, extra: &[&str]) -> String {
    carecast()
        .args([
            "run",
            scenario,
            "--runs",
            "6",
            "--scale",
            "0.004",
            "--no-charts",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    let name = Path::new(scenario).file_stem().unwrap().to_str().unwrap();
    fs::read_to_string(out.join(name).join("yearly.csv")).unwrap()
}

#[test]
fn run_writes_every_metric_for_every_year_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let csv = quick_run("scenarios/baseline.json", dir.path(), &["--runs-csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,year,metric,unit,mean,p5,p50,p95")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10 * carecast::results::metrics::N_METRICS);
    for (name, unit) in carecast::results::metrics::METRICS {
        for year in ["2025-26", "2034-35"] {
            let row = rows
                .iter()
                .find(|r| r[1] == year && r[2] == name)
                .unwrap_or_else(|| panic!("{name} {year} missing"));
            assert_eq!(row[3], unit.as_str());
            let v: Vec<f64> = row[4..].iter().map(|x| x.parse().unwrap()).collect();
            assert!(
                v.iter().all(|x| x.is_finite() && *x >= 0.0),
                "{name}: {v:?}"
            );
            assert!(
                v[1] <= v[2] && v[2] <= v[3],
                "{name}: percentiles out of order {v:?}"
            );
        }
    }
    let summary: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("baseline/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["runs"], 6);
    assert_eq!(summary["scale"], 0.004);
    assert_eq!(summary["seed"], 20250401);
    assert!(summary["scenario_hash"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(summary["family_months"].as_u64().unwrap() > 0);
    assert!(summary["elapsed_seconds"].as_f64().is_some());
    assert!(summary["command"].as_str().unwrap().contains("--runs 6"));
    let params = summary["parameters"].as_array().unwrap();
    assert!(params
        .iter()
        .all(|p| p.get("source").is_some() || p.get("assumption").is_some()));
    let runs_csv = fs::read_to_string(dir.path().join("baseline/runs.csv")).unwrap();
    assert_eq!(
        runs_csv.lines().count(),
        1 + 6 * 10 * carecast::results::metrics::N_METRICS
    );
}

#[test]
fn same_seed_gives_identical_results_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let one = quick_run(
        "scenarios/baseline.json",
        &dir.path().join("a"),
        &["--threads", "1"],
    );
    let two = quick_run(
        "scenarios/baseline.json",
        &dir.path().join("b"),
        &["--threads", "2"],
    );
    assert_eq!(one, two);
}

#[test]
fn another_seed_gives_different_p5_and_p95() {
    let dir = tempfile::tempdir().unwrap();
    let a = quick_run(
        "scenarios/baseline.json",
        &dir.path().join("a"),
        &["--seed", "1"],
    );
    let b = quick_run(
        "scenarios/baseline.json",
        &dir.path().join("b"),
        &["--seed", "2"],
    );
    let pick = |csv: &str| -> Vec<(String, String)> {
        csv.lines()
            .filter(|l| l.contains(",children_in_care,") || l.contains(",late_spend,"))
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[5].to_string(), f[7].to_string())
            })
            .collect()
    };
    let (pa, pb) = (pick(&a), pick(&b));
    assert!(
        pa.iter().zip(&pb).all(|(x, y)| x.0 != y.0 && x.1 != y.1),
        "{pa:?} vs {pb:?}"
    );
}

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for entry in fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        n += 1;
        carecast().arg("validate").arg(&path).assert().success();
        let csv = quick_run(path.to_str().unwrap(), dir.path(), &[]);
        assert!(csv.lines().count() > 1);
    }
    assert!(n >= 2, "expected the baseline and other scenarios");
}

#[test]
fn run_writes_all_charts_and_chart_re_renders_them_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let charts = dir.path().join("baseline/charts");
    for stem in [
        "spend",
        "ratio",
        "children-in-care",
        "child-protection",
        "children-in-need",
        "flows",
        "placements",
    ] {
        for ext in ["svg", "png"] {
            assert!(
                charts.join(format!("{stem}.{ext}")).is_file(),
                "{stem}.{ext}"
            );
        }
    }
    let again = dir.path().join("again");
    carecast()
        .arg("chart")
        .arg(dir.path().join("baseline"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        fs::read(charts.join("ratio.svg")).unwrap(),
        fs::read(again.join("ratio.svg")).unwrap()
    );
}

#[test]
fn a_second_run_replaces_results_whole() {
    let dir = tempfile::tempdir().unwrap();
    quick_run("scenarios/baseline.json", dir.path(), &["--runs-csv"]);
    assert!(dir.path().join("baseline/runs.csv").exists());
    quick_run("scenarios/baseline.json", dir.path(), &[]);
    assert!(
        !dir.path().join("baseline/runs.csv").exists(),
        "stale runs.csv left behind"
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("baseline")]);
}

#[test]
fn out_of_range_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [["--runs", "0"], ["--scale", "1.5"], ["--threads", "0"]] {
        carecast()
            .args(["run", "scenarios/baseline.json", "--out"])
            .arg(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("error: --"));
    }
    carecast().args(["run"]).assert().code(2);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn validate_reports_ok_for_good_files() {
    carecast()
        .args(["validate", "scenarios/baseline.json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("baseline.json: ok"));
}
