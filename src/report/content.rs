//! The report's content as plain data, built from a result folder's parsed files; both writers render it.

use serde_json::Value;

/// The MODEL.md list of known limitations, quoted in every report.
pub const MODEL_LIMITATIONS: &str = "The causal effect of early help on later statutory demand is uncertain and evidenced mostly by specific programmes; national averages hide a fourfold range between councils; unaccompanied children, court practice and market prices drive late spend independently of early help.";

/// One chart: a title, its file stem under `charts/`, the SVG text to inline and the relative
/// path the Markdown links to.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub link: String,
}

/// One row of a parameter table.
#[derive(Debug, Clone)]
pub struct ParamRow {
    pub name: String,
    pub value: String,
    pub basis: String,
}

/// A parameter table for one scenario.
#[derive(Debug, Clone)]
pub struct ParamTable {
    pub scenario: String,
    pub rows: Vec<ParamRow>,
}

/// Everything a report says, in order.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub description: Vec<String>,
    pub findings: Vec<String>,
    pub charts: Vec<Chart>,
    pub parameters: Vec<ParamTable>,
    pub limitations: Vec<String>,
    pub method: Vec<String>,
    pub reproducibility: Vec<(String, String)>,
}

/// One scenario's files: its summary.json and yearly.csv text.
pub struct ScenarioFiles<'a> {
    pub summary: &'a Value,
    pub yearly: &'a str,
}

/// A summary statistic read from yearly.csv: mean, p5, p95.
#[derive(Debug, Clone, Copy)]
struct Stat {
    mean: f64,
    p5: f64,
    p95: f64,
}

fn yearly_stat(yearly: &str, year: &str, metric: &str) -> Option<Stat> {
    let mut lines = yearly.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (cy, cm, cmean, c5, c95) = (
        col("year")?,
        col("metric")?,
        col("mean")?,
        col("p5")?,
        col("p95")?,
    );
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.get(cy) == Some(&year) && f.get(cm) == Some(&metric) {
            let num = |c: usize| f.get(c).and_then(|s| s.parse::<f64>().ok());
            return Some(Stat {
                mean: num(cmean)?,
                p5: num(c5)?,
                p95: num(c95)?,
            });
        }
    }
    None
}

fn stat_of(v: &Value) -> Option<Stat> {
    Some(Stat {
        mean: v.get("mean")?.as_f64()?,
        p5: v.get("p5")?.as_f64()?,
        p95: v.get("p95")?.as_f64()?,
    })
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or("(not recorded)")
}

fn plain(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(not recorded)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Thousands separators on a rounded number, with a true minus sign.
fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    let neg = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!("{}{out}{frac}", if neg { "\u{2212}" } else { "" })
}

fn money_m(x: f64) -> String {
    let g = grouped(x, 0);
    match g.strip_prefix('\u{2212}') {
        Some(rest) => format!("\u{2212}£{rest}m"),
        None => format!("£{g}m"),
    }
}

fn pounds(x: f64) -> String {
    let g = grouped(x, 2);
    match g.strip_prefix('\u{2212}') {
        Some(rest) => format!("\u{2212}£{rest}"),
        None => format!("£{g}"),
    }
}

fn interval(s: Stat, f: fn(f64) -> String) -> String {
    format!("{} (90% interval {} to {})", f(s.mean), f(s.p5), f(s.p95))
}

fn count(x: f64) -> String {
    grouped(x, 0)
}

const CHART_ORDER: [&str; 9] = [
    "impact",
    "payback",
    "ratio",
    "spend",
    "children-in-care",
    "child-protection",
    "children-in-need",
    "placements",
    "flows",
];

/// Orders charts: the key ones first (as in `CHART_ORDER`), then any others by name.
pub fn order_charts(mut charts: Vec<(String, Chart)>) -> Vec<Chart> {
    charts.sort_by(|(a, _), (b, _)| {
        let rank = |s: &str| {
            CHART_ORDER
                .iter()
                .position(|c| *c == s)
                .unwrap_or(CHART_ORDER.len())
        };
        rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
    });
    charts.into_iter().map(|(_, c)| c).collect()
}

fn distribution_text(d: &Value) -> String {
    let Some(obj) = d.as_object() else {
        return plain(Some(d));
    };
    if obj.len() == 1 {
        if let Some(v) = obj.get("value") {
            return plain(Some(v));
        }
    }
    let unit = obj.get("unit").map(|u| plain(Some(u)));
    let dist = obj.get("dist").map(|u| plain(Some(u)));
    let rest: Vec<String> = obj
        .iter()
        .filter(|(k, _)| *k != "unit" && *k != "dist")
        .map(|(k, v)| format!("{k} {}", plain(Some(v))))
        .collect();
    let mut s = match dist {
        Some(d) => format!("{d} ({})", rest.join(", ")),
        None => rest.join(", "),
    };
    if let Some(u) = unit {
        s.push_str(&format!("; {u}"));
    }
    s
}

fn parameter_table(summary: &Value) -> ParamTable {
    let rows = summary
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let basis = match (p.get("source"), p.get("assumption")) {
                        (Some(s), _) => format!("Source: {}", plain(Some(s))),
                        (None, Some(a)) => format!("Assumption: {}", plain(Some(a))),
                        (None, None) => "(none recorded)".into(),
                    };
                    ParamRow {
                        name: plain(p.get("name")),
                        value: p
                            .get("distribution")
                            .map(distribution_text)
                            .unwrap_or_else(|| "(not recorded)".into()),
                        basis,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    ParamTable {
        scenario: str_of(summary, "scenario").to_string(),
        rows,
    }
}

fn limitations(summaries: &[&Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in summaries {
        for l in s
            .get("limitations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let l = plain(Some(l));
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out.push(format!("From MODEL.md: {MODEL_LIMITATIONS}"));
    out
}

fn method_common() -> Vec<String> {
    vec![
        "carecast is a Monte Carlo model of children's social care in England. Each run draws every uncertain parameter once from its stated distribution, then moves a sample of families month by month through referral, assessment, family help, child in need, child protection and care, weighted up to England by the run's scale.".into(),
        "Early spend (family help and early support) is budget-limited: the budget buys a number of family-help places and families wait when they are full. Late spend (social work on statutory cases, care placements and care proceedings) is demand-led: it is whatever the simulated caseloads cost. The late:early ratio is late spend divided by early spend in each financial year.".into(),
        "Results are summarised across runs as the mean and the 5th, 50th and 95th percentiles; the 90% interval is the 5th to 95th percentile across runs and reflects both parameter uncertainty and simulation noise. Money is in £ million at the scenario's price base.".into(),
    ]
}

fn repro_common(s: &Value, engine_default: &str) -> Vec<(String, String)> {
    vec![
        (
            "carecast version".into(),
            str_of(s, "carecast_version").into(),
        ),
        ("Command line".into(), str_of(s, "command").into()),
        ("Seed".into(), plain(s.get("seed"))),
        ("Runs".into(), plain(s.get("runs"))),
        ("Scale".into(), plain(s.get("scale"))),
        (
            "Engine".into(),
            s.get("engine")
                .and_then(Value::as_str)
                .unwrap_or(engine_default)
                .into(),
        ),
    ]
}

/// The report for a single run folder.
pub fn for_run(files: &ScenarioFiles, charts: Vec<Chart>, report_command: &str) -> Report {
    let s = files.summary;
    let first = str_of(s, "start_year");
    let last = str_of(s, "end_year");
    let mut findings = Vec::new();
    let ratio = |y| yearly_stat(files.yearly, y, "late_early_ratio");
    if let (Some(a), Some(b)) = (ratio(first), ratio(last)) {
        findings.push(format!(
            "In {first} the model projects {} of late spend for every £1 of early spend (90% interval {} to {}); by {last}, {}.",
            pounds(a.mean),
            pounds(a.p5),
            pounds(a.p95),
            interval(b, pounds)
        ));
    }
    for y in [first, last] {
        if let Some(c) = yearly_stat(files.yearly, y, "children_in_care") {
            findings.push(format!(
                "Children in care at the end of {y}: {}.",
                interval(c, count)
            ));
        }
    }
    for y in [first, last] {
        let get = |m| yearly_stat(files.yearly, y, m);
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
    let mut reproducibility = repro_common(s, "mc");
    reproducibility.push(("Scenario file".into(), str_of(s, "scenario_file").into()));
    reproducibility.push(("Scenario hash".into(), str_of(s, "scenario_hash").into()));
    reproducibility.push(("Report command".into(), report_command.into()));
    Report {
        title: format!("carecast results: {}", str_of(s, "scenario")),
        description: vec![
            str_of(s, "description").to_string(),
            format!(
                "{first} to {last}, £ at {} prices, discount rate {}.",
                str_of(s, "price_base"),
                plain(s.get("discount_rate"))
            ),
        ],
        findings,
        charts,
        parameters: vec![parameter_table(s)],
        limitations: limitations(&[s]),
        method: method_common(),
        reproducibility,
    }
}

/// The report for a comparison folder: `comparison` is comparison.json, `scenarios` the
/// scenarios' files in the comparison's order (baseline first).
pub fn for_comparison(
    comparison: &Value,
    scenarios: &[ScenarioFiles],
    charts: Vec<Chart>,
    report_command: &str,
) -> Report {
    let c = comparison;
    let baseline = str_of(c, "baseline");
    let last = str_of(c, "end_year");
    let mut findings = Vec::new();
    let mut description = vec![format!(
        "Each alternative compared with {baseline}, run by run with common random numbers, {} to {last}, £ at {} prices.",
        str_of(c, "start_year"),
        str_of(c, "price_base")
    )];
    for alt in c
        .get("alternatives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = str_of(alt, "scenario");
        description.push(format!("{name}: {}", str_of(alt, "description")));
        let st = |k: &str| alt.get(k).and_then(stat_of);
        match st("late_avoided_per_extra_early_gbp") {
            Some(r) => findings.push(format!(
                "{name}: {} of late spend avoided per £1 of extra early spend (90% interval {} to {}).",
                pounds(r.mean),
                pounds(r.p5),
                pounds(r.p95)
            )),
            None => findings.push(format!(
                "{name}: no £-per-£1 figure, because no run changed early spend."
            )),
        }
        if let (Some(e), Some(l)) = (st("extra_early_spend_gbp_m"), st("late_spend_change_gbp_m")) {
            findings.push(format!(
                "{name}: extra early spend {}; change in late spend {}.",
                interval(e, money_m),
                interval(l, money_m)
            ));
        }
        if let Some(n) = st("net_cost_gbp_m") {
            let pv = st("net_cost_pv_gbp_m")
                .map(|p| format!("; in present value {}", interval(p, money_m)))
                .unwrap_or_default();
            let p = alt
                .get("probability_net_saving")
                .and_then(Value::as_f64)
                .map(|p| format!(" {:.0}% of runs show a net saving by {last}.", p * 100.0))
                .unwrap_or_default();
            findings.push(format!(
                "{name}: net cost over the horizon {} (negative = a net saving){pv}.{p}",
                interval(n, money_m)
            ));
        }
        if let Some(be) = alt.get("break_even") {
            let never = be
                .get("share_never")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            let text = match be.get("median_year").and_then(Value::as_str) {
                Some(y) => format!(
                    "{name}: half the runs have broken even (cumulative net saving zero or more) by {y}; {:.0}% never break even by {last}.",
                    never * 100.0
                ),
                None => format!(
                    "{name}: fewer than half the runs break even by {last}; {:.0}% never do within the horizon.",
                    never * 100.0
                ),
            };
            findings.push(text);
        }
        if let Some(k) = st("children_kept_out_of_care") {
            findings.push(format!(
                "{name}: care entries avoided over the horizon {}.",
                interval(k, count)
            ));
        }
    }
    let mut method = method_common();
    if let Some(conv) = c.get("conventions").and_then(Value::as_object) {
        for (k, v) in conv {
            method.push(format!("{}: {}", k.replace('_', " "), plain(Some(v))));
        }
    }
    let mut reproducibility = repro_common(c, "mc");
    if let Some(first) = scenarios.first() {
        if let Some(e) = first.summary.get("engine").and_then(Value::as_str) {
            reproducibility[5].1 = e.to_string();
        }
    }
    for sc in scenarios {
        let s = sc.summary;
        reproducibility.push((
            format!("Scenario {}", str_of(s, "scenario")),
            format!(
                "{} ({})",
                str_of(s, "scenario_file"),
                str_of(s, "scenario_hash")
            ),
        ));
    }
    reproducibility.push(("Report command".into(), report_command.into()));
    let summaries: Vec<&Value> = scenarios.iter().map(|s| s.summary).collect();
    Report {
        title: format!("carecast comparison: {}", str_of(c, "comparison")),
        description,
        findings,
        charts,
        parameters: summaries.iter().map(|s| parameter_table(s)).collect(),
        limitations: limitations(&summaries),
        method,
        reproducibility,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_with_true_minus() {
        assert_eq!(money_m(-1138.189), "\u{2212}£1,138m");
        assert_eq!(money_m(2600.0), "£2,600m");
        assert_eq!(pounds(0.832), "£0.83");
        assert_eq!(count(123456.0), "123,456");
        assert_eq!(money_m(-0.2), "£0m");
    }

    #[test]
    fn yearly_stat_reads_the_named_row() {
        let csv =
            "scenario,year,metric,unit,mean,p5,p50,p95\nb,2025-26,late_spend,gbp_m,10,8,9,12\n";
        let s = yearly_stat(csv, "2025-26", "late_spend").unwrap();
        assert_eq!((s.mean, s.p5, s.p95), (10.0, 8.0, 12.0));
        assert!(yearly_stat(csv, "2026-27", "late_spend").is_none());
    }
}
