//! `"continues": "file"`: a scenario whose runs continue another's. Loads the continued scenario,
//! checks that the two fit together (it ends the year before this one starts, its states come
//! first here with the same ages out, the need groups are the same, and it continues nothing
//! itself), and finds the parameters they share.

use super::model::{Continued, Model};
use super::posterior_draws::prior_key;
use super::validate::Ctx;
use std::path::Path;
use std::sync::Arc;

const FIX_FILE: &str = "name a scenario file relative to the file that names it, e.g. \"history-2010.json\", or set \"continues\": null to start from this scenario's own `initial` stocks";

/// Loads the scenario `written` (named at `$.continues`) and attaches it to `model`; problems
/// go to `cx`.
pub(super) fn attach(cx: &mut Ctx, model: &mut Model, written: &str) {
    let holder = cx.loaded().file_for("$.continues");
    let path = holder.parent().unwrap_or(Path::new(".")).join(written);
    let loaded = match super::load::load(&path) {
        Ok(l) => l,
        Err(e) => {
            let msg = format!("cannot load the continued scenario: {}", e.message);
            return cx.err("$.continues", msg, FIX_FILE);
        }
    };
    if let Some(next) = loaded.merged.get("continues").filter(|v| !v.is_null()) {
        let msg = format!(
            "{} itself continues {next}: a continued scenario must start from its own `initial` stocks",
            path.display()
        );
        let fix = format!(
            "set \"continues\": null in {} (it inherits the key through `extends`), or continue a scenario that starts from its own stocks",
            path.display()
        );
        return cx.err("$.continues", msg, fix);
    }
    let start = match super::validate::validate(&loaded) {
        Ok(m) => m,
        Err(errors) => {
            let first = errors
                .0
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let msg = format!(
                "the continued scenario {} has {} problem(s); the first: {first}",
                path.display(),
                errors.0.len()
            );
            let fix = format!("run `carecast validate {}` and fix it", path.display());
            return cx.err("$.continues", msg, fix);
        }
    };
    if !fits(cx, model, &start) {
        return;
    }
    model.continues = Some(Arc::new(share(model, start, written)));
}

/// Whether `start` can be continued by `model`; says why not in `cx`.
fn fits(cx: &mut Ctx, model: &Model, start: &Model) -> bool {
    let mut ok = true;
    let end = start.start_year + start.years as i32;
    if model.start_year != end {
        let msg = format!(
            "the continued scenario {} ends with {} (its start_year {} and horizon_years {}), so a scenario continuing it starts in {end}, not {}",
            start.name,
            start.year_label(start.years - 1),
            start.start_year,
            start.years,
            model.start_year
        );
        cx.err("$.start_year", msg, format!("set start_year to {end}"));
        ok = false;
    }
    // The continued scenario's states come first, in order (a lever may add states after them,
    // which start empty), with the same ages out.
    let n = start.states.len();
    let prefix = |m: &Model| {
        m.states
            .iter()
            .take(n)
            .map(|s| (s.name.clone(), s.age_out_months))
            .collect::<Vec<_>>()
    };
    if model.states.len() < n || prefix(model) != prefix(start) {
        let names: Vec<String> = start.states.iter().map(|s| s.name.clone()).collect();
        let msg = format!(
            "the states differ from those of the continued scenario {} ({}, with their ages out): its families cannot be carried over",
            start.name,
            names.join(", ")
        );
        let fix = "define the same states in the same order with the same `age_out` (extend a common file); states added after them start empty";
        cx.err("$.states", msg, fix);
        ok = false;
    }
    let groups = |m: &Model| m.groups.iter().map(|g| g.0.clone()).collect::<Vec<_>>();
    if groups(model) != groups(start) {
        let msg = format!(
            "the need groups differ from those of the continued scenario {} ({})",
            start.name,
            groups(start).join(", ")
        );
        cx.err("$.groups", msg, "define the same groups in the same order");
        ok = false;
    }
    ok
}

/// Pairs the drawn parameters that `model` and `start` define alike.
fn share(model: &Model, start: Model, written: &str) -> Continued {
    let (mut shared, mut shared_names, mut own_names) = (Vec::new(), Vec::new(), Vec::new());
    for p in model.params.params.iter().filter(|p| p.dist.is_drawn()) {
        let theirs = start.params.params.iter().find(|q| {
            q.name == p.name
                && q.dist.is_drawn()
                && q.components.len() == p.components.len()
                && prior_key(&q.raw) == prior_key(&p.raw)
        });
        match theirs {
            Some(q) => {
                let n = p.components.len().max(1);
                shared.extend((0..n).map(|k| (p.slot + k, q.slot + k)));
                shared_names.push(p.name.clone());
            }
            None => own_names.push(p.name.clone()),
        }
    }
    Continued {
        file: written.to_string(),
        model: start,
        shared,
        shared_names,
        own_names,
    }
}

/// Refuses `command` on a scenario that continues another: its start and its shared parameters
/// come from the continued scenario, which is where a calibration belongs.
pub fn refuse(model: &Model, file: &Path, command: &str) -> Result<(), crate::error::InputErrors> {
    let Some(c) = &model.continues else {
        return Ok(());
    };
    Err(crate::error::InputErrors::from(crate::error::InputError::new(
        file,
        "$.continues",
        format!(
            "`{command}` cannot run on {}: it continues {} ({}), so its starting families and the parameters the two share come from that scenario's runs, not from this file",
            model.name, c.model.name, c.file
        ),
        format!(
            "calibrate the continued scenario ({}) instead, or a copy of this one that sets \"continues\": null (as scenarios/baseline-2025-stocks.json does for the baseline)",
            c.file
        ),
    )))
}
