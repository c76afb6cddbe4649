//! Chart module tests: loading, every chart in SVG and PNG, extremes, layout, snapshots.
use std::path::{Path, PathBuf};

use carecast::charts::{
    chart_layout, render_all, render_rgb, render_svg, write_png, ChartError, ChartKind,
    ChartOptions, Format, Mark, Metric, ScenarioResults,
};

const W: u32 = 1600;
const H: u32 = 1000;

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/charts")
        .join(name)
}

fn fixture(name: &str) -> ScenarioResults {
    match ScenarioResults::load(&fixture_dir(name)) {
        Ok(r) => r,
        Err(e) => panic!("fixture {name} should load: {e}"),
    }
}

const SCENARIOS: [&str; 7] = [
    "baseline",
    "family-help-boost",
    "kinship-first",
    "residential-cap",
    "early-help-cut",
    "edge-of-care-teams",
    "combined-reform",
];

/// A synthetic 10-year result for scenario `i`, built as file text so it goes through
/// the same parser as real output.
fn synthetic(i: usize) -> ScenarioResults {
    synthetic_from(i, "mc")
}

/// `synthetic(i)` as written by engine `engine` (`mc` or `cohort`).
fn synthetic_from(i: usize, engine: &str) -> ScenarioResults {
    let name = SCENARIOS[i];
    let mut csv = String::from("scenario,year,metric,unit,mean,p5,p50,p95\n");
    let k = i as f64;
    for y in 0..10 {
        let t = y as f64;
        let year = format!("{}-{:02}", 2025 + y, (2026 + y) % 100);
        let early = 2800.0 * (1.0 + 0.02 * k * t / 10.0) + 40.0 * t;
        let late = 9500.0 * (1.0 - 0.01 * k * t / 10.0) + 120.0 * t;
        let cic = 83_000.0 * (1.0 - 0.008 * k * t / 10.0) + 600.0 * t;
        let mut metrics: Vec<(&str, &str, f64)> = vec![
            ("early_spend", "gbp_m", early),
            ("late_spend", "gbp_m", late),
            ("total_spend", "gbp_m", early + late),
            ("late_early_ratio", "ratio", late / early),
            ("children_in_care", "children", cic),
            (
                "children_in_care_kinship",
                "children",
                cic * (0.13 + 0.005 * k),
            ),
            ("children_in_care_foster", "children", cic * 0.54),
            (
                "children_in_care_residential",
                "children",
                cic * (0.18 - 0.005 * k),
            ),
            ("children_in_care_other", "children", cic * 0.15),
            ("cp_plans", "children", 50_000.0 - 300.0 * k * t / 3.0),
            (
                "children_in_need",
                "children",
                400_000.0 - 1_000.0 * k * t / 3.0,
            ),
            (
                "family_help_caseload",
                "families",
                150_000.0 + 2_000.0 * k * t / 3.0,
            ),
            ("families_waiting", "families", 12_000.0),
            ("referrals", "children", 620_000.0),
            (
                "family_help_starts",
                "families",
                180_000.0 + 3_000.0 * k * t / 3.0,
            ),
            ("cp_starts", "children", 65_000.0 - 500.0 * k * t / 3.0),
            ("care_entries", "children", 31_000.0 - 200.0 * k * t / 3.0),
        ];
        metrics.extend([
            ("care_exits_home", "children", 9_000.0),
            ("care_exits_permanence", "children", 12_000.0),
            ("care_leavers", "children", 12_500.0),
        ]);
        for (m, unit, v) in metrics {
            let spread = 0.02 + 0.008 * t;
            csv.push_str(&format!(
                "{name},{year},{m},{unit},{v},{},{v},{}\n",
                v * (1.0 - spread),
                v * (1.0 + spread)
            ));
        }
    }
    let summary = format!(
        r#"{{"carecast_version":"0.1.0","scenario":"{name}","description":"synthetic","seed":{},"runs":200,"scale":0.02,"price_base":"2024-25","start_year":"2025-26","end_year":"2034-35","engine":"{engine}"}}"#,
        42 + i
    );
    match ScenarioResults::from_strs(Path::new(name), &csv, &summary) {
        Ok(r) => r,
        Err(e) => panic!("synthetic scenario {name} should parse: {e}"),
    }
}

fn seven() -> Vec<ScenarioResults> {
    (0..7).map(synthetic).collect()
}

fn svg(kind: ChartKind, results: &[ScenarioResults]) -> String {
    match render_svg(kind, results, W, H) {
        Ok(s) => s,
        Err(e) => panic!("{} should render: {e}", kind.stem()),
    }
}

fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_string())
        })
        .collect()
}

// ---------------------------------------------------------------- loading

#[test]
fn charts_of_the_cohort_engine_say_draws_not_runs() {
    let footer = |texts: &[String]| {
        texts
            .iter()
            .find(|t| t.starts_with("Source: carecast "))
            .cloned()
            .unwrap_or_default()
    };
    let mc = texts(&svg(ChartKind::ChildrenInCare, &[synthetic(0)]));
    assert!(
        footer(&mc).contains(", 200 runs, seed 42, scale 0.02, "),
        "{}",
        footer(&mc)
    );
    let cohort = texts(&svg(
        ChartKind::ChildrenInCare,
        &[synthetic_from(0, "cohort")],
    ));
    assert!(
        // The cohort engine samples no families, so no scale is quoted.
        footer(&cohort).contains(", 200 cohort-engine draws, seed 42, 2024-25 prices"),
        "{}",
        footer(&cohort)
    );
    // The note says so too, and nothing calls them runs.
    let all = cohort.join(" ");
    assert!(all.matches("cohort-engine").count() >= 2, "{all}");
    assert!(!all.contains(" runs"), "{all}");
    // A chart mixing the engines says both.
    let mixed = texts(&svg(
        ChartKind::ChildrenInCare,
        &[synthetic(0), synthetic_from(1, "cohort")],
    ));
    assert!(footer(&mixed).contains("200 runs or cohort-engine draws"));
}

#[test]
fn loads_fixture_and_ignores_unknown_metrics_and_fields() {
    let r = fixture("baseline");
    assert_eq!(r.scenario(), "baseline");
    assert_eq!(r.summary().seed, 42);
    assert_eq!(r.summary().runs, 200);
    assert_eq!(r.summary().price_base, "2024-25");
    let labels: Vec<&str> = r.years().iter().map(|y| y.label.as_str()).collect();
    assert_eq!(
        labels,
        ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30"]
    );
    let early = r.series(Metric::EarlySpend);
    assert_eq!(early.len(), 5);
    assert!((early[0].p50 - 2790.0).abs() < 1e-9);
    assert!(early[0].p25.is_none());
    let q = fixture("quartiles");
    assert!(q
        .series(Metric::LateEarlyRatio)
        .iter()
        .all(|s| s.p25.is_some() && s.p75.is_some()));
}

#[test]
fn missing_metric_is_a_clear_error() {
    let err = ScenarioResults::load(&fixture_dir("missing-metric")).err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("cp_starts"), "{msg}");
    assert!(msg.contains("yearly.csv"), "{msg}");
    assert!(msg.contains("missing"), "{msg}");
}

#[test]
fn missing_folder_names_the_file() {
    let err = ScenarioResults::load(Path::new("/nonexistent/carecast-out")).err();
    assert!(
        matches!(err, Some(ChartError::Read { ref path, .. }) if path.ends_with("summary.json"))
    );
}

fn parse_err(csv: &str, summary: &str) -> String {
    match ScenarioResults::from_strs(Path::new("out"), csv, summary) {
        Ok(_) => panic!("expected an error for:\n{csv}\n{summary}"),
        Err(e) => e.to_string(),
    }
}

const GOOD_SUMMARY: &str = r#"{"carecast_version":"0.1.0","scenario":"b","description":"d","seed":1,"runs":2,"scale":0.02,"price_base":"2024-25","start_year":"2025-26","end_year":"2025-26"}"#;

#[test]
fn bad_data_gives_errors_not_panics() {
    let hdr = "scenario,year,metric,unit,mean,p5,p50,p95\n";
    let cases = [
        (
            format!("{hdr}b,2025-26,early_spend,gbp_m,1,1,x,1\n"),
            "not a finite number",
        ),
        (
            format!("{hdr}b,2025-26,early_spend,gbp_m,1,1,NaN,1\n"),
            "not a finite number",
        ),
        (
            format!("{hdr}b,2025-26,early_spend,gbp_m,1,1,-4,1\n"),
            "negative",
        ),
        (
            format!("{hdr}b,2025-26,early_spend,gbp_m,1,3,2,4\n"),
            "percentiles must not decrease",
        ),
        (
            format!("{hdr}b,2025,early_spend,gbp_m,1,1,1,1\n"),
            "financial-year label",
        ),
        (
            format!("{hdr}b,2025-27,early_spend,gbp_m,1,1,1,1\n"),
            "financial-year label",
        ),
        (
            format!("{hdr}b,2025-26,early_spend,children,1,1,1,1\n"),
            "unit",
        ),
        (
            format!("{hdr}c,2025-26,early_spend,gbp_m,1,1,1,1\n"),
            "summary.json says `b`",
        ),
        (
            format!("{hdr}b,2025-26,early_spend,gbp_m,1,1,1\n"),
            "has 7 fields",
        ),
        (
            format!(
                "{hdr}b,2025-26,early_spend,gbp_m,1,1,1,1\nb,2025-26,early_spend,gbp_m,1,1,1,1\n"
            ),
            "second row",
        ),
        (
            "scenario,year,metric,unit,mean,p5,p50\n".to_string(),
            "lacks column `p95`",
        ),
        (String::new(), "no rows"),
        (format!("{hdr}b,2025-26,other_thing,x,1,1,1,1\n"), "no rows"),
        (
            format!("{hdr}b,\"2025-26,early_spend,gbp_m,1,1,1,1\n"),
            "never closed",
        ),
    ];
    for (csv, expect) in cases {
        let msg = parse_err(&csv, GOOD_SUMMARY);
        assert!(msg.contains(expect), "expected `{expect}` in `{msg}`");
        assert!(
            msg.contains("yearly.csv"),
            "message should name the file: {msg}"
        );
    }
    let csv = fixture_csv("baseline");
    for (summary, expect) in [
        ("{", "EOF"),
        (r#"{"scenario":"baseline"}"#, "missing field"),
        (
            &GOOD_SUMMARY.replace("\"seed\":1", "\"seed\":-1"),
            "field `seed`",
        ),
        (&GOOD_SUMMARY.replace("2024-25", "2024"), "price_base"),
    ] {
        let msg = parse_err(&csv, summary);
        assert!(msg.contains(expect), "expected `{expect}` in `{msg}`");
        assert!(
            msg.contains("summary.json"),
            "message should name the file: {msg}"
        );
    }
}

fn fixture_csv(name: &str) -> String {
    std::fs::read_to_string(fixture_dir(name).join("yearly.csv")).unwrap_or_default()
}

#[test]
fn a_year_missing_for_one_metric_is_reported() {
    let csv: String = fixture_csv("baseline")
        .lines()
        .filter(|l| !l.starts_with("baseline,2027-28,care_entries,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let summary = GOOD_SUMMARY.replace("\"b\"", "\"baseline\"");
    let msg = parse_err(&csv, &summary);
    assert!(
        msg.contains("care_entries") && msg.contains("2027-28"),
        "{msg}"
    );
}

#[test]
fn scenario_sets_are_checked() {
    let b = fixture("baseline");
    let two = [b.clone(), b.clone()];
    assert!(matches!(
        render_svg(ChartKind::Spend, &two, W, H),
        Err(ChartError::DuplicateScenario { .. })
    ));
    assert!(matches!(
        render_svg(ChartKind::Spend, &[], W, H),
        Err(ChartError::NoResults)
    ));
    let nine: Vec<ScenarioResults> = (0..9)
        .map(|i| {
            let csv = fixture_csv("baseline").replace("baseline,", &format!("s{i},"));
            let summary = GOOD_SUMMARY.replace("\"b\"", &format!("\"s{i}\""));
            ScenarioResults::from_strs(Path::new("x"), &csv, &summary)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    assert!(matches!(
        render_svg(ChartKind::Ratio, &nine, W, H),
        Err(ChartError::TooManyScenarios { count: 9, max: 8 })
    ));
    let other_prices = {
        let csv = fixture_csv("baseline").replace("baseline,", "later,");
        let summary = GOOD_SUMMARY
            .replace("\"b\"", "\"later\"")
            .replace("2024-25", "2025-26");
        ScenarioResults::from_strs(Path::new("x"), &csv, &summary).unwrap_or_else(|e| panic!("{e}"))
    };
    let err = render_svg(ChartKind::Spend, &[b, other_prices], W, H).err();
    assert!(
        matches!(err, Some(ChartError::MixedPriceBase { .. })),
        "{err:?}"
    );
    for (w, h) in [
        (100, 100),
        (639, 1000),
        (1600, 399),
        (4001, 1000),
        (1600, 100_000),
    ] {
        let err = render_svg(ChartKind::Spend, &[fixture("baseline")], w, h).err();
        assert!(
            matches!(err, Some(ChartError::Size { .. })),
            "{w}x{h}: {err:?}"
        );
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("from 640 to 4000") && msg.contains("from 400 to 4000"),
            "{msg}"
        );
    }
}

// ---------------------------------------------------------------- rendering

fn assert_png(path: &Path, w: u32, h: u32) {
    let bytes = std::fs::read(path).unwrap_or_default();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    assert_eq!(
        (be(16), be(20)),
        (w, h),
        "{} has the wrong size",
        path.display()
    );
}

fn render_set(results: &[ScenarioResults]) -> Vec<PathBuf> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let paths = render_all(results, dir.path(), &ChartOptions::default())
        .unwrap_or_else(|e| panic!("render_all: {e}"));
    let names: Vec<String> = paths
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut expected = Vec::new();
    for stem in [
        "spend",
        "ratio",
        "children-in-care",
        "child-protection",
        "children-in-need",
        "flows",
        "placements",
    ] {
        expected.push(format!("{stem}.svg"));
        expected.push(format!("{stem}.png"));
    }
    assert_eq!(names, expected);
    for p in &paths {
        if p.extension().is_some_and(|e| e == "png") {
            assert_png(p, 1600, 1000);
        } else {
            let s = std::fs::read_to_string(p).unwrap_or_default();
            assert!(
                s.starts_with("<svg") && s.trim_end().ends_with("</svg>"),
                "{}",
                p.display()
            );
        }
    }
    // Only the final files remain: temporaries were renamed into place.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    left.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(left, want);
    paths
}

#[test]
fn every_chart_renders_svg_and_png_for_one_scenario() {
    render_set(&[fixture("baseline")]);
}

#[test]
fn every_chart_renders_svg_and_png_for_seven_scenarios() {
    render_set(&seven());
}

#[test]
fn every_chart_renders_for_extreme_fixtures() {
    for name in ["single-year", "zeros", "huge", "quartiles"] {
        let r = [fixture(name)];
        for kind in ChartKind::ALL {
            let s = svg(kind, &r);
            assert!(s.contains("</svg>"));
            let px = render_rgb(kind, &r, W, H)
                .unwrap_or_else(|e| panic!("{name}/{}: {e}", kind.stem()));
            assert_eq!(px.len(), (W * H * 3) as usize);
        }
    }
}

#[test]
fn pngs_and_svgs_have_exactly_the_requested_size() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (w, h) in [(800, 500), (640, 400), (2400, 1500)] {
        let opts = ChartOptions {
            formats: vec![Format::Png, Format::Svg],
            width: w,
            height: h,
            ..ChartOptions::default()
        };
        let paths = render_all(&[fixture("baseline")], dir.path(), &opts)
            .unwrap_or_else(|e| panic!("{w}x{h}: {e}"));
        assert_eq!(paths.len(), 14);
        for p in paths
            .iter()
            .filter(|p| p.extension() == Some("png".as_ref()))
        {
            assert_png(p, w, h);
        }
        let svg = std::fs::read_to_string(dir.path().join("ratio.svg")).unwrap_or_default();
        assert!(
            svg.contains(&format!("width=\"{w}\" height=\"{h}\"")),
            "{w}x{h}: {}",
            &svg[..svg.len().min(200)]
        );
    }
    // Pixels come at the requested size too.
    let small = render_rgb(ChartKind::Ratio, &[fixture("baseline")], 800, 500);
    assert_eq!(small.map(|p| p.len()).ok(), Some(800 * 500 * 3));
    let none = ChartOptions {
        formats: vec![],
        ..ChartOptions::default()
    };
    assert!(matches!(
        render_all(&[fixture("baseline")], dir.path(), &none),
        Err(ChartError::NoFormats)
    ));
}

#[test]
fn output_is_deterministic() {
    let r = seven();
    for kind in ChartKind::ALL {
        assert_eq!(
            svg(kind, &r),
            svg(kind, &r),
            "{} SVG differs between runs",
            kind.stem()
        );
    }
    let a = render_all(
        &r[..1],
        tempfile::tempdir()
            .map(|d| d.keep())
            .unwrap_or_default()
            .as_path(),
        &ChartOptions::default(),
    );
    let b = render_all(
        &r[..1],
        tempfile::tempdir()
            .map(|d| d.keep())
            .unwrap_or_default()
            .as_path(),
        &ChartOptions::default(),
    );
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    assert_eq!(a.len(), 14);
    for (pa, pb) in a.iter().zip(&b) {
        assert_eq!(
            std::fs::read(pa).ok(),
            std::fs::read(pb).ok(),
            "{} differs",
            pa.display()
        );
    }
    for p in a.iter().chain(&b) {
        let _ = std::fs::remove_file(p);
    }
}

// ---------------------------------------------------------------- theme and text

#[test]
fn footer_titles_and_labels_follow_the_theme() {
    let one = [fixture("baseline")];
    let s = svg(ChartKind::Spend, &one);
    let t = texts(&s);
    assert!(
        t.iter()
            .any(|x| x == "Source: carecast 0.1.0, scenario baseline, 200 runs, seed 42, scale 0.02, 2024-25 prices"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x.contains("£ at 2024-25 prices")), "{t:?}");
    assert!(
        t.iter().any(|x| x == "£12.3bn"),
        "median total label missing: {t:?}"
    );
    for y in ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30"] {
        assert!(t.iter().any(|x| x == y), "year label {y} missing");
    }
    assert!(
        t.iter().any(|x| x == "£0"),
        "y axis must start at £0: {t:?}"
    );
    // Only the bundled font family is named, and nothing time- or id-dependent is written.
    let families: std::collections::BTreeSet<&str> = s
        .split("font-family=\"")
        .skip(1)
        .filter_map(|x| x.split('"').next())
        .collect();
    assert_eq!(
        families.into_iter().collect::<Vec<_>>(),
        ["DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif"]
    );
    assert!(!s.contains(" id="));

    let cic = texts(&svg(ChartKind::ChildrenInCare, &one));
    assert!(
        cic.iter().any(|x| x == "0"),
        "count axis must start at 0: {cic:?}"
    );
    assert!(
        cic.iter()
            .any(|x| x.contains(',') && x.chars().all(|c| c.is_ascii_digit() || c == ',')),
        "thousands separators: {cic:?}"
    );

    let many = seven();
    let foot = texts(&svg(ChartKind::Flows, &many));
    let names = SCENARIOS.join(" vs ");
    // Too long for one line: the source line wraps onto two, the last texts drawn.
    let at = foot
        .iter()
        .position(|x| x.starts_with("Source: "))
        .unwrap_or(foot.len());
    assert_eq!(foot.len() - at, 2, "{foot:?}");
    assert_eq!(
        foot[at..].join(" "),
        format!(
            "Source: carecast 0.1.0, scenarios {names}, 200 runs, seed 42/43/44/45/46/47/48, scale 0.02, 2024-25 prices"
        ),
        "{foot:?}"
    );
    let (_, lay) = chart_layout(ChartKind::Flows, &many, W, H).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lay.footer_lines.len(), 2);
    assert_eq!(
        lay.footer_size, lay.sizes.footer,
        "two lines need no shrinking"
    );
}

#[test]
fn overlaid_scenarios_get_one_okabe_ito_colour_each() {
    let s = svg(ChartKind::ChildrenInCare, &seven());
    for hex in [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
    ] {
        assert!(
            s.contains(&format!("stroke=\"{hex}\"")),
            "scenario line in {hex} missing"
        );
    }
    assert!(
        !s.contains("stroke=\"#F0E442\""),
        "yellow is only for an eighth scenario"
    );
}

#[test]
fn ratio_shows_the_50_percent_band_only_when_quartiles_exist() {
    let plain = texts(&svg(ChartKind::Ratio, &[fixture("baseline")]));
    assert!(plain.iter().any(|x| x == "90% interval"));
    assert!(!plain.iter().any(|x| x.contains("50%")), "{plain:?}");
    let q = texts(&svg(ChartKind::Ratio, &[fixture("quartiles")]));
    assert!(q.iter().any(|x| x == "50% interval"), "{q:?}");
    let count_bands = |r: &ScenarioResults| {
        chart_layout(ChartKind::Ratio, std::slice::from_ref(r), W, H)
            .map(|(f, _)| {
                f.panels[0]
                    .marks
                    .iter()
                    .filter(|m| matches!(m, Mark::Band { .. }))
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(count_bands(&fixture("baseline")), 1);
    assert_eq!(count_bands(&fixture("quartiles")), 2);
}

// ---------------------------------------------------------------- layout

fn assert_layout_sound(kind: ChartKind, results: &[ScenarioResults], w: u32, h: u32, what: &str) {
    let (fig, lay) = chart_layout(kind, results, w, h).unwrap_or_else(|e| panic!("{what}: {e}"));
    let ctx = format!("{what} {} {w}x{h}", kind.stem());
    assert!(lay.canvas.contains(&lay.legend), "{ctx}: legend off canvas");
    assert!(lay.canvas.contains(&lay.footer), "{ctx}: footer off canvas");
    assert!(
        (1..=2).contains(&lay.footer_lines.len()),
        "{ctx}: footer on {} lines",
        lay.footer_lines.len()
    );
    assert!(
        lay.footer_lines.concat().starts_with("Source: carecast "),
        "{ctx}: {:?}",
        lay.footer_lines
    );
    assert!(lay.legend.width() > 0 && lay.legend.height() > 0, "{ctx}");
    assert_eq!(fig.panels.len(), lay.panels.len(), "{ctx}");
    for (i, p) in lay.panels.iter().enumerate() {
        assert!(
            p.plot.width() > 50 && p.plot.height() > 50,
            "{ctx}: panel {i} too small: {:?}",
            p.plot
        );
        assert!(lay.canvas.contains(&p.outer), "{ctx}: panel {i} off canvas");
        assert!(p.outer.contains(&p.plot), "{ctx}: plot outside its panel");
        assert!(
            !p.outer.intersects(&lay.legend),
            "{ctx}: legend overlaps panel {i}"
        );
        assert!(
            !p.outer.intersects(&lay.footer) && !p.outer.intersects(&lay.title),
            "{ctx}"
        );
        for (j, q) in lay.panels.iter().enumerate().skip(i + 1) {
            assert!(
                !p.outer.intersects(&q.outer),
                "{ctx}: panels {i} and {j} overlap"
            );
        }
        // Every data point maps inside its plot area, so nothing is clipped or under the legend.
        for mark in &fig.panels[i].marks {
            for (x, y) in mark.points() {
                let px = (p.x_px(x), p.y_px(y));
                assert!(
                    p.plot.contains_point(px),
                    "{ctx}: point {x},{y} -> {px:?} outside {:?}",
                    p.plot
                );
                assert!(
                    y <= p.ticks.top,
                    "{ctx}: value {y} above the axis top {}",
                    p.ticks.top
                );
            }
        }
        assert_eq!(
            p.ticks.values.first().copied(),
            Some(0.0),
            "{ctx}: y axis must start at zero"
        );
    }
    // Direct labels at line ends never overlap one another and stay beside the plot.
    for (i, p) in lay.panels.iter().enumerate() {
        let mut ys: Vec<i32> = p.end_labels.iter().map(|(_, y)| *y).collect();
        ys.sort_unstable();
        let gap = (lay.sizes.data_label * 1.1).floor() as i32 - 1;
        assert!(
            ys.windows(2).all(|w| w[1] - w[0] >= gap),
            "{ctx}: panel {i} end labels overlap: {ys:?}"
        );
        assert!(
            ys.iter().all(|y| (p.plot.y0..=p.plot.y1).contains(y)),
            "{ctx}: panel {i} end label outside the plot: {ys:?}"
        );
    }
    // The legend's rows and notes fit inside the legend strip.
    let rows = lay.legend_row_height * fig.legend.len() as f64;
    let notes = lay.note_lines.len() as f64 * lay.sizes.footer * 1.2 + 20.0;
    assert!(
        rows + notes <= f64::from(lay.legend.height()),
        "{ctx}: legend content overflows"
    );
}

#[test]
fn legend_never_overlaps_plots_and_data_stays_inside() {
    let sets: Vec<(&str, Vec<ScenarioResults>)> = vec![
        ("baseline", vec![fixture("baseline")]),
        ("single-year", vec![fixture("single-year")]),
        ("zeros", vec![fixture("zeros")]),
        ("huge", vec![fixture("huge")]),
        ("quartiles", vec![fixture("quartiles")]),
        ("seven", seven()),
        ("two", seven().into_iter().take(2).collect()),
    ];
    for (what, results) in &sets {
        for kind in ChartKind::ALL {
            for (w, h) in [(1600, 1000), (640, 400), (2400, 1000), (1000, 1400)] {
                assert_layout_sound(kind, results, w, h, what);
            }
        }
    }
}

#[test]
fn legend_pixels_hold_no_data_marks() {
    // Paint the chart and check the strip between the panels and the legend is blank:
    // data never spills towards the legend.
    let r = seven();
    for kind in ChartKind::ALL {
        let (_, lay) = chart_layout(kind, &r, W, H).unwrap_or_else(|e| panic!("{e}"));
        let px = render_rgb(kind, &r, W, H).unwrap_or_else(|e| panic!("{e}"));
        let right = lay
            .panels
            .iter()
            .map(|p| p.outer.x1)
            .max()
            .unwrap_or(i32::MAX);
        assert!(
            lay.legend.x0 - right >= 12,
            "{}: no clear gap before the legend",
            kind.stem()
        );
        for x in (right + 2)..(lay.legend.x0 - 1) {
            for y in lay.legend.y0..lay.legend.y1 {
                let i = ((y as u32 * W + x as u32) * 3) as usize;
                assert_eq!(
                    &px[i..i + 3],
                    &[255, 255, 255],
                    "{}: non-white pixel at {x},{y}",
                    kind.stem()
                );
            }
        }
    }
}

// ---------------------------------------------------------------- snapshots

/// The SVG reduced to its structure: element counts and every text in order.
fn structure(svg: &str) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for tag in svg.split('<').skip(1) {
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() {
            *counts.entry(name).or_insert(0usize) += 1;
        }
    }
    let mut out = String::new();
    for (k, v) in counts {
        out.push_str(&format!("<{k}> x{v}\n"));
    }
    for t in texts(svg) {
        out.push_str(&format!("text: {t}\n"));
    }
    out
}

#[test]
fn svg_structure_snapshots_one_scenario() {
    let r = [fixture("baseline")];
    for kind in ChartKind::ALL {
        insta::assert_snapshot!(format!("one_{}", kind.stem()), structure(&svg(kind, &r)));
    }
}

#[test]
fn svg_structure_snapshots_seven_scenarios() {
    let r = seven();
    for kind in ChartKind::ALL {
        insta::assert_snapshot!(format!("seven_{}", kind.stem()), structure(&svg(kind, &r)));
    }
}

#[test]
fn svg_snapshot_full_document() {
    // One complete SVG pinned byte for byte.
    insta::assert_snapshot!(
        "full_children-in-need",
        svg(ChartKind::ChildrenInNeed, &[fixture("single-year")])
    );
}

/// Writes every chart for the fixtures as PNG into $CARECAST_CHART_PREVIEW (for looking at).
#[test]
#[ignore = "writes preview PNGs; run with CARECAST_CHART_PREVIEW=dir"]
fn preview() {
    let Some(dir) = std::env::var_os("CARECAST_CHART_PREVIEW") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let sets: Vec<(&str, Vec<ScenarioResults>)> = vec![
        ("one", vec![fixture("baseline")]),
        ("ten", vec![synthetic(0)]),
        ("seven", seven()),
        ("quartiles", vec![fixture("quartiles")]),
        ("single-year", vec![fixture("single-year")]),
        ("zeros", vec![fixture("zeros")]),
        ("huge", vec![fixture("huge")]),
    ];
    for (name, r) in sets {
        let d = dir.join(name);
        let _ = std::fs::create_dir_all(&d);
        render_all(&r, &d, &ChartOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    }
    // Odd sizes, written directly so they are not scaled up to 1600 px.
    for (w, h) in [(640, 400), (1000, 1400)] {
        for kind in [ChartKind::Flows, ChartKind::Spend] {
            let path = dir.join(format!("seven-{}-{w}x{h}.png", kind.stem()));
            write_png(kind, &seven(), &path, w, h).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn titles_state_the_finding_from_the_medians_shown() {
    let one = [fixture("baseline")];
    let title = |kind: ChartKind, r: &[ScenarioResults]| {
        chart_layout(kind, r, W, H)
            .map(|(f, _)| (f.title, f.subtitle))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // The fixture's late:early ratio medians: 3.3978 in 2025-26, 3.4643 in 2029-30.
    let (t, sub) = title(ChartKind::Ratio, &one);
    assert_eq!(
        t,
        "Late spend per £1 of early spend rises from £3.40 to £3.46 by 2029-30"
    );
    assert_eq!(
        sub,
        "Late spend per £1 of early spend · Scenario: baseline · £ at 2024-25 prices"
    );
    let (t, _) = title(ChartKind::ChildrenInCare, &one);
    assert!(
        t.starts_with("Children in care rise from ") && t.ends_with(" by 2029-30"),
        "{t}"
    );
    let two: Vec<ScenarioResults> = seven().into_iter().take(2).collect();
    let (t, _) = title(ChartKind::ChildrenInCare, &two);
    assert!(
        t.starts_with("By 2034-35, children in care are ") && t.contains(" under baseline and "),
        "{t}"
    );
    let (t, _) = title(ChartKind::Spend, &seven());
    assert!(
        t.starts_with("By 2034-35, total spend ranges from £"),
        "{t}"
    );
}

#[test]
fn bar_charts_label_every_year_and_line_charts_label_line_ends() {
    // One scenario: every year on one row.
    let (_, lay) = chart_layout(ChartKind::Spend, &[fixture("baseline")], W, H)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (lay.panels[0].label_every, lay.panels[0].label_rows),
        (1, 1)
    );
    // Two panels of ten years: every year, on alternate rows.
    let two: Vec<ScenarioResults> = seven().into_iter().take(2).collect();
    for kind in [ChartKind::Spend, ChartKind::Placements] {
        let (_, lay) = chart_layout(kind, &two, W, H).unwrap_or_else(|e| panic!("{e}"));
        for p in &lay.panels {
            assert_eq!((p.label_every, p.label_rows), (1, 2), "{}", kind.stem());
        }
    }
    // Overlaid lines end in their scenario's name; a single line in its last median.
    let (fig, lay) = chart_layout(ChartKind::Ratio, &two, W, H).unwrap_or_else(|e| panic!("{e}"));
    let ends: Vec<&str> = lay.panels[0]
        .end_labels
        .iter()
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(ends, ["baseline", "family-help-boost"]);
    assert!(fig.panels[0]
        .marks
        .iter()
        .any(|m| matches!(m, Mark::EndLabel { text, .. } if text == "baseline")));
    let (_, lay) = chart_layout(ChartKind::Ratio, &[fixture("baseline")], W, H)
        .unwrap_or_else(|e| panic!("{e}"));
    let ends: Vec<&str> = lay.panels[0]
        .end_labels
        .iter()
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(ends, ["£3.46"]);
}
