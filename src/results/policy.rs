//! The scenario's policy as `summary.json` records it: the rule, the budget and extra investment
//! as written, the money of each year at the parameters' central values, and the levers pulled.

use crate::engine::budget::Budgets;
use crate::scenario::model::{Rule, Targeting};
use crate::scenario::Model;
use serde_json::{json, Map, Value};

/// The `policy` block of `summary.json`.
pub fn policy_json(model: &Model) -> Value {
    let written = model.resolved.get("policy").cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    let p = &model.policy;
    let rule = match p.rule {
        Rule::EarlySet => "early_set",
        Rule::TotalSet => "total_set",
    };
    out.insert("rule".into(), json!(rule));
    let budget_key = match p.rule {
        Rule::EarlySet => "early_budget",
        Rule::TotalSet => "total_budget",
    };
    out.insert(
        budget_key.into(),
        written.get(budget_key).cloned().unwrap_or(Value::Null),
    );
    if let Some(e) = written.get("extra_investment") {
        out.insert("extra_investment".into(), e.clone());
    }
    out.insert("lag_months".into(), json!(p.lag_months));
    let targeting = match p.targeting {
        Targeting::NeedFirst => "need_first",
        Targeting::FirstCome => "first_come",
        Targeting::StepDownFirst => "stepdown_first",
    };
    out.insert("targeting".into(), json!(targeting));
    if let Some(b) = central_budgets(model) {
        out.insert("universal_share".into(), json!(b.universal_share));
        if p.rule == Rule::TotalSet {
            out.insert("early_floor_gbp_m".into(), json!(b.early_floor));
            if let Some(s) = b.early_share {
                out.insert("early_share_of_total".into(), json!(s));
            }
        }
        let years: Vec<Value> = (0..model.years)
            .map(|y| {
                let mut row = Map::new();
                row.insert("year".into(), json!(model.year_label(y)));
                let key = match p.rule {
                    Rule::EarlySet => "early_budget_gbp_m",
                    Rule::TotalSet => "total_budget_gbp_m",
                };
                row.insert(key.into(), json!(round3(b.path[y])));
                row.insert("extra_investment_gbp_m".into(), json!(round3(b.extra[y])));
                Value::Object(row)
            })
            .collect();
        out.insert("by_year_at_central_values".into(), Value::Array(years));
    }
    let levers = model
        .resolved
        .get("levers")
        .cloned()
        .unwrap_or_else(|| json!({}));
    out.insert("levers".into(), levers);
    Value::Object(out)
}

/// The policy evaluated at the parameters' central values.
fn central_budgets(model: &Model) -> Option<Budgets> {
    let values = model.params.central().ok()?;
    Budgets::new(model, &values).ok()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
