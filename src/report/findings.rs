//! The headline findings' sentences: a run's first and last years, and each alternative of a
//! comparison against the baseline. An alternative that spends less early money than its
//! baseline (a cut: median extra early spend below zero) is described as a cut: extra late spend
//! per £1 cut, early spend cut by, and whether the cut saves money net; care entries read as
//! "added" when the alternative adds them.

use super::measures::{stat_of, yearly_stat};
use super::numbers::{count, interval, interval_parts, money_m, negated, percent, pounds};
use serde_json::Value;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or("(not recorded)")
}

/// The findings of a run: the late:early ratio, children in care and spend in the first and the
/// last year (the yearly path table gives every year).
pub fn for_run(summary: &Value, yearly: &str) -> Vec<String> {
    let first = text(summary, "start_year");
    let last = text(summary, "end_year");
    let mut findings = Vec::new();
    let ratio = |y| yearly_stat(yearly, y, "late_early_ratio");
    if let (Some(a), Some(b)) = (ratio(first), ratio(last)) {
        let (median, rest) = interval_parts(a, pounds);
        findings.push(format!(
            "In {first} the model projects {median} of late spend for every £1 of early spend{rest}; by {last}, {}.",
            interval(b, pounds)
        ));
    }
    for y in [first, last] {
        if let Some(c) = yearly_stat(yearly, y, "children_in_care") {
            findings.push(format!(
                "Children in care at the end of {y}: {}.",
                interval(c, count)
            ));
        }
    }
    for y in [first, last] {
        let get = |m| yearly_stat(yearly, y, m);
        if let (Some(e), Some(l), Some(t)) =
            (get("early_spend"), get("late_spend"), get("total_spend"))
        {
            findings.push(format!(
                "Spend in {y}: early {}, late {}, total {}.",
                interval(e, money_m),
                interval(l, money_m),
                interval(t, money_m)
            ));
        }
    }
    if findings.is_empty() {
        findings.push(format!(
            "yearly.csv holds no late:early ratio, children in care or spend rows for {first} or {last}."
        ));
    }
    findings
}

/// Whether an alternative of comparison.json spends less early money than its baseline.
pub fn is_cut(alt: &Value) -> bool {
    alt.get("extra_early_spend_gbp_m")
        .and_then(stat_of)
        .is_some_and(|s| s.p50 < 0.0)
}

/// The findings for one alternative of comparison.json, named by its `label`; `last` is the
/// comparison's last year.
pub fn for_alternative(alt: &Value, label: &str, last: &str) -> Vec<String> {
    let cut = is_cut(alt);
    let st = |k: &str| alt.get(k).and_then(stat_of);
    let mut out = Vec::new();
    out.push(match st("late_avoided_per_extra_early_gbp") {
        // −(late change) / (extra early) is, for a cut, the extra late spend per £1 cut.
        Some(r) => {
            let (median, rest) = interval_parts(r, pounds);
            if cut {
                format!("{label}: {median} of extra late spend per £1 cut from early spend{rest}.")
            } else {
                format!(
                    "{label}: {median} of late spend avoided per £1 of extra early spend{rest}."
                )
            }
        }
        None => format!("{label}: no £-per-£1 figure, because no run changed early spend."),
    });
    if let (Some(e), Some(l)) = (st("extra_early_spend_gbp_m"), st("late_spend_change_gbp_m")) {
        let early = if cut {
            format!("early spend cut by {}", interval(negated(e), money_m))
        } else {
            format!("extra early spend {}", interval(e, money_m))
        };
        out.push(format!(
            "{label}: {early} over the horizon; change in late spend {}.",
            interval(l, money_m)
        ));
    }
    let saving = alt.get("probability_net_saving").and_then(Value::as_f64);
    if let Some(n) = st("net_cost_gbp_m") {
        let pv = st("net_cost_pv_gbp_m")
            .map(|p| format!("; in present value {}", interval(p, money_m)))
            .unwrap_or_default();
        let p = match saving {
            Some(p) if !cut => format!(" {} of runs show a net saving by {last}.", percent(p)),
            _ => String::new(),
        };
        out.push(format!(
            "{label}: net cost over the horizon {} (negative = a net saving){pv}.{p}",
            interval(n, money_m)
        ));
    }
    if cut {
        out.extend(saving.map(|p| cut_saving(label, p, last)));
    } else if let Some(be) = alt.get("break_even") {
        out.push(break_even(label, be, last));
    }
    if let Some(k) = st("children_kept_out_of_care") {
        out.push(if k.p50 < 0.0 {
            format!(
                "{label}: care entries added over the horizon {}.",
                interval(negated(k), count)
            )
        } else {
            format!(
                "{label}: care entries avoided over the horizon {}.",
                interval(k, count)
            )
        });
    }
    out.extend(children_in_care_at_end(alt, label, last));
    out
}

/// The change in children in care at the end of the comparison's last year, run by run.
fn children_in_care_at_end(alt: &Value, label: &str, last: &str) -> Option<String> {
    let c = alt
        .get("children_in_care_change")?
        .as_array()?
        .iter()
        .find(|y| y.get("year").and_then(Value::as_str) == Some(last))
        .and_then(stat_of)?;
    let (word, c) = if c.p50 < 0.0 {
        ("lower", negated(c))
    } else {
        ("higher", c)
    };
    Some(format!(
        "{label}: children in care at the end of {last} {word} by {}.",
        interval(c, count)
    ))
}

/// Whether a cut saves money net: its early saving against the extra late spend it causes. (A
/// cut saves from its first year, so a break-even year says nothing about it.)
fn cut_saving(label: &str, p: f64, last: &str) -> String {
    let share = percent(p);
    if p >= 0.5 {
        format!(
            "{label}: the cut saves money net in {share} of runs: by {last} its early saving is larger than the extra late spend it causes."
        )
    } else {
        format!(
            "{label}: the cut saves money net in only {share} of runs: in the others, by {last} the extra late spend it causes is larger than its early saving."
        )
    }
}

fn break_even(label: &str, be: &Value, last: &str) -> String {
    let never = percent(
        be.get("share_never")
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN),
    );
    match be.get("median_year").and_then(Value::as_str) {
        Some(y) => format!(
            "{label}: half the runs have broken even (cumulative net saving zero or more) by {y}; {never} never break even by {last}."
        ),
        None => format!(
            "{label}: fewer than half the runs break even by {last}; {never} never do within the horizon."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stat(p5: f64, p50: f64, p95: f64) -> Value {
        json!({"mean": p50, "p5": p5, "p50": p50, "p95": p95})
    }

    #[test]
    fn a_cut_reads_as_a_cut() {
        let alt = json!({
            "late_avoided_per_extra_early_gbp": stat(0.14, 0.23, 0.37),
            "extra_early_spend_gbp_m": stat(-6381.0, -6381.0, -6381.0),
            "late_spend_change_gbp_m": stat(897.0, 1498.0, 2362.0),
            "net_cost_gbp_m": stat(-5484.0, -4883.0, -4019.0),
            "probability_net_saving": 0.665,
            "break_even": {"median_year": "2025-26", "share_never": 0.0},
            "children_kept_out_of_care": stat(-11625.0, -3750.0, -2400.0)
        });
        assert!(is_cut(&alt));
        let f = for_alternative(&alt, "Cuts", "2034-35").join("\n");
        for want in [
            "Cuts: £0.23 of extra late spend per £1 cut from early spend (90% interval £0.14 to £0.37).",
            "Cuts: early spend cut by £6,380m over the horizon; change in late spend £1,500m (90% interval £897m to £2,360m).",
            "the cut saves money net in 66% of runs",
            "Cuts: care entries added over the horizon 3,750 (90% interval 2,400 to 11,600).",
        ] {
            assert!(f.contains(want), "no `{want}` in\n{f}");
        }
        for bad in [
            "avoided",
            "extra early spend",
            "broken even",
            "\u{2212}3,750",
        ] {
            assert!(!f.contains(bad), "`{bad}` in\n{f}");
        }
    }

    #[test]
    fn added_money_keeps_the_investment_wording() {
        let alt = json!({
            "late_avoided_per_extra_early_gbp": stat(0.8, 1.44, 1.6),
            "extra_early_spend_gbp_m": stat(2600.0, 2600.0, 2600.0),
            "late_spend_change_gbp_m": stat(-4115.0, -3744.0, -2139.0),
            "probability_net_saving": 0.67,
            "break_even": {"median_year": "2032-33", "share_never": 0.33},
            "children_kept_out_of_care": stat(1600.0, 4750.0, 5875.0),
            "children_in_care_change": [
                {"year": "2033-34", "mean": 0.0, "p5": 0.0, "p50": 0.0, "p95": 0.0},
                {"year": "2034-35", "mean": -7675.0, "p5": -11755.0, "p50": -7675.0, "p95": -3795.0}
            ]
        });
        assert!(!is_cut(&alt));
        let f = for_alternative(&alt, "Invest", "2034-35").join("\n");
        for want in [
            "of late spend avoided per £1 of extra early spend",
            "Invest: extra early spend £2,600m over the horizon",
            "half the runs have broken even (cumulative net saving zero or more) by 2032-33; 33% never",
            "care entries avoided over the horizon 4,750 (90% interval 1,600 to 5,880)",
            "Invest: children in care at the end of 2034-35 lower by 7,680 (90% interval 3,800 to 11,800).",
        ] {
            assert!(f.contains(want), "no `{want}` in\n{f}");
        }
    }
}
