//! The policy in force since 2025: the evidence file projects as the baseline, the programme's
//! money reaches summary.json year by year, and the comparison's report names the money, its
//! years and every lever pulled.

use assert_cmd::Command;
use carecast::engine::cohort;
use std::fs;

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

fn central_projection(file: &str) -> Vec<[f64; carecast::results::metrics::N_METRICS]> {
    // Both continue the history: from its run 0.
    let m = carecast::scenario::load_model(file.as_ref()).unwrap();
    let start = cohort::start(&m, 0).unwrap();
    cohort::project_from(&m, &m.params.central().unwrap(), start.as_ref())
        .unwrap()
        .years
}

#[test]
fn the_evidence_file_adds_parameters_only_and_projects_as_the_baseline() {
    assert_eq!(
        central_projection("scenarios/policy-2025-evidence.json"),
        central_projection("scenarios/baseline.json")
    );
}

#[test]
fn the_comparison_report_names_the_money_its_years_and_every_lever() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/no-families-first.json",
            "scenarios/current-policy.json",
            "scenarios/families-first-stops.json",
            "--runs",
            "3",
            "--scale",
            "0.004",
            "--no-charts",
            "--name",
            "ff",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let dir = tmp.path().join("ff");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("current-policy/summary.json")).unwrap())
            .unwrap();
    let years = summary["policy"]["by_year_at_central_values"]
        .as_array()
        .unwrap();
    let extra = |i: usize| years[i]["extra_investment_gbp_m"].as_f64().unwrap();
    // 0.8 x (270 + 18) / 1.025 in 2025-26; 0.8 x (270 + 547 / 3) / 1.025^4 from 2028-29 on.
    assert!(
        (extra(0) - 0.8 * 288.0 / 1.025).abs() < 0.01,
        "{}",
        extra(0)
    );
    assert!((extra(9) - 0.8 * (270.0 + 547.0 / 3.0) / 1.025f64.powi(4)).abs() < 0.01);
    let stops: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.join("families-first-stops/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        stops["policy"]["by_year_at_central_values"][4]["extra_investment_gbp_m"],
        0.0
    );
    carecast().arg("report").arg(&dir).assert().success();
    let md = fs::read_to_string(dir.join("report.md")).unwrap();
    for want in [
        "extra early investment of £225m in 2025-26, £459m in 2026-27, £447m in 2027-28, £328m in 2028-29",
        "current-policy against no-families-first: extra early investment of £225m in 2025-26",
        "family\\_group\\_conferences (from 2025-26)",
        "family\\_group\\_conferences (from 2027-28)",
        "kinship\\_support (from 2026-27)",
        "family\\_safeguarding (from 2027-28)",
        "residential\\_market (from 2028-29)",
    ] {
        assert!(md.contains(want), "no `{want}` in the report:\n{md}");
    }
}
