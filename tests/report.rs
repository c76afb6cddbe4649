//! `carecast report`: HTML and Markdown reports of run and comparison folders.

use assert_cmd::Command;
use std::path::Path;

fn carecast() -> Command {
    Command::cargo_bin("carecast").unwrap()
}

const VOID: [&str; 4] = ["meta", "br", "hr", "img"];

/// Checks that every element is closed in order (void elements and `/>` excepted); returns the
/// first problem found.
fn check_balanced(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').ok_or("unterminated tag")?;
        let tag = &after[..end];
        rest = &after[end + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>"));
        }
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").ok_or("unclosed <style>")?;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

#[test]
fn checker_rejects_unbalanced_markup() {
    assert!(check_balanced("<p><b>x</p></b>").is_err());
    assert!(check_balanced("<p>x").is_err());
    assert!(check_balanced("<!DOCTYPE html><p><meta charset=\"a\"><br/>x</p>").is_ok());
}

fn assert_self_contained(html: &str) {
    for bad in ["http://", "https://", "src=\"", "href=\"", "url("] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
}

fn parameter_names(summary: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    v["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

fn check_report(dir: &Path, summaries: &[&Path]) -> (String, String) {
    carecast().arg("report").arg(dir).assert().success();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    check_balanced(&html).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("@page { size: A4; margin: 15mm }"));
    assert!(html.contains("<svg"), "charts are inlined");
    assert!(md.contains("](charts/") && md.contains(".png)"));
    for s in summaries {
        let names = parameter_names(s);
        assert!(!names.is_empty());
        for n in names {
            assert!(
                html.contains(&format!("<td class=\"name\">{n}</td>")),
                "{n} in html"
            );
            assert!(md.contains(&n.replace('_', "\\_")), "{n} in md");
        }
    }
    for section in [
        "Headline findings",
        "Parameters",
        "Method",
        "Reproducibility",
        "fourfold range",
    ] {
        assert!(html.contains(section) && md.contains(section), "{section}");
    }
    (html, md)
}

#[test]
fn run_folder_report() {
    let tmp = tempfile::tempdir().unwrap();
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
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("baseline");
    let (html, md) = check_report(&dir, &[&dir.join("summary.json")]);
    for text in [&html, &md] {
        assert!(text.contains("of late spend for every £1 of early spend"));
        assert!(text.contains("Children in care at the end of 2034-35"));
        assert!(text.contains("sha256:"));
        assert!(text.contains("20250401"));
    }
}

#[test]
fn comparison_folder_report() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/baseline.json",
            "scenarios/family-help-investment.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
            "--name",
            "cmp",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("cmp");
    let (html, md) = check_report(
        &dir,
        &[
            &dir.join("baseline/summary.json"),
            &dir.join("family-help-investment/summary.json"),
        ],
    );
    for text in [&html, &md] {
        assert!(text.contains("of late spend avoided per £1 of extra early spend (90% interval"));
        assert!(text.contains("net cost over the horizon"));
        assert!(text.contains("care entries avoided"));
        assert!(text.contains("break even"));
    }
}

#[test]
fn bad_folder_exits_2_naming_it_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(tmp.path().display().to_string()))
        .stderr(predicates::str::contains(
            "Fix: pass a folder written by `carecast run`",
        ));
    carecast()
        .arg("report")
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing"));
}
