//! What the user writes is what runs. A parameter given in an extending scenario replaces the
//! inherited definition whole: for every parameter of the baseline, an override to a fixed value
//! (or fixed shares) shows in `summary.json` exactly as written and, where the parameter reaches
//! a metric, changes the results; a property test checks random overrides resolve exactly.

use assert_cmd::Command;
use carecast::engine::cohort;
use carecast::scenario::params::{Dist, Param, ParamSet};
use carecast::scenario::{load, Model};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::fs;
use std::path::{Path, PathBuf};

fn baseline_path() -> PathBuf {
    Path::new("scenarios/baseline.json").canonicalize().unwrap()
}

fn baseline() -> Model {
    carecast::scenario::load_model(&baseline_path()).unwrap()
}

/// A fixed override of `p` away from its central value: 0.8 x the central value (0.01 where that
/// is zero), or for shares the first component's share raised by half.
fn fixed_override(p: &Param, central: &[f64]) -> Value {
    let mut o = Map::new();
    if p.components.is_empty() {
        let c = central[p.slot];
        let x = if c == 0.0 { 0.01 } else { c * 0.8 };
        o.insert("value".into(), json!(x));
    } else {
        let mut shares = Map::new();
        for (k, name) in p.components.iter().enumerate() {
            let s = central[p.slot + k] * if k == 0 { 1.5 } else { 1.0 };
            shares.insert(name.clone(), json!(s));
        }
        o.insert("shares".into(), Value::Object(shares));
    }
    o.insert(
        "assumption".into(),
        json!(format!(
            "test: {} fixed away from its central value",
            p.name
        )),
    );
    Value::Object(o)
}

/// Writes a scenario extending the baseline with `parameters: {name: def}`.
fn write_override(dir: &Path, scenario: &str, name: &str, def: &Value) -> PathBuf {
    let file = dir.join(format!("{scenario}.json"));
    let doc = json!({
        "extends": baseline_path(),
        "name": scenario,
        "parameters": {name: def},
    });
    fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    file
}

/// `yearly.csv` without its scenario column, so two scenarios' results can be compared.
fn results(out: &Path, scenario: &str) -> Vec<String> {
    fs::read_to_string(out.join(scenario).join("yearly.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_string())
        .collect()
}

/// Whether the cohort engine, at central values, gives different metrics for the two models.
fn reaches_a_metric(base: &Model, other: &Model) -> bool {
    // Both continue the history: from its run 0.
    let project = |m: &Model| {
        let start = cohort::start(m, 0).unwrap();
        cohort::project_from(m, &m.params.central().unwrap(), start.as_ref()).unwrap()
    };
    let (a, b) = (project(base), project(other));
    a.years != b.years
}

#[test]
fn every_baseline_parameter_overridden_with_a_fixed_value_is_what_runs() {
    let base = baseline();
    let central = base.params.central().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![baseline_path()];
    let mut cases = Vec::new();
    for p in &base.params.params {
        let scenario = format!("o-{}", p.name.replace('_', "-"));
        let def = fixed_override(p, &central);
        files.push(write_override(dir.path(), &scenario, &p.name, &def));
        cases.push((p.name.clone(), scenario, def));
    }
    assert_eq!(cases.len(), 59, "the baseline's parameters");
    let out = dir.path().join("out");
    let run = Command::cargo_bin("carecast")
        .unwrap()
        .env("CI", "1")
        .arg("run")
        .args(&files)
        .args(["--runs", "2", "--scale", "0.004", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let base_results = results(&out, "baseline");
    let mut reaching = 0;
    for (name, scenario, def) in &cases {
        let summary: Value = serde_json::from_str(
            &fs::read_to_string(out.join(scenario).join("summary.json")).unwrap(),
        )
        .unwrap();
        let entry = summary["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == json!(name))
            .unwrap_or_else(|| panic!("{name} not in summary.json"));
        let mut written = def.clone();
        let assumption = written
            .as_object_mut()
            .unwrap()
            .remove("assumption")
            .unwrap();
        assert_eq!(
            entry["distribution"], written,
            "{name}: the definition that ran"
        );
        assert_eq!(entry["assumption"], assumption, "{name}: its assumption");
        assert!(
            entry.get("source").is_none(),
            "{name}: the inherited source survived"
        );
        if let Some(x) = def.get("value") {
            for stat in ["mean", "p5", "p50", "p95"] {
                assert_eq!(entry["drawn"]["value"][stat], *x, "{name}: drawn {stat}");
            }
        }
        let model =
            carecast::scenario::load_model(&dir.path().join(format!("{scenario}.json"))).unwrap();
        let moved = results(&out, scenario) != base_results;
        if reaches_a_metric(&base, &model) {
            reaching += 1;
            assert!(
                moved,
                "{name} reaches a metric but the results did not change"
            );
        } else {
            assert!(!moved, "{name} reaches no metric but the results changed");
        }
    }
    // Nearly every baseline parameter reaches a metric; a fall here means overrides stopped
    // reaching the engines.
    assert!(reaching >= 50, "only {reaching} parameters reach a metric");
}

/// A random distribution definition for a parameter (its shape fields only).
fn any_definition() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1e6..1e6f64).prop_map(|v| json!({"value": v})),
        (0.05..0.95f64, 0.01..0.2f64).prop_filter_map("a possible beta", |(m, f)| {
            let sd = f * (m * (1.0 - m)).sqrt();
            Some(json!({"dist": "beta", "mean": m, "sd": sd}))
        }),
        (0.1..50.0f64, 0.1..50.0f64)
            .prop_map(|(a, b)| json!({"dist": "beta", "alpha": a, "beta": b})),
        (1e-3..1e5f64, 0.01..2.0f64)
            .prop_map(|(m, s)| json!({"dist": "lognormal", "median": m, "sigma": s})),
        (1e-3..1e5f64, 0.01..1.0f64)
            .prop_map(|(m, f)| json!({"dist": "gamma", "mean": m, "sd": m * f})),
        (-1e3..1e3f64, 1e-3..1e2f64)
            .prop_map(|(m, s)| json!({"dist": "normal", "mean": m, "sd": s})),
        (-1e3..1e3f64, 1e-3..1e3f64)
            .prop_map(|(lo, w)| json!({"dist": "uniform", "min": lo, "max": lo + w})),
    ]
}

/// Random provenance, unit and description to go with a definition.
fn any_labels() -> impl Strategy<Value = Map<String, Value>> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(source, unit, description)| {
        let mut m = Map::new();
        let key = if source { "source" } else { "assumption" };
        m.insert(key.into(), json!("proptest override"));
        if unit {
            m.insert("unit".into(), json!("a unit"));
        }
        if description {
            m.insert("description".into(), json!("a description"));
        }
        m
    })
}

/// Checks that the parameter set built from the override holds exactly the written distribution.
fn dist_matches(set: &ParamSet, name: &str, def: &Value) -> bool {
    let p = set.params.iter().find(|p| p.name == name).unwrap();
    let f = |k: &str| def[k].as_f64().unwrap();
    match (&p.dist, def.get("dist").and_then(Value::as_str)) {
        (Dist::Fixed(v), None) if def.get("value").is_some() => *v == f("value"),
        (Dist::Shares(_), None) => def.get("shares").is_some(),
        (Dist::Dirichlet { alpha }, Some("dirichlet")) => alpha.len() == p.components.len(),
        (Dist::Beta { alpha, beta }, Some("beta")) => match def.get("alpha") {
            Some(_) => *alpha == f("alpha") && *beta == f("beta"),
            None => (alpha / (alpha + beta) - f("mean")).abs() < 1e-9,
        },
        (Dist::LogNormal { mu, sigma }, Some("lognormal")) => {
            *mu == f("median").ln() && *sigma == f("sigma")
        }
        (Dist::Gamma { shape, scale }, Some("gamma")) => {
            (shape * scale - f("mean")).abs() <= 1e-9 * f("mean")
        }
        (Dist::Normal { mean, sd }, Some("normal")) => *mean == f("mean") && *sd == f("sd"),
        (Dist::Uniform { min, max }, Some("uniform")) => *min == f("min") && *max == f("max"),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_random_override_of_a_baseline_parameter_resolves_to_exactly_the_override(
        pick in any::<prop::sample::Index>(),
        def in any_definition(),
        labels in any_labels(),
        concentration in 1.0..500.0f64,
        dirichlet in any::<bool>(),
        seed_shares in prop::collection::vec(0.01..10.0f64, 8),
    ) {
        let base = baseline();
        let p = &base.params.params[pick.index(base.params.params.len())];
        // Share parameters take shares (fixed or Dirichlet) over the same components, since
        // expressions name them; every other parameter takes any scalar distribution.
        let mut def = if p.components.is_empty() {
            def
        } else {
            let shares: Map<String, Value> = p
                .components
                .iter()
                .zip(&seed_shares)
                .map(|(c, s)| (c.clone(), json!(s)))
                .collect();
            if dirichlet {
                json!({"dist": "dirichlet", "shares": shares, "concentration": concentration})
            } else {
                json!({"shares": shares})
            }
        };
        def.as_object_mut().unwrap().extend(labels);
        let dir = tempfile::tempdir().unwrap();
        let file = write_override(dir.path(), "prop", &p.name, &def);
        let loaded = load::load(&file).unwrap();
        let resolved = &loaded.merged["parameters"][&p.name];
        prop_assert_eq!(resolved, &def);
        let (raw, errors) = loaded.parse();
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let raw = raw.unwrap();
        prop_assert_eq!(serde_json::to_value(&raw.parameters[&p.name]).unwrap().as_object().unwrap()
            .iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Map<String, Value>>(), def.as_object().unwrap().clone());
        let set = ParamSet::build(&raw.parameters).unwrap();
        prop_assert!(dist_matches(&set, &p.name, &def), "{} resolved to {:?}", p.name,
            set.params.iter().find(|q| q.name == p.name).map(|q| &q.dist));
    }
}
