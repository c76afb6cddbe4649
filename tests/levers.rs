//! Reform levers do what their documentation says: nothing before their first year, the stated
//! multipliers on the stated moves, their costs on the right side of the ratio, and the same
//! results in both engines.

use carecast::engine::cohort;
use carecast::engine::tables::Tables;
use carecast::engine::{run_batch, RunConfig, RunResult};
use carecast::results::metrics::idx;
use carecast::scenario::model::{Dest, Model, Role};
use carecast::scenario::{load, load_model, validate};
use std::path::Path;

fn model(file: &str) -> Model {
    load_model(Path::new(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn runs(m: &Model, n: u64, horizon: Option<usize>) -> Vec<RunResult> {
    let mut m = m.clone();
    if let Some(h) = horizon {
        m.years = h;
    }
    run_batch(
        &m,
        0..n,
        &RunConfig {
            master_seed: 11,
            scale: 0.01,
        },
        &|| {},
    )
    .unwrap()
}

const LEVER_FILES: [(&str, &str); 8] = [
    (
        "scenarios/family-help-coverage.json",
        "family_help_coverage",
    ),
    (
        "scenarios/family-group-conferences.json",
        "family_group_conferences",
    ),
    ("scenarios/kinship-support.json", "kinship_support"),
    ("scenarios/residential-market.json", "residential_market"),
    ("scenarios/reunification.json", "reunification"),
    ("scenarios/care-cliff.json", "care_cliff"),
    ("scenarios/workforce.json", "workforce"),
    ("scenarios/family-safeguarding.json", "family_safeguarding"),
];

#[test]
fn every_shipped_lever_scenario_pulls_its_lever_and_the_package_pulls_all() {
    for (file, lever) in LEVER_FILES {
        let m = model(file);
        assert_eq!(m.effects.levers, vec![lever], "{file}");
    }
    let package = model("scenarios/care-review-package.json");
    let mut all: Vec<&str> = LEVER_FILES.iter().map(|(_, l)| *l).collect();
    all.sort_unstable();
    let mut got = package.effects.levers.clone();
    got.sort_unstable();
    assert_eq!(got, all);
    assert!(model("scenarios/reform-evidence.json")
        .effects
        .levers
        .is_empty());
}

/// Each lever starts in 2026-27: the first year is identical to the baseline's, run by run, and
/// later years differ in what the lever acts on.
#[test]
fn levers_change_nothing_before_their_first_year_and_something_after() {
    let base = runs(&model("scenarios/baseline.json"), 4, Some(3));
    for (file, _) in LEVER_FILES {
        let alt = runs(&model(file), 4, Some(3));
        for (b, a) in base.iter().zip(&alt) {
            assert_eq!(b.years[0], a.years[0], "{file}: 2025-26 differs");
        }
        let changed = base.iter().zip(&alt).any(|(b, a)| b.years[2] != a.years[2]);
        assert!(changed, "{file}: 2027-28 is identical to the baseline");
    }
}

/// The probability of moving from a plan into care is multiplied by exactly
/// `1 + share_offered x (rr - 1)` at full effect, and untouched before.
#[test]
fn conferences_scale_moves_from_plans_into_care_by_the_blended_relative_risk() {
    let m = model("scenarios/family-group-conferences.json");
    let values = m.params.central().unwrap();
    let slot = |n: &str| m.params.slot_of(n).unwrap();
    let (share, rr) = (
        values[slot("fgc_share_offered")],
        values[slot("fgc_care_rr")],
    );
    let expected = 1.0 + share * (rr - 1.0);
    let before = Tables::build(&m, &values, 0).unwrap();
    let full = Tables::build(&m, &values, 3).unwrap(); // 2026-27 + two-year ramp
    let plan = m
        .states
        .iter()
        .position(|s| s.role == Role::ChildProtection)
        .unwrap();
    let care: Vec<u16> = (0..m.states.len())
        .filter(|&s| m.states[s].role == Role::Care)
        .map(|s| s as u16)
        .collect();
    let p_care = |t: &Tables| {
        let row = t.row(plan, 0, 10 * 12, 1);
        let r = t.rows[row];
        let mut prev = 0.0;
        let mut total = 0.0;
        for e in &t.entries[r.start as usize..(r.start + r.len) as usize] {
            if care.contains(&e.dest) {
                total += e.cum - prev;
            }
            prev = e.cum;
        }
        total
    };
    let (b, f) = (p_care(&before), p_care(&full));
    assert!(b > 0.0);
    assert!(
        (f / b - expected).abs() < 1e-12,
        "ratio {} against {expected}",
        f / b
    );
}

/// Ending the care cliff keeps care leavers in support to 25 and costs late money; before it
/// starts nobody is over 21.
#[test]
fn the_care_cliff_lever_keeps_care_leavers_supported_to_25() {
    let m = model("scenarios/care-cliff.json");
    let ext = m
        .states
        .iter()
        .position(|s| s.name == "care_leaver_extended")
        .expect("extended state added");
    let leaver = m
        .states
        .iter()
        .position(|s| s.role == Role::CareLeaver)
        .unwrap();
    assert_eq!(m.age_out_to(leaver, 0), Dest::Exit);
    assert_eq!(m.age_out_to(leaver, 1), Dest::State(ext));
    assert_eq!(m.states[ext].age_out_months, 25 * 12);
    let alt = runs(&m, 3, Some(6));
    let base = runs(&model("scenarios/baseline.json"), 3, Some(6));
    for (a, b) in alt.iter().zip(&base) {
        assert_eq!(a.years[0][idx::LEAVERS_21_PLUS], 0.0);
        assert_eq!(b.years[5][idx::LEAVERS_21_PLUS], 0.0);
        assert!(a.years[5][idx::LEAVERS_21_PLUS] > 1000.0);
        assert!(a.years[5][idx::LATE_SPEND] > b.years[5][idx::LATE_SPEND]);
        assert_eq!(a.years[5][idx::EARLY_SPEND], b.years[5][idx::EARLY_SPEND]);
    }
}

/// A coverage duty buys places beyond the budget, paid as early spend; with a share of zero it
/// changes nothing at all.
#[test]
fn a_coverage_duty_adds_places_and_early_spend() {
    let m = model("scenarios/family-help-coverage.json");
    let with_share = |share: f64| {
        let mut m = m.clone();
        m.effects.coverage.as_mut().unwrap().share = carecast::scenario::expr::Expr::Num(share);
        m
    };
    let mut baseline = model("scenarios/baseline.json");
    baseline.years = 5;
    let mut duty = with_share(0.9);
    duty.years = 5;
    // 90% is well above the baseline's coverage (about 46%) in every draw; families still take
    // places up only as they ask for help, so the caseload rises by less than the duty. The
    // expected rise is 5% in the smallest draw, too close to 2% to assert run by run at scale
    // 0.01 (one such run gave 1.7%), so the expected-value engine checks every draw and the
    // Monte Carlo engine the mean over draws.
    let (co_base, co_duty) = (
        cohort::run_draws(&baseline, 0..4, 11, &|| {}).unwrap(),
        cohort::run_draws(&duty, 0..4, 11, &|| {}).unwrap(),
    );
    for (a, b) in co_duty.iter().zip(&co_base) {
        assert!(a.years[4][idx::FH_CASELOAD] > 1.02 * b.years[4][idx::FH_CASELOAD]);
    }
    let base = runs(&baseline, 4, None);
    let alt = runs(&duty, 4, None);
    let caseload = |rs: &[RunResult]| rs.iter().map(|r| r.years[4][idx::FH_CASELOAD]).sum::<f64>();
    assert!(caseload(&alt) > 1.02 * caseload(&base));
    for (a, b) in alt.iter().zip(&base) {
        assert!(a.years[4][idx::WAITING] < b.years[4][idx::WAITING]);
        let extra = a.years[4][idx::EARLY_SPEND] - b.years[4][idx::EARLY_SPEND];
        assert!(extra > 50.0, "extra early spend £{extra:.0}m");
        assert_eq!(a.years[0], b.years[0]);
    }
    let z = runs(&with_share(0.0), 4, Some(5));
    for (a, b) in z.iter().zip(&base) {
        assert_eq!(a.years, b.years);
    }
}

/// The expected-value engine and the Monte Carlo engine agree on the package of every lever
/// (means over the same draws), within 5% on the stocks and spend the closing table reports.
#[test]
fn both_engines_agree_on_the_care_review_package() {
    let mut m = model("scenarios/care-review-package.json");
    m.years = 6;
    let n = 24;
    let mc = runs(&m, n, None);
    let co = cohort::run_draws(&m, 0..n, 11, &|| {}).unwrap();
    let mean = |rs: &[RunResult], y: usize, k: usize| {
        rs.iter().map(|r| r.years[y][k]).sum::<f64>() / rs.len() as f64
    };
    for k in [
        idx::CIC,
        idx::CP_PLANS,
        idx::LATE_SPEND,
        idx::EARLY_SPEND,
        idx::LEAVERS_21_PLUS,
    ] {
        let (a, b) = (mean(&mc, 5, k), mean(&co, 5, k));
        assert!(
            ((a - b) / b).abs() < 0.05,
            "metric {k}: Monte Carlo {a:.1} against cohort {b:.1}"
        );
    }
}

/// A care cliff lever that would not extend support is refused with its JSON path and a fix.
#[test]
fn a_care_cliff_that_ends_support_earlier_is_refused_clearly() {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("scenarios/care-cliff.json").unwrap())
            .unwrap();
    json["extends"] = serde_json::Value::String(
        std::fs::canonicalize("scenarios/reform-evidence.json")
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    );
    json["levers"]["care_cliff"]["support_to_age"] = serde_json::json!(20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, json.to_string()).unwrap();
    let loaded = load::load(&path).unwrap();
    let err = validate::validate(&loaded).unwrap_err().to_string();
    assert!(err.contains("$.levers.care_cliff.support_to_age"), "{err}");
    assert!(err.contains("fix"), "{err}");
}
