//! What a calibration cannot tell apart: the posterior correlations, computed from a
//! posterior.json's draws, of the effect of family help on escalation (`family_help_rr`) with the
//! other calibrated parameters (the practice paths' knots, costs), and how far the data narrowed
//! its prior. A posterior without that parameter gets its strongest pair of parameters instead.

use super::lead::parameter_words;
use super::numbers::{grouped, three_sf};
use crate::results::drivers::pearson;
use crate::results::stats::summarise;
use crate::scenario::params::ParamSet;
use crate::scenario::quantile::quantiles;
use crate::scenario::raw::RawParam;
use indexmap::IndexMap;
use serde_json::Value;

/// The parameter whose identification the sentence is about.
pub const FOCUS: &str = "family_help_rr";

/// A posterior's calibrated columns: (name, draws), parameters whose name (before any `.`) has a
/// prior in the file.
pub fn calibrated_columns(posterior: &Value) -> Vec<(String, Vec<f64>)> {
    let names: Vec<&str> = posterior
        .get("parameters")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let priors = posterior.get("priors").and_then(Value::as_object);
    let draws: Vec<&Vec<Value>> = posterior
        .get("draws")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_array).collect())
        .unwrap_or_default();
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| priors.is_some_and(|p| p.contains_key(n.split('.').next().unwrap_or(n))))
        .filter_map(|(i, n)| {
            let col: Option<Vec<f64>> = draws.iter().map(|r| r.get(i)?.as_f64()).collect();
            col.filter(|c| !c.is_empty()).map(|c| (n.to_string(), c))
        })
        .collect()
}

fn base(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// The correlations of `focus` with every other calibrated parameter (not its own components),
/// largest |correlation| first.
pub fn correlations_with(columns: &[(String, Vec<f64>)], focus: &str) -> Vec<(String, f64)> {
    let Some((_, f)) = columns.iter().find(|(n, _)| n == focus) else {
        return Vec::new();
    };
    let mut out: Vec<(String, f64)> = columns
        .iter()
        .filter(|(n, _)| base(n) != base(focus))
        .filter_map(|(n, c)| pearson(f, c).map(|r| (n.clone(), r)))
        .collect();
    out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The strongest correlation between two different parameters.
fn strongest_pair(columns: &[(String, Vec<f64>)]) -> Option<(String, String, f64)> {
    let mut best: Option<(String, String, f64)> = None;
    for (i, (a, ca)) in columns.iter().enumerate() {
        for (b, cb) in &columns[i + 1..] {
            if base(a) == base(b) {
                continue;
            }
            if let Some(r) = pearson(ca, cb) {
                if best.as_ref().is_none_or(|x| r.abs() > x.2.abs()) {
                    best = Some((a.clone(), b.clone(), r));
                }
            }
        }
    }
    best
}

/// A parameter value for text: three significant figures.
fn value(x: f64) -> String {
    let (r, d) = three_sf(x, 6);
    grouped(r, d)
}

/// The prior's 5th, 50th and 95th percentiles of a scalar parameter, from its definition in the
/// posterior's `priors`.
fn prior_interval(posterior: &Value, name: &str) -> Option<[f64; 3]> {
    let mut def = posterior.get("priors")?.get(name)?.clone();
    def.as_object_mut()?
        .insert("assumption".into(), Value::String("prior".into()));
    let raw: RawParam = serde_json::from_value(def).ok()?;
    let mut map = IndexMap::new();
    map.insert(name.to_string(), raw);
    let set = ParamSet::build(&map).ok()?;
    let dist = &set.params.first()?.dist;
    let q = |p: f64| quantiles(dist, p).and_then(|v| (v.len() == 1).then(|| v[0]));
    Some([q(0.05)?, q(0.5)?, q(0.95)?])
}

/// The sentence on what the calibration cannot tell apart; `span` names the years fitted
/// ("2010-2025"), `summary` gives the parameters' descriptions.
pub fn sentence(posterior: &Value, span: &str, summary: Option<&Value>) -> Option<String> {
    let columns = calibrated_columns(posterior);
    let corr = |r: f64| grouped(r, 2);
    let with = correlations_with(&columns, FOCUS);
    if with.is_empty() {
        let (a, b, r) = strongest_pair(&columns)?;
        return Some(format!(
            "What the calibration cannot tell apart: the strongest trade-off in the posterior is between {} and {} (posterior correlation {}): the {span} figures fit about as well when one moves with the other, and only their priors separate them.",
            parameter_words(summary, &a, None),
            parameter_words(summary, &b, None),
            corr(r)
        ));
    }
    let draws = &columns.iter().find(|(n, _)| n == FOCUS)?.1;
    let post = summarise(draws);
    let mut s = format!(
        "What the calibration cannot tell apart: the posterior puts {} at {} (90% interval {} to {})",
        parameter_words(summary, FOCUS, None),
        value(post.p50),
        value(post.p5),
        value(post.p95)
    );
    if let Some([lo, mid, hi]) = prior_interval(posterior, FOCUS) {
        let narrower = 1.0 - (post.p95 - post.p5) / (hi - lo);
        s.push_str(&format!(
            ", against {} ({} to {}) in its prior: the {span} figures narrow its 90% interval by {:.0}%",
            value(mid),
            value(lo),
            value(hi),
            narrower * 100.0
        ));
    }
    let named: Vec<String> = with
        .iter()
        .take(3)
        .map(|(n, r)| parameter_words(summary, n, Some(&format!("correlation {}", corr(*r)))))
        .collect();
    s.push_str(&format!(
        ". In the posterior it trades off most against {}: a draw with a stronger or weaker effect of family help and a compensating value of these fits the published figures about as well, so the data cannot tell the effect of family help apart from a change in practice or in costs, and only the priors separate them.",
        join_and(&named)
    ));
    Some(s)
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn posterior() -> Value {
        // family_help_rr moves against cp_2010 exactly, and with noise against costs.
        let draws: Vec<Value> = (0..40)
            .map(|i| {
                let x = 0.5 + f64::from(i) / 100.0;
                let noise = if i % 2 == 0 { 0.3 } else { -0.3 };
                json!([x, 2.0 - x, 1000.0 + 100.0 * x + noise * 10.0, 0.5, 0.5, 7.0])
            })
            .collect();
        json!({
            "parameters": ["family_help_rr", "cp_2010", "foster_cost_month", "mix.a", "mix.b", "not_calibrated"],
            "priors": {
                "family_help_rr": {"dist": "lognormal", "median": 0.68, "sigma": 0.25},
                "cp_2010": {"dist": "lognormal", "median": 1.0, "sigma": 0.15},
                "foster_cost_month": {"dist": "gamma", "mean": 3347.0, "sd": 170.0},
                "mix": {"dist": "dirichlet", "shares": {"a": 0.5, "b": 0.5}, "concentration": 100.0}
            },
            "draws": draws
        })
    }

    #[test]
    fn correlations_are_computed_from_the_draws() {
        let cols = calibrated_columns(&posterior());
        assert_eq!(cols.len(), 5, "not_calibrated has no prior");
        let with = correlations_with(&cols, FOCUS);
        assert_eq!(with[0].0, "cp_2010");
        assert!((with[0].1 + 1.0).abs() < 1e-12);
        assert_eq!(with[1].0, "foster_cost_month");
        assert!(with[1].1 > 0.9 && with[1].1 < 1.0);
        assert_eq!(with.len(), 2, "constant shares have no correlation");
    }

    #[test]
    fn the_sentence_quotes_the_posterior_the_prior_and_the_trade_offs() {
        let s = sentence(&posterior(), "2010-2025", None).unwrap();
        assert!(
            s.starts_with("What the calibration cannot tell apart: the posterior puts family_help_rr at 0.695 (90% interval 0.520 to 0.870), against 0.680 (0.451 to 1.03) in its prior: the 2010-2025 figures narrow its 90% interval by 39%. "),
            "{s}"
        );
        assert!(
            s.contains("it trades off most against cp_2010 (correlation \u{2212}1.00) and foster_cost_month (correlation 0.97)"),
            "{s}"
        );
    }
}
