//! Each scenario's policy in a report: a sentence (the rule, the budget, the extra money and its
//! years, the lag, the levers pulled), a table of the money by year, and for an alternative what
//! differs from the baseline. Read from `summary.json`'s `policy` block.

use super::content::label_of;
use super::params::plain;
use serde_json::Value;

/// One scenario's money by year, at the parameters' central values.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyTable {
    pub scenario: String,
    /// The scenario's label, for headings.
    pub label: String,
    /// "Early budget (£m)" or "Total budget (£m)".
    pub budget_label: String,
    /// (year, budget £m, extra investment £m).
    pub rows: Vec<(String, f64, f64)>,
    /// What differs from the baseline (comparisons), or None.
    pub differs: Option<String>,
}

/// £m to three significant figures, e.g. "£2,840m" (the tables give the exact figures).
fn gbp_m(x: f64) -> String {
    super::numbers::money_m(x)
}

/// (year, budget £m, extra investment £m) of a summary's `policy.by_year_at_central_values`.
pub(super) fn by_year(policy: &Value) -> Vec<(String, f64, f64)> {
    let num = |r: &Value, k: &str| r.get(k).and_then(Value::as_f64);
    policy
        .get("by_year_at_central_values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let budget = num(r, "early_budget_gbp_m")
                .or_else(|| num(r, "total_budget_gbp_m"))
                .unwrap_or(f64::NAN);
            (
                plain(r.get("year")),
                budget,
                num(r, "extra_investment_gbp_m").unwrap_or(0.0),
            )
        })
        .collect()
}

/// "£390m in 2025-26, £650m in 2026-27 and £780m in 2027-28".
fn money_by_year(rows: &[(String, f64)]) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|(y, m)| format!("{} in {y}", gbp_m(*m)))
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The budget: a constant level, or its range over the years.
fn budget_text(rows: &[(String, f64, f64)]) -> String {
    let (lo, hi) = rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.1), b.max(r.1))
        });
    match rows.first() {
        None => "not recorded".into(),
        Some(_) if (hi - lo).abs() < 0.5 => format!("{} a year", gbp_m(lo)),
        Some(first) => {
            let last = rows.last().map_or(first, |r| r);
            format!(
                "{} in {} to {} in {} (between {} and {})",
                gbp_m(first.1),
                first.0,
                gbp_m(last.1),
                last.0,
                gbp_m(lo),
                gbp_m(hi)
            )
        }
    }
}

/// The levers a policy pulls, with the year each starts: "family_group_conferences (from 2026-27)".
fn levers_text(policy: &Value) -> Option<String> {
    let levers = policy.get("levers").and_then(Value::as_object)?;
    if levers.is_empty() {
        return None;
    }
    let names: Vec<String> = levers
        .iter()
        .map(|(name, def)| match def.get("from_year") {
            Some(y) => format!("{name} (from {})", plain(Some(y))),
            None => format!("{name} (from the first year)"),
        })
        .collect();
    Some(names.join(", "))
}

/// The policy sentence for one scenario's `summary.json`.
pub fn sentence(summary: &Value) -> Option<String> {
    let p = summary.get("policy")?;
    let name = label_of(summary);
    let rows = by_year(p);
    let rule = plain(p.get("rule"));
    let budget = budget_text(&rows);
    let mut s = if rule == "total_set" {
        let early = match p.get("early_share_of_total").and_then(Value::as_f64) {
            Some(share) => format!("early help gets {:.1}% of it", share * 100.0),
            None => format!(
                "early help gets what the previous year's late spend leaves, at least {}",
                gbp_m(
                    p.get("early_floor_gbp_m")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0)
                )
            ),
        };
        format!("Policy of {name}: a total budget of {budget}, late demand met first; {early}")
    } else {
        format!("Policy of {name}: an early budget of {budget}, late spend demand-led")
    };
    let extra: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| r.2 != 0.0)
        .map(|r| (r.0.clone(), r.2))
        .collect();
    if extra.is_empty() {
        s.push_str("; no extra early investment");
    } else {
        let total: f64 = extra.iter().map(|e| e.1).sum();
        let lag = p.get("lag_months").and_then(Value::as_u64).unwrap_or(0);
        let ramp = if lag > 0 {
            format!(", its family-help places ramping in over {lag} months")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "; extra early investment of {} ({} in all){ramp}",
            money_by_year(&extra),
            gbp_m(total)
        ));
    }
    match levers_text(p) {
        Some(l) => s.push_str(&format!("; reform levers pulled: {l}")),
        None => s.push_str("; no reform lever pulled"),
    }
    s.push_str(". Money at central values, £ at ");
    s.push_str(&plain(summary.get("price_base")));
    s.push_str(" prices.");
    Some(s)
}

/// One scenario's money table.
pub fn table(summary: &Value) -> Option<PolicyTable> {
    let p = summary.get("policy")?;
    let budget_label = if plain(p.get("rule")) == "total_set" {
        "Total budget (£m)"
    } else {
        "Early budget (£m)"
    };
    Some(PolicyTable {
        scenario: plain(summary.get("scenario")),
        label: label_of(summary),
        budget_label: budget_label.into(),
        rows: by_year(p),
        differs: None,
    })
}

/// What an alternative's policy changes from the baseline's: its rule, the budget and extra
/// money by year, the lag and the levers.
pub fn differences(base: &Value, alt: &Value) -> String {
    let (Some(b), Some(a)) = (base.get("policy"), alt.get("policy")) else {
        return "The policy is not recorded in summary.json.".into();
    };
    let mut out = Vec::new();
    if b.get("rule") != a.get("rule") {
        out.push(format!(
            "rule {} instead of {}",
            plain(a.get("rule")),
            plain(b.get("rule"))
        ));
    }
    let (rb, ra) = (by_year(b), by_year(a));
    // The years in which a column differs by £0.5m or more, with the difference.
    let changed = |col: fn(&(String, f64, f64)) -> f64| -> Vec<(String, f64)> {
        ra.iter()
            .zip(&rb)
            .filter(|(x, y)| (col(x) - col(y)).abs() >= 0.5)
            .map(|(x, y)| (x.0.clone(), col(x) - col(y)))
            .collect()
    };
    let budget = changed(|r| r.1);
    if !budget.is_empty() {
        out.push(format!("budget changed by {}", money_by_year(&budget)));
    }
    let extra = changed(|r| r.2);
    if !extra.is_empty() {
        out.push(format!(
            "extra early investment of {}",
            money_by_year(&extra)
        ));
    }
    if a.get("lag_months") != b.get("lag_months") && !extra.is_empty() {
        out.push(format!("a lag of {} months", plain(a.get("lag_months"))));
    }
    let levers = |p: &Value| {
        p.get("levers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (lb, la) = (levers(b), levers(a));
    let pulled: Vec<String> = la
        .iter()
        .filter(|(k, v)| lb.get(*k) != Some(v))
        .map(|(k, v)| match v.get("from_year") {
            Some(y) => format!("{k} (from {})", plain(Some(y))),
            None => k.clone(),
        })
        .collect();
    if !pulled.is_empty() {
        out.push(format!("levers {}", pulled.join(", ")));
    }
    let dropped: Vec<&String> = lb.keys().filter(|k| !la.contains_key(*k)).collect();
    if !dropped.is_empty() {
        let d: Vec<&str> = dropped.iter().map(|s| s.as_str()).collect();
        out.push(format!("without the baseline's levers {}", d.join(", ")));
    }
    let name = label_of(alt);
    let base_name = label_of(base);
    if out.is_empty() {
        format!(
            "{name}'s policy is the same as {base_name}'s; it differs elsewhere (see Parameters)."
        )
    } else {
        format!("{name} against {base_name}: {}.", out.join("; "))
    }
}

/// The parameters an alternative defines differently from the baseline (both define them).
pub fn redefined(base: &Value, alt: &Value) -> Vec<String> {
    let defs = |s: &Value| -> Vec<(String, Value)> {
        s.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    plain(p.get("name")),
                    p.get("distribution").cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    };
    let b = defs(base);
    defs(alt)
        .into_iter()
        .filter(|(n, d)| b.iter().any(|(bn, bd)| bn == n && bd != d))
        .map(|(n, _)| n)
        .collect()
}

/// A warning for the findings when an alternative redefines baseline parameters.
pub fn redefined_warning(base: &Value, alt: &Value) -> Option<String> {
    let names = redefined(base, alt);
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "{}: also redefines {} of the baseline's parameters ({}), so its differences from the baseline come from those assumptions as well as from its policy, from the first year.",
        label_of(alt),
        names.len(),
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(name: &str, extra: [f64; 3], levers: Value) -> Value {
        json!({
            "scenario": name, "price_base": "2024-25",
            "policy": {
                "rule": "early_set", "lag_months": 12, "levers": levers,
                "by_year_at_central_values": [
                    {"year": "2025-26", "early_budget_gbp_m": 2836.0, "extra_investment_gbp_m": extra[0]},
                    {"year": "2026-27", "early_budget_gbp_m": 2836.0, "extra_investment_gbp_m": extra[1]},
                    {"year": "2027-28", "early_budget_gbp_m": 2836.0, "extra_investment_gbp_m": extra[2]}
                ]
            }
        })
    }

    #[test]
    fn the_sentence_names_the_money_its_years_and_the_levers() {
        let s = sentence(&summary(
            "ff",
            [523.5, 800.0, 0.0],
            json!({"family_group_conferences": {"from_year": "2025-26"}}),
        ))
        .unwrap();
        assert!(s.contains("an early budget of £2,840m a year"), "{s}");
        assert!(
            s.contains("£524m in 2025-26 and £800m in 2026-27 (£1,320m in all)"),
            "{s}"
        );
        assert!(s.contains("ramping in over 12 months"), "{s}");
        assert!(s.contains("family_group_conferences (from 2025-26)"), "{s}");
    }

    #[test]
    fn differences_list_the_extra_money_and_the_new_levers() {
        let base = summary("base", [0.0; 3], json!({}));
        let alt = summary(
            "ff",
            [500.0, 500.0, 0.0],
            json!({"kinship_support": {"from_year": "2026-27"}}),
        );
        let d = differences(&base, &alt);
        assert!(
            d.contains("extra early investment of £500m in 2025-26 and £500m in 2026-27"),
            "{d}"
        );
        assert!(d.contains("levers kinship_support (from 2026-27)"), "{d}");
        assert!(differences(&base, &base).contains("the same as"));
    }
}
