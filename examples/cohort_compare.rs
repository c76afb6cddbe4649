//! Prints the Monte Carlo mean and the cohort mean of every metric over the same draws.
//! Usage: cargo run --release --example cohort_compare -- SCENARIO RUNS SCALE

use carecast::engine::{cohort, run_batch, RunConfig};
use carecast::results::metrics::METRICS;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let model = carecast::scenario::load_model(std::path::Path::new(&a[1])).expect("scenario");
    let runs: u64 = a[2].parse().unwrap();
    let scale: f64 = a[3].parse().unwrap();
    let seed = model.defaults.seed;
    let mc = run_batch(
        &model,
        0..runs,
        &RunConfig {
            master_seed: seed,
            scale,
        },
        &|| {},
    )
    .unwrap();
    let co = cohort::run_draws(&model, 0..runs, seed, &|| {}).unwrap();
    for y in [0, model.years - 1] {
        println!("{}", model.year_label(y));
        for (k, (name, _)) in METRICS.iter().enumerate() {
            let m: Vec<f64> = mc.iter().map(|r| r.years[y][k]).collect();
            let c: Vec<f64> = co.iter().map(|r| r.years[y][k]).collect();
            let n = runs as f64;
            let mm = m.iter().sum::<f64>() / n;
            let cm = c.iter().sum::<f64>() / n;
            let d: Vec<f64> = m.iter().zip(&c).map(|(a, b)| a - b).collect();
            let dm = d.iter().sum::<f64>() / n;
            let dsd = (d.iter().map(|x| (x - dm).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let sd = (m.iter().map(|x| (x - mm).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            println!(
                "  {name:30} mc {mm:12.1} cohort {cm:12.1} rel {:+.4}  diff/se(diff) {:+.2}  (mc se {:.1})",
                (mm - cm) / cm.abs().max(1e-9),
                dm / (dsd / n.sqrt()).max(1e-12),
                sd / n.sqrt()
            );
        }
    }
}
