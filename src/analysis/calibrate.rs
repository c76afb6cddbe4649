//! Calibration: fits the central values of named parameters to target stocks and flows by least
//! squares on relative errors, within bounds (the distribution's p1 to p99 unless the targets file
//! gives explicit bounds), with a bounded Nelder-Mead search in the unit cube (deterministic:
//! fixed start, fixed simplex, no randomness). The model is the cohort engine at central values.

use super::{recompute_derived, Measure};
use crate::engine::cohort::project;
use crate::results::metrics::METRICS;
use crate::scenario::params::Dist;
use crate::scenario::quantile::quantiles;
use crate::scenario::Model;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The targets file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    #[serde(default)]
    pub description: String,
    /// Default year of the targets, e.g. "2025-26" (default: the first simulated year).
    pub year: Option<String>,
    pub targets: Vec<RawTarget>,
    /// Explicit bounds on free parameters: name -> [low, high].
    #[serde(default)]
    pub bounds: BTreeMap<String, [f64; 2]>,
    /// Why the bounds are what they are.
    #[serde(default)]
    pub bounds_note: String,
    /// Why the targets' observation errors are what they are.
    #[serde(default)]
    pub observation_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub metric: String,
    pub value: f64,
    pub year: Option<String>,
    #[serde(default = "one")]
    pub weight: f64,
    /// The target's observation error as a share of its value (for Bayesian calibration).
    pub observation_sd: Option<f64>,
    #[serde(default)]
    pub source: String,
}

fn one() -> f64 {
    1.0
}

/// A checked target.
#[derive(Debug, Clone)]
pub struct Target {
    pub measure: Measure,
    pub value: f64,
    pub weight: f64,
    /// Observation error as a share of the value, where the file gives one.
    pub observation_sd: Option<f64>,
    pub source: String,
}

/// Checks a targets file against `model`; errors name the JSON path and the fix.
pub fn targets(model: &Model, raw: &RawTargets) -> Result<Vec<Target>, String> {
    let default_year = raw.year.clone().unwrap_or_else(|| model.year_label(0));
    if raw.targets.is_empty() {
        return Err("$.targets is empty; list at least one {\"metric\", \"value\"}".into());
    }
    raw.targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let year = t.year.clone().unwrap_or_else(|| default_year.clone());
            let measure = Measure::parse(model, &t.metric, &year)
                .map_err(|e| format!("$.targets[{i}]: {}", e.replace("--", "")))?;
            if measure.year.is_none() {
                return Err(format!("$.targets[{i}].year: give one year such as 2025-26"));
            }
            if !(t.value.is_finite() && t.value != 0.0) {
                return Err(format!(
                    "$.targets[{i}].value: {} cannot be a relative-error target; give a non-zero number",
                    t.value
                ));
            }
            if !(t.weight.is_finite() && t.weight >= 0.0) {
                return Err(format!("$.targets[{i}].weight: give a weight of 0 or more"));
            }
            if let Some(sd) = t.observation_sd {
                if !(sd.is_finite() && sd > 0.0 && sd < 1.0) {
                    return Err(format!(
                        "$.targets[{i}].observation_sd: {sd} is not a share between 0 and 1; give e.g. 0.03 for 3%"
                    ));
                }
            }
            Ok(Target {
                measure,
                value: t.value,
                weight: t.weight,
                observation_sd: t.observation_sd,
                source: t.source.clone(),
            })
        })
        .collect()
}

/// A free parameter: its slot, bounds and starting (central) value.
#[derive(Debug, Clone)]
pub struct Free {
    pub name: String,
    pub slot: usize,
    pub lo: f64,
    pub hi: f64,
    pub start: f64,
}

/// Resolves `--free` names to scalar parameters with bounds.
pub fn free_params(
    model: &Model,
    names: &[String],
    bounds: &BTreeMap<String, [f64; 2]>,
) -> Result<Vec<Free>, String> {
    let central = model
        .params
        .central()
        .map_err(|(p, e)| format!("parameter `{p}`: {e}"))?;
    let mut out: Vec<Free> = Vec::new();
    for name in names {
        let name = name.trim();
        let Some(p) = model.params.params.iter().find(|p| p.name == name) else {
            return Err(format!(
                "--free `{name}` is not a parameter of scenario `{}`; check the spelling in its `parameters`",
                model.name
            ));
        };
        if !p.components.is_empty() || matches!(p.dist, Dist::Derived(_) | Dist::Path { .. }) {
            return Err(format!(
                "--free `{name}` is a Dirichlet, shares or derived parameter; only scalar parameters can be calibrated — free the parameters it is computed from instead"
            ));
        }
        if out.iter().any(|f| f.name == name) {
            return Err(format!("--free names `{name}` twice"));
        }
        let (lo, hi) = match bounds.get(name) {
            Some([lo, hi]) => (*lo, *hi),
            None => match (quantiles(&p.dist, 0.01), quantiles(&p.dist, 0.99)) {
                (Some(lo), Some(hi)) => (lo[0], hi[0]),
                _ => {
                    return Err(format!(
                        "--free `{name}` has a fixed value, so it has no p1-p99 range; add \"bounds\": {{\"{name}\": [low, high]}} to the targets file"
                    ))
                }
            },
        };
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!(
                "bounds of `{name}` [{lo}, {hi}] are empty; give low < high"
            ));
        }
        out.push(Free {
            name: name.to_string(),
            slot: p.slot,
            lo,
            hi,
            start: central[p.slot].clamp(lo, hi),
        });
    }
    Ok(out)
}

/// The result of a fit.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Fitted central value of each free parameter.
    pub values: Vec<f64>,
    /// Model value of each target at the fit, and at the start.
    pub fitted: Vec<f64>,
    pub start: Vec<f64>,
    pub objective: f64,
    pub evaluations: usize,
}

/// `model` cut to the years the targets need (calibration never looks further).
/// `model` cut to the years the targets need.
pub(crate) fn truncated(model: &Model, targets: &[Target]) -> Model {
    let years = targets
        .iter()
        .filter_map(|t| t.measure.year)
        .max()
        .map_or(model.years, |y| y + 1);
    let mut m = model.clone();
    m.years = years;
    m.policy.extra.retain(|(y, _)| *y < years);
    m
}

/// Model values of the targets with the free parameters at `x`.
fn evaluate(
    model: &Model,
    targets: &[Target],
    free: &[Free],
    x: &[f64],
) -> Result<Vec<f64>, String> {
    let mut v = model
        .params
        .central()
        .map_err(|(p, e)| format!("parameter `{p}`: {e}"))?;
    for (f, x) in free.iter().zip(x) {
        v[f.slot] = *x;
    }
    recompute_derived(&model.params, &mut v)?;
    let p = project(model, &v)?;
    Ok(targets.iter().map(|t| t.measure.of(&p)).collect())
}

fn objective(targets: &[Target], fitted: &[f64]) -> f64 {
    targets
        .iter()
        .zip(fitted)
        .map(|(t, f)| t.weight * ((f - t.value) / t.value).powi(2))
        .sum()
}

/// Fits the free parameters; at most `max_evals` projections.
pub fn fit(
    model: &Model,
    targets: &[Target],
    free: &[Free],
    max_evals: usize,
) -> Result<Fit, String> {
    let model = truncated(model, targets);
    let to_x = |u: &[f64]| -> Vec<f64> {
        free.iter()
            .zip(u)
            .map(|(f, u)| f.lo + u.clamp(0.0, 1.0) * (f.hi - f.lo))
            .collect()
    };
    let start_x: Vec<f64> = free.iter().map(|f| f.start).collect();
    let start = evaluate(&model, targets, free, &start_x)?;
    let mut evals = 1;
    let mut f = |u: &[f64]| -> f64 {
        evals += 1;
        match evaluate(&model, targets, free, &to_x(u)) {
            Ok(fitted) => objective(targets, &fitted),
            // A corner where some probability leaves [0, 1]: steer away.
            Err(_) => 1e6,
        }
    };
    let u0: Vec<f64> = free
        .iter()
        .map(|f| (f.start - f.lo) / (f.hi - f.lo))
        .collect();
    let mut best = nelder_mead(&mut f, &u0, 0.1, max_evals / 2);
    // One restart from the best point with a smaller simplex, a standard guard against stalls.
    best = nelder_mead(&mut f, &best.0, 0.02, max_evals / 2).min_by(best);
    let values = to_x(&best.0);
    let fitted = evaluate(&model, targets, free, &values)?;
    Ok(Fit {
        objective: objective(targets, &fitted),
        values,
        fitted,
        start,
        evaluations: evals,
    })
}

/// A point and its objective value.
struct Best(Vec<f64>, f64);

impl Best {
    fn min_by(self, other: Best) -> Best {
        if self.1 <= other.1 {
            self
        } else {
            other
        }
    }
}

/// Nelder-Mead in the unit cube (points projected onto it), standard coefficients.
fn nelder_mead(f: &mut impl FnMut(&[f64]) -> f64, u0: &[f64], step: f64, max_evals: usize) -> Best {
    let n = u0.len();
    let clamp = |p: Vec<f64>| -> Vec<f64> { p.into_iter().map(|x| x.clamp(0.0, 1.0)).collect() };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let p0 = clamp(u0.to_vec());
    let f0 = f(&p0);
    simplex.push((p0.clone(), f0));
    for i in 0..n {
        let mut p = p0.clone();
        p[i] = if p[i] + step <= 1.0 {
            p[i] + step
        } else {
            p[i] - step
        };
        let fp = f(&p);
        simplex.push((p, fp));
    }
    let mut used = n + 1;
    while used < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let spread = simplex[n].1 - simplex[0].1;
        if spread.abs() < 1e-14 && simplex[0].1.is_finite() {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|p| p.0[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            clamp(
                (0..n)
                    .map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j]))
                    .collect(),
            )
        };
        let r = along(-1.0);
        let fr = f(&r);
        used += 1;
        if fr < simplex[0].1 {
            let e = along(-2.0);
            let fe = f(&e);
            used += 1;
            simplex[n] = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (r, fr);
        } else {
            let c = if fr < simplex[n].1 {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = f(&c);
            used += 1;
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (c, fc);
            } else {
                let b = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    p.0 = clamp((0..n).map(|j| b[j] + 0.5 * (p.0[j] - b[j])).collect());
                    p.1 = f(&p.0);
                    used += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (p, v) = simplex.swap_remove(0);
    Best(p, v)
}

/// The fit table: one row per target, then one per free parameter.
pub fn fit_csv(model: &Model, targets: &[Target], free: &[Free], fit: &Fit) -> String {
    use super::sensitivity::fmt;
    let mut out = String::from("kind,name,year,target,start,fitted,relative_error\n");
    for (i, t) in targets.iter().enumerate() {
        out.push_str(&format!(
            "target,{},{},{},{},{},{}\n",
            METRICS[t.measure.metric].0,
            model.year_label(t.measure.year.unwrap_or(0)),
            fmt(t.value),
            fmt(fit.start[i]),
            fmt(fit.fitted[i]),
            fmt((fit.fitted[i] - t.value) / t.value)
        ));
    }
    for (f, v) in free.iter().zip(&fit.values) {
        out.push_str(&format!(
            "parameter,{},,[{} to {}],{},{},\n",
            f.name,
            fmt(f.lo),
            fmt(f.hi),
            fmt(f.start),
            fmt(*v)
        ));
    }
    out
}

/// The calibrated scenario: `extends` the original and changes only the free parameters' central
/// values (their spread is kept), each with an assumption saying how it was fitted. Each
/// parameter is written out whole, since an extending scenario's parameter replaces the
/// inherited definition.
pub fn extends_json(
    model: &Model,
    extends: &str,
    free: &[Free],
    fit: &Fit,
    command: &str,
    targets_file: &str,
) -> String {
    let mut params = Map::new();
    for (f, x) in free.iter().zip(&fit.values) {
        let Some(p) = model.params.params.iter().find(|p| p.name == f.name) else {
            continue;
        };
        let mut o = recentred(p, *x);
        let was = match &p.provenance {
            crate::scenario::params::Provenance::Source(s) => {
                format!("Source before calibration: {s}")
            }
            crate::scenario::params::Provenance::Assumption(a) => {
                format!("Before calibration: {a}")
            }
        };
        o.insert(
            "assumption".into(),
            json!(format!(
                "Calibrated: central value {} (was {}, searched within [{}, {}]) fitted to {targets_file} by `{command}`. {was}",
                super::sensitivity::fmt(*x),
                super::sensitivity::fmt(f.start),
                super::sensitivity::fmt(f.lo),
                super::sensitivity::fmt(f.hi)
            )),
        );
        params.insert(f.name.clone(), Value::Object(o));
    }
    let doc = json!({
        "extends": extends,
        "name": format!("{}-calibrated", model.name),
        "description": format!("{} Central values of {} calibrated to {targets_file}.", model.description, free.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")),
        "parameters": params,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// `p`'s whole definition (its distribution's fields, unit and description, without its source
/// or assumption) with the central value moved to `x` and the spread kept.
fn recentred(p: &crate::scenario::params::Param, x: f64) -> Map<String, Value> {
    let raw = &p.raw;
    let mut o = match serde_json::to_value(raw) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    o.retain(|k, v| !v.is_null() && !matches!(k.as_str(), "source" | "assumption"));
    match &p.dist {
        Dist::LogNormal { .. } => {
            o.insert("median".into(), json!(x));
        }
        Dist::Uniform { min, max } => {
            let half = 0.5 * (max - min);
            o.insert("min".into(), json!(x - half));
            o.insert("max".into(), json!(x + half));
        }
        Dist::Beta { alpha, beta } => {
            // Written as mean and sd; an sd impossible at the new mean is cut to just below
            // the largest possible.
            let most = (x * (1.0 - x)).sqrt();
            let sd = match raw.sd {
                Some(sd) if sd * sd >= x * (1.0 - x) => 0.99 * most,
                Some(sd) => sd,
                None => {
                    let s = alpha + beta;
                    (alpha * beta / (s * s * (s + 1.0))).sqrt().min(0.99 * most)
                }
            };
            o.shift_remove("alpha");
            o.shift_remove("beta");
            o.insert("mean".into(), json!(x));
            o.insert("sd".into(), json!(sd));
        }
        Dist::Fixed(_) => {
            o.insert("value".into(), json!(x));
        }
        _ => {
            o.insert("mean".into(), json!(x));
        }
    }
    o
}
