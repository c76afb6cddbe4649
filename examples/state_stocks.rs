//! Prints the median children in each state at each 31 March, and the key metrics, for a scenario:
//! used to read off the steady-state stocks the baseline's `initial` section records.
//! `cargo run --release --example state_stocks -- scenarios/baseline-2025-stocks.json [runs] [scale]`

use carecast::engine::{run_batch, RunConfig};
use carecast::results::metrics::METRICS;
use carecast::results::stats::summarise;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: state_stocks SCENARIO [runs] [scale]");
        std::process::exit(2);
    };
    let model = match carecast::scenario::load_model(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let runs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(8);
    let scale: f64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(model.defaults.scale);
    let cfg = RunConfig {
        master_seed: model.defaults.seed,
        scale,
    };
    let results = match run_batch(&model, 0..runs, &cfg, &|| {}) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    print!("{:<24}", "state");
    for y in 0..model.years {
        print!("{:>10}", model.year_label(y));
    }
    println!();
    let median = |f: &dyn Fn(&carecast::engine::RunResult) -> f64| {
        summarise(&results.iter().map(f).collect::<Vec<_>>()).p50
    };
    for (s, st) in model.states.iter().enumerate() {
        print!("{:<24}", st.name);
        for y in 0..model.years {
            print!("{:>10.0}", median(&|r| r.state_children[y][s]));
        }
        println!();
    }
    for (k, (name, _)) in METRICS.iter().enumerate() {
        print!("{:<24}", name);
        for y in 0..model.years {
            print!("{:>10.1}", median(&|r| r.years[y][k]));
        }
        println!();
    }
}
