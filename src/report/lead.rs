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

/// The top driver of one measure: (parameter slot, rank correlation).
fn top_driver(alt: &Value, key: &str) -> Option<(String, f64)> {
    let d = alt.get("uncertainty_drivers")?.get(key)?.as_array()?.first()?;
    Some((
        d.get("parameter")?.as_str()?.to_string(),
        d.get("rank_correlation")?.as_f64()?,
    ))
}

/// A correlation for text: two decimals, a true minus sign.
fn corr(r: f64) -> String {
    super::numbers::grouped(r, 2)
}

/// What the spread of the two changes follows, as a sentence.
fn drivers_sentence(alt: &Value, summary: Option<&Value>) -> Option<String> {
    let cic = top_driver(alt, "children_in_care_change");
    let late = top_driver(alt, "late_spend_change_in_year");
    let with = |(p, r): &(String, f64)| {
        parameter_words(summary, p, Some(&format!("rank correlation {}", corr(*r))))
    };
    Some(match (cic, late) {
        (Some((a, ra)), Some((b, rb))) if a == b => format!(
            "Across the paired runs the spread of both follows most {}: rank correlation {} with the change in children in care, {} with the change in late spend.",
            parameter_words(summary, &a, None),
            corr(ra),
            corr(rb)
        ),
        (Some(a), Some(b)) => format!(
            "Across the paired runs the spread of the change in children in care follows most {}, that of the change in late spend {}.",
            with(&a),
            with(&b)
        ),
        (Some(a), None) => format!(
            "Across the paired runs the spread of the change in children in care follows most {}.",
            with(&a)
        ),
        (None, Some(b)) => format!(
            "Across the paired runs the spread of the change in late spend follows most {}.",
            with(&b)
        ),
        (None, None) => return None,
    })
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
        let s = for_alternative(&alt, "Protected", "History", "2024-25", &deltas, Some(&summary))
            .unwrap();
        assert_eq!(
            s,
            "Against History, Protected puts children in care at 31 March 2025 lower by 7,680 (90% interval 3,800 to 11,800) and late spend in 2024-25 lower by £910m (90% interval £402m to £1,420m). Across the paired runs the spread of both follows most family_help_rr (effect of family help on escalation): rank correlation 0.93 with the change in children in care, 0.90 with the change in late spend."
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
