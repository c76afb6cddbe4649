//! `carecast report`: HTML, Markdown and Excel reports of run and comparison folders.

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    // The first scenario's table lists every parameter; an alternative's lists those that
    // differ from it and says so.
    let base = parameter_names(summaries[0]);
    assert!(!base.is_empty());
    for n in &base {
        assert!(
            html.contains(&format!("<td class=\"name\">{n}</td>")),
            "{n} in html"
        );
        assert!(md.contains(&n.replace('_', "\\_")), "{n} in md");
    }
    for s in &summaries[1..] {
        let new: Vec<String> = parameter_names(s)
            .into_iter()
            .filter(|n| !base.contains(n))
            .collect();
        for n in &new {
            assert!(
                html.contains(&format!("<td class=\"name\">{n}</td>")),
                "new parameter {n} in html"
            );
        }
        for text in [&html, &md] {
            assert!(text.contains("stated differently from baseline"));
            assert!(text.contains("lists every parameter of every scenario"));
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

/// Runs the baseline (3 small runs, with `extra` arguments) into `tmp` and returns its folder.
fn run_folder(tmp: &Path, extra: &[&str]) -> PathBuf {
    carecast()
        .args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
        ])
        .args(extra)
        .arg("--out")
        .arg(tmp)
        .assert()
        .success();
    tmp.join("baseline")
}

/// Compares family-help-investment with the baseline (3 small runs) into `tmp/cmp`.
fn comparison_folder(tmp: &Path) -> PathBuf {
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
        .arg(tmp)
        .assert()
        .success();
    tmp.join("cmp")
}

#[test]
fn run_folder_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), &[]);
    let (html, md) = check_report(&dir, &[&dir.join("summary.json")]);
    for text in [&html, &md] {
        assert!(text.contains("of late spend for every £1 of early spend"));
        assert!(text.contains("Children in care at the end of 2034-35"));
        assert!(text.contains("sha256:"));
        assert!(text.contains("20250401"));
        assert!(text.contains("carecast is a Monte Carlo model"));
        assert!(text.contains("mc (Monte Carlo"));
    }
}

#[test]
fn comparison_folder_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
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

#[test]
fn cohort_run_report_describes_the_cohort_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), &["--engine", "cohort", "--no-charts"]);
    carecast().arg("report").arg(&dir).assert().success();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for text in [&html, &md] {
        assert!(text.contains("cohort engine, which projects expected values"));
        assert!(text.contains("reflects parameter uncertainty only"));
        assert!(text.contains("cohort (expected values"));
        assert!(text.contains("recorded but not used"));
        assert!(!text.contains("carecast is a Monte Carlo model"));
        assert!(!text.contains("a sample of families"));
        assert!(!text.contains("both parameter uncertainty and simulation noise"));
    }
}

// ---- results.xlsx ----

fn workbook(dir: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(dir.join("results.xlsx")).expect("results.xlsx opens")
}

/// A sheet's rows below the header, with the header checked.
fn sheet_rows(dir: &Path, sheet: &str, header: &[&str]) -> Vec<Vec<Data>> {
    let range = workbook(dir)
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    let mut rows = range.rows();
    let got: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(got, header, "{sheet} header");
    rows.map(<[Data]>::to_vec).collect()
}

const RESULT_HEADER: [&str; 8] = [
    "scenario", "year", "metric", "unit", "mean", "p5", "p50", "p95",
];

/// Asserts that a sheet holds a tidy result CSV: same rows in order, text as text, every number
/// stored as a number equal to the CSV's value parsed with `str::parse::<f64>` (exactly: the
/// writer stores the shortest round-trip form of each f64).
fn assert_sheet_matches_csv(rows: &[Vec<Data>], csv: &[String]) {
    assert_eq!(rows.len(), csv.len(), "one sheet row per CSV row");
    for (i, (row, line)) in rows.iter().zip(csv).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 8);
        for c in 0..4 {
            assert_eq!(
                row[c],
                Data::String(fields[c].to_string()),
                "row {i} col {c}"
            );
        }
        for c in 4..8 {
            let want: f64 = fields[c].parse().unwrap();
            match &row[c] {
                Data::Float(got) => assert!(
                    got.to_bits() == want.to_bits(),
                    "row {i} col {c}: sheet {got} != csv {want} ({line})"
                ),
                other => panic!("row {i} col {c}: {other:?} is not a number ({line})"),
            }
        }
    }
}

fn csv_rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn workbook_yearly_and_differences_sheets_hold_the_csv_numbers_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let names = workbook(&dir).sheet_names();
    assert_eq!(
        names,
        [
            "Headline measures",
            "Yearly results",
            "Differences",
            "Policy",
            "Fit",
            "Parameters",
            "About"
        ]
    );
    let mut yearly = csv_rows(&dir.join("baseline/yearly.csv"));
    yearly.extend(csv_rows(&dir.join("family-help-investment/yearly.csv")));
    assert!(
        yearly.len() >= 2 * 10 * 20,
        "two scenarios, ten years, every metric"
    );
    assert_sheet_matches_csv(&sheet_rows(&dir, "Yearly results", &RESULT_HEADER), &yearly);
    let deltas = csv_rows(&dir.join("deltas.csv"));
    assert!(!deltas.is_empty());
    assert_sheet_matches_csv(&sheet_rows(&dir, "Differences", &RESULT_HEADER), &deltas);
}

#[test]
fn sheet_check_fails_on_a_changed_number() {
    let line = "b,2025-26,late_spend,gbp_m,10.5,8.25,9,12".to_string();
    let mut row: Vec<Data> = ["b", "2025-26", "late_spend", "gbp_m"]
        .map(|s| Data::String(s.into()))
        .to_vec();
    row.extend([10.5, 8.25, 9.0, 12.0].map(Data::Float));
    assert_sheet_matches_csv(std::slice::from_ref(&row), std::slice::from_ref(&line));
    row[5] = Data::Float(8.250000000000002);
    let changed = std::panic::catch_unwind(|| assert_sheet_matches_csv(&[row], &[line]));
    assert!(changed.is_err(), "a one-ulp difference is caught");
}

#[test]
fn workbook_parameters_sheet_has_one_row_per_parameter_with_its_basis() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let rows = sheet_rows(
        &dir,
        "Parameters",
        &[
            "Scenario",
            "Parameter",
            "Distribution",
            "Value or distribution (as in the report)",
            "Unit",
            "Drawn mean",
            "Drawn p5",
            "Drawn p50",
            "Drawn p95",
            "Basis",
            "Source or assumption",
        ],
    );
    let mut expected: Vec<(String, serde_json::Value)> = Vec::new();
    for scenario in ["baseline", "family-help-investment"] {
        let path = dir.join(scenario).join("summary.json");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for p in v["parameters"].as_array().unwrap() {
            expected.push((scenario.to_string(), p.clone()));
        }
    }
    assert_eq!(rows.len(), expected.len(), "one row per parameter");
    for (row, (scenario, p)) in rows.iter().zip(&expected) {
        let name = p["name"].as_str().unwrap();
        assert_eq!(row[0], Data::String(scenario.clone()));
        assert_eq!(row[1], Data::String(name.into()));
        let (kind, text) = match (p.get("source"), p.get("assumption")) {
            (Some(s), _) => ("Source", s.as_str().unwrap()),
            (None, Some(a)) => ("Assumption", a.as_str().unwrap()),
            (None, None) => panic!("{name} has neither source nor assumption"),
        };
        assert_eq!(row[9], Data::String(kind.into()), "{name}");
        assert_eq!(row[10], Data::String(text.into()), "{name}");
        let dist = p["distribution"]["dist"].as_str().unwrap_or("fixed");
        assert_eq!(row[2], Data::String(dist.into()), "{name}");
        match p["drawn"].get("value") {
            Some(d) => {
                for (c, k) in [(5, "mean"), (6, "p5"), (7, "p50"), (8, "p95")] {
                    assert_eq!(row[c], Data::Float(d[k].as_f64().unwrap()), "{name} {k}");
                }
            }
            None => assert_eq!(row[5], Data::Empty, "{name}: several values drawn"),
        }
    }
}

#[test]
fn workbook_headline_sheet_holds_the_comparison_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap())
            .unwrap();
    let alt = &c["alternatives"][0];
    let rows = sheet_rows(
        &dir,
        "Headline measures",
        &[
            "Scenario",
            "Measure",
            "Period",
            "Unit",
            "Mean or value",
            "p5",
            "p50 (median)",
            "p95",
        ],
    );
    let find = |measure: &str| {
        rows.iter()
            .find(|r| r[1] == Data::String(measure.into()))
            .unwrap_or_else(|| panic!("no row {measure}"))
            .clone()
    };
    for (measure, key) in [
        (
            "Late spend avoided per £1 of extra early spend",
            "late_avoided_per_extra_early_gbp",
        ),
        ("Net cost (negative = a net saving)", "net_cost_gbp_m"),
        (
            "Care entries avoided (children)",
            "children_kept_out_of_care",
        ),
    ] {
        let row = find(measure);
        assert_eq!(row[0], Data::String("family-help-investment".into()));
        assert_eq!(row[2], Data::String("2025-26 to 2034-35".into()));
        for (c, k) in [(4, "mean"), (5, "p5"), (6, "p50"), (7, "p95")] {
            assert_eq!(
                row[c],
                Data::Float(alt[key][k].as_f64().unwrap()),
                "{key} {k}"
            );
        }
    }
    let p = find("Share of runs with a net saving by 2034-35");
    assert_eq!(
        p[4],
        Data::Float(alt["probability_net_saving"].as_f64().unwrap())
    );
}

#[test]
fn run_folder_workbook_has_no_differences_sheet_and_quotes_the_first_and_last_year() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), &["--no-charts"]);
    carecast().arg("report").arg(&dir).assert().success();
    assert_eq!(
        workbook(&dir).sheet_names(),
        [
            "Headline measures",
            "Yearly results",
            "Policy",
            "Fit",
            "Parameters",
            "About"
        ]
    );
    assert_sheet_matches_csv(
        &sheet_rows(&dir, "Yearly results", &RESULT_HEADER),
        &csv_rows(&dir.join("yearly.csv")),
    );
    let rows = sheet_rows(
        &dir,
        "Headline measures",
        &[
            "Scenario",
            "Measure",
            "Period",
            "Unit",
            "Mean or value",
            "p5",
            "p50 (median)",
            "p95",
        ],
    );
    let periods: Vec<String> = rows.iter().map(|r| r[2].to_string()).collect();
    assert!(periods.contains(&"2025-26".to_string()) && periods.contains(&"2034-35".to_string()));
    assert_eq!(rows.len(), 10, "five metrics in two years");
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    z.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn workbook_has_number_formats_a_bold_frozen_header_and_is_byte_identical_when_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let path = dir.join("results.xlsx");
    let first = std::fs::read(&path).unwrap();
    carecast().arg("report").arg(&dir).assert().success();
    assert!(
        first == std::fs::read(&path).unwrap(),
        "same inputs, same bytes"
    );
    let styles = zip_entry(&path, "xl/styles.xml");
    for code in ["#,##0.0", "#,##0", "0.00", "0%"] {
        assert!(
            styles.contains(&format!("formatCode=\"{code}\"")),
            "number format {code} in styles.xml"
        );
    }
    assert!(styles.contains("<b/>"), "a bold font for the header");
    for sheet in 1..=5 {
        let xml = zip_entry(&path, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(
            xml.contains("state=\"frozen\""),
            "sheet {sheet} header frozen"
        );
        assert!(
            xml.contains("customWidth=\"1\""),
            "sheet {sheet} widths set"
        );
    }
    let core = zip_entry(&path, "docProps/core.xml");
    assert!(core.contains("1980-01-01T00:00:00Z"), "fixed creation date");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp-report"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
}

#[test]
fn malformed_yearly_csv_exits_2_naming_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), &["--no-charts"]);
    let path = dir.join("yearly.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen(",gbp_m,", ",gbp_m,abc", 1);
    std::fs::write(&path, broken).unwrap();
    carecast()
        .arg("report")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("yearly.csv"))
        .stderr(predicates::str::contains("line 2"))
        .stderr(predicates::str::contains("Fix: regenerate"));
    assert!(!dir.join("results.xlsx").exists());
}

// ---- headless browser ----

/// Chromium's path: /usr/bin/chromium, or `chromium` on PATH.
fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromium"))
            .find(|p| p.is_file())
    })
}

/// Runs `cmd`, killing it after `limit`; returns whether it exited successfully.
fn run_with_limit(cmd: &mut std::process::Command, limit: Duration) -> bool {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn report_html_renders_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium (/usr/bin/chromium or chromium on PATH); the screenshot test needs a browser");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let profile = tempfile::tempdir().unwrap();
    let png_path = tmp.path().join("report.png");
    let ok = run_with_limit(
        std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=1240,1754",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--screenshot={}", png_path.display()))
            .arg(format!("file://{}", dir.join("report.html").display())),
        Duration::from_secs(180),
    );
    assert!(ok, "chromium exited with an error");
    let file = std::fs::File::open(&png_path).expect("chromium wrote the screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1240, 1754));
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let dark = pixels
        .iter()
        .filter(|p| p[..3].iter().all(|&v| v < 100))
        .count();
    let distinct: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    assert!(
        distinct.len() > 16,
        "more than a blank page: {} colours",
        distinct.len()
    );
    assert!(
        dark > pixels.len() / 500,
        "text is drawn: {dark} dark pixels of {}",
        pixels.len()
    );
}

#[test]
fn a_comparison_report_names_the_money_and_its_years_and_quotes_medians() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for want in [
        "extra early investment of £390m in 2025-26, £650m in 2026-27, £780m in 2027-28 and £780m in 2028-29 (£2,600m in all)",
        "## Policy",
        "family-help-investment against baseline: extra early investment of £390m in 2025-26",
        "| 2027-28 | 2,836 | 780 |",
        // A fixed input (the money is set in the scenario) is a value, not an interval.
        "family-help-investment: extra early spend £2,600m over the horizon; change in late spend",
    ] {
        assert!(md.contains(want), "no `{want}` in the report:\n{md}");
    }
    // The headline's net cost is the median of comparison.json, not its mean.
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap())
            .unwrap();
    let net = &c["alternatives"][0]["net_cost_gbp_m"];
    let p50 = net["p50"].as_f64().unwrap();
    assert!(
        md.contains(&format!(
            "net cost over the horizon {} (90% interval {} to {})",
            money(p50),
            money(net["p5"].as_f64().unwrap()),
            money(net["p95"].as_f64().unwrap())
        )),
        "median {p50} not quoted:\n{md}"
    );
}

/// `x` to three significant figures with thousands separators and a true minus sign, written
/// independently of the report's own formatting (through scientific notation).
fn three_sf(x: f64) -> String {
    // Ties round away from zero (92,450 → 92,500), as the report rounds; `{:e}` alone would
    // round them to even.
    let r: f64 = format!("{:.2e}", x.abs() * (1.0 + 1e-12)).parse().unwrap();
    // Money is never finer than £0.1m.
    let s = if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    };
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut g = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(ch);
    }
    if !frac.is_empty() {
        g = format!("{g}.{frac}");
    }
    format!("{}{g}", if x < 0.0 && r != 0.0 { "\u{2212}" } else { "" })
}

/// An estimate in £m as a report's text quotes it.
fn money(x: f64) -> String {
    let t = three_sf(x);
    match t.strip_prefix('\u{2212}') {
        Some(rest) => format!("\u{2212}£{rest}m"),
        None => format!("£{t}m"),
    }
}

/// The lines of a Markdown section, from its `## heading` to the next.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    md.split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("no section {heading}"))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The numbers of a text that are neither years ("2025-26") nor pounds per £1 ("£0.81"), nor
/// percentages: each must have at most three significant figures.
fn too_precise(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.')
                    && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let before = start.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i).copied();
        let year = token.len() == 4 && after == Some('-');
        let year_end = before == Some('-') && token.len() == 2;
        let per_pound = before == Some('£') && token.contains('.') && after != Some('m');
        let percent = after == Some('%');
        if year || year_end || per_pound || percent {
            continue;
        }
        let digits: String = token.chars().filter(char::is_ascii_digit).collect();
        let significant = digits.trim_start_matches('0').trim_end_matches('0');
        if significant.len() > 3 {
            out.push(token);
        }
    }
    out
}

#[test]
fn precision_check_finds_four_significant_figures() {
    assert_eq!(
        too_precise("£1,591m in 2025-26, 89,600 children, £0.81 per £1, 66% of 2,836"),
        ["1,591", "2,836"]
    );
    assert_eq!(three_sf(-1591.0), "\u{2212}1,590");
    assert_eq!(money(29.84), "£29.8m");
}

#[test]
fn a_cut_reads_as_a_cut_and_every_figure_has_three_significant_figures() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/baseline.json",
            "scenarios/early-cuts.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
            "--name",
            "cut",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("cut");
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap())
            .unwrap();
    let alt = &c["alternatives"][0];
    let p = |k: &str, q: &str| alt[k][q].as_f64().unwrap();
    assert!(p("extra_early_spend_gbp_m", "p50") < 0.0, "early-cuts cuts");
    let findings = section(&md, "Headline findings").join("\n");
    // The cut early spend is fixed by the scenario: one value, quoted as the amount cut.
    let cut = money(-p("extra_early_spend_gbp_m", "p50"));
    let ratio = alt["late_avoided_per_extra_early_gbp"]["p50"]
        .as_f64()
        .unwrap();
    for want in [
        format!("early-cuts: £{ratio:.2} of extra late spend per £1 cut from early spend (90% interval"),
        format!("early-cuts: early spend cut by {cut} over the horizon; change in late spend {} (90% interval", money(p("late_spend_change_gbp_m", "p50"))),
        format!("early-cuts: net cost over the horizon {} (90% interval {} to {})", money(p("net_cost_gbp_m", "p50")), money(p("net_cost_gbp_m", "p5")), money(p("net_cost_gbp_m", "p95"))),
        format!("early-cuts: the cut saves money net in {:.0}% of runs", alt["probability_net_saving"].as_f64().unwrap() * 100.0),
    ] {
        assert!(findings.contains(&want), "no `{want}` in\n{findings}");
    }
    let kept = p("children_kept_out_of_care", "p50");
    let entries = if kept < 0.0 {
        format!("care entries added over the horizon {}", three_sf(-kept))
    } else {
        format!("care entries avoided over the horizon {}", three_sf(kept))
    };
    assert!(findings.contains(&entries), "no `{entries}` in\n{findings}");
    for wrong in [
        "late spend avoided per £1 of extra early spend",
        "extra early spend",
        "broken even",
        "break even",
        "care entries avoided over the horizon \u{2212}",
    ] {
        assert!(!findings.contains(wrong), "`{wrong}` in\n{findings}");
    }
    assert_eq!(too_precise(&findings), Vec::<String>::new(), "{findings}");
    // The workbook quotes the cut as the findings do.
    let rows = sheet_rows(
        &dir,
        "Headline measures",
        &[
            "Scenario",
            "Measure",
            "Period",
            "Unit",
            "Mean or value",
            "p5",
            "p50 (median)",
            "p95",
        ],
    );
    let measures: Vec<String> = rows.iter().map(|r| r[1].to_string()).collect();
    assert!(measures.contains(&"Extra late spend per £1 cut from early spend".to_string()));
    let early = rows
        .iter()
        .find(|r| r[1] == Data::String("Early spend cut".into()))
        .expect("an Early spend cut row");
    assert_eq!(early[6], Data::Float(-p("extra_early_spend_gbp_m", "p50")));
    assert_eq!(early[5], Data::Float(-p("extra_early_spend_gbp_m", "p95")));
    assert!(
        !measures.iter().any(|m| m.contains("broken even")),
        "{measures:?}"
    );
}

#[test]
fn a_run_report_quotes_three_significant_figures_its_every_year_and_its_policy_changes() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "run",
            "scenarios/early-cuts.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
        ])
        .args(["--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("early-cuts");
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let yearly = std::fs::read_to_string(dir.join("yearly.csv")).unwrap();
    let stat = |year: &str, metric: &str| -> Vec<f64> {
        let line = yearly
            .lines()
            .find(|l| l.contains(&format!(",{year},{metric},")))
            .unwrap_or_else(|| panic!("no {year} {metric}"));
        line.split(',')
            .skip(5)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let findings = section(&md, "Headline findings").join("\n");
    let cic = stat("2034-35", "children_in_care");
    let want = format!(
        "Children in care at the end of 2034-35: {} (90% interval {} to {}).",
        three_sf(cic[1]),
        three_sf(cic[0]),
        three_sf(cic[2])
    );
    assert!(findings.contains(&want), "no `{want}` in\n{findings}");
    // Early spend is the budget the scenario sets: a value, not a degenerate interval.
    let early = stat("2025-26", "early_spend");
    assert_eq!(early[0], early[2], "early spend is fixed");
    assert!(
        findings.contains(&format!(
            "Spend in 2025-26: early {}, late",
            money(early[1])
        )),
        "{findings}"
    );
    assert!(
        findings.contains("The policy changes in 2025-26 (early budget £2,600m, £236m less than in 2024-25), 2026-27 (early budget £2,360m"),
        "{findings}"
    );
    assert_eq!(too_precise(&findings), Vec::<String>::new(), "{findings}");
    // The yearly path: a row for every year, with the policy change named in its year.
    let path = section(&md, "Yearly path of early-cuts");
    let rows: Vec<&&str> = path.iter().filter(|l| l.starts_with("| 20")).collect();
    assert_eq!(rows.len(), 10, "{path:#?}");
    let ratio = stat("2030-31", "late_early_ratio");
    let row = rows.iter().find(|r| r.starts_with("| 2030-31 |")).unwrap();
    assert!(
        row.contains(&format!(
            "| {:.2} ({:.2} to {:.2}) |",
            ratio[1], ratio[0], ratio[2]
        )),
        "{row}"
    );
    assert!(
        rows[2].ends_with("early budget £2,130m, £236m less than in 2026-27 |"),
        "{}",
        rows[2]
    );
    assert!(
        rows[5].ends_with("|  |"),
        "no change in 2030-31: {}",
        rows[5]
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<h2>Yearly path of early-cuts</h2>"));
}

#[test]
fn the_limitations_list_says_each_thing_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = comparison_folder(tmp.path());
    carecast().arg("report").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let items = section(&md, "Assumptions and known limitations");
    let text = items.join("\n");
    assert_eq!(text.matches("fourfold range").count(), 1, "{text}");
    assert_eq!(text.matches("court practice").count(), 1, "{text}");
    assert_eq!(text.matches("causal effect").count(), 1, "{text}");
    let mut seen = std::collections::HashSet::new();
    for i in &items {
        assert!(seen.insert(*i), "`{i}` twice");
    }
}
