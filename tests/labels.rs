//! A scenario's `label` (summary.json, reports, chart legends; not inherited through `extends`)
//! and `carecast report --title`.

use assert_cmd::Command;
use std::io::Read;
use std::path::{Path, PathBuf};

fn carecast() -> Command {
    Command::cargo_bin("carecast").unwrap()
}

/// Writes a scenario extending `base` (a path) with `name` and an optional label; returns it.
fn scenario(dir: &Path, base: &Path, name: &str, label: Option<&str>) -> PathBuf {
    let mut doc = serde_json::json!({"extends": base, "name": name});
    if let Some(l) = label {
        doc["label"] = l.into();
    }
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn shipped(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file)
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// A labelled baseline, a labelled cut, and an unlabelled scenario extending the labelled
/// baseline, compared (3 small runs, SVG charts) into `tmp/out/lab`.
fn labelled_comparison(tmp: &Path) -> PathBuf {
    let base = scenario(
        tmp,
        &shipped("baseline.json"),
        "base",
        Some("Today's policy"),
    );
    let cut = scenario(
        tmp,
        &shipped("early-cuts.json"),
        "cut",
        Some("Early help cut by a quarter"),
    );
    let plain = scenario(tmp, &base, "unlabelled", None);
    carecast()
        .arg("compare")
        .args([&base, &cut, &plain])
        .args([
            "--runs", "3", "--scale", "0.004", "--name", "lab", "--format", "svg",
        ])
        .arg("--out")
        .arg(tmp.join("out"))
        .assert()
        .success();
    tmp.join("out/lab")
}

#[test]
fn a_label_is_recorded_and_named_in_reports_and_legends() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = labelled_comparison(tmp.path());
    assert_eq!(summary(&dir.join("base"))["label"], "Today's policy");
    assert_eq!(
        summary(&dir.join("cut"))["label"],
        "Early help cut by a quarter"
    );
    // Not inherited: an extending file without a label is known by its own name.
    assert_eq!(summary(&dir.join("unlabelled"))["label"], "unlabelled");
    let ratio = std::fs::read_to_string(dir.join("charts/ratio.svg")).unwrap();
    for legend in [
        "Today&apos;s policy",
        "Early help cut by a quarter",
        "unlabelled",
    ] {
        assert!(ratio.contains(legend), "no legend {legend} in ratio.svg");
    }
    let impact = std::fs::read_to_string(dir.join("charts/impact.svg")).unwrap();
    assert!(impact.contains("Early help cut by a quarter"));
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for want in [
        "Each alternative compared with Today's policy,",
        "Early help cut by a quarter (cut): Early intervention spend cut",
        "- Early help cut by a quarter: early spend cut by",
        "### Early help cut by a quarter",
        "Policy of Today's policy: an early budget",
    ] {
        assert!(md.contains(want), "no `{want}` in\n{md}");
    }
    // The workbook's rows and the reproducibility table keep the scenario names.
    assert!(md.contains("| Scenario cut |"), "{md}");
}

#[test]
fn a_run_report_is_titled_by_the_label() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(
        tmp.path(),
        &shipped("baseline.json"),
        "b",
        Some("Today's policy"),
    );
    carecast()
        .arg("run")
        .arg(&file)
        .args(["--runs", "2", "--scale", "0.004", "--no-charts", "--out"])
        .arg(tmp.path().join("out"))
        .assert()
        .success();
    let dir = tmp.path().join("out/b");
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.starts_with("# carecast results: Today's policy\n"),
        "{md}"
    );
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    z.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn report_title_sets_the_title_of_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "2",
            "--scale",
            "0.004",
        ])
        .args(["--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("baseline");
    carecast()
        .arg("report")
        .arg(&dir)
        .args(["--title", "Early help & late spend"])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.starts_with("# Early help & late spend\n"), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<title>Early help &amp; late spend</title>"));
    assert!(html.contains("<h1>Early help &amp; late spend</h1>"));
    let core = zip_entry(&dir.join("results.xlsx"), "docProps/core.xml");
    assert!(core.contains("Early help &amp; late spend"), "{core}");
    for bad in ["", "   ", &"x".repeat(201), "two\nlines"] {
        carecast()
            .arg("report")
            .arg(&dir)
            .args(["--title", bad])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--title takes"));
    }
    carecast()
        .args(["report", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--title <TEXT>"));
}
