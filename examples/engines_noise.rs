//! The engines-agree check (`tests/engines_agree.rs`) with the Monte Carlo engine's random numbers
//! taken from other seeds, on the same parameter draws: each alternative `k` runs draw `i` under
//! run seed `run_seed(seed ^ (k * 7919), i)` (`k = 0` is the test itself), so a failure of one seed
//! can be told from a gap between the engines. Prints each alternative's worst metric and year
//! (ratio of the mean difference to the tolerance; above 1 fails) and its first-year exits home.
//! `cargo run --release --example engines_noise -- scenarios/history-2010.json 100 0.02 0 0.02 0,1,2`

use carecast::engine::{cohort, simulate_seeded, RunConfig, RunResult};
use carecast::results::metrics::{idx, METRICS};
use rayon::prelude::*;

/// (ratio to the tolerance, description) of every metric and year from `from_year`.
fn ratios(
    model: &carecast::scenario::Model,
    mc: &[RunResult],
    co: &[RunResult],
    from_year: usize,
    share: f64,
) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    for y in from_year..model.years {
        for (m, (name, _)) in METRICS.iter().enumerate() {
            let d: Vec<f64> = mc
                .iter()
                .zip(co)
                .map(|(a, b)| a.years[y][m] - b.years[y][m])
                .collect();
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let se =
                (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() / n.sqrt();
            let level = co.iter().map(|r| r.years[y][m]).sum::<f64>() / n;
            let tol = (share * level.abs()).max(3.0 * se).max(1e-9);
            let pct = 100.0 * mean / level.abs().max(1e-9);
            let z = mean / se.max(1e-12);
            let what = format!("{name} {} {pct:+.2}% z {z:+.2}", model.year_label(y));
            out.push((mean.abs() / tol, what));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        eprintln!("usage: engines_noise SCENARIO RUNS SCALE FROM_YEAR SHARE K1,K2,...");
        std::process::exit(2);
    }
    let model = carecast::scenario::load_model(a[1].as_ref()).expect("scenario");
    let runs: u64 = a[2].parse().expect("runs");
    let scale: f64 = a[3].parse().expect("scale");
    let from_year: usize = a[4].parse().expect("from year");
    let share: f64 = a[5].parse().expect("share");
    let alts: Vec<u64> = a[6].split(',').map(|k| k.parse().expect("k")).collect();
    let seed = model.defaults.seed;
    let cfg = RunConfig {
        master_seed: seed,
        scale,
    };
    let co = cohort::run_draws(&model, 0..runs, seed, &|| {}).expect("cohort");
    let n = runs as f64;
    let co_home = co.iter().map(|r| r.years[0][idx::EXITS_HOME]).sum::<f64>() / n;
    for k in alts {
        let mc: Vec<RunResult> = (0..runs)
            .into_par_iter()
            .map(|r| {
                let noise = carecast::rng::run_seed(seed ^ (k * 7919), r);
                simulate_seeded(&model, r, &cfg, noise).expect("run")
            })
            .collect();
        let home = mc.iter().map(|r| r.years[0][idx::EXITS_HOME]).sum::<f64>() / n;
        let worst = ratios(&model, &mc, &co, from_year, share);
        println!(
            "k {k}: first-year exits home {home:.0} against {co_home:.0}; worst {:.2} {}; next {:.2} {}",
            worst[0].0, worst[0].1, worst[1].0, worst[1].1
        );
    }
}
