//! The report's content as plain data, built from a result folder's parsed files; both writers render it.

use super::measures::{self, stat_of, yearly_stat, Measure, Stat};
use super::method::{self, Engine};
use super::params::{parameter_table, plain, ParamTable};
use super::policy::{self, PolicyTable};
use serde_json::Value;

/// The model's known limitations (docs/model.md), quoted in every report.
pub const MODEL_LIMITATIONS: &str = "The causal effect of early help on later statutory demand is uncertain and evidenced mostly by specific programmes; national averages hide a fourfold range between councils; unaccompanied children, court practice and market prices drive late spend independently of early help.";

/// One chart: a title, its file stem under `charts/`, the SVG text to inline and the relative
/// path the Markdown links to.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub link: String,
}

/// Everything a report says, in order.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub description: Vec<String>,
    pub findings: Vec<String>,
    pub charts: Vec<Chart>,
    /// Each scenario's money by year (and, for alternatives, what differs from the baseline).
    pub policy: Vec<PolicyTable>,
    pub parameters: Vec<ParamTable>,
    pub limitations: Vec<String>,
    /// The findings' figures as numbers, for the workbook.
    pub measures: Vec<Measure>,
    pub method: Vec<String>,
    pub reproducibility: Vec<(String, String)>,
}

/// One scenario's files: its summary.json and yearly.csv text.
pub struct ScenarioFiles<'a> {
    pub summary: &'a Value,
    pub yearly: &'a str,
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or("(not recorded)")
}

/// Thousands separators on a rounded number, with a true minus sign.
pub(super) fn grouped(x: f64, decimals: usize) -> String {
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

/// £m, rounded, with thousands separators and a true minus sign ("£2,836m").
pub(super) fn money_m(x: f64) -> String {
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

/// The median with its 90% interval: the one statistic a report's text quotes, as its charts do.
fn interval(s: Stat, f: fn(f64) -> String) -> String {
    format!("{} (90% interval {} to {})", f(s.p50), f(s.p5), f(s.p95))
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

/// The baseline's table in full, then each alternative's listing only what differs from it.
fn comparison_parameters(summaries: &[&Value]) -> Vec<ParamTable> {
    let mut tables: Vec<ParamTable> = summaries.iter().map(|s| parameter_table(s)).collect();
    if let Some((base, alts)) = tables.split_first_mut() {
        for alt in alts {
            alt.list_changes_from(base);
        }
    }
    tables
}

fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn limitations(summaries: &[&Value]) -> Vec<String> {
    // The levers' assumptions first: they are what a reform scenario's result rests on.
    let mut out: Vec<String> = super::levers::lever_lines(summaries);
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
    out.push(format!(
        "Known limitations of the model (docs/model.md): {MODEL_LIMITATIONS}"
    ));
    out
}

fn repro_common(s: &Value, engine: &Engine) -> Vec<(String, String)> {
    let scale = if engine.uses_scale() {
        plain(s.get("scale"))
    } else {
        format!(
            "{} (recorded but not used: the cohort engine projects all of England)",
            plain(s.get("scale"))
        )
    };
    vec![
        (
            "carecast version".into(),
            str_of(s, "carecast_version").into(),
        ),
        ("Command line".into(), str_of(s, "command").into()),
        ("Seed".into(), plain(s.get("seed"))),
        ("Runs".into(), plain(s.get("runs"))),
        ("Scale".into(), scale),
        ("Engine".into(), engine.label()),
    ]
}

/// The report for a single run folder.
/// Where a scenario's parameter draws came from (method section): its priors, or a posterior.
fn draws_sentence(s: &Value) -> Option<String> {
    let d = s.get("parameter_draws")?;
    let name = str_of(s, "scenario");
    if d.get("from").and_then(Value::as_str) != Some("posterior") {
        return Some(format!(
            "Parameter draws of {name}: each run draws every parameter from the distribution the scenario gives it (priors, not calibrated to data)."
        ));
    }
    let n = |k: &str| d.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    Some(format!(
        "Parameter draws of {name}: run i takes draw i of the posterior {} (sha256 {}; {} draws, effective sample size {:.0}) for {} parameters; {} parameters are drawn from their own distributions and {} are redefined by the scenario.",
        str_of(d, "file"),
        str_of(d, "sha256"),
        plain(d.get("draws")),
        d.get("effective_sample_size").and_then(Value::as_f64).unwrap_or(f64::NAN),
        n("parameters_from_posterior"),
        n("parameters_from_prior"),
        n("parameters_redefined")
    ))
}

pub fn for_run(files: &ScenarioFiles, charts: Vec<Chart>, report_command: &str) -> Report {
    let s = files.summary;
    let first = str_of(s, "start_year");
    let last = str_of(s, "end_year");
    let mut findings = Vec::new();
    let ratio = |y| yearly_stat(files.yearly, y, "late_early_ratio");
    if let (Some(a), Some(b)) = (ratio(first), ratio(last)) {
        findings.push(format!(
            "In {first} the model projects {} of late spend for every £1 of early spend (90% interval {} to {}); by {last}, {}.",
            pounds(a.p50),
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
    let engine = Engine::of(s);
    let mut reproducibility = repro_common(s, &engine);
    reproducibility.push(("Scenario file".into(), str_of(s, "scenario_file").into()));
    reproducibility.push(("Scenario hash".into(), str_of(s, "scenario_hash").into()));
    reproducibility.push(("Report command".into(), report_command.into()));
    let mut description = vec![
        str_of(s, "description").to_string(),
        format!(
            "{first} to {last}, £ at {} prices, discount rate {}.",
            str_of(s, "price_base"),
            plain(s.get("discount_rate"))
        ),
    ];
    description.extend(policy::sentence(s));
    Report {
        title: format!("carecast results: {}", str_of(s, "scenario")),
        description,
        findings,
        charts,
        policy: policy::table(s).into_iter().collect(),
        parameters: vec![parameter_table(s)],
        limitations: limitations(&[s]),
        measures: measures::for_run(s, files.yearly),
        method: method::paragraphs(&engine)
            .into_iter()
            .chain(draws_sentence(s))
            .collect(),
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
    if let Some(b) = scenarios.first() {
        description.push(format!(
            "{baseline} (the baseline): {}",
            str_of(b.summary, "description")
        ));
    }
    for alt in c
        .get("alternatives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = str_of(alt, "scenario");
        description.push(format!("{name}: {}", str_of(alt, "description")));
        let alt_summary = scenarios
            .iter()
            .find(|f| str_of(f.summary, "scenario") == name);
        if let (Some(b), Some(a)) = (scenarios.first(), alt_summary) {
            findings.extend(policy::redefined_warning(b.summary, a.summary));
        }
        let st = |k: &str| alt.get(k).and_then(stat_of);
        match st("late_avoided_per_extra_early_gbp") {
            Some(r) => findings.push(format!(
                "{name}: {} of late spend avoided per £1 of extra early spend (90% interval {} to {}).",
                pounds(r.p50),
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
    // The comparison's engine is the one its scenarios record (`compare` runs Monte Carlo).
    let engine = scenarios
        .first()
        .map_or(Engine::MonteCarlo, |s| Engine::of(s.summary));
    let mut method = method::paragraphs(&engine);
    method.extend(scenarios.iter().filter_map(|s| draws_sentence(s.summary)));
    if let Some(conv) = c.get("conventions").and_then(Value::as_object) {
        for (k, v) in conv {
            method.push(format!(
                "{}: {}",
                sentence_case(&k.replace('_', " ")),
                plain(Some(v))
            ));
        }
    }
    let mut reproducibility = repro_common(c, &engine);
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
    description.extend(summaries.iter().filter_map(|s| policy::sentence(s)));
    let mut policy_tables = Vec::new();
    for (i, s) in summaries.iter().enumerate() {
        if let Some(mut t) = policy::table(s) {
            if i > 0 {
                t.differs = Some(policy::differences(summaries[0], s));
            }
            policy_tables.push(t);
        }
    }
    Report {
        title: format!("carecast comparison: {}", str_of(c, "comparison")),
        description,
        findings,
        charts,
        policy: policy_tables,
        parameters: comparison_parameters(&summaries),
        limitations: limitations(&summaries),
        measures: measures::for_comparison(c),
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
}
