//! The two engines agree run by run on the same parameter draws: for every contract metric and
//! year, the mean of (Monte Carlo minus cohort) is within 2% of the cohort mean or three paired
//! standard errors, whichever is wider, for the baseline and the history from 2010 (time paths,
//! and the posterior draws when the scenario names them).

use carecast::engine::{cohort, run_batch, RunConfig};
use carecast::results::metrics::METRICS;

fn check(file: &str, runs: u64, scale: f64, from_year: usize, share: f64) {
    let model = carecast::scenario::load_model(file.as_ref()).unwrap();
    let seed = model.defaults.seed;
    let cfg = RunConfig {
        master_seed: seed,
        scale,
    };
    let mc = run_batch(&model, 0..runs, &cfg, &|| {}).unwrap();
    let co = cohort::run_draws(&model, 0..runs, seed, &|| {}).unwrap();
    let mut worst = (0.0f64, String::new());
    for y in from_year..model.years {
        for (m, (name, _)) in METRICS.iter().enumerate() {
            let d: Vec<f64> = mc
                .iter()
                .zip(&co)
                .map(|(a, b)| a.years[y][m] - b.years[y][m])
                .collect();
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let level = co.iter().map(|r| r.years[y][m]).sum::<f64>() / n;
            let tol = (share * level.abs()).max(3.0 * sd / n.sqrt()).max(1e-9);
            let ratio = mean.abs() / tol;
            if ratio > worst.0 {
                worst = (ratio, format!("{name} {}: mean difference {mean:.1} against tolerance {tol:.1} (cohort mean {level:.1})", model.year_label(y)));
            }
        }
    }
    assert!(worst.0 <= 1.0, "{file}: {}", worst.1);
}

#[test]
fn the_engines_agree_on_the_baseline() {
    check("scenarios/baseline.json", 100, 0.02, 0, 0.02);
}

#[test]
fn the_engines_agree_on_the_history_from_2010() {
    // On the posterior shipped before cp_end_level (2026-12-06), at scale 0.02 this seed
    // failed in 2010-11: the Monte Carlo engine returned 4.3% more
    // children home from care than the cohort engine over runs 0 to 99 (7,310 against 7,010,
    // 4.25 paired standard errors). That is the luck of the seed's random numbers, not a gap
    // between the engines: the same draws under 39 other Monte Carlo seeds give +0.17% on
    // average (z-scores with mean 0.15 and sd 0.83; examples/engines_noise.rs), the same seed
    // at scale 0.2 gives +0.16%, and the seed's monthly draws of the children in care at the
    // start alone fall in the care_home band 2.8 standard errors more often than its
    // probability says. Over 15 years by 28 metrics, three standard errors at scale 0.02 are
    // too tight for some seeds (2 of 11 others fail too); at scale 0.2 the worst ratio to the
    // tolerance was 0.77 here and 0.68 to 0.97 under four other seeds. On today's posterior the
    // seed passes at 0.02 (worst 0.84; first-year exits home 7,352 against 7,259), which shows
    // how much the result at that scale depends on the draws' luck.
    check("scenarios/history-2010.json", 100, 0.2, 0, 0.02);
}
