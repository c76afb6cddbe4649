//! Invariants of the model, as property tests over random-but-valid variations of the baseline
//! (horizon, budgets and rule, extra investment, targeting, key parameters): every output finite
//! and non-negative, percentiles ordered, totals adding up, children in care conserved year by
//! year, family-help caseload within the places the budget buys, and probabilities in [0, 1]
//! after parameter draws and effect multipliers.

use carecast::engine::budget::Budgets;
use carecast::engine::{run_batch, RunConfig, RunResult};
use carecast::results::metrics::{idx, METRICS, N_METRICS};
use carecast::results::{stats::summarise, yearly::yearly_csv};
use carecast::scenario::model::{Model, Role};
use proptest::prelude::*;
use serde_json::{json, Value};

const SCALE: f64 = 0.002;

/// The baseline from its own 2025 stocks (as `baseline-2025-stocks.json`): the variants are
/// written elsewhere, without the history it continues.
fn baseline_json() -> Value {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string("scenarios/baseline.json").unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("continues");
    doc
}

/// Writes `doc` to a temporary file and loads it as a user would.
fn load(doc: &Value) -> Result<Model, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("variant.json");
    std::fs::write(&path, serde_json::to_string(doc).unwrap()).unwrap();
    carecast::scenario::load_model(&path).map_err(|e| e.to_string())
}

#[derive(Debug, Clone)]
struct Variation {
    horizon: u32,
    total_set: bool,
    budget_factor: f64,
    cut_year: u32,
    cut_index: f64,
    extra: Option<(u32, f64, u32)>,
    targeting: &'static str,
    inflow_factor: f64,
    fh_cost_factor: f64,
    fh_rr: f64,
    no_care_exit: bool,
}

fn variation() -> impl Strategy<Value = Variation> {
    (
        (1u32..=8, any::<bool>(), 0.3f64..3.0, 0u32..8, 0.2f64..2.0),
        (
            proptest::option::of((0u32..8, 0.0f64..2500.0, 0u32..=24)),
            prop_oneof![
                Just("need_first"),
                Just("first_come"),
                Just("stepdown_first")
            ],
            0.5f64..1.5,
            0.5f64..2.0,
            0.3f64..1.3,
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (horizon, total_set, budget_factor, cut_year, cut_index),
                (extra, targeting, inflow_factor, fh_cost_factor, fh_rr, no_care_exit),
            )| Variation {
                horizon,
                total_set,
                budget_factor,
                cut_year: cut_year % horizon,
                cut_index,
                extra: extra.map(|(y, g, l)| (y % horizon, g, l)),
                targeting,
                inflow_factor,
                fh_cost_factor,
                fh_rr,
                no_care_exit,
            },
        )
}

fn apply(v: &Variation) -> Value {
    let mut doc = baseline_json();
    let year = |y: u32| format!("{}-{:02}", 2025 + y, (2026 + y) % 100);
    doc["horizon_years"] = json!(v.horizon);
    let pol = &mut doc["policy"];
    pol["targeting"] = json!(v.targeting);
    if v.total_set {
        pol["rule"] = json!("total_set");
        pol["total_budget"] = json!({
            "base_gbp_m": 14942.0 * v.budget_factor.sqrt(),
            "real_growth": 0.0,
            "index": {year(v.cut_year): v.cut_index.max(0.8)},
            "assumption": "test variation"
        });
    } else {
        pol["early_budget"]["base_gbp_m"] = json!(2836.0 * v.budget_factor);
        pol["early_budget"]["index"] = json!({year(v.cut_year): v.cut_index});
    }
    if let Some((y, gbp_m, lag)) = v.extra {
        pol["extra_investment"] = json!([{"year": year(y), "gbp_m": gbp_m}]);
        pol["lag_months"] = json!(lag);
    }
    let p = &mut doc["parameters"];
    p["new_families_month"]["mean"] = json!(70000.0 * v.inflow_factor);
    p["fh_cost_family_month"]["median"] = json!(700.0 * v.fh_cost_factor);
    p["family_help_rr"]["median"] = json!(v.fh_rr);
    if v.no_care_exit {
        p["care_other_exit_16"] = json!({"dist": "fixed", "value": 0.0, "assumption": "test: no exits from care to outside the model"});
    }
    doc
}

fn simulate(model: &Model, runs: u64) -> Vec<RunResult> {
    let cfg = RunConfig {
        master_seed: 11,
        scale: SCALE,
    };
    run_batch(model, 0..runs, &cfg, &|| {}).unwrap()
}

fn care_children(model: &Model, state_children: &[f64]) -> f64 {
    model
        .states
        .iter()
        .zip(state_children)
        .filter(|(s, _)| s.role == Role::Care)
        .map(|(_, c)| c)
        .sum()
}

/// Family-help places (simulated families) the budget buys in the last month of year `y`.
fn places(model: &Model, r: &RunResult, y: usize) -> f64 {
    let b = Budgets::new(model, &r.params).unwrap();
    let late_last = if y == 0 {
        b.previous_late
    } else {
        r.years[y - 1][idx::LATE_SPEND]
    };
    let cost = model.states[model.capacity_state].cost.as_ref().unwrap();
    let g = cost.real_growth.eval(&r.params).unwrap();
    let fh_cost = cost.gbp.eval(&r.params).unwrap() * (1.0 + g).powi(y as i32 + 1);
    let per_gbp_m = 1e6 / (12.0 * fh_cost);
    let base = b.early_base(y, late_last) * (1.0 - b.universal_share) * per_gbp_m;
    let extra = b.extra[y] * per_gbp_m * b.ramp(y * 12 + 11);
    ((base + extra) * SCALE).max(0.0).round()
}

fn check_run(model: &Model, r: &RunResult) -> Result<(), TestCaseError> {
    let w = 1.0 / SCALE;
    let initial_fh: f64 = model
        .initial
        .iter()
        .filter(|i| i.state == model.capacity_state)
        .map(|i| i.children.eval(&model.params.central().unwrap()).unwrap())
        .sum::<f64>()
        * SCALE
        * 3.0; // children bound families; a draw may exceed the central value
    let mut most_places = initial_fh;
    for (y, row) in r.years.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            prop_assert!(
                v.is_finite() && *v >= 0.0,
                "{} in year {y} is {v}",
                METRICS[k].0
            );
        }
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()));
        prop_assert!(close(
            row[idx::TOTAL_SPEND],
            row[idx::EARLY_SPEND] + row[idx::LATE_SPEND]
        ));
        prop_assert!(close(
            row[idx::RATIO],
            row[idx::LATE_SPEND] / row[idx::EARLY_SPEND]
        ));
        let placements = row[idx::CIC_KINSHIP]
            + row[idx::CIC_FOSTER]
            + row[idx::CIC_RESIDENTIAL]
            + row[idx::CIC_OTHER];
        prop_assert!(close(row[idx::CIC], placements));
        prop_assert!(row[idx::CIN] + 1e-6 >= row[idx::CIC] + row[idx::CP_PLANS]);
        prop_assert!(close(
            row[idx::CIC],
            care_children(model, &r.state_children[y])
        ));
        // Conservation: every child leaving care is counted as going home, to permanence, as a
        // care leaver or as leaving for other reasons (with or without exits to outside).
        if y > 0 {
            let start = care_children(model, &r.state_children[y - 1]);
            let expected = start + row[idx::CARE_ENTRIES]
                - row[idx::EXITS_HOME]
                - row[idx::EXITS_PERMANENCE]
                - row[idx::CARE_LEAVERS]
                - row[idx::EXITS_OTHER];
            prop_assert!(
                (row[idx::CIC] - expected).abs() < 1e-6 * w.max(expected),
                "year {y}: in care {} but start {start} + entries - exits = {expected}",
                row[idx::CIC]
            );
        }
        // Capacity: places are only ever filled up to what the budget buys, so the caseload is
        // at most the most places bought so far (or the starting caseload, which can drain).
        most_places = most_places.max(places(model, r, y));
        let caseload = (row[idx::FH_CASELOAD] * SCALE).round();
        prop_assert!(
            caseload <= most_places,
            "year {y}: {caseload} families in family help, at most {most_places} places"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_variations_give_finite_conserved_ordered_results(v in variation()) {
        let model = load(&apply(&v)).map_err(|e| TestCaseError::fail(format!("{v:?}: {e}")))?;
        let results = simulate(&model, 3);
        for r in &results {
            check_run(&model, r)?;
            for p in &r.params {
                prop_assert!(p.is_finite());
            }
            // Every transition probability lies in [0, 1] after this run's draws.
            for t in &model.transitions {
                let p = t.p.eval(&r.params).unwrap();
                prop_assert!((0.0..=1.0).contains(&p), "{}: {p}", t.path);
            }
        }
        // Summaries: finite and ordered, from the stats and in the CSV users read.
        for y in 0..model.years {
            for k in 0..N_METRICS {
                let vals: Vec<f64> = results.iter().map(|r| r.years[y][k]).collect();
                let s = summarise(&vals);
                prop_assert!(s.p5 <= s.p50 && s.p50 <= s.p95, "{s:?}");
                prop_assert!(s.mean.is_finite());
            }
        }
        let csv = yearly_csv(&model, &results[..]).unwrap();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let x: Vec<f64> = f[4..8].iter().map(|s| s.parse().unwrap()).collect();
            prop_assert!(x.iter().all(|v| v.is_finite()), "{line}");
            prop_assert!(x[1] <= x[2] && x[2] <= x[3], "{line}");
        }
    }
}

#[test]
fn effect_multipliers_that_push_a_probability_past_one_are_rejected_with_the_parameter_named() {
    let mut doc = baseline_json();
    // A relative risk so large that `need_referral_high * family_help_rr`-style products exceed 1.
    doc["parameters"]["family_help_rr"] =
        json!({"dist": "lognormal", "median": 40.0, "sigma": 0.25, "assumption": "test"});
    let err = load(&doc).unwrap_err();
    assert!(err.contains("outside 0 to 1"), "{err}");
    assert!(err.contains("family_help_rr"), "{err}");
}

#[test]
fn rows_summing_above_one_in_draws_are_scaled_and_counted_not_rejected() {
    // Probabilities out of `need` near the limit: some draws sum above 1, and the user guide says
    // such rows are scaled to 1 and counted in clamped_probability_rows.
    let mut doc = baseline_json();
    doc["parameters"]["need_resolve"] =
        json!({"dist": "beta", "mean": 0.3, "sd": 0.1, "assumption": "test"});
    doc["parameters"]["need_help_request_high"] = json!({"value": 0.6, "assumption": "test"});
    doc["horizon_years"] = json!(1);
    let model = load(&doc).expect("central values sum below 1");
    let results = simulate(&model, 8);
    assert!(
        results.iter().any(|r| r.clamped_rows > 0),
        "no draw pushed the row above 1; the test needs a tighter setting"
    );
    for r in &results {
        for row in &r.years {
            assert!(row.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
    }
}

#[test]
fn with_exits_from_care_to_outside_the_model_the_published_flows_do_not_balance() {
    // Finding: children who leave care to `exit` (the baseline's care_other_exit_16) are in no
    // flow metric, so stock-flow conservation can only be checked where that exit is shut (as the
    // property test above does). A public flow matrix in RunResult would close this gap.
    let model = load(&baseline_json()).unwrap();
    let r = &simulate(&model, 1)[0];
    let gaps: Vec<f64> = (1..model.years)
        .map(|y| {
            let row = &r.years[y];
            care_children(&model, &r.state_children[y - 1]) + row[idx::CARE_ENTRIES]
                - row[idx::EXITS_HOME]
                - row[idx::EXITS_PERMANENCE]
                - row[idx::CARE_LEAVERS]
                - row[idx::CIC]
        })
        .collect();
    assert!(gaps.iter().all(|g| *g > 0.0), "{gaps:?}");
}

#[test]
fn starting_durations_beyond_every_months_boundary_do_not_crash_the_engine() {
    // Regression (found by tests/fuzz_load.rs): with no transitions, or none using `months` as far
    // as the starting `months_in_state`, the engine indexed past its duration table and panicked.
    let mut doc = baseline_json();
    doc["transitions"] = json!([]);
    doc["horizon_years"] = json!(1);
    let model = load(&doc).unwrap();
    let r = &simulate(&model, 1)[0];
    assert!(r.years[0].iter().all(|v| v.is_finite()));
}
