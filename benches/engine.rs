//! Criterion benchmarks: a year of the engine's monthly step on the baseline, and the ceiling —
//! the bare random draws the engine needs per family-month (one counter-based draw each).
//! Run with `cargo bench --bench engine`; `scripts/bench.sh` prints whole-run figures.

use carecast::engine::Sim;
use carecast::rng;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::time::Instant;

fn baseline() -> carecast::scenario::Model {
    carecast::scenario::load_model("scenarios/baseline.json".as_ref()).expect("baseline loads")
}

fn monthly_step(c: &mut Criterion) {
    let model = baseline();
    let seed = rng::run_seed(model.defaults.seed, 0);
    let values = model.params.draw(seed).expect("draws");
    let scale = 0.05;
    let probe = Sim::new(&model, &values, seed, scale).expect("starts");
    let families = probe.families() as u64;
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    // Twelve monthly steps of the first year, from a fresh starting population each time.
    g.throughput(Throughput::Elements(families * 12));
    g.bench_function("baseline_year_scale_0.05", |b| {
        b.iter_batched(
            || Sim::new(&model, &values, seed, scale).expect("starts"),
            |mut sim| black_box(sim.year(0, 12106.0).expect("steps")),
            BatchSize::LargeInput,
        )
    });
    // The ceiling: one counter-based draw per family-month, nothing else.
    let n = families as u32;
    g.bench_function("ceiling_draws_per_family_month", |b| {
        let key = rng::family_key(seed);
        b.iter(|| {
            let mut acc = 0u64;
            for month in 0..12u32 {
                for id in 0..n {
                    acc = acc.wrapping_add(rng::family_draw(key, id, month));
                }
            }
            black_box(acc)
        })
    });
    g.finish();
    // Both on one thread, so the fraction is per core (the group above steps on the default pool).
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    one.install(|| print_fraction_of_ceiling(&model, &values, seed, scale, n));
}

/// Times a year of the step and the same number of bare draws (best of three each) and prints the
/// engine's rate beside the ceiling's, as a fraction of it.
fn print_fraction_of_ceiling(
    model: &carecast::scenario::Model,
    values: &[f64],
    seed: u64,
    scale: f64,
    n: u32,
) {
    let best = |f: &mut dyn FnMut() -> f64| (0..3).map(|_| f()).fold(f64::INFINITY, f64::min);
    let engine = best(&mut || {
        let mut sim = Sim::new(model, values, seed, scale).expect("starts");
        let t = Instant::now();
        black_box(sim.year(0, 12106.0).expect("steps"));
        t.elapsed().as_secs_f64()
    });
    let key = rng::family_key(seed);
    let ceiling = best(&mut || {
        let t = Instant::now();
        let mut acc = 0u64;
        for month in 0..12u32 {
            for id in 0..n {
                acc = acc.wrapping_add(rng::family_draw(key, id, month));
            }
        }
        black_box(acc);
        t.elapsed().as_secs_f64()
    });
    let fm = 12.0 * n as f64;
    println!(
        "one thread: engine {:.1} M family-months/s against a ceiling of {:.1} M: {:.1}% of the ceiling",
        fm / engine / 1e6,
        fm / ceiling / 1e6,
        100.0 * ceiling / engine
    );
}

criterion_group!(benches, monthly_step);
criterion_main!(benches);
