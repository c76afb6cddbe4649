//! The validated scenario (`Model`): names resolved to indices, expressions bound to parameter
//! slots, every range checked. Nothing downstream of this re-checks input.

use super::effects::Effects;
use super::expr::Expr;
use super::params::ParamSet;

/// What a state means for the output metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Need,
    FamilyHelp,
    Assessment,
    ChildInNeed,
    ChildProtection,
    Care,
    Closed,
    Permanence,
    CareLeaver,
}

impl Role {
    pub const NAMES: [&'static str; 9] = [
        "need",
        "family_help",
        "assessment",
        "child_in_need",
        "child_protection",
        "care",
        "closed",
        "permanence",
        "care_leaver",
    ];

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "need" => Role::Need,
            "family_help" => Role::FamilyHelp,
            "assessment" => Role::Assessment,
            "child_in_need" => Role::ChildInNeed,
            "child_protection" => Role::ChildProtection,
            "care" => Role::Care,
            "closed" => Role::Closed,
            "permanence" => Role::Permanence,
            "care_leaver" => Role::CareLeaver,
            _ => return None,
        })
    }

    /// Counted among children in need at 31 March (DfE definition: includes plans and care).
    pub fn is_child_in_need(self) -> bool {
        matches!(
            self,
            Role::Assessment | Role::ChildInNeed | Role::ChildProtection | Role::Care
        )
    }

    /// Statutory social work: entering one of these from outside is a referral.
    pub fn is_statutory(self) -> bool {
        self.is_child_in_need()
    }
}

/// Which side of the early/late split a cost falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendClass {
    None,
    Early,
    Late,
}

impl SpendClass {
    pub fn parse(s: &str) -> Option<SpendClass> {
        Some(match s {
            "none" => SpendClass::None,
            "early" => SpendClass::Early,
            "late" => SpendClass::Late,
            _ => return None,
        })
    }
}

/// Placement type of a care state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Kinship,
    Foster,
    Residential,
    Other,
}

impl Placement {
    pub fn parse(s: &str) -> Option<Placement> {
        Some(match s {
            "kinship" => Placement::Kinship,
            "foster" => Placement::Foster,
            "residential" => Placement::Residential,
            "other" => Placement::Other,
            _ => return None,
        })
    }
}

/// Whether a cost is per child or per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Child,
    Family,
}

/// A cost in pounds with real growth per year.
#[derive(Debug, Clone)]
pub struct Cost {
    pub gbp: Expr,
    pub per: Per,
    pub real_growth: Expr,
    pub class: SpendClass,
}

/// Where a transition or an age-out leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    State(usize),
    Exit,
}

/// A pathway state.
#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    pub role: Role,
    pub class: SpendClass,
    pub placement: Option<Placement>,
    pub cost: Option<Cost>,
    /// Age of the index child, in months, at which the family leaves this state.
    pub age_out_months: u32,
    pub age_out_to: Dest,
}

/// A monthly transition rule.
#[derive(Debug, Clone)]
pub struct Transition {
    pub from: usize,
    pub to: Dest,
    pub p: Expr,
    /// Which groups the rule applies to (by group index).
    pub groups: Vec<bool>,
    /// Ages in whole years, `[from, to)`.
    pub age: [u32; 2],
    /// Months in state, `[from, to)`.
    pub months: [u32; 2],
    pub cost: Option<Cost>,
    /// JSON path of the rule, for messages.
    pub path: String,
}

/// A band with a share (ages in years or months in state).
#[derive(Debug, Clone)]
pub struct Band {
    pub lo: u32,
    pub hi: u32,
    pub share: Expr,
}

/// Family attributes drawn for new or initial families.
#[derive(Debug, Clone)]
pub struct Profile {
    pub group_shares: Vec<Expr>,
    pub age: Vec<Band>,
    /// (children in family, share).
    pub children: Vec<(u8, Expr)>,
}

/// New families each month.
#[derive(Debug, Clone)]
pub struct Inflow {
    pub name: String,
    pub to: usize,
    pub per_month: Expr,
    pub trend: Expr,
    pub profile: Profile,
}

/// The stock of a state at the start.
#[derive(Debug, Clone)]
pub struct Initial {
    pub state: usize,
    pub children: Expr,
    pub profile: Profile,
    pub months: Vec<Band>,
}

/// A budget path by year.
#[derive(Debug, Clone)]
pub struct BudgetPath {
    pub base: Expr,
    pub growth: Expr,
    /// (year index, index relative to base), sorted by year.
    pub index: Vec<(usize, f64)>,
}

/// The budget rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    EarlySet,
    TotalSet,
}

/// Who gets a family-help place first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targeting {
    NeedFirst,
    FirstCome,
    StepDownFirst,
}

/// The spending policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub rule: Rule,
    /// The early budget path (early_set) or the total budget path (total_set).
    pub budget: BudgetPath,
    pub universal_share: Expr,
    pub previous_late: Expr,
    pub early_floor: Expr,
    /// Under `total_set`, the protected early share of the total budget (None: early gets what
    /// late leaves).
    pub early_share: Option<Expr>,
    /// (year index, extra £m).
    pub extra: Vec<(usize, Expr)>,
    pub lag_months: u32,
    pub targeting: Targeting,
}

/// A spend line outside the pathway.
#[derive(Debug, Clone)]
pub struct FixedCost {
    pub name: String,
    pub class: SpendClass,
    pub gbp_m: Expr,
    pub real_growth: Expr,
}

/// Run settings a scenario suggests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunDefaults {
    pub runs: u64,
    pub seed: u64,
    pub scale: f64,
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// The scenario's `label`, or its name where it has none.
    pub label: String,
    pub description: String,
    pub limitations: Vec<String>,
    pub start_year: i32,
    pub years: usize,
    pub price_base: String,
    pub discount_rate: f64,
    pub defaults: RunDefaults,
    pub groups: Vec<(String, u32)>,
    pub params: ParamSet,
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
    pub inflows: Vec<Inflow>,
    pub initial: Vec<Initial>,
    pub policy: Policy,
    pub fixed_costs: Vec<FixedCost>,
    /// What the scenario's reform levers do (empty without levers).
    pub effects: Effects,
    pub need_state: usize,
    pub capacity_state: usize,
    /// The merged scenario document, as resolved (for the hash and the summary).
    pub resolved: serde_json::Value,
    /// `sha256:` of the resolved document's canonical JSON text.
    pub hash: String,
    /// Posterior draws the runs take (`run.draws`), if any.
    pub posterior: Option<std::sync::Arc<super::posterior_draws::PosteriorDraws>>,
    /// The scenario whose runs this one continues (`continues`), if any.
    pub continues: Option<std::sync::Arc<Continued>>,
}

/// A scenario continued by another (`"continues": "file"`): run *i* of the continuing scenario
/// starts from the families of run *i* of this one at the end of its last year, and takes the
/// values of the parameters the two share from it.
#[derive(Debug, Clone)]
pub struct Continued {
    /// The file as the continuing scenario names it.
    pub file: String,
    pub model: Model,
    /// (continuing scenario's slot, this scenario's slot) of every shared slot: a parameter
    /// with the same name and the same definition (its distribution, without provenance) in
    /// both, drawn in both.
    pub shared: Vec<(usize, usize)>,
    /// The shared parameters' names, and the continuing scenario's drawn parameters it draws
    /// itself (not shared).
    pub shared_names: Vec<String>,
    pub own_names: Vec<String>,
}

impl Continued {
    /// The continued scenario's parameter values for run `run`: those of its own run `run`,
    /// under its own seed, whatever the continuing scenario's seed (so that run *i* of every
    /// scenario continuing it starts where `carecast run` of it leaves run *i*).
    pub fn start_values(&self, run: u64) -> Result<Vec<f64>, String> {
        self.model
            .run_values(run, self.model.defaults.seed)
            .map_err(|e| format!("continued scenario {}: {e}", self.file))
    }

    /// The run seed of the continued scenario's run `run`.
    pub fn start_seed(&self, run: u64) -> u64 {
        crate::rng::run_seed(self.model.defaults.seed, run)
    }

    /// `summary.json`'s `continues`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.file,
            "scenario": self.model.name,
            "scenario_hash": self.model.hash,
            "start_year": self.model.start_year,
            "years": self.model.years,
            "parameters_shared": self.shared_names,
            "parameters_own": self.own_names,
            "parameter_draws": match &self.model.posterior {
                Some(p) => p.to_json(),
                None => serde_json::json!({"from": "prior"}),
            },
        })
    }
}

/// Label of a financial year: 2025 -> "2025-26".
pub fn year_label(start: i32) -> String {
    format!("{}-{:02}", start, (start + 1).rem_euclid(100))
}

/// Parses "2025-26" into 2025.
pub fn parse_year_label(s: &str) -> Option<i32> {
    let (a, b) = s.split_once('-')?;
    let start: i32 = a.parse().ok()?;
    let end: i32 = b.parse().ok()?;
    (a.len() == 4 && b.len() == 2 && end == (start + 1).rem_euclid(100)).then_some(start)
}

impl Model {
    /// The parameter values of run `run` under `master_seed`: each parameter's own draw, with the
    /// posterior's draw for the parameters it holds, time paths and derived parameters computed.
    pub fn run_values(&self, run: u64, master_seed: u64) -> Result<Vec<f64>, String> {
        let err = |(p, e): (String, String)| format!("parameter `{p}`: {e}");
        let mut values = self
            .params
            .draw(crate::rng::run_seed(master_seed, run))
            .map_err(err)?;
        if let Some(post) = &self.posterior {
            post.apply(post.pick(run, master_seed), &mut values);
            self.params.recompute(&mut values).map_err(err)?;
        }
        if let Some(c) = &self.continues {
            let start = c.start_values(run)?;
            for &(own, theirs) in &c.shared {
                values[own] = start[theirs];
            }
            self.params.recompute(&mut values).map_err(err)?;
        }
        Ok(values)
    }

    /// The parameter values of each simulated year (time paths at that year's value; the same
    /// values every year when the scenario has none).
    pub fn year_values(&self, values: &[f64]) -> Result<Vec<Vec<f64>>, String> {
        (0..self.years)
            .map(|y| {
                self.params
                    .at_year(values, self.start_year + y as i32)
                    .map_err(|(name, e)| format!("time path of `{name}`: {e}"))
            })
            .collect()
    }

    /// Where families ageing out of state `s` go in year index `y` (a lever may send them on).
    pub fn age_out_to(&self, s: usize, y: usize) -> Dest {
        self.effects
            .age_outs
            .iter()
            .filter(|e| e.state == s && e.phase.at(y) > 0.0)
            .map(|e| e.to)
            .next_back()
            .unwrap_or(self.states[s].age_out_to)
    }

    /// Financial year label of year index `y`.
    pub fn year_label(&self, y: usize) -> String {
        year_label(self.start_year + y as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_labels_round_trip() {
        assert_eq!(year_label(2025), "2025-26");
        assert_eq!(year_label(2099), "2099-00");
        assert_eq!(parse_year_label("2025-26"), Some(2025));
        assert_eq!(parse_year_label("2025-27"), None);
        assert_eq!(parse_year_label("25-26"), None);
    }
}
