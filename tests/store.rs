//! Bounded memory: a run with more runs than its results store holds in memory (about 1 MiB of
//! results, some 270 runs of the baseline) writes to a temporary file and reads back, and its
//! outputs are exactly those built from every run's results held in memory.

use assert_cmd::Command;
use carecast::engine::{run_batch, RunConfig};
use carecast::results::runs::write_runs_csv;
use carecast::results::store::{RunStore, BUDGET_BYTES};
use carecast::results::yearly::yearly_csv;
use std::fs;

#[test]
fn a_run_larger_than_memory_holds_writes_what_the_runs_in_memory_give() {
    let model = carecast::scenario::load_model("scenarios/baseline.json".as_ref()).unwrap();
    let (runs, scale, seed) = (600u64, 0.001, 3u64);
    let cfg = RunConfig {
        master_seed: seed,
        scale,
    };
    let results = run_batch(&model, 0..runs, &cfg, &|| {}).unwrap();
    // The store must have spilled: the runs are larger than its budget.
    let dir = tempfile::tempdir().unwrap();
    let mut store = RunStore::new(dir.path());
    for r in &results {
        store.push(r).unwrap();
    }
    assert!(
        store.chunk_runs() * 2 < runs as usize,
        "{} runs a chunk of {BUDGET_BYTES} bytes: the test needs several chunks",
        store.chunk_runs()
    );
    let out = dir.path().join("out");
    Command::cargo_bin("carecast")
        .unwrap()
        .env("CI", "1")
        .args([
            "run",
            "scenarios/baseline.json",
            "--no-charts",
            "--runs-csv",
            // 0.001 is below the smallest sensible scale (about 0.003): forced, for speed.
            "--force",
        ])
        .args(["--runs", &runs.to_string(), "--scale", &scale.to_string()])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(&out)
        .assert()
        .success();
    let written = |f: &str| fs::read_to_string(out.join("baseline").join(f)).unwrap();
    assert_eq!(
        written("yearly.csv"),
        yearly_csv(&model, &results[..]).unwrap()
    );
    let mut runs_csv = Vec::new();
    write_runs_csv(&model, &results[..], 0, &mut runs_csv, "runs.csv").unwrap();
    assert_eq!(written("runs.csv"), String::from_utf8(runs_csv).unwrap());
    // The temporary file is gone: only the results folder is left.
    let names: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["baseline"]);
}
