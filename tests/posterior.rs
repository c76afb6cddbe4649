//! `calibrate --posterior`: the sequential Monte Carlo sampler is deterministic for its seed
//! whatever the thread count, writes an equally weighted sample of full parameter vectors with its
//! effective sample size, and its fit moves towards the targets.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn calibrate(out: &Path, threads: &str) -> serde_json::Value {
    Command::cargo_bin("carecast")
        .unwrap()
        .env("CI", "1")
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "calibrate",
            "scenarios/baseline.json",
            "--targets",
            "calibration/targets-2024-25.json",
            "--posterior",
            "--particles",
            "120",
            "--moves",
            "1",
            "--seed",
            "7",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
    let text = fs::read_to_string(out.join("baseline-posterior/posterior.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let m = doc.as_object_mut().unwrap();
    m.remove("elapsed_seconds");
    m.remove("command");
    doc
}

#[test]
fn the_posterior_is_the_same_for_a_seed_on_one_or_two_threads_and_fits_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let one = calibrate(&dir.path().join("one"), "1");
    let two = calibrate(&dir.path().join("two"), "2");
    assert_eq!(one, two, "posterior.json depends on the thread count");
    let draws = one["draws"].as_array().unwrap();
    let slots = one["parameters"].as_array().unwrap().len();
    assert_eq!(draws.len(), 120);
    assert!(draws.iter().all(|d| d.as_array().unwrap().len() == slots));
    let ess = one["effective_sample_size"].as_f64().unwrap();
    assert!(ess > 30.0 && ess <= 120.0, "{ess}");
    assert_eq!(
        one["stages"].as_array().unwrap().last().unwrap()["beta"],
        1.0
    );
    // Every target's posterior median within 5% of the target (their errors are 5%).
    for t in one["targets"].as_array().unwrap() {
        let (obs, p50) = (t["observed"].as_f64().unwrap(), t["p50"].as_f64().unwrap());
        assert!((p50 / obs - 1.0).abs() < 0.05, "{t}");
    }
    let fit = fs::read_to_string(dir.path().join("one/baseline-posterior/fit.csv")).unwrap();
    assert_eq!(fit.lines().count(), 1 + 7);
    assert!(fit.starts_with("metric,year,observed,observation_sd,p5,p50,p95\n"));
}
