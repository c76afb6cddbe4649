//! Fuzzing scenario loading: arbitrary bytes, arbitrary JSON values, and random patches merged
//! into the baseline must never make `load` + `validate` panic or hang; where a patched baseline
//! still validates, a small run of it must give finite, non-negative outputs. Case counts are
//! bounded so this runs in seconds.

use carecast::app::guard;
use carecast::engine::{simulate, RunConfig};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn load_bytes(bytes: &[u8]) -> Result<carecast::scenario::Model, carecast::InputErrors> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.json");
    std::fs::write(&path, bytes).unwrap();
    carecast::scenario::load_model(&path)
}

/// Values likely to break things: extremes, wrong types, names from the baseline.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop_oneof![
            Just(0.0),
            Just(-1.0),
            Just(1.0),
            Just(1e300),
            Just(-1e-300),
            Just(0.5)
        ]
        .prop_map(|f| json!(f)),
        "[a-z_]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("fh_end * 2"),
            Just("1 / 0"),
            Just("family_help_rr"),
            Just("need"),
            Just("exit"),
            Just("beta"),
            Just("2025-26"),
            Just("../x"),
            Just("ln(0)"),
            Just("pow(0 - 1, 0.5)"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,10}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Replaces (or, for objects, merges into) the value reached by following `steps` from the root.
fn patch(cur: &mut Value, steps: &[usize], new: Value, merge: bool) {
    if let Some((&s, rest)) = steps.split_first() {
        let next = match cur {
            Value::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(s % m.len()).unwrap().clone();
                m.get_mut(&k)
            }
            Value::Array(a) if !a.is_empty() => {
                let n = a.len();
                a.get_mut(s % n)
            }
            _ => None,
        };
        if let Some(n) = next {
            return patch(n, rest, new, merge);
        }
    }
    match (cur, new) {
        (Value::Object(m), Value::Object(o)) if merge => m.extend(o),
        (c, n) => *c = n,
    }
}

fn baseline() -> Value {
    serde_json::from_str(&std::fs::read_to_string("scenarios/baseline.json").unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = load_bytes(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in any_json()) {
        let _ = load_bytes(serde_json::to_string(&v).unwrap().as_bytes());
    }

    #[test]
    fn patched_baselines_are_rejected_cleanly_or_run_finitely(
        patches in prop::collection::vec(
            (prop::collection::vec(any::<usize>(), 1..5), any_json(), any::<bool>()),
            1..4,
        )
    ) {
        let mut doc = baseline();
        for (steps, new, merge) in patches {
            patch(&mut doc, &steps, new, merge);
        }
        match load_bytes(serde_json::to_string(&doc).unwrap().as_bytes()) {
            Err(errors) => {
                for e in &errors.0 {
                    prop_assert!(e.path.starts_with('$'), "{e}");
                    prop_assert!(!e.fix.is_empty(), "{e}");
                }
            }
            Ok(model) => {
                // Only runs that the guard's bound says are small.
                let scale = 0.001;
                let (fm, _) = guard::bound(&model, scale);
                if fm < 5e6 {
                    let cfg = RunConfig { master_seed: 3, scale };
                    if let Ok(r) = simulate(&model, 0, &cfg) {
                        for row in &r.years {
                            prop_assert!(row.iter().all(|v| v.is_finite() && *v >= 0.0), "{row:?}");
                        }
                    }
                }
            }
        }
    }
}
