//! Interrupted runs lose nothing: Ctrl-C (SIGINT) stops a run, removes its temporary folder,
//! reports which scenarios were and were not written and exits with 130; SIGKILL can leave only a
//! hidden temporary folder, which the next run clears. Earlier results stay byte for byte.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("carecast")
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

fn run(scenarios: &[&Path], out: &Path, runs: &str, scale: &str) -> Command {
    let mut c = Command::new(bin());
    c.arg("run")
        .args(scenarios)
        .args([
            "--runs",
            runs,
            "--scale",
            scale,
            "--threads",
            "1",
            "--no-charts",
        ])
        .arg("--out")
        .arg(out)
        .env("CI", "1");
    c
}

/// Waits (polling, up to a minute) until a hidden temporary folder for `name` exists in `out`:
/// the run has staged that scenario and is simulating it.
fn wait_for_partial(child: &mut Child, out: &Path, name: &str) -> PathBuf {
    let prefix = format!(".{name}.partial-");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(entries) = fs::read_dir(out) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    return e.path();
                }
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before staging {name}");
        }
        assert!(Instant::now() < deadline, "{name} was never staged");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} failed");
}

/// A one-year scenario that runs in about a second, written beside the results.
fn tiny(dir: &Path) -> PathBuf {
    let base = fs::canonicalize("scenarios/baseline.json").unwrap();
    let path = dir.join("tiny.json");
    fs::write(
        &path,
        format!(
            r#"{{"extends": {:?}, "name": "tiny", "horizon_years": 1}}"#,
            base.display().to_string()
        ),
    )
    .unwrap();
    path
}

#[test]
fn ctrl_c_stops_the_run_keeps_earlier_results_and_says_what_was_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let tiny = tiny(dir.path());
    let baseline = Path::new("scenarios/baseline.json");
    let first = run(&[&tiny, baseline], &out, "3", "0.004")
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let before = snapshot(&out.join("baseline"));
    let tiny_before = snapshot(&out.join("tiny"));
    assert!(before.contains_key(Path::new("yearly.csv")));

    // Long enough that baseline is still simulating when the signal arrives (about 0.4 s a run).
    let mut child = run(&[&tiny, baseline], &out, "60", "0.02")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = wait_for_partial(&mut child, &out, "baseline");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("NOT written for baseline"), "{stderr}");
    assert!(
        stderr.contains("Written before the interrupt: tiny"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!partial.exists(), "temporary folder left behind");
    assert_eq!(names(&out), vec!["baseline", "tiny"]);
    assert_eq!(
        snapshot(&out.join("baseline")),
        before,
        "earlier results changed"
    );
    assert_ne!(
        snapshot(&out.join("tiny")),
        tiny_before,
        "tiny was rewritten"
    );
}

#[test]
fn sigkill_leaves_earlier_results_intact_and_the_next_run_clears_the_temporary_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let baseline = Path::new("scenarios/baseline.json");
    assert!(run(&[baseline], &out, "3", "0.004")
        .output()
        .unwrap()
        .status
        .success());
    let before = snapshot(&out.join("baseline"));

    let mut child = run(&[baseline], &out, "60", "0.02")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = wait_for_partial(&mut child, &out, "baseline");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "KILL");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    assert_eq!(
        snapshot(&out.join("baseline")),
        before,
        "earlier results changed"
    );
    // Only the hidden temporary folder may remain beside them.
    for n in names(&out) {
        assert!(
            n == "baseline" || n.starts_with(".baseline.partial-"),
            "{n}"
        );
    }

    let again = run(&[baseline], &out, "2", "0.004").output().unwrap();
    assert!(again.status.success(), "{again:?}");
    assert!(!partial.exists(), "stale temporary folder not cleared");
    assert_eq!(names(&out), vec!["baseline"]);
}
