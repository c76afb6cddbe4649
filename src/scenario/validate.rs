//! Checks a raw scenario completely and builds the `Model`: names, types, ranges, expressions,
//! probabilities out of each state, limits. Every problem found is reported, each with its file,
//! JSON path and fix; no simulation starts until there are none.

use super::expr::{self, Expr};
use super::load::Loaded;
use super::model::*;
use super::params::{is_identifier, ParamSet};
use super::raw::{self, RawBand, RawCost, RawScenario, Value};
use crate::error::{suggestion, InputError, InputErrors};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};

/// Longest horizon accepted, in years.
pub const MAX_HORIZON_YEARS: u32 = 60;
/// Most runs accepted.
pub const MAX_RUNS: u64 = 1_000_000;
/// Oldest age (years) a state may hold a family to.
pub const MAX_AGE_YEARS: u32 = 30;
/// Most states accepted.
pub const MAX_STATES: usize = 1000;
/// Largest national stock or monthly inflow accepted (families or children).
pub const MAX_POPULATION: f64 = 20_000_000.0;

pub(super) struct Ctx<'a> {
    loaded: &'a Loaded,
    errors: Vec<InputError>,
    pub(super) params: ParamSet,
    group_names: Vec<String>,
    state_names: Vec<String>,
    /// Every bound expression with the check to apply at central values.
    checks: Vec<(String, Expr, Check)>,
}

/// Largest money value accepted (£ for unit costs, £m for budgets): anything above is a typo.
pub const MAX_MONEY: f64 = 1e9;

/// The range an expression's value must lie in, at central values and in every parameter draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Check {
    Probability,
    NonNegative,
    Share,
    Fraction,
    Population,
    /// A yearly real growth rate or trend: above -1 (a fall of 100%) and at most 1.
    Growth,
    /// The family-help price per family: above 0, since it sets how many places a budget buys.
    Price,
    Any,
}

impl Check {
    /// The problem with value `v`, if any: (message, fix).
    pub(crate) fn problem(self, v: f64) -> Option<(String, &'static str)> {
        match self {
            Check::Probability => (!(0.0..=1.0).contains(&v)).then(|| (format!("probability {v} is outside 0 to 1"), "a monthly probability lies between 0 and 1; convert yearly rates with 1 - (1 - p)^(1/12)")),
            Check::NonNegative if v < 0.0 => Some((format!("value {v} is negative"), "costs and budgets are zero or positive")),
            Check::NonNegative => (v > MAX_MONEY).then(|| (format!("value {} is implausibly large (above {MAX_MONEY:e})", num(v)), "unit costs are in £ and budgets in £m; check for a stray exponent or extra zeros")),
            Check::Share => (v < 0.0).then(|| (format!("share {v} is negative"), "shares are zero or positive")),
            Check::Fraction => (!(0.0..1.0).contains(&v)).then(|| (format!("share {v} is outside [0, 1)"), "give the share of the early budget that funds universal services, e.g. 0.32")),
            Check::Population => (!(0.0..=MAX_POPULATION).contains(&v)).then(|| (format!("{} is outside 0 to {MAX_POPULATION}", num(v)), "give a national count of children or families per month for England")),
            Check::Growth => (!(v > -1.0 && v <= 1.0)).then(|| (format!("yearly rate {v} is outside (-1, 1]"), "give a yearly real growth or trend as a fraction, e.g. 0.02 for 2% a year; -1 would mean everything vanishes")),
            Check::Price => (!(v > 0.0 && v <= MAX_MONEY)).then(|| (format!("family-help cost {v} per family per month is not above 0 (or is implausibly large)"), "the family-help price sets how many places the early budget buys; give a positive monthly cost, e.g. 700")),
            Check::Any => None,
        }
    }
}

/// A number as written in messages: huge ones in scientific notation.
fn num(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// An expression as quoted in messages: long ones are cut.
fn quote(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}...", s.chars().take(77).collect::<String>())
    } else {
        s.to_string()
    }
}

impl Ctx<'_> {
    pub(super) fn loaded(&self) -> &Loaded {
        self.loaded
    }

    pub(super) fn err(&mut self, path: &str, message: impl Into<String>, fix: impl Into<String>) {
        let e = self.loaded.error(path, message, fix);
        self.errors.push(e);
    }

    pub(super) fn value(&mut self, v: &Value, path: &str, check: Check) -> Expr {
        let e = match v {
            Value::Num(x) => {
                if !x.is_finite() {
                    self.err(path, "the number is not finite", "write an ordinary number");
                }
                Expr::Num(*x)
            }
            Value::Expr(s) => match expr::parse(s) {
                Err(e) => {
                    self.err(
                        path,
                        format!("cannot parse expression \"{}\": {e}", quote(s)),
                        "fix the expression; see the scenario reference in docs/guide.md",
                    );
                    Expr::Num(0.0)
                }
                Ok(ast) => match ast.bind(&|n| self.params.slot_of(n)) {
                    Ok(bound) => bound,
                    Err(unknown) => {
                        let hint =
                            suggestion(&unknown, self.params.slot_names.iter().map(String::as_str));
                        self.err(
                            path,
                            format!("unknown parameter `{unknown}`{hint}"),
                            "define it under `parameters` or correct the name",
                        );
                        Expr::Num(0.0)
                    }
                },
            },
        };
        self.checks.push((path.to_string(), e.clone(), check));
        e
    }

    fn state(&mut self, name: &str, path: &str) -> Option<usize> {
        let found = self.state_names.iter().position(|s| s == name);
        if found.is_none() {
            let hint = suggestion(name, self.state_names.iter().map(String::as_str));
            self.err(
                path,
                format!("unknown state `{name}`{hint}"),
                format!("use one of the states: {}", self.state_names.join(", ")),
            );
        }
        found
    }

    fn dest(&mut self, name: &str, path: &str) -> Dest {
        if name == "exit" {
            Dest::Exit
        } else {
            Dest::State(self.state(name, path).unwrap_or(0))
        }
    }

    fn class(&mut self, s: &str, path: &str) -> SpendClass {
        SpendClass::parse(s).unwrap_or_else(|| {
            self.err(
                path,
                format!("unknown spend class `{s}`"),
                "use `early`, `late` or `none`",
            );
            SpendClass::None
        })
    }

    pub(super) fn cost(&mut self, c: &RawCost, path: &str, default_class: SpendClass) -> Cost {
        let per = match c.per.as_str() {
            "child" => Per::Child,
            "family" => Per::Family,
            other => {
                self.err(
                    &format!("{path}.per"),
                    format!("`per` is `{other}`"),
                    "use `child` or `family`",
                );
                Per::Child
            }
        };
        let class = match &c.class {
            Some(s) => self.class(s, &format!("{path}.class")),
            None => default_class,
        };
        Cost {
            gbp: self.value(&c.gbp, &format!("{path}.gbp"), Check::NonNegative),
            per,
            real_growth: self.value(
                &c.real_growth,
                &format!("{path}.real_growth"),
                Check::Growth,
            ),
            class,
        }
    }

    pub(super) fn provenance(
        &mut self,
        source: &Option<String>,
        assumption: &Option<String>,
        path: &str,
    ) {
        let ok = |s: &Option<String>| s.as_ref().is_some_and(|t| !t.trim().is_empty());
        if !ok(source) && !ok(assumption) {
            self.err(
                path,
                "no `source` or `assumption`",
                "add `\"source\": \"publication\"` or `\"assumption\": \"why\"`",
            );
        }
    }

    fn bands(&mut self, bands: &[RawBand], path: &str, limit: u32, what: &str) -> Vec<Band> {
        if bands.is_empty() {
            self.err(
                path,
                format!("no {what} bands"),
                format!("give at least one band, e.g. [{{\"range\": [0, {limit}], \"share\": 1}}]"),
            );
        }
        let mut out = Vec::new();
        for (i, b) in bands.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let [lo, hi] = b.range;
            if lo >= hi || hi > limit {
                self.err(
                    &format!("{p}.range"),
                    format!("range [{lo}, {hi}] is empty or beyond {limit}"),
                    format!("write [from, to) with from < to <= {limit}"),
                );
            }
            out.push(Band {
                lo,
                hi: hi.min(limit).max(lo + 1),
                share: self.value(&b.share, &format!("{p}.share"), Check::Share),
            });
        }
        out
    }

    fn shares_by_group(&mut self, shares: &IndexMap<String, Value>, path: &str) -> Vec<Expr> {
        for k in shares.keys() {
            if !self.group_names.contains(k) {
                let hint = suggestion(k, self.group_names.iter().map(String::as_str));
                self.err(
                    &format!("{path}.{k}"),
                    format!("unknown group `{k}`{hint}"),
                    format!("use the groups: {}", self.group_names.join(", ")),
                );
            }
        }
        let names = self.group_names.clone();
        names
            .iter()
            .map(|g| match shares.get(g) {
                Some(v) => self.value(v, &format!("{path}.{g}"), Check::Share),
                None => Expr::Num(0.0),
            })
            .collect()
    }

    fn children(&mut self, map: &IndexMap<String, Value>, path: &str) -> Vec<(u8, Expr)> {
        let mut out = Vec::new();
        if map.is_empty() {
            self.err(
                path,
                "no family sizes",
                "give shares by number of children, e.g. {\"1\": 0.6, \"2\": 0.4}",
            );
        }
        for (k, v) in map {
            match k.parse::<u8>() {
                Ok(n) if (1..=12).contains(&n) => {
                    out.push((n, self.value(v, &format!("{path}.{k}"), Check::Share)))
                }
                _ => self.err(
                    &format!("{path}.{k}"),
                    format!("`{k}` is not a number of children from 1 to 12"),
                    "use keys \"1\", \"2\", ... for the number of children involved",
                ),
            }
        }
        out
    }

    fn profile(
        &mut self,
        group_shares: &IndexMap<String, Value>,
        age: &[RawBand],
        children: &IndexMap<String, Value>,
        path: &str,
        children_key: &str,
    ) -> Profile {
        Profile {
            group_shares: self.shares_by_group(group_shares, &format!("{path}.group_shares")),
            age: self.bands(age, &format!("{path}.age"), MAX_AGE_YEARS, "age"),
            children: self.children(children, &format!("{path}.{children_key}")),
        }
    }

    pub(super) fn year(&mut self, label: &str, path: &str, start: i32, years: usize) -> usize {
        match parse_year_label(label) {
            Some(y) if y >= start && ((y - start) as usize) < years => (y - start) as usize,
            Some(_) => {
                self.err(
                    path,
                    format!(
                        "year {label} is outside the scenario's years {} to {}",
                        year_label(start),
                        year_label(start + years as i32 - 1)
                    ),
                    "use a year within the horizon",
                );
                0
            }
            None => {
                self.err(
                    path,
                    format!("`{label}` is not a financial year label"),
                    "write years like \"2026-27\"",
                );
                0
            }
        }
    }

    fn budget(
        &mut self,
        b: &raw::RawBudgetPath,
        path: &str,
        start: i32,
        years: usize,
    ) -> BudgetPath {
        self.provenance(&b.source, &b.assumption, path);
        let mut index = Vec::new();
        for (label, v) in &b.index {
            let y = self.year(label, &format!("{path}.index.{label}"), start, years);
            if !(v.is_finite() && *v >= 0.0) {
                self.err(
                    &format!("{path}.index.{label}"),
                    format!("index {v} must be zero or positive"),
                    "write the budget relative to the base year, e.g. 0.9",
                );
            }
            index.push((y, *v));
        }
        index.sort_by_key(|(y, _)| *y);
        BudgetPath {
            base: self.value(
                &b.base_gbp_m,
                &format!("{path}.base_gbp_m"),
                Check::NonNegative,
            ),
            growth: self.value(
                &b.real_growth,
                &format!("{path}.real_growth"),
                Check::Growth,
            ),
            index,
        }
    }
}

/// Validates a loaded scenario and builds the model.
pub fn validate(loaded: &Loaded) -> Result<Model, InputErrors> {
    let (raw, mut errors) = loaded.parse();
    let Some(raw) = raw else {
        return Err(InputErrors(errors));
    };
    let params = match ParamSet::build(&raw.parameters) {
        Ok(mut p) => {
            p.start_year = raw.start_year;
            p
        }
        Err(issues) => {
            errors.extend(issues.into_iter().map(|i| {
                let path = if i.field.is_empty() {
                    format!("$.parameters.{}", i.param)
                } else {
                    format!("$.parameters.{}.{}", i.param, i.field)
                };
                loaded.error(&path, i.message, i.fix)
            }));
            return Err(InputErrors(errors));
        }
    };
    let mut cx = Ctx {
        loaded,
        errors: Vec::new(),
        params,
        group_names: raw.groups.keys().cloned().collect(),
        state_names: raw.states.keys().cloned().collect(),
        checks: Vec::new(),
    };
    let mut model = build(&mut cx, &raw);
    if let Some(levers) = &raw.levers {
        model.effects = super::levers::compile(&mut cx, levers, &mut model);
    }
    path_place_checks(&mut cx);
    if let Some(d) = &raw.run.draws {
        let holder = loaded.file_for("$.run.draws");
        let path = holder.parent().unwrap_or(std::path::Path::new(".")).join(d);
        match super::posterior_draws::load(&path, d, &cx.params) {
            Ok(p) => model.posterior = Some(std::sync::Arc::new(p)),
            Err(e) => cx.err("$.run.draws", e, "name a posterior.json written by `carecast calibrate --posterior`, relative to the scenario file that names it"),
        }
    }
    if let Some(c) = &raw.continues {
        super::continues::attach(&mut cx, &mut model, c);
    }
    if let Some(c) = &model.continues {
        let text = format!("{} continues {}", model.hash, c.model.hash);
        model.hash = format!("sha256:{:x}", Sha256::digest(text.as_bytes()));
    }
    if cx.errors.is_empty() {
        central_checks(&mut cx, &model);
    }
    // Unknown fields (already removed from what was checked) come first, then the rest.
    errors.extend(cx.errors);
    if errors.is_empty() {
        Ok(model)
    } else {
        Err(InputErrors(errors))
    }
}

/// The longest `label` accepted, in characters: it must fit a chart legend and a heading.
pub const MAX_LABEL_CHARS: usize = 36;

/// A label is a short, one-line human name.
fn check_label(cx: &mut Ctx, label: &str) {
    let fix = "give a short human name for reports and chart legends, e.g. \"Family help investment\", or leave `label` out to use the scenario's name";
    let chars = label.chars().count();
    if label.trim().is_empty() {
        cx.err("$.label", "`label` is empty", fix);
    } else if chars > MAX_LABEL_CHARS {
        cx.err(
            "$.label",
            format!(
                "`label` is {chars} characters long; at most {MAX_LABEL_CHARS} fit a chart legend"
            ),
            fix,
        );
    } else if label.chars().any(char::is_control) || label.trim() != label {
        cx.err(
            "$.label",
            format!("`label` {label:?} has a line break, a control character or spaces at an end"),
            fix,
        );
    }
}

fn build(cx: &mut Ctx, raw: &RawScenario) -> Model {
    let name_ok = !raw.name.is_empty()
        && raw.name.len() <= 64
        && raw
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && raw
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if !name_ok {
        cx.err(
            "$.name",
            format!(
                "scenario name {:?} cannot be used as a folder name",
                raw.name
            ),
            "use letters, digits, `-` and `_` only (at most 64), e.g. \"family-help-investment\"",
        );
    }
    if let Some(label) = &raw.label {
        check_label(cx, label);
    }
    if !(1990..=2100).contains(&raw.start_year) {
        cx.err("$.start_year", format!("start year {} is outside 1990 to 2100", raw.start_year), "give the calendar year in which the first financial year starts, e.g. 2025 for 2025-26");
    }
    if raw.horizon_years == 0 || raw.horizon_years > MAX_HORIZON_YEARS {
        cx.err(
            "$.horizon_years",
            format!(
                "horizon of {} years is outside 1 to {MAX_HORIZON_YEARS}",
                raw.horizon_years
            ),
            "project between 1 and 60 years",
        );
    }
    if !(0.0..=0.2).contains(&raw.discount_rate) {
        cx.err(
            "$.discount_rate",
            format!("discount rate {} is outside 0 to 0.2", raw.discount_rate),
            "use a yearly rate such as 0.035 (HM Treasury Green Book)",
        );
    }
    if raw.run.runs == 0 || raw.run.runs > MAX_RUNS {
        cx.err(
            "$.run.runs",
            format!("{} runs is outside 1 to {MAX_RUNS}", raw.run.runs),
            "use a number of runs such as 200",
        );
    }
    if !(raw.run.scale > 0.0 && raw.run.scale <= 1.0) {
        cx.err(
            "$.run.scale",
            format!("scale {} is outside (0, 1]", raw.run.scale),
            "simulate a fraction of families such as 0.02, or 1 for all",
        );
    }
    let years = raw.horizon_years.clamp(1, MAX_HORIZON_YEARS) as usize;

    // Groups.
    if raw.groups.is_empty() {
        cx.err(
            "$.groups",
            "no need groups",
            "define at least one group, e.g. {\"all\": {\"priority\": 1}}",
        );
    }
    for g in raw.groups.keys() {
        if !is_identifier(g) {
            cx.err(
                &format!("$.groups.{g}"),
                format!("group name `{g}` is not a valid name"),
                "use letters, digits and `_`, starting with a letter",
            );
        }
    }
    let groups: Vec<(String, u32)> = raw
        .groups
        .iter()
        .map(|(k, g)| (k.clone(), g.priority))
        .collect();

    // States.
    let default_age_out = raw.age_out.clone().unwrap_or(raw::RawAgeOut {
        age: 18,
        to: "exit".into(),
    });
    let mut states = Vec::new();
    for (name, s) in &raw.states {
        let path = format!("$.states.{name}");
        if !is_identifier(name) || name == "exit" {
            cx.err(&path, format!("state name `{name}` is not a valid name"), "use letters, digits and `_`, starting with a letter (and not `exit`, which is reserved)");
        }
        let role = Role::parse(&s.role).unwrap_or_else(|| {
            let hint = suggestion(&s.role, Role::NAMES);
            cx.err(
                &format!("{path}.role"),
                format!("unknown role `{}`{hint}", s.role),
                format!("use one of: {}", Role::NAMES.join(", ")),
            );
            Role::Closed
        });
        let class = cx.class(&s.class, &format!("{path}.class"));
        let placement = match (&s.placement, role) {
            (Some(p), Role::Care) => Some(Placement::parse(p).unwrap_or_else(|| {
                cx.err(
                    &format!("{path}.placement"),
                    format!("unknown placement `{p}`"),
                    "use kinship, foster, residential or other",
                );
                Placement::Other
            })),
            (Some(_), _) => {
                cx.err(
                    &format!("{path}.placement"),
                    "only care states have a placement",
                    "remove `placement` or set `role` to `care`",
                );
                None
            }
            (None, Role::Care) => Some(Placement::Other),
            (None, _) => None,
        };
        let cost = s
            .monthly_cost
            .as_ref()
            .map(|c| cx.cost(c, &format!("{path}.monthly_cost"), class));
        let ao = s.age_out.clone().unwrap_or_else(|| default_age_out.clone());
        let ao_path = if s.age_out.is_some() {
            format!("{path}.age_out")
        } else {
            "$.age_out".into()
        };
        if ao.age == 0 || ao.age > MAX_AGE_YEARS {
            cx.err(
                &format!("{ao_path}.age"),
                format!("age-out age {} is outside 1 to {MAX_AGE_YEARS}", ao.age),
                "use an age in years such as 18",
            );
        }
        let to = cx.dest(&ao.to, &format!("{ao_path}.to"));
        if to == Dest::State(states.len()) {
            cx.err(
                &format!("{ao_path}.to"),
                "a state cannot age out into itself",
                "age out to another state or to `exit`",
            );
        }
        states.push(State {
            name: name.clone(),
            role,
            class,
            placement,
            cost,
            age_out_months: ao.age * 12,
            age_out_to: to,
        });
    }
    let find_role = |cx: &mut Ctx, role: Role, what: &str| -> usize {
        let found: Vec<usize> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| s.role == role)
            .map(|(i, _)| i)
            .collect();
        if found.len() != 1 {
            cx.err(
                "$.states",
                format!(
                    "{} states have role `{what}`; exactly one must",
                    found.len()
                ),
                format!("give exactly one state `\"role\": \"{what}\"`"),
            );
        }
        found.first().copied().unwrap_or(0)
    };
    let need_state = find_role(cx, Role::Need, "need");
    let capacity_state = find_role(cx, Role::FamilyHelp, "family_help");
    if states
        .get(capacity_state)
        .is_some_and(|s| s.cost.as_ref().is_none_or(|c| c.per != Per::Family))
    {
        cx.err(&format!("$.states.{}.monthly_cost", cx.state_names.get(capacity_state).cloned().unwrap_or_default()), "the family help state needs a monthly cost per family: it sets how many places the budget buys", "add `\"monthly_cost\": {\"gbp\": ..., \"per\": \"family\"}`");
    }
    if let Some(c) = states.get(capacity_state).and_then(|s| s.cost.as_ref()) {
        let path = format!("$.states.{}.monthly_cost.gbp", states[capacity_state].name);
        cx.checks.push((path, c.gbp.clone(), Check::Price));
    }

    if states.len() > MAX_STATES {
        cx.err(
            "$.states",
            format!(
                "{} states; at most {MAX_STATES} are supported",
                states.len()
            ),
            "merge states that share their transitions and costs",
        );
    }
    if raw.transitions.len() > 10_000 {
        cx.err(
            "$.transitions",
            format!(
                "{} transition rules; at most 10,000 are supported",
                raw.transitions.len()
            ),
            "use expressions and `groups`/`age`/`months` filters rather than one rule per cell",
        );
    }
    // Transitions.
    let mut transitions = Vec::new();
    for (i, t) in raw.transitions.iter().enumerate() {
        let path = format!("$.transitions[{i}]");
        let from = cx.state(&t.from, &format!("{path}.from")).unwrap_or(0);
        let to = cx.dest(&t.to, &format!("{path}.to"));
        if to == Dest::State(from) {
            cx.err(
                &format!("{path}.to"),
                format!("transition from `{}` to itself", t.from),
                "staying is what remains after all transitions; remove this rule",
            );
        }
        let mut mask = vec![t.groups.is_none(); groups.len()];
        for (k, g) in t.groups.iter().flatten().enumerate() {
            match groups.iter().position(|(n, _)| n == g) {
                Some(gi) => mask[gi] = true,
                None => {
                    let hint = suggestion(g, groups.iter().map(|(n, _)| n.as_str()));
                    cx.err(
                        &format!("{path}.groups[{k}]"),
                        format!("unknown group `{g}`{hint}"),
                        "use a group defined under `groups`",
                    );
                }
            }
        }
        let age = t.age.unwrap_or([0, MAX_AGE_YEARS]);
        if age[0] >= age[1] || age[1] > MAX_AGE_YEARS {
            cx.err(
                &format!("{path}.age"),
                format!(
                    "age range [{}, {}] is empty or beyond {MAX_AGE_YEARS}",
                    age[0], age[1]
                ),
                "write [from, to) in whole years, e.g. [0, 5]",
            );
        }
        let months = t.months.unwrap_or([0, u32::MAX]);
        if months[0] >= months[1] || (t.months.is_some() && months[1] > 600) {
            cx.err(
                &format!("{path}.months"),
                format!(
                    "months-in-state range [{}, {}] is empty or beyond 600",
                    months[0], months[1]
                ),
                "write [from, to) in months, e.g. [0, 3]",
            );
        }
        let p = cx.value(&t.p, &format!("{path}.p"), Check::Probability);
        let cost = t
            .cost
            .as_ref()
            .map(|c| cx.cost(c, &format!("{path}.cost"), SpendClass::Late));
        transitions.push(Transition {
            from,
            to,
            p,
            groups: mask,
            age,
            months,
            cost,
            path,
        });
    }

    // Inflows and the initial population.
    let mut inflows = Vec::new();
    for (i, f) in raw.inflows.iter().enumerate() {
        let path = format!("$.inflows[{i}]");
        cx.provenance(&f.source, &f.assumption, &path);
        let to = cx.state(&f.to, &format!("{path}.to")).unwrap_or(0);
        if to == capacity_state {
            cx.err(
                &format!("{path}.to"),
                "new families cannot arrive straight into family help: places are allocated",
                "send the inflow to the need state",
            );
        }
        let profile = cx.profile(&f.group_shares, &f.age, &f.children, &path, "children");
        inflows.push(Inflow {
            name: f.name.clone(),
            to,
            per_month: cx.value(
                &f.families_per_month,
                &format!("{path}.families_per_month"),
                Check::Population,
            ),
            trend: cx.value(
                &f.trend_per_year,
                &format!("{path}.trend_per_year"),
                Check::Growth,
            ),
            profile,
        });
    }
    let mut initial = Vec::new();
    for (state, s) in &raw.initial {
        let path = format!("$.initial.{state}");
        cx.provenance(&s.source, &s.assumption, &path);
        let st = cx.state(state, &path).unwrap_or(0);
        let profile = cx.profile(
            &s.group_shares,
            &s.age,
            &s.children_per_family,
            &path,
            "children_per_family",
        );
        let months = if s.months_in_state.is_empty() {
            vec![Band {
                lo: 0,
                hi: 1,
                share: Expr::Num(1.0),
            }]
        } else {
            cx.bands(
                &s.months_in_state,
                &format!("{path}.months_in_state"),
                600,
                "months-in-state",
            )
        };
        initial.push(Initial {
            state: st,
            children: cx.value(&s.children, &format!("{path}.children"), Check::Population),
            profile,
            months,
        });
    }

    // Policy and fixed costs.
    let pol = &raw.policy;
    let rule = match pol.rule.as_str() {
        "early_set" => Rule::EarlySet,
        "total_set" => Rule::TotalSet,
        other => {
            let hint = suggestion(other, ["early_set", "total_set"]);
            cx.err("$.policy.rule", format!("unknown budget rule `{other}`{hint}"), "use `early_set` (early budget given, late demand-led) or `total_set` (total given, late met first)");
            Rule::EarlySet
        }
    };
    let (field, path_opt) = match rule {
        Rule::EarlySet => ("early_budget", &pol.early_budget),
        Rule::TotalSet => ("total_budget", &pol.total_budget),
    };
    let budget = match path_opt {
        Some(b) => cx.budget(b, &format!("$.policy.{field}"), raw.start_year, years),
        None => {
            cx.err(
                "$.policy",
                format!("rule `{}` needs `{field}`", pol.rule),
                format!("add `\"{field}\": {{\"base_gbp_m\": ..., \"source\": ...}}`"),
            );
            BudgetPath {
                base: Expr::Num(0.0),
                growth: Expr::Num(0.0),
                index: vec![],
            }
        }
    };
    let previous_late = match (&pol.previous_late_spend_gbp_m, rule) {
        (Some(v), _) => cx.value(v, "$.policy.previous_late_spend_gbp_m", Check::NonNegative),
        (None, Rule::TotalSet) => {
            cx.err("$.policy", "rule `total_set` needs `previous_late_spend_gbp_m`: the first year's early budget is set from the year before", "add the late spend of the year before the start, e.g. 12106");
            Expr::Num(0.0)
        }
        (None, Rule::EarlySet) => Expr::Num(0.0),
    };
    let early_share = match (&pol.early_share_of_total, rule) {
        (None, _) => None,
        (Some(v), Rule::TotalSet) => {
            Some(cx.value(v, "$.policy.early_share_of_total", Check::Fraction))
        }
        (Some(_), Rule::EarlySet) => {
            cx.err(
                "$.policy.early_share_of_total",
                "`early_share_of_total` applies only under rule `total_set`",
                "remove it, or set `\"rule\": \"total_set\"` with a `total_budget`",
            );
            None
        }
    };
    let mut extra = Vec::new();
    for (i, inv) in pol.extra_investment.iter().enumerate() {
        let p = format!("$.policy.extra_investment[{i}]");
        let y = cx.year(&inv.year, &format!("{p}.year"), raw.start_year, years);
        extra.push((y, cx.value(&inv.gbp_m, &format!("{p}.gbp_m"), Check::Any)));
    }
    if pol.lag_months > 120 {
        cx.err(
            "$.policy.lag_months",
            format!("lag of {} months is over 120", pol.lag_months),
            "give the months before new places reach full effect, e.g. 12",
        );
    }
    let targeting = match pol.targeting.as_str() {
        "need_first" => Targeting::NeedFirst,
        "first_come" => Targeting::FirstCome,
        "stepdown_first" => Targeting::StepDownFirst,
        other => {
            let hint = suggestion(other, ["need_first", "first_come", "stepdown_first"]);
            cx.err(
                "$.policy.targeting",
                format!("unknown targeting `{other}`{hint}"),
                "use need_first, first_come or stepdown_first",
            );
            Targeting::NeedFirst
        }
    };
    let policy = Policy {
        rule,
        budget,
        universal_share: cx.value(
            &pol.universal_share,
            "$.policy.universal_share",
            Check::Fraction,
        ),
        previous_late,
        early_floor: cx.value(
            &pol.early_floor_gbp_m,
            "$.policy.early_floor_gbp_m",
            Check::NonNegative,
        ),
        early_share,
        extra,
        lag_months: pol.lag_months,
        targeting,
    };
    let mut fixed_costs = Vec::new();
    for (i, f) in raw.fixed_costs.iter().enumerate() {
        let p = format!("$.fixed_costs[{i}]");
        cx.provenance(&f.source, &f.assumption, &p);
        let class = cx.class(&f.class, &format!("{p}.class"));
        fixed_costs.push(FixedCost {
            name: f.name.clone(),
            class,
            gbp_m: cx.value(
                &f.gbp_m_per_year,
                &format!("{p}.gbp_m_per_year"),
                Check::NonNegative,
            ),
            real_growth: cx.value(&f.real_growth, &format!("{p}.real_growth"), Check::Growth),
        });
    }

    // Durations beyond the last `months` boundary any transition uses all behave alike (the
    // engine caps a family's months-in-state there), so starting durations are capped there too:
    // the same model, and no starting duration outside the engine's duration table.
    let dur_cap = transitions
        .iter()
        .flat_map(|t| [t.months[0], t.months[1]])
        .filter(|&m| m <= 600)
        .max()
        .unwrap_or(0);
    for init in &mut initial {
        init.months = cap_bands(std::mem::take(&mut init.months), dur_cap);
    }

    let resolved = cx.loaded.merged.clone();
    let text = serde_json::to_string(&resolved).unwrap_or_default();
    let hash = format!("sha256:{:x}", Sha256::digest(text.as_bytes()));
    Model {
        name: raw.name.clone(),
        label: raw.label.clone().unwrap_or_else(|| raw.name.clone()),
        description: raw.description.clone(),
        limitations: raw.limitations.clone(),
        start_year: raw.start_year,
        years,
        price_base: raw.price_base.clone(),
        discount_rate: raw.discount_rate,
        defaults: RunDefaults {
            runs: raw.run.runs,
            seed: raw.run.seed,
            scale: raw.run.scale,
        },
        groups,
        params: cx.params.clone(),
        states,
        transitions,
        inflows,
        initial,
        policy,
        fixed_costs,
        effects: Default::default(),
        need_state,
        capacity_state,
        resolved,
        hash,
        posterior: None,
        continues: None,
    }
}

/// Caps months-in-state bands at `cap` without changing the distribution as the engine sees it:
/// the part of a band at or beyond `cap` becomes a one-month band at `cap` with its share.
fn cap_bands(bands: Vec<Band>, cap: u32) -> Vec<Band> {
    let mut out = Vec::with_capacity(bands.len() + 1);
    for b in bands {
        if b.hi <= cap + 1 {
            out.push(b);
            continue;
        }
        let span = f64::from(b.hi - b.lo);
        let part = |n: u32| {
            Expr::Bin(
                expr::Op::Mul,
                Box::new(b.share.clone()),
                Box::new(Expr::Num(f64::from(n) / span)),
            )
        };
        if b.lo < cap {
            out.push(Band {
                lo: b.lo,
                hi: cap,
                share: part(cap - b.lo),
            });
        }
        out.push(Band {
            lo: cap,
            hi: cap + 1,
            share: part(b.hi - b.lo.max(cap)),
        });
    }
    out
}

/// Where a value is read once (at the start) or compounds from the start, so that a time path
/// there would not mean what it says: initial stocks, the policy, inflows' trends and profiles,
/// and every real growth rate.
fn read_once(path: &str) -> bool {
    let inflow_profile = path.starts_with("$.inflows[")
        && [".group_shares", ".age", ".children"]
            .iter()
            .any(|k| path.contains(k));
    path.starts_with("$.initial")
        || path.starts_with("$.policy")
        || path.contains("real_growth")
        || path.contains("trend_per_year")
        || inflow_profile
}

/// The first slot of `e` that changes from year to year, if any.
pub(super) fn varying_slot(e: &Expr, varying: &[bool]) -> Option<usize> {
    let mut slots = Vec::new();
    e.slots(&mut slots);
    slots.into_iter().find(|s| varying[*s])
}

/// Refuses a time path (or a parameter derived from one) where the engines read a value once.
fn path_place_checks(cx: &mut Ctx) {
    let varying = cx.params.varying_slots();
    if !varying.contains(&true) {
        return;
    }
    let bad: Vec<(String, String)> = cx
        .checks
        .iter()
        .filter(|(path, _, _)| read_once(path))
        .filter_map(|(path, e, _)| {
            varying_slot(e, &varying).map(|s| (path.clone(), cx.params.slot_names[s].clone()))
        })
        .collect();
    for (path, name) in bad {
        cx.err(
            &path,
            format!("`{name}` changes from year to year (a time path), but this value is read once, at the start, or compounds from it"),
            "use time paths in transition probabilities, state costs (`gbp`), inflow rates (`families_per_month`), fixed costs' `gbp_m_per_year` and lever settings; budgets change by `index`, costs grow by a fixed `real_growth`",
        );
    }
}

/// Checks each expression that reads a time path at every later year's central values too (the
/// start year is checked with the rest), reporting the first year out of range.
fn yearly_range_checks(
    cx: &mut Ctx,
    model: &Model,
    central: &[f64],
    checks: &[(String, Expr, Check)],
) {
    let varying = cx.params.varying_slots();
    if !varying.contains(&true) {
        return;
    }
    let years: Vec<Vec<f64>> = match model.year_values(central) {
        Ok(v) => v,
        Err(e) => {
            cx.err(
                "$.parameters",
                format!("cannot evaluate a time path at central values: {e}"),
                "check the knots' expressions",
            );
            return;
        }
    };
    for (path, e, check) in checks {
        if varying_slot(e, &varying).is_none() {
            continue;
        }
        let problem = years.iter().enumerate().skip(1).find_map(|(y, v)| {
            let value = e.eval(v).map_err(|err| err.0);
            match value {
                Ok(x) => check.problem(x).map(|(m, f)| (y, m, f.to_string())),
                Err(err) => Some((
                    y,
                    format!("cannot be evaluated: {err}"),
                    "check the knots' expressions".into(),
                )),
            }
        });
        if let Some((y, m, f)) = problem {
            let names = param_names(cx, e);
            cx.err(
                path,
                format!(
                    "in {} at central values: {m} (from parameters: {names})",
                    model.year_label(y)
                ),
                f,
            );
        }
    }
}

/// Evaluates every expression at the parameters' central values and checks ranges, then checks
/// that the probabilities out of each state sum to at most 1 for every group, age and duration.
fn central_checks(cx: &mut Ctx, model: &Model) {
    let values = match cx.params.central() {
        Ok(v) => v,
        Err((name, msg)) => {
            cx.err(
                &format!("$.parameters.{name}.expr"),
                format!("cannot evaluate at central values: {msg}"),
                "check the expression's inputs",
            );
            return;
        }
    };
    let checks = std::mem::take(&mut cx.checks);
    yearly_range_checks(cx, model, &values, &checks);
    for (path, e, check) in &checks {
        let (path, check) = (path.as_str(), *check);
        let v = match e.eval(&values) {
            Ok(v) => v,
            Err(err) => {
                cx.err(
                    path,
                    format!("cannot evaluate at the parameters' central values: {err}"),
                    "check the expression and the parameters it uses",
                );
                continue;
            }
        };
        if let Some((m, f)) = check.problem(v) {
            let names = param_names(cx, e);
            let m = if names.is_empty() {
                m
            } else {
                format!("{m} (from parameters: {names})")
            };
            cx.err(path, m, f);
        }
    }
    // Shares that must not all be zero.
    let mut zero_shares = Vec::new();
    for (i, f) in model.inflows.iter().enumerate() {
        zero_shares.push((format!("$.inflows[{i}]"), &f.profile));
    }
    for init in &model.initial {
        zero_shares.push((
            format!("$.initial.{}", model.states[init.state].name),
            &init.profile,
        ));
    }
    for (path, prof) in zero_shares {
        let sum = |xs: &mut dyn Iterator<Item = &Expr>| {
            xs.map(|e| e.eval(&values).unwrap_or(0.0)).sum::<f64>()
        };
        if sum(&mut prof.group_shares.iter()) <= 0.0 {
            cx.err(
                &format!("{path}.group_shares"),
                "group shares sum to zero",
                "give at least one group a positive share",
            );
        }
        if sum(&mut prof.age.iter().map(|b| &b.share)) <= 0.0 {
            cx.err(
                &format!("{path}.age"),
                "age shares sum to zero",
                "give at least one age band a positive share",
            );
        }
        if sum(&mut prof.children.iter().map(|(_, e)| e)) <= 0.0 {
            cx.err(
                &path,
                "family-size shares sum to zero",
                "give at least one family size a positive share",
            );
        }
    }
    // Probabilities out of each state.
    for (s, state) in model.states.iter().enumerate() {
        let rules: Vec<&Transition> = model.transitions.iter().filter(|t| t.from == s).collect();
        let mut month_points: Vec<u32> = rules
            .iter()
            .flat_map(|t| [t.months[0], t.months[1].min(601)])
            .collect();
        month_points.push(0);
        month_points.sort_unstable();
        month_points.dedup();
        'outer: for (g, (gname, _)) in model.groups.iter().enumerate() {
            for age in 0..MAX_AGE_YEARS {
                for &m in &month_points {
                    let matching: Vec<&&Transition> = rules
                        .iter()
                        .filter(|t| {
                            t.groups[g]
                                && age >= t.age[0]
                                && age < t.age[1]
                                && m >= t.months[0]
                                && m < t.months[1]
                        })
                        .collect();
                    let total: f64 = matching
                        .iter()
                        .map(|t| t.p.eval(&values).unwrap_or(0.0))
                        .sum();
                    if total > 1.0 + 1e-9 {
                        let paths: Vec<&str> = matching.iter().map(|t| t.path.as_str()).collect();
                        let mut slots = Vec::new();
                        matching.iter().for_each(|t| t.p.slots(&mut slots));
                        let mut names: Vec<&str> = slots
                            .iter()
                            .map(|s| cx.params.slot_names[*s].as_str())
                            .collect();
                        names.sort_unstable();
                        names.dedup();
                        cx.err(
                            &matching[0].path,
                            format!("probabilities out of `{}` sum to {total:.4} (above 1) for group `{gname}`, age {age}, month {m} in state: rules {} (parameters: {})", state.name, paths.join(", "), names.join(", ")),
                            "lower these monthly probabilities, or restrict rules by `groups`, `age` or `months` so they do not overlap",
                        );
                        break 'outer;
                    }
                }
            }
        }
    }
    early_budget_checks(cx, model, &values);
    if cx.errors.is_empty() {
        draw_checks(cx, model, &checks);
    }
}

/// The names of the parameters an expression reads, for messages.
fn param_names(cx: &Ctx, e: &Expr) -> String {
    let mut slots = Vec::new();
    e.slots(&mut slots);
    let mut names: Vec<&str> = slots
        .iter()
        .map(|s| cx.params.slot_names[*s].as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

/// The early budget must stay above zero, or the late:early ratio is undefined and no family-help
/// place can be bought: every year under `early_set`, and through the floor under `total_set`.
fn early_budget_checks(cx: &mut Ctx, model: &Model, values: &[f64]) {
    let pol = &model.policy;
    match pol.rule {
        Rule::EarlySet => {
            let path = crate::engine::budget::path_values(&pol.budget, values, model.years)
                .unwrap_or_default();
            for (y, base) in path.iter().enumerate() {
                let extra: f64 = pol
                    .extra
                    .iter()
                    .filter(|(ey, _)| *ey == y)
                    .map(|(_, e)| e.eval(values).unwrap_or(0.0))
                    .sum();
                if base + extra <= 0.0 {
                    cx.err(
                        "$.policy.early_budget",
                        format!(
                            "the early budget in {} is £{:.1}m: with no early spend the late:early ratio is undefined and no family help can be bought",
                            model.year_label(y),
                            base + extra
                        ),
                        "give a positive `base_gbp_m` and `index` values above 0 (a deep cut such as 0.1 is fine)",
                    );
                    return;
                }
            }
        }
        Rule::TotalSet => {
            let floor = pol.early_floor.eval(values).unwrap_or(0.0);
            if floor <= 0.0 {
                cx.err(
                    "$.policy.early_floor_gbp_m",
                    format!("under `total_set` the early budget can fall to the floor, which is £{floor}m"),
                    "give a floor above 0 (the statutory minimum councils keep), e.g. 400",
                );
            }
        }
    }
}

/// Every checked expression must stay in range in the parameter draws of the first runs too.
fn draw_checks(cx: &mut Ctx, model: &Model, checks: &[(String, Expr, Check)]) {
    let n = super::draws::DRAWS_CHECKED;
    let years = model.start_year..model.start_year + model.years as i32;
    match super::draws::check_draws(&cx.params, model.defaults.seed, years, checks) {
        Err((name, run, msg)) => cx.err(
            &format!("$.parameters.{name}.expr"),
            format!("cannot be computed in the parameter draw of run {run} (of the first {n} checked): {msg}"),
            "narrow the distributions of the parameters it reads, or guard the expression, e.g. with max(..., 0.01)",
        ),
        Ok(problems) => {
            for p in problems {
                let (path, e, _) = &checks[p.check];
                let names = param_names(cx, e);
                cx.err(
                    path,
                    format!(
                        "in {} of the first {n} parameter draws (first in run {}): {}; the central value is fine but the distributions of {} reach it",
                        p.count, p.run, p.message, if names.is_empty() { "its parameters".to_string() } else { names }
                    ),
                    format!("{}; narrow those distributions (a beta suits probabilities, a gamma or lognormal suits costs and counts)", p.fix),
                );
            }
        }
    }
}
