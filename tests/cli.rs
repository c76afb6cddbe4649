//! End-to-end tests of the `carecast` binary: runs, determinism, every shipped scenario, and the
//! corpus of bad scenario files in tests/fixtures/bad/.

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

/// Each bad file, the JSON path its message must name, and a phrase of the message.
const BAD: &[(&str, &str, &str)] = &[
    ("malformed_json.json", "$", "not valid JSON"),
    (
        "unknown_field.json",
        "$.horizon_yaers",
        "did you mean `horizon_years`",
    ),
    ("wrong_type.json", "$.horizon_years", "invalid type"),
    (
        "probability_above_one.json",
        "$.transitions[4].p",
        "outside 0 to 1",
    ),
    (
        "probabilities_sum_above_one.json",
        "$.transitions[0]",
        "sum to 1.09",
    ),
    (
        "unknown_state.json",
        "$.states.care_foster.age_out.to",
        "did you mean `care_leaver`",
    ),
    (
        "unknown_parameter.json",
        "$.parameters.cin_close.expr",
        "did you mean `cin_close`",
    ),
    ("cycle_a.json", "$.extends", "forms a cycle"),
    (
        "missing_extends.json",
        "$.extends",
        "cannot read scenario file",
    ),
    ("absurd_horizon.json", "$.horizon_years", "outside 1 to 60"),
    (
        "negative_cost.json",
        "$.states.care_residential.monthly_cost.gbp",
        "is negative",
    ),
    (
        "impossible_beta.json",
        "$.parameters.fh_end.sd",
        "impossible for a beta",
    ),
    (
        "name_escapes_output.json",
        "$.name",
        "cannot be used as a folder name",
    ),
    ("empty.json", "$", "the file is empty"),
    (
        "missing_source.json",
        "$.parameters.new_param",
        "no `source` or `assumption`",
    ),
    (
        "division_by_zero.json",
        "$.parameters.zero_div.expr",
        "division by zero",
    ),
    ("self_reference.json", "$.parameters.loop.expr", "cycle"),
    ("zero_runs.json", "$.run.runs", "0 runs"),
    (
        "unknown_rule.json",
        "$.policy.rule",
        "did you mean `total_set`",
    ),
    ("binary.json", "$", "not UTF-8"),
    ("deeply_nested.json", "$", "nested too deeply"),
    ("huge_number.json", "$", "too large"),
];

#[test]
fn bad_scenarios_are_rejected_with_file_path_and_fix_and_write_nothing() {
    for (file, path, phrase) in BAD {
        let full = format!("tests/fixtures/bad/{file}");
        for cmd in ["validate", "run"] {
            let out = tempfile::tempdir().unwrap();
            let mut c = carecast();
            c.arg(cmd).arg(&full);
            if cmd == "run" {
                c.arg("--out").arg(out.path().join("results"));
            }
            let assert = c.assert().code(2);
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
            assert!(
                stderr.contains("tests/fixtures/bad/"),
                "{file}: no file named in {stderr}"
            );
            assert!(
                stderr.contains(&format!("at {path}")),
                "{file}: no path {path} in {stderr}"
            );
            assert!(stderr.contains(phrase), "{file}: no `{phrase}` in {stderr}");
            assert!(stderr.contains("fix: "), "{file}: no fix in {stderr}");
            assert!(!stderr.contains("panicked"), "{file}: panic: {stderr}");
            assert!(
                !out.path().join("results").exists(),
                "{file}: output written"
            );
        }
    }
    assert!(BAD.len() >= 10);
}

#[test]
fn validate_reports_ok_for_good_files() {
    carecast()
        .args(["validate", "scenarios/baseline.json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("baseline.json: ok"));
}
