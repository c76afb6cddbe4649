//! Scale-out: shards merged with `carecast merge` give exactly what one unsharded run writes.

use assert_cmd::Command;
use std::fs;

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

const COMMON: [&str; 7] = [
    "--runs",
    "7",
    "--scale",
    "0.004",
    "--seed",
    "11",
    "--runs-csv",
];

#[test]
fn merged_shards_are_byte_identical_to_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    carecast()
        .args(["run", "scenarios/baseline.json", "--no-charts", "--out"])
        .arg(&whole)
        .args(COMMON)
        .assert()
        .success();
    let shards = dir.path().join("shards");
    for k in 1..=3 {
        carecast()
            .args([
                "run",
                "scenarios/baseline.json",
                "--shard",
                &format!("{k}/3"),
                "--threads",
                "1",
                "--out",
            ])
            .arg(&shards)
            .args(COMMON)
            .assert()
            .success();
    }
    // Nothing but the shard folders is written by a sharded run.
    let mut names: Vec<String> = fs::read_dir(&shards)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "baseline.shard-1-of-3",
            "baseline.shard-2-of-3",
            "baseline.shard-3-of-3"
        ]
    );
    let merged = dir.path().join("merged");
    carecast()
        .arg("merge")
        .arg(shards.join("baseline.shard-3-of-3"))
        .arg(shards.join("baseline.shard-1-of-3"))
        .arg(shards.join("baseline.shard-2-of-3"))
        .args(["--runs-csv", "--no-charts", "--out"])
        .arg(&merged)
        .assert()
        .success();
    for f in ["yearly.csv", "runs.csv"] {
        assert_eq!(
            fs::read(whole.join("baseline").join(f)).unwrap(),
            fs::read(merged.join("baseline").join(f)).unwrap(),
            "{f} differs"
        );
    }
    // summary.json differs only in the command line and the elapsed time.
    let strip = |p: std::path::PathBuf| {
        let mut v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap();
        let m = v.as_object_mut().unwrap();
        m.remove("command");
        m.remove("elapsed_seconds");
        v
    };
    assert_eq!(
        strip(whole.join("baseline/summary.json")),
        strip(merged.join("baseline/summary.json"))
    );
}

#[test]
fn merge_refuses_an_incomplete_set_of_shards() {
    let dir = tempfile::tempdir().unwrap();
    carecast()
        .args(["run", "scenarios/baseline.json", "--shard", "1/2", "--out"])
        .arg(dir.path())
        .args(COMMON)
        .assert()
        .success();
    carecast()
        .arg("merge")
        .arg(dir.path().join("baseline.shard-1-of-2"))
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("each of shards 1 to 2"));
    carecast()
        .args(["run", "scenarios/baseline.json", "--shard", "3/2"])
        .assert()
        .code(2);
}
