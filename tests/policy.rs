//! The spending rules behave as the model says: under `total_set` rising late costs crowd out early
//! help, and under `early_set` more early money means fewer care entries on the same runs.

use carecast::engine::{run_batch, RunConfig, RunResult};
use carecast::results::metrics::idx;
use carecast::results::stats::summarise;
use std::io::Write;

/// Loads a scenario that extends `base` with `patch` (a JSON object body).
fn scenario(base: &str, patch: &str) -> carecast::scenario::Model {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let base = std::fs::canonicalize(base).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    write!(f, "{{\"extends\": {:?}, {patch}}}", base.to_str().unwrap()).unwrap();
    carecast::scenario::load_model(&path).unwrap()
}

fn run(model: &carecast::scenario::Model, runs: u64, scale: f64) -> Vec<RunResult> {
    run_batch(
        model,
        0..runs,
        &RunConfig {
            master_seed: 7,
            scale,
        },
        &|| {},
    )
    .unwrap()
}

fn median_of(runs: &[RunResult], f: impl Fn(&RunResult) -> f64) -> f64 {
    summarise(&runs.iter().map(f).collect::<Vec<_>>()).p50
}

#[test]
fn total_set_with_a_flat_total_squeezes_early_spend_as_late_spend_rises() {
    let model = scenario(
        "scenarios/squeeze.json",
        "\"name\": \"squeeze-test\", \"horizon_years\": 5",
    );
    let runs = run(&model, 40, 0.01);
    for y in 1..model.years {
        let d_early = median_of(&runs, |r| {
            r.years[y][idx::EARLY_SPEND] - r.years[y - 1][idx::EARLY_SPEND]
        });
        let d_late = median_of(&runs, |r| {
            r.years[y][idx::LATE_SPEND] - r.years[y - 1][idx::LATE_SPEND]
        });
        eprintln!(
            "{}: early {d_early:+.1}, late {d_late:+.1}",
            model.year_label(y)
        );
        assert!(
            d_early < 0.0,
            "early spend did not fall in {}: {d_early}",
            model.year_label(y)
        );
        assert!(
            d_late > 0.0,
            "late spend did not rise in {}: {d_late}",
            model.year_label(y)
        );
    }
    // Early gets what late leaves: total - last year's late spend.
    for r in &runs {
        for y in 1..model.years {
            let expected = (14942.0 - r.years[y - 1][idx::LATE_SPEND]).max(400.0);
            assert!((r.years[y][idx::EARLY_SPEND] - expected).abs() < 1e-6);
        }
    }
}

#[test]
fn early_set_with_more_early_money_cuts_care_entries_on_the_same_runs() {
    let base = scenario("scenarios/baseline.json", "\"name\": \"base-test\"");
    let invest = scenario(
        "scenarios/baseline.json",
        "\"name\": \"invest-test\", \"policy\": {\"extra_investment\": [\
         {\"year\": \"2025-26\", \"gbp_m\": 600}, {\"year\": \"2026-27\", \"gbp_m\": 600}, {\"year\": \"2027-28\", \"gbp_m\": 600},\
         {\"year\": \"2028-29\", \"gbp_m\": 600}, {\"year\": \"2029-30\", \"gbp_m\": 600}, {\"year\": \"2030-31\", \"gbp_m\": 600},\
         {\"year\": \"2031-32\", \"gbp_m\": 600}, {\"year\": \"2032-33\", \"gbp_m\": 600}, {\"year\": \"2033-34\", \"gbp_m\": 600},\
         {\"year\": \"2034-35\", \"gbp_m\": 600}]}",
    );
    let (a, b) = (run(&base, 24, 0.01), run(&invest, 24, 0.01));
    let entries = |r: &RunResult| r.years.iter().map(|y| y[idx::CARE_ENTRIES]).sum::<f64>();
    let diffs: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| entries(y) - entries(x))
        .collect();
    let s = summarise(&diffs);
    eprintln!(
        "change in care entries over ten years: mean {:.0}, p5 {:.0}, p95 {:.0}",
        s.mean, s.p5, s.p95
    );
    assert!(
        s.mean < 0.0 && s.p50 < 0.0,
        "care entries did not fall: {s:?}"
    );
    let more = diffs.iter().filter(|d| **d < 0.0).count();
    assert!(
        more * 4 >= diffs.len() * 3,
        "fewer entries in only {more} of {} runs",
        diffs.len()
    );
    // The same draws: early spend differs by exactly the extra money.
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.params, y.params);
        assert!((y.years[0][idx::EARLY_SPEND] - x.years[0][idx::EARLY_SPEND] - 600.0).abs() < 1e-6);
    }
}
