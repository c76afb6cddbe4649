//! The report's content as plain data, built from a result folder's parsed files; both writers render it.

use super::findings;
use super::fit::FitSection;
use super::lead;
use super::measures::{self, Measure};
use super::method::{self, Engine};
use super::params::{parameter_table, plain, ParamTable};
use super::path::{self, TextTable};
use super::policy::{self, PolicyTable};
use super::tables::ResultRow;
use serde_json::Value;

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
    /// How well a calibrated model reproduces the figures it was calibrated on (scenarios drawn
    /// from a posterior only; set by the application, which reads the posterior file).
    pub fit: Vec<FitSection>,
    /// A run's every year (single-scenario reports only).
    pub path: Option<TextTable>,
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

/// A scenario's name for readers: its `label` in summary.json, or its name where it has none.
pub fn label_of(summary: &Value) -> String {
    match summary.get("label").and_then(Value::as_str) {
        Some(l) if !l.trim().is_empty() => l.to_string(),
        _ => str_of(summary, "scenario").to_string(),
    }
}

const CHART_ORDER: [&str; 10] = [
    "impact",
    "payback",
    "difference",
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

/// A scenario as first named in a report: its label, with its name in brackets where the two
/// differ ("Family help investment (family-help-investment)").
fn named(summary: &Value) -> String {
    let (label, name) = (label_of(summary), str_of(summary, "scenario"));
    if label == name {
        label
    } else {
        format!("{label} ({name})")
    }
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
    let label = label_of(s);
    let mut findings = findings::for_run(s, files.yearly);
    findings.extend(path::changes_sentence(s));
    let engine = Engine::of(s);
    let mut reproducibility = repro_common(s, &engine);
    reproducibility.push(("Scenario file".into(), str_of(s, "scenario_file").into()));
    reproducibility.push(("Scenario hash".into(), str_of(s, "scenario_hash").into()));
    reproducibility.push(("Report command".into(), report_command.into()));
    let mut description = vec![
        format!("{}: {}", named(s), str_of(s, "description")),
        format!(
            "{first} to {last}, £ at {} prices, discount rate {}.",
            str_of(s, "price_base"),
            plain(s.get("discount_rate"))
        ),
    ];
    description.extend(policy::sentence(s));
    Report {
        title: format!("carecast results: {label}"),
        description,
        findings,
        fit: Vec::new(),
        path: path::table(s, files.yearly, &label),
        charts,
        policy: policy::table(s).into_iter().collect(),
        parameters: vec![parameter_table(s)],
        limitations: super::limitations::list(&[s]),
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
    deltas: &[ResultRow],
    charts: Vec<Chart>,
    report_command: &str,
) -> Report {
    let c = comparison;
    let last = str_of(c, "end_year");
    let summary_of = |name: &str| {
        scenarios
            .iter()
            .map(|f| f.summary)
            .find(|s| str_of(s, "scenario") == name)
    };
    let baseline = summary_of(str_of(c, "baseline"))
        .map_or_else(|| str_of(c, "baseline").to_string(), label_of);
    let mut findings = Vec::new();
    let alternatives: Vec<&Value> = c
        .get("alternatives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    // The first paragraph: what each alternative changes, with its interval.
    let lead: Vec<String> = alternatives
        .iter()
        .filter_map(|alt| {
            let s = summary_of(str_of(alt, "scenario"));
            let label = s.map_or_else(|| str_of(alt, "scenario").to_string(), label_of);
            lead::for_alternative(alt, &label, &baseline, last, deltas, s)
        })
        .collect();
    let mut description: Vec<String> = (!lead.is_empty())
        .then(|| lead.join(" "))
        .into_iter()
        .collect();
    description.push(format!(
        "Each alternative compared with {baseline}, run by run with common random numbers, {} to {last}, £ at {} prices.",
        str_of(c, "start_year"),
        str_of(c, "price_base")
    ));
    if let Some(b) = scenarios.first() {
        description.push(format!(
            "{}, the baseline: {}",
            named(b.summary),
            str_of(b.summary, "description")
        ));
    }
    for alt in alternatives {
        let name = str_of(alt, "scenario");
        let alt_summary = summary_of(name);
        let label = alt_summary.map_or_else(|| name.to_string(), label_of);
        let named = alt_summary.map_or_else(|| name.to_string(), named);
        description.push(format!("{named}: {}", str_of(alt, "description")));
        if let (Some(b), Some(a)) = (scenarios.first(), alt_summary) {
            findings.extend(policy::redefined_warning(b.summary, a));
        }
        findings.extend(findings::for_alternative(alt, &label, last));
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
        fit: Vec::new(),
        path: None,
        charts,
        policy: policy_tables,
        parameters: comparison_parameters(&summaries),
        limitations: super::limitations::list(&summaries),
        measures: measures::for_comparison(c),
        method,
        reproducibility,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_the_scenario_for_readers() {
        let labelled = serde_json::json!({"scenario": "fhi", "label": "Family help investment"});
        assert_eq!(label_of(&labelled), "Family help investment");
        assert_eq!(named(&labelled), "Family help investment (fhi)");
        let plain = serde_json::json!({"scenario": "fhi"});
        assert_eq!(
            (label_of(&plain), named(&plain)),
            ("fhi".into(), "fhi".into())
        );
    }
}
