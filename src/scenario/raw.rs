//! The scenario file format as written on disk: serde types that mirror the JSON one to one.
//! Nothing here is checked beyond types and field names; `validate` turns these into a `Model`.

use indexmap::IndexMap;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A number, or an expression over parameters written as a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Num(f64),
    Expr(String),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or an expression string such as \"need_to_cp * family_help_rr\"",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Expr(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

fn zero() -> Value {
    Value::Num(0.0)
}

/// A whole scenario file (after `extends` has been merged).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    /// A human name for reports and chart legends (default: `name`). Not inherited through
    /// `extends`.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Free-text notes on how the numbers were derived (kept in outputs, not used).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Limitations specific to this scenario, for reports.
    #[serde(default)]
    pub limitations: Vec<String>,
    /// First simulated financial year, by its starting calendar year (2025 means 2025-26).
    pub start_year: i32,
    /// Number of financial years simulated.
    pub horizon_years: u32,
    #[serde(default = "default_price_base")]
    pub price_base: String,
    #[serde(default = "default_discount_rate")]
    pub discount_rate: f64,
    #[serde(default)]
    pub run: RawRunDefaults,
    pub groups: IndexMap<String, RawGroup>,
    pub parameters: IndexMap<String, RawParam>,
    pub states: IndexMap<String, RawState>,
    #[serde(default)]
    pub age_out: Option<RawAgeOut>,
    pub transitions: Vec<RawTransition>,
    pub inflows: Vec<RawInflow>,
    pub initial: IndexMap<String, RawInitial>,
    pub policy: RawPolicy,
    #[serde(default)]
    pub fixed_costs: Vec<RawFixedCost>,
    /// Reform levers (see `levers`).
    #[serde(default)]
    pub levers: Option<super::levers::RawLevers>,
    /// A scenario (relative to the file that names it) whose runs this one continues: run *i*
    /// starts from the families of its run *i* at the end of its last year.
    #[serde(default)]
    pub continues: Option<String>,
}

fn default_price_base() -> String {
    "2024-25".into()
}

fn default_discount_rate() -> f64 {
    0.035
}

/// Defaults for `carecast run` when the command line does not set them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunDefaults {
    #[serde(default = "default_runs")]
    pub runs: u64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_scale")]
    pub scale: f64,
    /// A posterior written by `calibrate --posterior` (relative to the file that names it):
    /// run i takes the i-th draw of a seeded shuffle of its draws.
    #[serde(default)]
    pub draws: Option<String>,
}

impl Default for RawRunDefaults {
    fn default() -> Self {
        Self {
            runs: default_runs(),
            seed: default_seed(),
            scale: default_scale(),
            draws: None,
        }
    }
}

fn default_runs() -> u64 {
    200
}
fn default_seed() -> u64 {
    20250401
}
fn default_scale() -> f64 {
    0.02
}

/// A need group; lower `priority` numbers are served first under `need_first` targeting.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub priority: u32,
    #[serde(default)]
    pub description: String,
}

/// A parameter with its distribution and its provenance.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    #[serde(default)]
    pub dist: Option<String>,
    pub value: Option<f64>,
    pub expr: Option<String>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub sigma: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub shares: Option<IndexMap<String, f64>>,
    pub concentration: Option<f64>,
    /// A time path: knots by financial year (`"2010-11"`), each a number or an expression over
    /// drawn parameters.
    pub path: Option<IndexMap<String, Value>>,
    /// How a path moves between knots: `linear` (default) or `step`.
    pub between: Option<String>,
    pub source: Option<String>,
    pub assumption: Option<String>,
    pub unit: Option<String>,
    pub description: Option<String>,
}

/// A state of the pathway.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub role: String,
    pub class: String,
    pub placement: Option<String>,
    pub monthly_cost: Option<RawCost>,
    pub age_out: Option<RawAgeOut>,
    #[serde(default)]
    pub description: String,
}

/// A cost: pounds per child or per family, with optional real growth per year.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub gbp: Value,
    pub per: String,
    #[serde(default = "zero")]
    pub real_growth: Value,
    pub class: Option<String>,
}

/// Leaving a state when the index child reaches an age.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgeOut {
    pub age: u32,
    pub to: String,
}

/// A monthly transition probability, optionally restricted to groups, ages and months in state.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub from: String,
    pub to: String,
    pub p: Value,
    pub groups: Option<Vec<String>>,
    /// Ages of the index child in whole years, `[from, to)`.
    pub age: Option<[u32; 2]>,
    /// Months already spent in the state, `[from, to)`.
    pub months: Option<[u32; 2]>,
    pub cost: Option<RawCost>,
    #[serde(default)]
    pub note: String,
}

/// A band of ages (years, `[from, to)`) or months with a share.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub range: [u32; 2],
    pub share: Value,
}

/// New families arriving each month.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInflow {
    pub name: String,
    pub to: String,
    pub families_per_month: Value,
    #[serde(default = "zero")]
    pub trend_per_year: Value,
    pub group_shares: IndexMap<String, Value>,
    pub age: Vec<RawBand>,
    pub children: IndexMap<String, Value>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// The stock of a state at the start (31 March before the first year).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInitial {
    pub children: Value,
    pub group_shares: IndexMap<String, Value>,
    pub age: Vec<RawBand>,
    #[serde(default)]
    pub months_in_state: Vec<RawBand>,
    pub children_per_family: IndexMap<String, Value>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// A budget path: a base year value, real growth per year and an optional index by year.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudgetPath {
    pub base_gbp_m: Value,
    #[serde(default = "zero")]
    pub real_growth: Value,
    #[serde(default)]
    pub index: IndexMap<String, f64>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// Extra early money in a year (a Family Help programme).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvestment {
    pub year: String,
    pub gbp_m: Value,
}

/// The spending policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub rule: String,
    pub early_budget: Option<RawBudgetPath>,
    pub total_budget: Option<RawBudgetPath>,
    pub universal_share: Value,
    pub previous_late_spend_gbp_m: Option<Value>,
    #[serde(default = "zero")]
    pub early_floor_gbp_m: Value,
    /// Under `total_set`: early gets this share of the total budget (protected) instead of what
    /// late spend leaves.
    #[serde(default)]
    pub early_share_of_total: Option<Value>,
    #[serde(default)]
    pub extra_investment: Vec<RawInvestment>,
    #[serde(default)]
    pub lag_months: u32,
    #[serde(default = "default_targeting")]
    pub targeting: String,
    #[serde(default)]
    pub note: String,
}

fn default_targeting() -> String {
    "need_first".into()
}

/// A spend line outside the family pathway (youth justice, for example).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFixedCost {
    pub name: String,
    pub class: String,
    pub gbp_m_per_year: Value,
    #[serde(default = "zero")]
    pub real_growth: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}
