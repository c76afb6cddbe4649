//! The report's method text, which describes the engine a result folder records in summary.json
//! (`"engine": "mc"` or `"cohort"`; folders written by `compare`, which always runs the Monte
//! Carlo engine, and by older versions record none).

use serde_json::Value;

/// The engine that produced a folder's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    MonteCarlo,
    Cohort,
    /// A name this version does not know.
    Other(String),
}

impl Engine {
    /// The engine a summary.json records; Monte Carlo where none is recorded.
    pub fn of(summary: &Value) -> Engine {
        match summary.get("engine").and_then(Value::as_str) {
            None | Some("mc") => Engine::MonteCarlo,
            Some("cohort") => Engine::Cohort,
            Some(other) => Engine::Other(other.to_string()),
        }
    }

    /// The reproducibility block's text: the name `--engine` takes, and what it means.
    pub fn label(&self) -> String {
        match self {
            Engine::MonteCarlo => "mc (Monte Carlo: individual families, random moves)".into(),
            Engine::Cohort => {
                "cohort (expected values: one deterministic projection per parameter draw)".into()
            }
            Engine::Other(name) => format!("{name} (not known to this version of carecast)"),
        }
    }

    /// Whether `--scale` (the sampled fraction of families) shaped the results.
    pub fn uses_scale(&self) -> bool {
        !matches!(self, Engine::Cohort)
    }
}

const MC_PATHWAY: &str = "carecast is a Monte Carlo model of children's social care in England. Each run draws every uncertain parameter once from its stated distribution, then moves a sample of families month by month through referral, assessment, family help, child in need, child protection and care, weighted up to England by the run's scale.";

const COHORT_PATHWAY: &str = "These results come from carecast's cohort engine, which projects expected values instead of simulating individual families. Each run draws every uncertain parameter once from its stated distribution (run i uses exactly the draw of Monte Carlo run i), then moves the expected number of families in each state, by need group, age in months and months in state, month by month through referral, assessment, family help, child in need, child protection and care, for the whole of England (the run's scale is not used).";

const MC_SPEND: &str = "Early spend (family help and early support) is budget-limited: the budget buys a number of family-help places and families wait when they are full. Late spend (social work on statutory cases, care placements and care proceedings) is demand-led: it is whatever the simulated caseloads cost. The late:early ratio is late spend divided by early spend in each financial year.";

const COHORT_SPEND: &str = "Early spend (family help and early support) is budget-limited: the budget buys a number of family-help places, which go to waiting families as the share of demand the free places can serve, higher-priority groups first; places are not rounded to whole families. Late spend (social work on statutory cases, care placements and care proceedings) is demand-led: it is whatever the expected caseloads cost. The late:early ratio is late spend divided by early spend in each financial year.";

const MC_SUMMARY: &str = "Results are summarised across runs as the mean and the 5th, 50th and 95th percentiles; the 90% interval is the 5th to 95th percentile across runs and reflects both parameter uncertainty and simulation noise. Money is in £ million at the scenario's price base.";

const COHORT_SUMMARY: &str = "Results are summarised across runs as the mean and the 5th, 50th and 95th percentiles; the 90% interval is the 5th to 95th percentile across runs and reflects parameter uncertainty only: an expected-value projection has no simulation noise, so the interval leaves out the chance variation in individual families' paths. Money is in £ million at the scenario's price base.";

/// The method paragraphs for results produced by `engine`.
pub fn paragraphs(engine: &Engine) -> Vec<String> {
    match engine {
        Engine::MonteCarlo => vec![MC_PATHWAY.into(), MC_SPEND.into(), MC_SUMMARY.into()],
        Engine::Cohort => vec![
            COHORT_PATHWAY.into(),
            COHORT_SPEND.into(),
            COHORT_SUMMARY.into(),
        ],
        Engine::Other(name) => vec![
            format!("This folder records the engine '{name}', which this version of carecast does not describe. The text below describes the Monte Carlo engine."),
            MC_PATHWAY.into(),
            MC_SPEND.into(),
            MC_SUMMARY.into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn engine_is_read_from_summary_json() {
        assert_eq!(Engine::of(&json!({})), Engine::MonteCarlo);
        assert_eq!(Engine::of(&json!({"engine": "mc"})), Engine::MonteCarlo);
        assert_eq!(Engine::of(&json!({"engine": "cohort"})), Engine::Cohort);
        assert_eq!(
            Engine::of(&json!({"engine": "x"})),
            Engine::Other("x".into())
        );
    }

    #[test]
    fn cohort_method_names_the_cohort_engine_and_no_simulation_noise() {
        let text = paragraphs(&Engine::Cohort).join(" ");
        assert!(text.contains("cohort engine"));
        assert!(text.contains("parameter uncertainty only"));
        assert!(!text.contains("Monte Carlo model"));
        assert!(!text.contains("sample of families"));
        let mc = paragraphs(&Engine::MonteCarlo).join(" ");
        assert!(mc.contains("Monte Carlo model") && mc.contains("simulation noise"));
    }
}
