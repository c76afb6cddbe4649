//! Prints every metric and state stock of the first N cohort draws of a scenario at full
//! precision, one value a line, so two builds of the cohort engine can be compared exactly.
//! `cargo run --release --example cohort_dump -- SCENARIO [DRAWS] > dump.txt`

use carecast::engine::cohort;
use carecast::results::metrics::METRICS;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let path = a.get(1).map_or("scenarios/baseline.json", String::as_str);
    let draws: u64 = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let model = match carecast::scenario::load_model(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let runs = match cohort::run_draws(&model, 0..draws, model.defaults.seed, &|| {}) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    for (r, run) in runs.iter().enumerate() {
        println!("{r} clamped_rows {}", run.clamped_rows);
        for (y, row) in run.years.iter().enumerate() {
            for ((name, _), v) in METRICS.iter().zip(row) {
                println!("{r} {y} {name} {v:e}");
            }
        }
        for (y, st) in run.state_children.iter().enumerate() {
            for (s, v) in st.iter().enumerate() {
                println!("{r} {y} state{s} {v:e}");
            }
        }
    }
}
