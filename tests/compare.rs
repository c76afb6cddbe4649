//! End-to-end tests of `carecast compare`: the files it writes, exact zeros when a scenario is
//! compared with a renamed copy of itself, common random numbers at work, and bad requests.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

fn baseline() -> PathBuf {
    fs::canonicalize("scenarios/baseline.json").unwrap()
}

/// Writes a scenario that extends the shipped baseline with `body` (JSON members).
fn extend_baseline(dir: &Path, file: &str, body: &str) -> PathBuf {
    let path = dir.join(file);
    let text = format!(
        "{{\"extends\": {:?}, {body}}}",
        baseline().to_str().unwrap()
    );
    fs::write(&path, text).unwrap();
    path
}

fn compare(out: &Path, files: &[&Path], extra: &[&str]) -> assert_cmd::assert::Assert {
    let runs = if extra.contains(&"--runs") {
        &[][..]
    } else {
        &["--runs", "6"][..]
    };
    carecast()
        .arg("compare")
        .args(files)
        .args(runs)
        .args(["--scale", "0.004", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

/// `(scenario, year, metric) -> [mean, p5, p50, p95]` of a tidy CSV.
fn rows(csv: &str) -> Vec<(String, String, String, [f64; 4])> {
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,year,metric,unit,mean,p5,p50,p95")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                [v(4), v(5), v(6), v(7)],
            )
        })
        .collect()
}

#[test]
fn compare_writes_each_scenario_the_deltas_the_headline_and_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/squeeze.json"),
        ],
        &[],
    )
    .success();
    let root = dir.path().join("baseline-vs-squeeze");
    for f in [
        "baseline/yearly.csv",
        "baseline/summary.json",
        "squeeze/yearly.csv",
        "squeeze/summary.json",
        "deltas.csv",
        "comparison.json",
    ] {
        assert!(root.join(f).is_file(), "missing {f}");
    }
    for stem in ["impact", "payback", "ratio", "children-in-care"] {
        for ext in ["svg", "png"] {
            assert!(
                root.join(format!("charts/{stem}.{ext}")).is_file(),
                "missing {stem}.{ext}"
            );
        }
    }
    let deltas = rows(&fs::read_to_string(root.join("deltas.csv")).unwrap());
    // 10 years x (28 contract metrics + 6 cumulative rows), all for the alternative.
    assert_eq!(deltas.len(), 10 * 34);
    assert!(deltas.iter().all(|r| r.0 == "squeeze"));
    assert!(deltas.iter().all(|r| r.3[1] <= r.3[2] && r.3[2] <= r.3[3]));
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(json["baseline"], "baseline");
    let alt = &json["alternatives"][0];
    assert_eq!(alt["scenario"], "squeeze");
    for key in [
        "extra_early_spend_gbp_m",
        "late_spend_change_gbp_m",
        "net_cost_gbp_m",
        "net_cost_pv_gbp_m",
        "care_entries_change",
        "cp_starts_change",
        "children_kept_out_of_care",
    ] {
        assert!(alt[key]["p50"].is_number(), "{key} lacks a median");
    }
    assert_eq!(alt["children_in_care_change"].as_array().unwrap().len(), 10);
    let shares = alt["break_even"]["share_by_year"].as_object().unwrap();
    assert_eq!(shares.len(), 10);
    let last = shares["2034-35"].as_f64().unwrap();
    let never = alt["break_even"]["share_never"].as_f64().unwrap();
    assert!((last + never - 1.0).abs() < 1e-9);
    // The cumulative net cost at the horizon is the headline net cost.
    let net = deltas
        .iter()
        .find(|r| r.1 == "2034-35" && r.2 == "cumulative_net_cost")
        .unwrap();
    assert!((net.3[2] - alt["net_cost_gbp_m"]["p50"].as_f64().unwrap()).abs() < 0.01);
}

#[test]
fn a_scenario_compared_with_a_renamed_copy_of_itself_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let copy = extend_baseline(dir.path(), "copy.json", "\"name\": \"baseline-copy\"");
    compare(
        dir.path(),
        &[Path::new("scenarios/baseline.json"), &copy],
        &["--no-charts", "--name", "self"],
    )
    .success();
    let root = dir.path().join("self");
    let deltas = rows(&fs::read_to_string(root.join("deltas.csv")).unwrap());
    assert_eq!(deltas.len(), 10 * 34);
    for (s, y, m, v) in &deltas {
        assert_eq!(v, &[0.0; 4], "{s} {y} {m} is not zero");
    }
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("comparison.json")).unwrap()).unwrap();
    let alt = &json["alternatives"][0];
    assert_eq!(alt["net_cost_gbp_m"]["p95"], 0.0);
    assert_eq!(alt["runs_with_zero_extra_early"], 6);
    assert!(alt["late_avoided_per_extra_early_gbp"]["p50"].is_null());
    assert_eq!(alt["probability_net_saving"], 0.0);
}

#[test]
fn common_random_numbers_make_the_difference_narrower_than_the_scenario_itself() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/family-help-investment.json"),
        ],
        &["--no-charts", "--name", "crn", "--runs", "20"],
    )
    .success();
    let root = dir.path().join("crn");
    let deltas = rows(&fs::read_to_string(root.join("deltas.csv")).unwrap());
    let base = rows(&fs::read_to_string(root.join("baseline/yearly.csv")).unwrap());
    for year in ["2027-28", "2030-31", "2034-35"] {
        let pick = |rs: &[(String, String, String, [f64; 4])]| {
            let r = rs
                .iter()
                .find(|r| r.1 == year && r.2 == "care_entries")
                .unwrap();
            r.3[3] - r.3[1]
        };
        let (d, b) = (pick(&deltas), pick(&base));
        assert!(
            d < b,
            "{year}: the 90% width of the difference in care entries ({d}) should be below the baseline's own ({b})"
        );
    }
}

#[test]
fn compare_refuses_scenarios_with_different_horizons() {
    let dir = tempfile::tempdir().unwrap();
    let short = extend_baseline(
        dir.path(),
        "short.json",
        "\"name\": \"short\", \"horizon_years\": 5",
    );
    compare(
        dir.path(),
        &[Path::new("scenarios/baseline.json"), &short],
        &["--no-charts"],
    )
    .code(2)
    .stderr(predicates::str::contains("horizon_years"));
    assert!(fs::read_dir(dir.path())
        .unwrap()
        .all(|e| e.unwrap().path().extension().is_some()));
}

#[test]
fn compare_refuses_an_unsafe_name_and_a_lone_scenario() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/squeeze.json"),
        ],
        &["--no-charts", "--name", "../escape"],
    )
    .code(2)
    .stderr(predicates::str::contains("folder name"));
    compare(dir.path(), &[Path::new("scenarios/baseline.json")], &[])
        .code(2)
        .stderr(predicates::str::contains("<ALTERNATIVE>"));
    // Options that change what a run is are not offered (clap refuses them), not silently ignored.
    for flag in [
        &["--engine", "cohort"][..],
        &["--shard", "1/2"],
        &["--until-stable", "0.01"],
    ] {
        compare(
            dir.path(),
            &[
                Path::new("scenarios/baseline.json"),
                Path::new("scenarios/squeeze.json"),
            ],
            flag,
        )
        .code(2)
        .stderr(predicates::str::contains(flag[0]));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn early_share_of_total_is_refused_outside_total_set() {
    let dir = tempfile::tempdir().unwrap();
    let bad = extend_baseline(
        dir.path(),
        "bad.json",
        "\"name\": \"bad\", \"policy\": {\"early_share_of_total\": 0.19}",
    );
    carecast()
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("$.policy.early_share_of_total"));
}

/// Width and height of a PNG, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{}",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

const COMPARISON_CHARTS: [&str; 10] = [
    "spend",
    "ratio",
    "children-in-care",
    "child-protection",
    "children-in-need",
    "flows",
    "placements",
    "impact",
    "payback",
    "difference",
];

#[test]
fn chart_of_a_comparison_folder_re_renders_every_chart_compare_wrote() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/squeeze.json"),
        ],
        &[],
    )
    .success();
    let root = dir.path().join("baseline-vs-squeeze");
    // At the default size, the same bytes as compare's own charts.
    let again = dir.path().join("again");
    carecast()
        .arg("chart")
        .arg(&root)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    for stem in COMPARISON_CHARTS {
        for ext in ["svg", "png"] {
            let f = format!("{stem}.{ext}");
            assert_eq!(
                fs::read(root.join("charts").join(&f)).ok(),
                fs::read(again.join(&f)).ok(),
                "{f} differs from compare's"
            );
        }
    }
    // Size and format are honoured; the default --out is the folder's own charts/.
    carecast()
        .arg("chart")
        .arg(&root)
        .args(["--format", "png", "--width", "800", "--height", "500"])
        .assert()
        .success();
    for stem in COMPARISON_CHARTS {
        let png = root.join("charts").join(format!("{stem}.png"));
        assert_eq!(png_size(&png), (800, 500), "{stem}.png");
    }
    assert_eq!(
        fs::read(root.join("charts/impact.svg")).ok(),
        fs::read(again.join("impact.svg")).ok(),
        "--format png must leave the SVGs alone"
    );
    // A comparison folder is re-rendered on its own, not overlaid with another folder.
    let out = carecast()
        .arg("chart")
        .arg(&root)
        .arg(root.join("baseline"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a comparison folder"), "{stderr}");
    // A damaged comparison.json names the file, what is wrong and the fix.
    fs::write(root.join("comparison.json"), "{\"baseline\": \"baseline\"}").unwrap();
    let out = carecast().arg("chart").arg(&root).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("comparison.json")
            && stderr.contains("alternatives")
            && stderr.contains("carecast compare"),
        "{stderr}"
    );
}

#[test]
fn compare_writes_charts_at_the_requested_size_and_format() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/squeeze.json"),
        ],
        &["--format", "png", "--width", "800", "--height", "500"],
    )
    .success();
    let charts = dir.path().join("baseline-vs-squeeze/charts");
    for stem in COMPARISON_CHARTS {
        assert_eq!(png_size(&charts.join(format!("{stem}.png"))), (800, 500));
        assert!(!charts.join(format!("{stem}.svg")).exists(), "{stem}.svg");
    }
}

#[test]
fn chart_sizes_and_formats_out_of_range_are_refused_with_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--width", "0"],
            "--width takes a whole number from 640 to 4000, e.g. --width 1600",
        ),
        (
            &["--width", "100000"],
            "--width takes a whole number from 640 to 4000",
        ),
        (
            &["--height", "-5"],
            "--height takes a whole number from 400 to 4000, e.g. --height 1000",
        ),
        (&["--height", "tall"], "--height takes a whole number"),
        (
            &["--format", "jpg"],
            "--format takes svg, png or both, comma separated",
        ),
    ];
    for (args, want) in cases {
        for command in [
            vec![
                "compare",
                "scenarios/baseline.json",
                "scenarios/squeeze.json",
            ],
            vec!["chart", "output/none"],
        ] {
            let out = carecast()
                .args(&command)
                .arg("--out")
                .arg(dir.path())
                .args(args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command:?} {args:?}: {stderr}");
            assert!(stderr.contains(want), "{command:?} {args:?}: {stderr}");
        }
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn chart_of_a_folder_that_holds_no_results_says_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = carecast().arg("chart").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is not a carecast result folder")
            && stderr.contains("summary.json and yearly.csv")
            && stderr.contains("comparison.json"),
        "{stderr}"
    );
}

/// The text of every `<text>` element of an SVG, entities decoded.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            let text = body.split_once("</text>")?.0;
            Some(
                text.replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&apos;", "'")
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// A comparison of the baseline with the early-spend cut, at a small scale.
fn cut_comparison(out: &Path) -> PathBuf {
    compare(
        out,
        &[
            Path::new("scenarios/baseline.json"),
            Path::new("scenarios/early-cuts.json"),
        ],
        &["--runs", "12"],
    )
    .success();
    out.join("baseline-vs-early-cuts")
}

#[test]
fn the_difference_chart_draws_the_paired_runs_from_deltas_csv() {
    let dir = tempfile::tempdir().unwrap();
    let root = cut_comparison(dir.path());
    let svg = fs::read_to_string(root.join("charts/difference.svg")).unwrap();
    let texts = svg_texts(&svg);
    for panel in [
        "Children in care at 31 March",
        "Late spend per year",
        "Late spend per £1 of early",
    ] {
        assert!(texts.iter().any(|t| t == panel), "{panel}: {texts:?}");
    }
    // The figures are the medians of deltas.csv's run-by-run differences.
    let cmp = carecast::charts::Comparison::load(&root).unwrap();
    let deltas = rows(&fs::read_to_string(root.join("deltas.csv")).unwrap());
    let median = |metric: &str| {
        deltas
            .iter()
            .find(|r| r.1 == "2034-35" && r.2 == metric)
            .map(|r| r.3[2])
            .unwrap()
    };
    let cic = &cmp.alternatives[0].differences[0];
    assert_eq!(cic.0, carecast::charts::Metric::ChildrenInCare);
    assert_eq!(
        cic.1.last().map(|s| s.p50),
        Some(median("children_in_care"))
    );
    let late = &cmp.alternatives[0].differences[1];
    assert_eq!(late.1.last().map(|s| s.p50), Some(median("late_spend")));
    let title = texts.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    assert!(
        title.starts_with("By 2034-35, early-cuts has ") && title.contains("than baseline"),
        "{title}"
    );
    // Without its rows in deltas.csv the chart cannot be drawn, and the message says which.
    let csv = fs::read_to_string(root.join("deltas.csv")).unwrap();
    let kept: String = csv
        .lines()
        .filter(|l| !l.contains(",late_early_ratio,"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(root.join("deltas.csv"), kept).unwrap();
    let out = carecast().arg("chart").arg(&root).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deltas.csv") && stderr.contains("late_early_ratio"),
        "{stderr}"
    );
}

#[test]
fn impact_bars_are_labelled_with_their_alternative_and_titles_state_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = cut_comparison(dir.path());
    let cmp = carecast::charts::Comparison::load(&root).unwrap();
    let figures = carecast::charts::comparison_figures(&cmp).unwrap();
    let impact = &figures.iter().find(|(s, _)| *s == "impact").unwrap().1;
    assert!(impact.categorical);
    let labels: Vec<&str> = impact.years.iter().map(|y| y.label.as_str()).collect();
    assert_eq!(labels, ["early-cuts"]);
    let texts = svg_texts(&fs::read_to_string(root.join("charts/impact.svg")).unwrap());
    // One category label under the bar of each of the four panels; no colour key needed.
    assert_eq!(texts.iter().filter(|t| *t == "early-cuts").count(), 4);
    assert!(!texts.iter().any(|t| t.contains("colours in the legend")));
    // The title is the median net cost from comparison.json, to three significant figures.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("comparison.json")).unwrap()).unwrap();
    let net = json["alternatives"][0]["net_cost_gbp_m"]["p50"]
        .as_f64()
        .unwrap();
    let verb = if net < 0.0 { "saves" } else { "costs" };
    assert!(
        impact
            .title
            .starts_with(&format!("early-cuts {verb} a net £")),
        "{}",
        impact.title
    );
    assert!(impact
        .subtitle
        .starts_with("Change against baseline over 2025-26 to 2034-35"));
}

#[test]
fn payback_of_a_cut_marks_no_break_even_and_says_how_many_runs_save() {
    let dir = tempfile::tempdir().unwrap();
    let root = cut_comparison(dir.path());
    let cmp = carecast::charts::Comparison::load(&root).unwrap();
    let alt = &cmp.alternatives[0];
    assert!(alt.extra_early.p50 < 0.0, "early-cuts cuts early spend");
    // Every run of a cut has "broken even" in its first year: that says nothing, so no line.
    assert_eq!(alt.median_break_even, Some(0));
    let figures = carecast::charts::comparison_figures(&cmp).unwrap();
    let payback = &figures.iter().find(|(s, _)| *s == "payback").unwrap().1;
    let rules: Vec<f64> = payback.panels[0]
        .marks
        .iter()
        .filter_map(|m| match m {
            carecast::charts::Mark::Rule { x, .. } => Some(*x),
            _ => None,
        })
        .collect();
    let below = alt.cumulative_net_saving.iter().position(|s| s.p50 < 0.0);
    assert_eq!(
        rules,
        below.map(|y| y as f64).into_iter().collect::<Vec<_>>()
    );
    let notes = payback.notes.join(" ");
    assert!(!notes.contains("break-even"), "{notes}");
    assert!(
        notes.contains("A cut in early spend saves from its first year"),
        "{notes}"
    );
    let share = format!("{:.0}% of runs save", 100.0 * alt.probability_net_saving);
    assert!(payback.title.contains(&share), "{}", payback.title);
    assert!(notes.contains(&share), "{notes}");
}

#[test]
fn chart_only_writes_one_chart_with_the_title_and_subtitle_given() {
    let dir = tempfile::tempdir().unwrap();
    let root = cut_comparison(dir.path());
    let out = dir.path().join("one");
    carecast()
        .arg("chart")
        .arg(&root)
        .args([
            "--only",
            "difference",
            "--title",
            "Cutting early help puts more children in care",
            "--subtitle",
            "Early-cuts minus baseline, 12 paired runs",
            "--format",
            "svg",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["difference.svg"]);
    let texts = svg_texts(&fs::read_to_string(out.join("difference.svg")).unwrap());
    assert_eq!(texts[0], "Cutting early help puts more children in care");
    assert_eq!(texts[1], "Early-cuts minus baseline, 12 paired runs");
    // Bad requests are refused with what to do instead.
    let cases: [(Vec<std::ffi::OsString>, &str); 5] = [
        (
            vec![
                root.join("baseline").into(),
                "--only".into(),
                "impact".into(),
            ],
            "drawn only from a comparison folder",
        ),
        (
            vec![root.clone().into(), "--only".into(), "tornado".into()],
            "--only takes a chart's file name without extension: one of spend, ratio",
        ),
        (
            vec![root.clone().into(), "--title".into(), "A title".into()],
            "--only",
        ),
        (
            vec![
                root.clone().into(),
                "--only".into(),
                "ratio".into(),
                "--title".into(),
                "  ".into(),
            ],
            "--title takes a non-empty line of text",
        ),
        (
            vec![
                root.clone().into(),
                "--only".into(),
                "ratio".into(),
                "--subtitle".into(),
                "x".repeat(201).into(),
            ],
            "--subtitle takes at most 200 characters (this one has 201)",
        ),
    ];
    for (args, want) in cases {
        let o = carecast()
            .arg("chart")
            .args(&args)
            .arg("--out")
            .arg(dir.path().join("refused"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    assert!(!dir.path().join("refused").exists());
}
