//! Benchmark of the cohort engine: projects N parameter draws of a scenario on T threads and
//! prints the wall time (run with `--release`; not a test, so timings never fail a build).
//! `cargo run --release --example cohort_bench -- [SCENARIO] [DRAWS] [THREADS]`

use carecast::engine::cohort;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let path = a.get(1).map_or("scenarios/baseline.json", String::as_str);
    let draws: u64 = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let threads: usize = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(2);
    let model = match carecast::scenario::load_model(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let grid = cohort::grid::Grid::new(&model);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let seed = model.defaults.seed;
    // One warm-up pass over a few draws, then the timed pass.
    let _ = pool.install(|| cohort::run_draws(&model, 0..threads as u64, seed, &|| {}));
    let t = Instant::now();
    let out = pool.install(|| cohort::run_draws(&model, 0..draws, seed, &|| {}));
    let secs = t.elapsed().as_secs_f64();
    match out {
        Ok(r) => {
            let last = model.years - 1;
            let cic: f64 = r.iter().map(|x| x.years[last][4]).sum::<f64>() / r.len() as f64;
            println!(
                "{}: {} cells, {draws} draws x {} years on {threads} threads: {secs:.3} s ({:.2} ms per draw); mean children in care {}: {cic:.0}",
                model.name,
                grid.len,
                model.years,
                1e3 * secs * threads as f64 / draws as f64,
                model.year_label(last)
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
