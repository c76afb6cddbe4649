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
    // A quick run's percentiles fall on a coarse grid (few runs of few families), so one end
    // may coincide by chance; the interval as a whole must differ in every year and metric.
    assert!(pa.iter().zip(&pb).all(|(x, y)| x != y), "{pa:?} vs {pb:?}");
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
fn out_of_range_or_malformed_numbers_name_the_option_its_range_and_an_example() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 9] = [
        (
            &["--runs", "-5"],
            "--runs takes a whole number from 1 to 1000000, e.g. --runs 200",
        ),
        (
            &["--runs", "1.5"],
            "--runs takes a whole number from 1 to 1000000, e.g. --runs 200",
        ),
        (
            &["--runs", "0"],
            "--runs takes a whole number from 1 to 1000000",
        ),
        (
            &["--seed", "x"],
            "--seed takes a whole number from 0 to 18446744073709551615, e.g. --seed",
        ),
        (&["--seed", "-1"], "--seed takes a whole number from 0"),
        (&["--scale", "abc"], "--scale takes a number in (0, 1]"),
        (&["--scale", "1.5"], "--scale takes a number in (0, 1]"),
        (
            &["--threads", "0"],
            "--threads takes a whole number from 1 to 1024, e.g. --threads 2",
        ),
        (
            &["--until-stable", "-0.1"],
            "--until-stable takes a number in (0, 1)",
        ),
    ];
    for (args, want) in cases {
        let out = carecast()
            .args(["run", "scenarios/baseline.json", "--out"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{}' for '{}", args[1], args[0])),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    carecast().args(["run"]).assert().code(2);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_scale_too_small_to_mean_anything_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        &["run", "scenarios/baseline.json"][..],
        &[
            "compare",
            "scenarios/baseline.json",
            "scenarios/early-cuts.json",
        ][..],
    ] {
        let out = carecast()
            .args(cmd)
            .args(["--scale", "1e-9", "--runs", "3", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
        assert!(
            stderr.contains("too small for `baseline`'s results to mean anything"),
            "{stderr}"
        );
        assert!(stderr.contains("child_protection"), "{stderr}");
        assert!(
            stderr.contains("smallest sensible scale is 0.0031"),
            "{stderr}"
        );
        assert!(stderr.contains("--force"), "{stderr}");
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // The smallest sensible scale itself runs, and --force runs a smaller one with a warning.
    for (scale, force) in [("0.0031", false), ("0.001", true)] {
        let out = dir.path().join(scale);
        let mut c = carecast();
        c.args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "2",
            "--no-charts",
            "--scale",
            scale,
            "--out",
        ])
        .arg(&out);
        if force {
            c.arg("--force");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("baseline/summary.json")).unwrap())
                .unwrap();
        let warnings = &summary["warnings"];
        if force {
            assert!(
                warnings[0]
                    .as_str()
                    .unwrap()
                    .contains("--scale 0.001 is too small"),
                "{warnings}"
            );
            assert!(String::from_utf8_lossy(&o.stderr).contains("warning: --scale 0.001"));
        } else {
            assert!(warnings.is_null(), "{warnings}");
        }
    }
}

#[test]
fn validate_reports_ok_for_good_files() {
    carecast()
        .args(["validate", "scenarios/baseline.json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("baseline.json: ok"));
}

#[test]
fn the_guide_quotes_the_smallest_sensible_scales_that_the_check_computes() {
    use carecast::app::scale;
    let readme = fs::read_to_string("docs/guide.md")
        .unwrap()
        .replace("\n  ", " ");
    let baseline = carecast::scenario::load_model("scenarios/baseline.json".as_ref()).unwrap();
    let history = carecast::scenario::load_model("scenarios/history-2010.json".as_ref()).unwrap();
    let (b, h) = (scale::need(&baseline), scale::need(&history));
    assert!(b.reason.contains("32,947 families"), "{}", b.reason);
    assert!(readme.contains(&format!(
        "For the baseline the smallest sensible scale is {} (child protection's 32,947 families at the start); for `history-2010`, {}.",
        scale::round_up(b.smallest),
        scale::round_up(h.smallest)
    )));
}

#[test]
fn every_subcommand_help_names_its_arguments_and_ends_with_an_example() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "run",
            &[
                "<SCENARIO>...",
                "Shard:",
                "Cohort engine:",
                "Common random numbers:",
            ],
        ),
        ("validate", &["<SCENARIO>..."]),
        ("merge", &["<SHARD_DIR>...", "Shard:"]),
        ("chart", &["<DIR>...", "--width <W>", "comparison folder"]),
        (
            "compare",
            &[
                "<BASELINE> <ALTERNATIVE>...",
                "--width <W>",
                "--format <FORMATS>",
                "Common random numbers:",
            ],
        ),
        ("sensitivity", &["<SCENARIO> [BASELINE]", "Cohort engine:"]),
        (
            "calibrate",
            &["<SCENARIO>", "--targets <TARGETS>", "Cohort engine:"],
        ),
        ("report", &["<DIR>"]),
        (
            "backtest",
            &[
                "<SCENARIO>",
                "--targets <TARGETS>",
                "--until <YEAR>",
                "--particles <N>",
                "--runs <N>",
                "--format <FORMATS>",
                "Cohort engine:",
            ],
        ),
    ];
    for (command, wants) in cases {
        let out = carecast().args([command, "--help"]).output().unwrap();
        assert!(out.status.success(), "{command} --help");
        let help = String::from_utf8_lossy(&out.stdout);
        for want in wants {
            assert!(
                help.contains(want),
                "{command} --help lacks {want}:\n{help}"
            );
        }
        // The example comes last and runs this very subcommand.
        let tail = help.split("Example").nth(1).unwrap_or_default();
        assert!(
            tail.contains(&format!("  carecast {command} ")),
            "{command} --help ends without an example:\n{help}"
        );
        assert!(
            !help.contains("<FILES>") && !help.contains("<DIRS>"),
            "{help}"
        );
    }
}
