//! Parameter draws from a posterior (`"run": {"draws": "file"}`): run *i* takes draw *i* of a
//! seeded random order of the file written by `calibrate --posterior` (the sampler writes its
//! draws grouped by ancestry, so the first few hundred are not a random sample of them) for
//! every parameter whose definition is the prior that was calibrated, and draws every other
//! parameter from its own distribution as usual. Beyond the file's draws, a run takes a draw
//! chosen by a seeded rule (uniform, from the run's seed).

use super::params::ParamSet;
use super::raw::RawParam;
use crate::rng;
use rand::Rng;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// A posterior's draws, matched to one scenario's slots.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorDraws {
    /// The file as the scenario names it, and its sha256.
    pub file: String,
    pub sha256: String,
    pub effective_sample_size: f64,
    /// Draws as rows of the file's columns.
    pub rows: Vec<Vec<f64>>,
    /// (this scenario's slot, the file's column) for every slot taken from the posterior.
    pub map: Vec<(usize, usize)>,
    /// Parameters taken from the posterior, and parameters with a distribution drawn from it
    /// instead (new, or defined differently from the calibrated prior).
    pub from_posterior: Vec<String>,
    pub from_prior: Vec<String>,
    /// Calibrated parameters this scenario defines differently (so not taken from the file).
    pub redefined: Vec<String>,
}

/// A parameter's distribution as compared with the calibrated prior: its fields without
/// provenance, unit or description.
pub fn prior_key(raw: &RawParam) -> Value {
    let mut v = serde_json::to_value(raw).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.retain(|k, x| {
            !x.is_null() && !matches!(k.as_str(), "source" | "assumption" | "unit" | "description")
        });
    }
    v
}

/// Reads `path` (named `as_written` in the scenario) and matches it to `params`.
pub fn load(path: &Path, as_written: &str, params: &ParamSet) -> Result<PosteriorDraws, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read draws file {}: {e}", path.display()))?;
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("draws file {} is not valid JSON: {e}", path.display()))?;
    let names: Vec<&str> = doc["parameters"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let rows: Vec<Vec<f64>> = doc["draws"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    r.as_array()
                        .map(|x| x.iter().filter_map(Value::as_f64).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let priors = doc["priors"].as_object();
    if names.is_empty()
        || rows.is_empty()
        || priors.is_none()
        || rows.iter().any(|r| r.len() != names.len())
    {
        return Err(format!(
            "{} is not a posterior written by `carecast calibrate --posterior` (it needs `parameters`, `priors` and `draws` of equal width)",
            path.display()
        ));
    }
    let priors = priors.expect("checked above");
    let (mut map, mut from_posterior, mut from_prior) = (Vec::new(), Vec::new(), Vec::new());
    let mut redefined = Vec::new();
    for p in &params.params {
        if priors.get(&p.name).is_some_and(|d| *d != prior_key(&p.raw)) {
            redefined.push(p.name.clone());
        }
        if !p.dist.is_drawn() {
            continue;
        }
        let same = priors.get(&p.name) == Some(&prior_key(&p.raw));
        let cols: Option<Vec<usize>> = (0..p.components.len().max(1))
            .map(|k| {
                names
                    .iter()
                    .position(|n| *n == params.slot_names[p.slot + k])
            })
            .collect();
        match (same, cols) {
            (true, Some(cols)) => {
                map.extend(cols.iter().enumerate().map(|(k, c)| (p.slot + k, *c)));
                from_posterior.push(p.name.clone());
            }
            _ => from_prior.push(p.name.clone()),
        }
    }
    Ok(PosteriorDraws {
        file: as_written.to_string(),
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        effective_sample_size: doc["effective_sample_size"].as_f64().unwrap_or(f64::NAN),
        rows,
        map,
        from_posterior,
        from_prior,
        redefined,
    })
}

impl PosteriorDraws {
    /// The draw run `run` takes: the `run`-th of `order` while there are enough, otherwise one
    /// chosen uniformly by the run's own seed (so a baseline and its alternatives share it).
    pub fn pick(&self, run: u64, master_seed: u64) -> usize {
        let n = self.rows.len();
        if (run as usize) < n {
            return self.order(master_seed)[run as usize];
        }
        let mut r = rng::stream(rng::run_seed(master_seed, run), "posterior draw");
        r.random_range(0..n)
    }

    /// The order in which runs take the draws under `master_seed`: a shuffle of them all, the
    /// same for every scenario run with that seed.
    pub fn order(&self, master_seed: u64) -> Vec<usize> {
        use rand::seq::SliceRandom;
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.shuffle(&mut rng::stream(master_seed, "posterior draw order"));
        order
    }

    /// Overwrites the posterior's slots of `values` with draw `j`.
    pub fn apply(&self, j: usize, values: &mut [f64]) {
        for &(slot, col) in &self.map {
            values[slot] = self.rows[j][col];
        }
    }

    /// `summary.json`'s `parameter_draws`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "from": "posterior",
            "file": self.file,
            "sha256": self.sha256,
            "effective_sample_size": self.effective_sample_size,
            "draws": self.rows.len(),
            "parameters_from_posterior": self.from_posterior,
            "parameters_from_prior": self.from_prior,
            "parameters_redefined": self.redefined,
        })
    }
}
