//! `summary.json`: what was run and how (version, command line, seed, runs, scale, scenario hash),
//! the resolved parameters with their sources and the spread of their draws, and the work done.

use super::stats::summarise;
use super::store::{Col, Runs};
use crate::error::Error;
use crate::scenario::params::Provenance;
use crate::scenario::Model;
use serde_json::{json, Map, Value};

/// How a batch was run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub command: String,
    pub scenario_file: String,
    pub seed: u64,
    pub runs: u64,
    pub scale: f64,
    pub elapsed_seconds: f64,
    /// Further fields for `summary.json` (engine, convergence), in order.
    pub extra: Map<String, Value>,
}

/// Builds `summary.json` (pretty-printed, with a final newline).
pub fn summary_json<R: Runs + ?Sized>(
    model: &Model,
    runs: &R,
    info: &RunInfo,
) -> Result<String, Error> {
    let mut params = Vec::new();
    for p in &model.params.params {
        let mut entry = Map::new();
        entry.insert("name".into(), json!(p.name));
        let mut dist = serde_json::to_value(&p.raw).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut dist {
            m.retain(|k, v| !v.is_null() && !matches!(k.as_str(), "source" | "assumption"));
        }
        entry.insert("distribution".into(), dist);
        let n = p.components.len().max(1);
        let mut drawn = Map::new();
        for k in 0..n {
            let s = summarise(&runs.column(Col::Param(p.slot + k))?);
            let stats = json!({"mean": s.mean, "p5": s.p5, "p50": s.p50, "p95": s.p95});
            let key = p
                .components
                .get(k)
                .cloned()
                .unwrap_or_else(|| "value".into());
            drawn.insert(key, stats);
        }
        entry.insert("drawn".into(), Value::Object(drawn));
        match &p.provenance {
            Provenance::Source(s) => entry.insert("source".into(), json!(s)),
            Provenance::Assumption(a) => entry.insert("assumption".into(), json!(a)),
        };
        params.push(Value::Object(entry));
    }
    let family_months = runs.family_months();
    let clamped = runs.clamped_rows();
    let doc = json!({
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "scenario": model.name,
        "label": model.label,
        "description": model.description,
        "scenario_file": info.scenario_file,
        "scenario_hash": model.hash,
        "command": info.command,
        "seed": info.seed,
        "runs": info.runs,
        "scale": info.scale,
        "price_base": model.price_base,
        "start_year": model.year_label(0),
        "end_year": model.year_label(model.years - 1),
        "discount_rate": model.discount_rate,
        "policy": super::policy::policy_json(model),
        "parameter_draws": match (&model.posterior, &model.continues) {
            (Some(p), _) => p.to_json(),
            (None, Some(_)) => json!({"from": "continued scenario"}),
            (None, None) => json!({"from": "prior"}),
        },
        "parameters": params,
        "limitations": model.limitations,
        "clamped_probability_rows": clamped,
        "family_months": family_months,
        "elapsed_seconds": (info.elapsed_seconds * 1000.0).round() / 1000.0,
        "monte_carlo_standard_error": super::convergence::standard_errors(model, runs)?,
    });
    let mut doc = doc;
    if let Value::Object(m) = &mut doc {
        // The reform levers as written (with their years, fields and sources), when there are any.
        if let Some(levers) = model.resolved.get("levers") {
            m.insert("levers".into(), levers.clone());
        }
        if let Some(c) = &model.continues {
            m.insert("continues".into(), c.to_json());
        }
        m.extend(info.extra.clone());
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    Ok(s)
}
