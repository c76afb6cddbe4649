//! A comparison report's first paragraph: for each alternative, the change in children in care
//! at the end of the last year and in late spend in that year, each with its 90% interval, and
//! the parameters whose draws the spread of those changes follows (comparison.json's
//! `uncertainty_drivers`).

use super::measures::{stat_of, Stat};
use super::numbers::{count, interval, money_m, negated};
use super::tables::ResultRow;
use serde_json::Value;

/// "31 March 2025" for the financial year "2024-25" (when `year` is such a label).
pub fn march_31_after(year: &str) -> Option<String> {
    let start: i32 = year.get(..4)?.parse().ok()?;
    Some(format!("31 March {}", start + 1))
}

/// "lower by 7,680 (90% interval 3,800 to 11,800)": a change as a word and its size, `f` the
/// number's format.
fn change(s: Stat, f: fn(f64) -> String) -> String {
    if s.p50 < 0.0 {
        format!("lower by {}", interval(negated(s), f))
    } else {
        format!("higher by {}", interval(s, f))
    }
}

/// A parameter's description in a summary.json's `parameters`, first letter in lower case and
/// without a final full stop ("effect of family help on escalation").
fn description(summary: Option<&Value>, slot: &str) -> Option<String> {
    let base = slot.split('.').next().unwrap_or(slot);
    let d = summary?
        .get("parameters")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(base))?
        .get("distribution")?
        .get("description")?
        .as_str()?
        .trim()
        .trim_end_matches('.');
    let mut c = d.chars();
    let first: String = c.next()?.to_lowercase().collect();
    Some(format!("{first}{}", c.as_str()))
}

/// A parameter as a reader meets it, its name and then, in brackets, its description and
/// `extra`: "family_help_rr (effect of family help on escalation; rank correlation 0.93)".
pub fn parameter_words(summary: Option<&Value>, slot: &str, extra: Option<&str>) -> String {
    let inside: Vec<String> = description(summary, slot)
        .into_iter()
        .chain(extra.map(str::to_string))
        .collect();
    if inside.is_empty() {
        slot.to_string()
    } else {
        format!("{slot} ({})", inside.join("; "))
    }
}

/// The two parameters the spread of one measure follows most: (parameter slot, rank
/// correlation), largest first.
fn top_drivers(alt: &Value, key: &str) -> Vec<(String, f64)> {
    alt.get("uncertainty_drivers")
        .and_then(|d| d.get(key))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d.get("parameter")?.as_str()?.to_string(),
                d.get("rank_correlation")?.as_f64()?,
            ))
        })
        .take(2)
        .collect()
}

/// A correlation for text: two decimals, a true minus sign.
fn corr(r: f64) -> String {
    super::numbers::grouped(r, 2)
}

/// A rank correlation at or above this size (in absolute value) is said to drive a spread
/// ("chiefly"); below it, no single parameter dominates.
const CHIEFLY: f64 = 0.7;

/// What the spread of the two changes follows, as a sentence; each parameter is described at
/// its first mention only.
fn drivers_sentence(alt: &Value, summary: Option<&Value>) -> Option<String> {
    let measures: Vec<(&str, Vec<(String, f64)>)> = [
        (
            "children in care",
            top_drivers(alt, "children_in_care_change"),
        ),
        ("late spend", top_drivers(alt, "late_spend_change_in_year")),
    ]
    .into_iter()
    .filter(|(_, d)| !d.is_empty())
    .collect();
    if measures.is_empty() {
        return None;
    }
    let chiefly = measures.iter().all(|(_, d)| d[0].1.abs() >= CHIEFLY);
    if let [(_, a), (_, b)] = measures.as_slice() {
        if chiefly && a[0].0 == b[0].0 {
            let r = format!("rank correlation {} and {}", corr(a[0].1), corr(b[0].1));
            return Some(format!(
                "Across the paired runs the changes in children in care and in late spend both follow chiefly {}.",
                parameter_words(summary, &a[0].0, Some(&r))
            ));
        }
    }
    let mut seen: Vec<String> = Vec::new();
    let mut name = |p: &str, r: f64| {
        let r = format!("rank correlation {}", corr(r));
        if seen.iter().any(|s| s == p) {
            format!("{p} ({r})")
        } else {
            seen.push(p.to_string());
            parameter_words(summary, p, Some(&r))
        }
    };
    let parts: Vec<String> = measures
        .iter()
        .map(|(what, d)| {
            let named = if chiefly {
                name(&d[0].0, d[0].1)
            } else {
                let all: Vec<String> = d.iter().map(|(p, r)| name(p, *r)).collect();
                all.join(" and ")
            };
            format!(
                "the change in {what} follows {} {named}",
                if chiefly { "chiefly" } else { "most" }
            )
        })
        .collect();
    let lead = if chiefly || measures.iter().any(|(_, d)| d[0].1.abs() >= CHIEFLY) {
        "Across the paired runs".to_string()
    } else {
        format!(
            "Across the paired runs no single parameter dominates the spread of {}",
            if measures.len() == 1 {
                "the change"
            } else {
                "either change"
            }
        )
    };
    let sep = if lead.ends_with("runs") { " " } else { ": " };
    Some(format!("{lead}{sep}{}.", parts.join("; ")))
}

/// The lead sentences of one alternative, named `label` against `baseline`: `deltas` are
/// deltas.csv's rows, `last` the comparison's last year, `summary` the alternative's
/// summary.json (for the parameters' descriptions).
pub fn for_alternative(
    alt: &Value,
    label: &str,
    baseline: &str,
    last: &str,
    deltas: &[ResultRow],
    summary: Option<&Value>,
) -> Option<String> {
    let name = alt.get("scenario").and_then(Value::as_str)?;
    let cic = alt
        .get("children_in_care_change")
        .and_then(Value::as_array)
        .and_then(|ys| {
            ys.iter()
                .find(|y| y.get("year").and_then(Value::as_str) == Some(last))
        })
        .and_then(stat_of);
    let late = deltas
        .iter()
        .find(|r| r.scenario == name && r.year == last && r.metric == "late_spend")
        .map(|r| Stat {
            mean: r.values[0],
            p5: r.values[1],
            p50: r.values[2],
            p95: r.values[3],
        });
    let when = march_31_after(last).unwrap_or_else(|| format!("the end of {last}"));
    let parts: Vec<String> = [
        cic.map(|s| format!("children in care at {when} {}", change(s, count))),
        late.map(|s| format!("late spend in {last} {}", change(s, money_m))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return None;
    }
    let mut text = format!("Against {baseline}, {label} puts {}.", parts.join(" and "));
    if let Some(d) = drivers_sentence(alt, summary) {
        text.push(' ');
        text.push_str(&d);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stat(p5: f64, p50: f64, p95: f64) -> Value {
        json!({"mean": p50, "p5": p5, "p50": p50, "p95": p95})
    }

    #[test]
    fn the_lead_states_both_changes_with_their_intervals_and_what_they_follow() {
        let mut c = stat(-11755.0, -7675.0, -3795.0);
        c["year"] = json!("2024-25");
        let alt = json!({
            "scenario": "protected",
            "children_in_care_change": [c],
            "uncertainty_drivers": {
                "year": "2024-25",
                "children_in_care_change": [{"parameter": "family_help_rr", "rank_correlation": 0.93}],
                "late_spend_change_in_year": [{"parameter": "family_help_rr", "rank_correlation": 0.9}]
            }
        });
        let deltas = vec![ResultRow {
            scenario: "protected".into(),
            year: "2024-25".into(),
            metric: "late_spend".into(),
            unit: "gbp_m".into(),
            values: [-905.0, -1418.0, -910.0, -402.0],
        }];
        let summary = json!({"parameters": [{"name": "family_help_rr",
            "distribution": {"description": "Effect of family help on escalation"}}]});
        let s = for_alternative(
            &alt,
            "Protected",
            "History",
            "2024-25",
            &deltas,
            Some(&summary),
        )
        .unwrap();
        assert_eq!(
            s,
            "Against History, Protected puts children in care at 31 March 2025 lower by 7,680 (90% interval 3,800 to 11,800) and late spend in 2024-25 lower by £910m (90% interval £402m to £1,420m). Across the paired runs the changes in children in care and in late spend both follow chiefly family_help_rr (effect of family help on escalation; rank correlation 0.93 and 0.90)."
        );
    }

    #[test]
    fn weak_drivers_are_named_as_such() {
        let d = |p: &str, r: f64| json!({"parameter": p, "rank_correlation": r});
        let alt = json!({"uncertainty_drivers": {
            "children_in_care_change": [d("permanence_2019", -0.43), d("family_help_rr", 0.39), d("x", 0.1)],
            "late_spend_change_in_year": [d("family_help_rr", 0.40), d("permanence_2019", -0.36)]
        }});
        assert_eq!(
            drivers_sentence(&alt, None).unwrap(),
            "Across the paired runs no single parameter dominates the spread of either change: the change in children in care follows most permanence_2019 (rank correlation \u{2212}0.43) and family_help_rr (rank correlation 0.39); the change in late spend follows most family_help_rr (rank correlation 0.40) and permanence_2019 (rank correlation \u{2212}0.36)."
        );
    }

    #[test]
    fn an_increase_reads_as_higher_and_missing_figures_are_left_out() {
        let mut c = stat(100.0, 250.0, 400.0);
        c["year"] = json!("2034-35");
        let alt = json!({"scenario": "cut", "children_in_care_change": [c]});
        let s = for_alternative(&alt, "Cut", "Base", "2034-35", &[], None).unwrap();
        assert_eq!(
            s,
            "Against Base, Cut puts children in care at 31 March 2035 higher by 250 (90% interval 100 to 400)."
        );
        assert_eq!(
            for_alternative(&json!({"scenario": "x"}), "X", "B", "2034-35", &[], None),
            None
        );
    }
}
