//! Every unknown field of a scenario document at once: the document is walked against the fields
//! each part of the format accepts (read from the serde types' own field lists), so a misspelt
//! field anywhere is found even where serde would stop at an earlier problem.

use super::levers::{
    RawCareCliff, RawConferences, RawCoverage, RawKinship, RawLevers, RawResidential,
    RawReunification, RawSafeguarding, RawWorkforce,
};
use super::raw::{
    RawAgeOut, RawBand, RawBudgetPath, RawCost, RawFixedCost, RawGroup, RawInflow, RawInitial,
    RawInvestment, RawParam, RawPolicy, RawRunDefaults, RawScenario, RawState, RawTransition,
};
use serde_json::Value as Json;

/// An unknown field: its `$.a.b[2].c` path, its name and the fields accepted there.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub path: String,
    pub field: String,
    pub expected: Vec<String>,
}

/// The fields a struct accepts, read from the message serde gives for a field it does not.
pub fn fields_of<T: serde::de::DeserializeOwned>() -> Vec<String> {
    let probe = serde_json::json!({"\u{1}": 0});
    match serde_json::from_value::<T>(probe) {
        Ok(_) => Vec::new(),
        Err(e) => expected_fields(&e.to_string())
            .into_iter()
            .map(String::from)
            .collect(),
    }
}

/// The field names serde lists in an "unknown field" message.
pub fn expected_fields(msg: &str) -> Vec<&str> {
    msg.split("expected ")
        .nth(1)
        .map(|s| s.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default()
}

/// The parts of the format that hold named fields.
#[derive(Clone, Copy)]
enum Kind {
    Scenario,
    Run,
    Group,
    Param,
    State,
    Cost,
    AgeOut,
    Transition,
    Band,
    Inflow,
    Initial,
    Policy,
    Budget,
    Investment,
    FixedCost,
    Levers,
}

fn fields(kind: Kind) -> Vec<String> {
    match kind {
        Kind::Scenario => fields_of::<RawScenario>(),
        Kind::Run => fields_of::<RawRunDefaults>(),
        Kind::Group => fields_of::<RawGroup>(),
        Kind::Param => fields_of::<RawParam>(),
        Kind::State => fields_of::<RawState>(),
        Kind::Cost => fields_of::<RawCost>(),
        Kind::AgeOut => fields_of::<RawAgeOut>(),
        Kind::Transition => fields_of::<RawTransition>(),
        Kind::Band => fields_of::<RawBand>(),
        Kind::Inflow => fields_of::<RawInflow>(),
        Kind::Initial => fields_of::<RawInitial>(),
        Kind::Policy => fields_of::<RawPolicy>(),
        Kind::Budget => fields_of::<RawBudgetPath>(),
        Kind::Investment => fields_of::<RawInvestment>(),
        Kind::FixedCost => fields_of::<RawFixedCost>(),
        Kind::Levers => fields_of::<RawLevers>(),
    }
}

/// The fields of lever `name`, if it is one.
fn lever_fields(name: &str) -> Option<Vec<String>> {
    Some(match name {
        "family_help_coverage" => fields_of::<RawCoverage>(),
        "family_group_conferences" => fields_of::<RawConferences>(),
        "kinship_support" => fields_of::<RawKinship>(),
        "residential_market" => fields_of::<RawResidential>(),
        "reunification" => fields_of::<RawReunification>(),
        "care_cliff" => fields_of::<RawCareCliff>(),
        "workforce" => fields_of::<RawWorkforce>(),
        "family_safeguarding" => fields_of::<RawSafeguarding>(),
        _ => return None,
    })
}

/// How each field's value is read: one part, a map of parts, or a list of parts.
enum Child {
    One(Kind),
    Map(Kind),
    List(Kind),
    LeverMap,
}

fn child(kind: Kind, field: &str) -> Option<Child> {
    use Child::*;
    Some(match (kind, field) {
        (Kind::Scenario, "run") => One(Kind::Run),
        (Kind::Scenario, "groups") => Map(Kind::Group),
        (Kind::Scenario, "parameters") => Map(Kind::Param),
        (Kind::Scenario, "states") => Map(Kind::State),
        (Kind::Scenario, "age_out") | (Kind::State, "age_out") => One(Kind::AgeOut),
        (Kind::Scenario, "transitions") => List(Kind::Transition),
        (Kind::Scenario, "inflows") => List(Kind::Inflow),
        (Kind::Scenario, "initial") => Map(Kind::Initial),
        (Kind::Scenario, "policy") => One(Kind::Policy),
        (Kind::Scenario, "fixed_costs") => List(Kind::FixedCost),
        (Kind::Scenario, "levers") => LeverMap,
        (Kind::State, "monthly_cost") | (Kind::Transition, "cost") => One(Kind::Cost),
        (Kind::Inflow, "age") | (Kind::Initial, "age") | (Kind::Initial, "months_in_state") => {
            List(Kind::Band)
        }
        (Kind::Policy, "early_budget") | (Kind::Policy, "total_budget") => One(Kind::Budget),
        (Kind::Policy, "extra_investment") => List(Kind::Investment),
        _ => return None,
    })
}

/// Every unknown field of a scenario document, in document order.
pub fn unknown_fields(doc: &Json) -> Vec<Unknown> {
    let mut out = Vec::new();
    walk(
        doc,
        &fields(Kind::Scenario),
        Some(Kind::Scenario),
        "$",
        &mut out,
    );
    out
}

/// Checks the object `v` (at `path`) against `accepted`, then its children of known kinds.
fn walk(v: &Json, accepted: &[String], kind: Option<Kind>, path: &str, out: &mut Vec<Unknown>) {
    let Some(obj) = v.as_object() else {
        return;
    };
    for (k, x) in obj {
        let at = format!("{path}.{k}");
        if !accepted.iter().any(|a| a == k) {
            out.push(Unknown {
                path: at,
                field: k.clone(),
                expected: accepted.to_vec(),
            });
            continue;
        }
        let Some(c) = kind.and_then(|kind| child(kind, k)) else {
            continue;
        };
        match c {
            Child::One(kd) => walk(x, &fields(kd), Some(kd), &at, out),
            Child::Map(kd) => {
                let f = fields(kd);
                for (name, item) in x.as_object().into_iter().flatten() {
                    walk(item, &f, Some(kd), &format!("{at}.{name}"), out);
                }
            }
            Child::List(kd) => {
                let f = fields(kd);
                for (i, item) in x.as_array().into_iter().flatten().enumerate() {
                    walk(item, &f, Some(kd), &format!("{at}[{i}]"), out);
                }
            }
            Child::LeverMap => {
                let levers = fields(Kind::Levers);
                for (name, item) in x.as_object().into_iter().flatten() {
                    let p = format!("{at}.{name}");
                    match lever_fields(name) {
                        Some(f) => walk(item, &f, None, &p, out),
                        None => out.push(Unknown {
                            path: p,
                            field: name.clone(),
                            expected: levers.clone(),
                        }),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_misspelt_fields_in_lists_maps_and_levers_at_once() {
        let doc = json!({
            "name": "x", "horizon_yaers": 5,
            "policy": {"extra_investment": [{"year": "2026-27", "gbp_mm": 1}, {"yaer": "2027-28", "gbp_m": 1}]},
            "parameters": {"p": {"vlaue": 1}},
            "levers": {"kinship_support": {"allowance": 1}, "unknown_lever": {}}
        });
        let found: Vec<String> = unknown_fields(&doc).into_iter().map(|u| u.path).collect();
        assert_eq!(
            found,
            [
                "$.horizon_yaers",
                "$.policy.extra_investment[0].gbp_mm",
                "$.policy.extra_investment[1].yaer",
                "$.parameters.p.vlaue",
                "$.levers.kinship_support.allowance",
                "$.levers.unknown_lever"
            ]
        );
    }

    #[test]
    fn a_shipped_scenario_has_no_unknown_field() {
        let doc: Json =
            serde_json::from_str(include_str!("../../scenarios/baseline.json")).unwrap();
        assert!(unknown_fields(&doc).is_empty());
    }
}
