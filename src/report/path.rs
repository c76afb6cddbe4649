//! A run's whole yearly path: a table of every year's early spend, late spend, late:early ratio
//! and children in care (medians with their 90% intervals, from yearly.csv), and the years in
//! which the scenario's policy changes (from summary.json's policy block).

use super::measures::yearly_stat;
use super::numbers::{count, interval_short, money_m, ratio, table_gbp_m};
use super::params::plain;
use serde_json::Value;

/// A table of text cells with a title and a note on what its figures are.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A change of policy in one year: the year and what changes, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyChange {
    pub year: String,
    pub what: String,
}

/// The financial year before `label` ("2025-26" → "2024-25"), when `label` is one.
fn year_before(label: &str) -> Option<String> {
    let start: i32 = label.get(..4)?.parse().ok()?;
    Some(format!("{}-{:02}", start - 1, start.rem_euclid(100)))
}

/// "£236m less than in 2024-25" or "£50m more than in 2026-27".
fn change_words(now: f64, before: f64, year: &str) -> String {
    let d = now - before;
    let dir = if d < 0.0 { "less" } else { "more" };
    format!("{} {dir} than in {year}", money_m(d.abs()))
}

/// The years in which the policy changes: the budget moves by £0.5m or more from the year before
/// (the first year against the budget's base, the year before the start, when the base is a
/// number), extra early investment starts, changes or stops, or a reform lever comes into force.
pub fn policy_changes(summary: &Value) -> Vec<PolicyChange> {
    let Some(p) = summary.get("policy") else {
        return Vec::new();
    };
    let total = plain(p.get("rule")) == "total_set";
    let (key, budget_name) = if total {
        ("total_budget", "total budget")
    } else {
        ("early_budget", "early budget")
    };
    let rows = super::policy::by_year(p);
    let base = p
        .get(key)
        .and_then(|b| b.get("base_gbp_m"))
        .and_then(Value::as_f64);
    let mut out = Vec::new();
    for (i, (year, budget, extra)) in rows.iter().enumerate() {
        let mut what = Vec::new();
        let before = match i {
            0 => base.zip(year_before(year)),
            _ => Some((rows[i - 1].1, rows[i - 1].0.clone())),
        };
        if let Some((b, y)) = before {
            if (budget - b).abs() >= 0.5 {
                what.push(format!(
                    "{budget_name} {}, {}",
                    money_m(*budget),
                    change_words(*budget, b, &y)
                ));
            }
        }
        let extra_before = if i == 0 { 0.0 } else { rows[i - 1].2 };
        if (extra - extra_before).abs() >= 0.5 {
            what.push(if extra.abs() < 0.5 {
                "extra early investment stops".to_string()
            } else if extra_before.abs() < 0.5 {
                format!("extra early investment of {} starts", money_m(*extra))
            } else {
                format!("extra early investment {}", money_m(*extra))
            });
        }
        for (name, def) in p
            .get("levers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let from = def.get("from_year").and_then(Value::as_str);
            if from == Some(year.as_str()) || (i == 0 && from.is_none()) {
                what.push(format!("reform lever {name} in force"));
            }
        }
        if !what.is_empty() {
            out.push(PolicyChange {
                year: year.clone(),
                what: what.join("; "),
            });
        }
    }
    out
}

/// The sentence naming the years in which the policy changes.
pub fn changes_sentence(summary: &Value) -> Option<String> {
    summary.get("policy")?;
    let first = plain(summary.get("start_year"));
    let last = plain(summary.get("end_year"));
    let changes = policy_changes(summary);
    let years: Vec<&str> = changes.iter().map(|c| c.year.as_str()).collect();
    Some(match changes.as_slice() {
        [] => format!("The policy is the same in every year from {first} to {last}."),
        [one] => format!("The policy changes in {} only ({}).", one.year, one.what),
        _ if changes.len() <= 4 => {
            let parts: Vec<String> = changes
                .iter()
                .map(|c| format!("{} ({})", c.year, c.what))
                .collect();
            format!("The policy changes in {}.", join_and(&parts))
        }
        _ => format!(
            "The policy changes in {} of the years: {} (see the yearly path).",
            changes.len(),
            join_and(&years.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        ),
    })
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The table of every year of a run: medians with their 90% intervals, and the policy changes.
pub fn table(summary: &Value, yearly: &str, label: &str) -> Option<TextTable> {
    let mut years: Vec<String> = Vec::new();
    for line in yearly.lines().skip(1) {
        let Some(y) = line.split(',').nth(1) else {
            continue;
        };
        if !years.iter().any(|x| x == y) {
            years.push(y.to_string());
        }
    }
    let changes = policy_changes(summary);
    let cell = |y: &str, metric: &str, f: fn(f64) -> String| {
        yearly_stat(yearly, y, metric)
            .map_or("(not recorded)".to_string(), |s| interval_short(s, f))
    };
    let rows: Vec<Vec<String>> = years
        .iter()
        .map(|y| {
            let policy = changes
                .iter()
                .find(|c| &c.year == y)
                .map_or(String::new(), |c| c.what.clone());
            vec![
                y.clone(),
                cell(y, "early_spend", table_gbp_m),
                cell(y, "late_spend", table_gbp_m),
                cell(y, "late_early_ratio", ratio),
                cell(y, "children_in_care", count),
                policy,
            ]
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(TextTable {
        title: format!("Yearly path of {label}"),
        note: "Each cell: the median across runs, with its 90% interval in brackets where the runs differ; money and children to three significant figures, the ratio (late spend per £1 of early spend) to two decimals. Children in care at 31 March. Policy change: what the scenario's policy changes in that year, at the parameters' central values.".into(),
        header: [
            "Year",
            "Early spend (£m)",
            "Late spend (£m)",
            "Late:early ratio",
            "Children in care",
            "Policy change",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cut_summary() -> Value {
        let row = |y: &str, b: f64| json!({"year": y, "early_budget_gbp_m": b, "extra_investment_gbp_m": 0.0});
        json!({
            "scenario": "early-cuts", "start_year": "2025-26", "end_year": "2029-30",
            "policy": {
                "rule": "early_set",
                "early_budget": {"base_gbp_m": 2836, "index": {"2025-26": 0.9167}},
                "levers": {"kinship_support": {"from_year": "2027-28"}},
                "by_year_at_central_values": [
                    row("2025-26", 2600.0), row("2026-27", 2363.0), row("2027-28", 2127.0),
                    row("2028-29", 2127.0), row("2029-30", 2127.0)
                ]
            }
        })
    }

    #[test]
    fn the_years_a_policy_changes_are_named() {
        let c = policy_changes(&cut_summary());
        let years: Vec<&str> = c.iter().map(|c| c.year.as_str()).collect();
        assert_eq!(years, ["2025-26", "2026-27", "2027-28"]);
        assert_eq!(
            c[0].what,
            "early budget £2,600m, £236m less than in 2024-25"
        );
        assert_eq!(
            c[2].what,
            "early budget £2,130m, £236m less than in 2026-27; reform lever kinship_support in force"
        );
        let s = changes_sentence(&cut_summary()).unwrap();
        assert!(
            s.starts_with("The policy changes in 2025-26 (early budget £2,600m"),
            "{s}"
        );
        assert!(
            s.contains("), 2026-27 (") && s.contains(") and 2027-28 ("),
            "{s}"
        );
    }

    #[test]
    fn money_that_starts_and_stops_is_named() {
        let row = |y: &str, e: f64| json!({"year": y, "early_budget_gbp_m": 2836.0, "extra_investment_gbp_m": e});
        let s = json!({
            "start_year": "2025-26", "end_year": "2027-28",
            "policy": {"rule": "early_set", "early_budget": {"base_gbp_m": 2836},
                       "by_year_at_central_values": [row("2025-26", 500.0), row("2026-27", 500.0), row("2027-28", 0.0)]}
        });
        let c = policy_changes(&s);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].what, "extra early investment of £500m starts");
        assert_eq!(
            (c[1].year.as_str(), c[1].what.as_str()),
            ("2027-28", "extra early investment stops")
        );
        let same = json!({"start_year": "2025-26", "end_year": "2027-28",
            "policy": {"rule": "early_set", "by_year_at_central_values": [row("2025-26", 0.0)]}});
        assert_eq!(
            changes_sentence(&same).unwrap(),
            "The policy is the same in every year from 2025-26 to 2027-28."
        );
    }

    #[test]
    fn the_table_has_every_year() {
        let csv = "scenario,year,metric,unit,mean,p5,p50,p95\n\
                   c,2025-26,early_spend,gbp_m,2600,2600,2600,2600\n\
                   c,2025-26,children_in_care,children,89586,88000,89586,91000\n\
                   c,2026-27,early_spend,gbp_m,2363,2363,2363,2363\n";
        let t = table(&cut_summary(), csv, "Cuts").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][1], "2,600");
        assert_eq!(t.rows[0][4], "89,600 (88,000 to 91,000)");
        assert_eq!(t.rows[1][4], "(not recorded)");
        assert!(t.rows[0][5].starts_with("early budget £2,600m"));
    }
}
