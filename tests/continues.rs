//! `"continues"`: the baseline continues the runs of history-2010. Run *i* takes the history's
//! values for every parameter the two define alike, starts from the history's families at
//! 31 March 2025 in both engines, and carries on as the baseline; bad continuations are refused.

use assert_cmd::Command;
use carecast::engine::cohort;
use carecast::results::metrics::idx;
use carecast::scenario::{load_model, Model};
use std::path::Path;

fn baseline() -> Model {
    load_model(Path::new("scenarios/baseline.json")).unwrap()
}

#[test]
fn run_i_takes_history_run_i_values_for_the_shared_parameters_whatever_the_seed() {
    let model = baseline();
    let c = model
        .continues
        .as_ref()
        .expect("the baseline continues the history");
    assert_eq!(c.model.name, "history-2010");
    assert!(c.shared_names.iter().any(|n| n == "family_help_rr"));
    assert!(c.shared_names.iter().any(|n| n == "uasc_month"));
    // Defined differently in the history (children's-home prices over 2010-2025): its own.
    assert!(c.own_names.iter().any(|n| n == "resi_real_growth"));
    for seed in [model.defaults.seed, 99] {
        for r in [0, 1, 7, 2500] {
            let own = model.run_values(r, seed).unwrap();
            let start = c.start_values(r).unwrap();
            for &(mine, theirs) in &c.shared {
                assert_eq!(own[mine], start[theirs], "run {r} seed {seed}");
            }
        }
    }
    // Different runs take different draws.
    let (a, b) = (
        model.run_values(0, 1).unwrap(),
        model.run_values(1, 1).unwrap(),
    );
    let fhr = model
        .params
        .slot_names
        .iter()
        .position(|n| n == "family_help_rr");
    let fhr = fhr.unwrap();
    assert_ne!(a[fhr], b[fhr]);
}

#[test]
fn the_cohort_baseline_starts_where_the_history_ends_and_moves_within_recent_years() {
    let model = baseline();
    let c = model.continues.as_ref().unwrap();
    let h_seed = c.model.defaults.seed;
    let mut changes = Vec::new();
    for r in 0..20 {
        let hist = cohort::draw(&c.model, r, h_seed).unwrap();
        let base = cohort::draw(&model, r, model.defaults.seed).unwrap();
        let end = hist.years.last().unwrap()[idx::CIC];
        let first = base.years[0][idx::CIC];
        changes.push(first / end - 1.0);
        // The same start, whatever the continuing scenario's seed (which draws only the
        // baseline's own parameters: here the real growth of children's-home prices, so the
        // stocks are the same).
        let other = cohort::draw(&model, r, 12345).unwrap();
        assert_eq!(other.state_children[0], base.state_children[0], "run {r}");
    }
    changes.sort_by(f64::total_cmp);
    let median = changes[changes.len() / 2];
    // DfE: children in care changed by -2.1% to +2.0% a year over the four years to 2025.
    assert!(
        (-0.021..=0.020).contains(&median),
        "median first-year change {median:+.4}: {changes:?}"
    );
}

#[test]
fn starting_from_the_history_is_what_the_baseline_projects() {
    // The standalone baseline (its own 2025 stocks, its priors) projects differently.
    let model = baseline();
    let own = load_model(Path::new("scenarios/baseline-2025-stocks.json")).unwrap();
    assert!(own.continues.is_none());
    let a = cohort::draw(&model, 0, model.defaults.seed).unwrap();
    let b = cohort::draw(&own, 0, own.defaults.seed).unwrap();
    assert_ne!(a.years[0][idx::CP_PLANS], b.years[0][idx::CP_PLANS]);
    assert!(cohort::project(&model, &model.run_values(0, 1).unwrap()).is_err());
}

fn write(dir: &Path, name: &str, doc: serde_json::Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

fn refused(args: &[&str], file: &Path) -> String {
    let out = Command::cargo_bin("carecast")
        .unwrap()
        .env("CI", "1")
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_continuations_are_refused_with_the_path_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let scen = std::fs::canonicalize("scenarios").unwrap();
    let base = scen.join("baseline.json");
    let history = scen.join("history-2010.json");
    let missing = write(
        dir.path(),
        "missing.json",
        serde_json::json!({"extends": base, "name": "m", "continues": "nowhere.json"}),
    );
    let e = refused(&["validate"], &missing);
    assert!(
        e.contains("$.continues") && e.contains("cannot load the continued scenario"),
        "{e}"
    );
    // Continuing the baseline, which itself continues the history.
    let chain = write(
        dir.path(),
        "chain.json",
        serde_json::json!({"extends": base, "name": "c", "continues": base, "start_year": 2035}),
    );
    let e = refused(&["validate"], &chain);
    assert!(e.contains("itself continues"), "{e}");
    // The history ends with 2024-25, so its continuation starts in 2025.
    let late = write(
        dir.path(),
        "late.json",
        serde_json::json!({"extends": base, "name": "l", "start_year": 2026, "continues": history}),
    );
    let e = refused(&["validate"], &late);
    assert!(
        e.contains("$.start_year") && e.contains("set start_year to 2025"),
        "{e}"
    );
}

#[test]
fn calibrate_and_backtest_refuse_a_continuing_scenario() {
    let base = Path::new("scenarios/baseline.json");
    let t = ["--targets", "calibration/targets-2024-25.json"];
    let e = refused(&["calibrate", "--free", "cin_close", t[0], t[1]], base);
    assert!(
        e.contains("`calibrate` cannot run on baseline") && e.contains("history-2010"),
        "{e}"
    );
    let e = refused(&["calibrate", "--posterior", t[0], t[1]], base);
    assert!(e.contains("calibrate --posterior"), "{e}");
    let e = refused(&["backtest", "--until", "2025-26", t[0], t[1]], base);
    assert!(e.contains("`backtest` cannot run on baseline"), "{e}");
}

#[test]
fn summary_records_what_was_continued() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("carecast")
        .unwrap()
        .env("CI", "1")
        .args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "2",
            "--scale",
            "0.005",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("baseline/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(s["parameter_draws"]["from"], "continued scenario");
    let c = &s["continues"];
    assert_eq!(c["scenario"], "history-2010");
    assert_eq!(c["file"], "history-2010.json");
    assert_eq!(c["parameter_draws"]["from"], "posterior");
    assert!(c["parameters_shared"].as_array().unwrap().len() > 20);
    assert!(c["scenario_hash"].as_str().unwrap().starts_with("sha256:"));
}
