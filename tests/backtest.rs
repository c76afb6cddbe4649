//! `carecast backtest`: calibrates on the targets up to a year, projects the rest of the horizon
//! on that posterior and scores it: backtest.csv holds exactly the later targets, backtest.json's
//! scores are those of the csv, the output is the same on one thread or two, and meaningless
//! requests are refused with errors that name the file and the fix.

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// A four-year scenario (2025-26 to 2028-29) extending the baseline, and a targets file: five
/// targets in 2025-26 and 2026-27 to calibrate on, three later ones to score (one without an
/// `observation_sd`, which a scored target does not need), in no particular order.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let base = fs::canonicalize("scenarios/baseline-2025-stocks.json").unwrap();
    let scenario = dir.join("short.json");
    fs::write(
        &scenario,
        serde_json::json!({"extends": base, "name": "short", "horizon_years": 4}).to_string(),
    )
    .unwrap();
    let targets = dir.join("targets.json");
    fs::write(
        &targets,
        r#"{"targets": [
            {"metric": "children_in_care", "year": "2027-28", "value": 83000, "observation_sd": 0.02},
            {"metric": "children_in_care", "year": "2025-26", "value": 82000, "observation_sd": 0.02},
            {"metric": "cp_plans", "year": "2025-26", "value": 49500, "observation_sd": 0.03},
            {"metric": "children_in_care", "year": "2026-27", "value": 82500, "observation_sd": 0.02},
            {"metric": "cp_plans", "year": "2027-28", "value": 50000, "observation_sd": 0.03},
            {"metric": "cp_plans", "year": "2026-27", "value": 49800, "observation_sd": 0.03},
            {"metric": "care_entries", "year": "2026-27", "value": 32000, "observation_sd": 0.03},
            {"metric": "children_in_care", "year": "2028-29", "value": 83500}
        ]}"#,
    )
    .unwrap();
    (scenario, targets)
}

fn backtest(scenario: &Path, targets: &Path, until: &str, out: &Path) -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1")
        .arg("backtest")
        .arg(scenario)
        .arg("--targets")
        .arg(targets)
        .args(["--until", until])
        .args(["--particles", "100", "--moves", "1", "--runs", "12"])
        .args(["--scale", "0.004", "--seed", "11", "--format", "svg"])
        .arg("--out")
        .arg(out);
    c
}

/// Runs a backtest that succeeds on `threads` threads; its folder.
fn succeed(scenario: &Path, targets: &Path, out: &Path, threads: &str) -> PathBuf {
    backtest(scenario, targets, "2026-27", out)
        .env("RAYON_NUM_THREADS", threads)
        .assert()
        .success();
    out.join("short-backtest")
}

fn summary(dir: &Path) -> serde_json::Value {
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("backtest.json")).unwrap()).unwrap();
    let m = doc.as_object_mut().unwrap();
    m.remove("elapsed_seconds");
    m.remove("command");
    doc
}

struct Row {
    year: String,
    metric: String,
    actual: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

fn rows(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("year,metric,actual,p5,p50,p95"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 6, "{l}");
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            Row {
                year: f[0].to_string(),
                metric: f[1].to_string(),
                actual: n(2),
                p5: n(3),
                p50: n(4),
                p95: n(5),
            }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn a_backtest_scores_only_the_later_targets_and_is_the_same_on_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, targets) = setup(dir.path());
    let one = succeed(&scenario, &targets, &dir.path().join("one"), "1");
    let two = succeed(&scenario, &targets, &dir.path().join("two"), "2");
    let csv = fs::read_to_string(one.join("backtest.csv")).unwrap();
    assert_eq!(
        csv,
        fs::read_to_string(two.join("backtest.csv")).unwrap(),
        "backtest.csv depends on the thread count"
    );
    let doc = summary(&one);
    assert_eq!(
        doc,
        summary(&two),
        "backtest.json depends on the thread count"
    );
    assert_eq!(
        fs::read(one.join("charts/backtest.svg")).unwrap(),
        fs::read(two.join("charts/backtest.svg")).unwrap()
    );

    // Exactly the three targets after 2026-27, by year then metric.
    let rows = rows(&csv);
    let keys: Vec<(&str, &str, f64)> = rows
        .iter()
        .map(|r| (r.year.as_str(), r.metric.as_str(), r.actual))
        .collect();
    assert_eq!(
        keys,
        [
            ("2027-28", "children_in_care", 83000.0),
            ("2027-28", "cp_plans", 50000.0),
            ("2028-29", "children_in_care", 83500.0),
        ]
    );
    for r in &rows {
        assert!(
            r.p5 <= r.p50 && r.p50 <= r.p95 && r.p5 > 0.0,
            "{}",
            r.metric
        );
    }

    // The summary's scores are the csv's.
    let ape: Vec<f64> = rows
        .iter()
        .map(|r| 100.0 * (r.p50 - r.actual).abs() / r.actual)
        .collect();
    let inside = rows
        .iter()
        .filter(|r| r.p5 <= r.actual && r.actual <= r.p95)
        .count();
    let mape = doc["median_absolute_percentage_error"].as_f64().unwrap();
    assert!((mape - median(ape)).abs() < 1e-9 * mape.max(1.0), "{mape}");
    assert_eq!(doc["inside_90_interval"], inside);
    let share = doc["share_inside_90_interval"].as_f64().unwrap();
    assert!((share - inside as f64 / 3.0).abs() < 1e-12);
    assert_eq!(doc["targets_scored"], 3);
    assert_eq!(doc["targets_calibrated"], 5);
    assert_eq!(doc["until"], "2026-27");
    let cic: Vec<f64> = rows
        .iter()
        .filter(|r| r.metric == "children_in_care")
        .map(|r| 100.0 * (r.p50 - r.actual).abs() / r.actual)
        .collect();
    let by = &doc["by_metric"];
    assert_eq!(by.as_array().unwrap().len(), 2);
    assert_eq!(by[0]["metric"], "children_in_care");
    assert_eq!(by[0]["targets"], 2);
    let by_mape = by[0]["median_absolute_percentage_error"].as_f64().unwrap();
    assert!((by_mape - median(cic)).abs() < 1e-9 * by_mape.max(1.0));

    // The record: posterior, settings, seed, version and the targets file's hash.
    let ess = doc["posterior"]["effective_sample_size"].as_f64().unwrap();
    assert!(ess > 1.0 && ess <= 100.0, "{ess}");
    assert_eq!(doc["settings"]["particles"], 100);
    assert_eq!(doc["settings"]["moves"], 1);
    assert_eq!(doc["settings"]["runs"], 12);
    assert_eq!(doc["seed"], 11);
    assert_eq!(doc["carecast_version"], env!("CARGO_PKG_VERSION"));
    let sha = format!("{:x}", Sha256::digest(fs::read(&targets).unwrap()));
    assert_eq!(doc["targets_sha256"], sha);
    let svg = fs::read_to_string(one.join("charts/backtest.svg")).unwrap();
    assert!(svg.contains("Children in care"));
    assert!(svg.contains("Protection plans"));
    assert!(
        !svg.contains("Care entries"),
        "a metric without later targets has no panel"
    );
}

/// Runs a backtest that fails with exit code 2; its stderr. Nothing is written.
fn refuse(scenario: &Path, targets: &Path, until: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = backtest(scenario, targets, until, out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{until}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !out.path().join("short-backtest").exists(),
        "{until}: a folder was written"
    );
    stderr
}

#[test]
fn meaningless_backtests_are_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, targets) = setup(dir.path());
    let t = targets.display().to_string();

    let e = refuse(&scenario, &targets, "2026");
    assert!(
        e.contains("--until `2026` is not a financial year label") && e.contains("YYYY-YY"),
        "{e}"
    );
    let e = refuse(&scenario, &targets, "2026-28");
    assert!(e.contains("not a financial year label"), "{e}");
    let e = refuse(&scenario, &targets, "2030-31");
    assert!(
        e.contains("--until 2030-31 is not a year of `short`, which runs 2025-26 to 2028-29"),
        "{e}"
    );
    let e = refuse(&scenario, &targets, "2028-29");
    assert!(
        e.contains(&t) && e.contains("no target is after 2028-29") && e.contains("earlier --until"),
        "{e}"
    );

    // Nothing to calibrate on: every target is after the cut-off.
    let late = dir.path().join("late.json");
    fs::write(
        &late,
        r#"{"targets": [{"metric": "children_in_care", "year": "2027-28", "value": 83000, "observation_sd": 0.02}]}"#,
    )
    .unwrap();
    let e = refuse(&scenario, &late, "2026-27");
    assert!(
        e.contains(&late.display().to_string())
            && e.contains("no target is in 2026-27 or before")
            && e.contains("later --until"),
        "{e}"
    );

    // A target calibrated on needs its observation error (index as in the file).
    let no_sd = dir.path().join("no-sd.json");
    fs::write(
        &no_sd,
        r#"{"targets": [
            {"metric": "children_in_care", "year": "2025-26", "value": 82000, "observation_sd": 0.02},
            {"metric": "cp_plans", "year": "2026-27", "value": 49800},
            {"metric": "children_in_care", "year": "2027-28", "value": 83000}
        ]}"#,
    )
    .unwrap();
    let e = refuse(&scenario, &no_sd, "2026-27");
    assert!(
        e.contains(&no_sd.display().to_string())
            && e.contains("$.targets[1] has no `observation_sd`"),
        "{e}"
    );
    assert!(
        !e.contains("$.targets[2]"),
        "a scored target needs no observation_sd: {e}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_backtest_and_leaves_the_earlier_one_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, targets) = setup(dir.path());
    let out = dir.path().join("out");
    let first = succeed(&scenario, &targets, &out, "2");
    let before: Vec<(String, Vec<u8>)> = ["backtest.csv", "backtest.json", "charts/backtest.svg"]
        .iter()
        .map(|f| (f.to_string(), fs::read(first.join(f)).unwrap()))
        .collect();
    // Far more work than the signal leaves it time for.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("carecast"))
        .env("CI", "1")
        .arg("backtest")
        .arg(&scenario)
        .arg("--targets")
        .arg(&targets)
        .args([
            "--until",
            "2026-27",
            "--particles",
            "20000",
            "--moves",
            "10",
        ])
        .args(["--runs", "2000", "--scale", "0.004", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let partial = loop {
        let found = fs::read_dir(&out).unwrap().flatten().find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".short-backtest.partial-")
        });
        if let Some(e) = found {
            break e.path();
        }
        assert!(child.try_wait().unwrap().is_none(), "ended before staging");
        assert!(std::time::Instant::now() < deadline, "never staged");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kill = std::process::Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("NOT written for short"), "{stderr}");
    assert!(!partial.exists(), "temporary folder left behind");
    for (f, bytes) in before {
        assert_eq!(fs::read(first.join(&f)).unwrap(), bytes, "{f} changed");
    }
}
