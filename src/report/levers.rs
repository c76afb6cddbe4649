//! The reform levers a report's scenarios pull, as plain sentences for the assumptions list: when
//! each starts, how fast it phases in, its settings and where they come from.

use super::params::plain;
use serde_json::Value;

/// One sentence per distinct lever definition; scenarios that pull the same lever the same way
/// share a sentence.
pub fn lever_lines(summaries: &[&Value]) -> Vec<String> {
    let mut seen: Vec<(String, Value, Vec<String>)> = Vec::new();
    for s in summaries {
        let scenario = plain(s.get("scenario"));
        let Some(levers) = s.get("levers").and_then(Value::as_object) else {
            continue;
        };
        for (name, def) in levers {
            match seen.iter_mut().find(|(n, d, _)| n == name && d == def) {
                Some((_, _, names)) => names.push(scenario.clone()),
                None => seen.push((name.clone(), def.clone(), vec![scenario.clone()])),
            }
        }
    }
    seen.into_iter()
        .map(|(name, def, scenarios)| sentence(&name, &def, &scenarios))
        .collect()
}

fn sentence(name: &str, def: &Value, scenarios: &[String]) -> String {
    let from = def
        .get("from_year")
        .map_or("the first year".to_string(), |v| plain(Some(v)));
    let ramp = def.get("ramp_years").and_then(Value::as_u64).unwrap_or(0);
    let phase = if ramp > 1 {
        format!("in force from {from}, reaching full effect over {ramp} years")
    } else {
        format!("in force in full from {from}")
    };
    let mut settings = Vec::new();
    let mut basis = String::new();
    if let Some(fields) = def.as_object() {
        for (k, v) in fields {
            match k.as_str() {
                "from_year" | "ramp_years" => {}
                "source" => basis = format!("Source: {}", plain(Some(v))),
                "assumption" => basis = format!("Assumption: {}", plain(Some(v))),
                _ => settings.push(format!("{k} = {}", plain(Some(v)))),
            }
        }
    }
    format!(
        "Reform lever {name} ({}): {phase}; {}. {basis}",
        scenarios.join(", "),
        settings.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levers_read_as_sentences_shared_across_scenarios() {
        let lever = json!({"from_year": "2026-27", "ramp_years": 2, "share": "coverage_share",
                           "assumption": "a duty"});
        let a = json!({"scenario": "coverage", "levers": {"family_help_coverage": lever}});
        let b = json!({"scenario": "package", "levers": {"family_help_coverage": lever,
                       "workforce": {"agency_share": 0.08, "source": "DfE"}}});
        let none = json!({"scenario": "baseline"});
        let lines = lever_lines(&[&none, &a, &b]);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "Reform lever family_help_coverage (coverage, package): in force from 2026-27, reaching full effect over 2 years; share = coverage_share. Assumption: a duty"
        );
        assert!(lines[1].starts_with("Reform lever workforce (package): in force in full from the first year; agency_share = 0.08. Source: DfE"));
    }
}
