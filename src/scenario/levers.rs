//! Reform levers (`"levers"` in a scenario): the reforms argued over in the Care Review debate,
//! each written with its own named fields and compiled into generic `Effects` on the pathway's
//! roles (plans, care, returns home, care leavers), so that any scenario with those roles can use
//! them and both engines apply them alike.

use super::effects::*;
use super::expr::{Expr, Op};
use super::model::{Cost, Dest, Model, Per, Placement, Role, SpendClass, State};
use super::raw::Value;
use super::validate::{Check, Ctx};
use serde::{Deserialize, Serialize};

/// The levers a scenario pulls; each is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevers {
    pub family_help_coverage: Option<RawCoverage>,
    pub family_group_conferences: Option<RawConferences>,
    pub kinship_support: Option<RawKinship>,
    pub residential_market: Option<RawResidential>,
    pub reunification: Option<RawReunification>,
    pub care_cliff: Option<RawCareCliff>,
    pub workforce: Option<RawWorkforce>,
    pub family_safeguarding: Option<RawSafeguarding>,
}

/// When a lever starts and how fast it phases in (fields every lever has).
struct RawWhen<'a> {
    from_year: &'a Option<String>,
    ramp_years: u32,
}

macro_rules! when {
    ($l:expr) => {
        RawWhen {
            from_year: &$l.from_year,
            ramp_years: $l.ramp_years,
        }
    };
}

/// Family Help with a coverage duty.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCoverage {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Target share of families with need (in `need` or family help) who are in family help.
    pub share: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// Family group conferences at the pre-proceedings stage.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConferences {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Share of families at pre-proceedings offered a conference.
    pub share_offered: Value,
    /// Relative risk of entering care for families offered one.
    pub care_entry_rr: Value,
    /// Share of plans that reach the pre-proceedings stage (sets how many conferences are held).
    pub pre_proceedings_share: Value,
    /// Cost of one conference, £ per family.
    pub cost_per_conference_gbp: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// Kinship care support.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawKinship {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Extra allowance per child in kinship care, £ a month.
    pub allowance_gbp_month: Option<Value>,
    /// Extra allowance per child under a permanence order, £ a month (averaged over all orders).
    pub permanence_allowance_gbp_month: Option<Value>,
    /// Share of entries to foster care placed with kin instead.
    pub placement_shift: Option<Value>,
    /// Multiplier on moves from kinship care to permanence (special guardianship).
    pub permanence_factor: Option<Value>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// The residential care market.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawResidential {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Real growth of children's-home prices per year while the lever is in force.
    pub real_growth: Option<Value>,
    /// Share of entries to residential care placed in foster care instead (more sufficiency).
    pub placement_shift: Option<Value>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// Reunification support for families of children in care.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReunification {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Share of families of children in care who get the support.
    pub share_supported: Value,
    /// Multiplier on planned returns home for supported families.
    pub return_home_factor: Value,
    /// Multiplier on re-entry to care after a return home, for supported families.
    pub reentry_factor: Value,
    /// Cost of support, £ per supported family returning home.
    pub cost_per_family_gbp: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// Ending the care cliff: leaving-care support to 25, and Staying Put.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCareCliff {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Age to which care leavers are supported (default 25).
    #[serde(default = "default_support_age")]
    pub support_to_age: u32,
    /// Cost of support from the old end age to `support_to_age`, £ per young person a month.
    pub support_gbp_month: Value,
    /// Extra cost per care leaver below the old end age, £ a month (Staying Put, averaged).
    pub staying_put_gbp_month: Option<Value>,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

fn default_support_age() -> u32 {
    25
}

/// The social work workforce: agency staff as a cost line.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkforce {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Agency share of social workers built into the scenario's social-work costs.
    pub agency_share_now: Value,
    /// Agency share under the lever.
    pub agency_share: Value,
    /// Extra cost of an agency worker over an employed one, as a fraction (0.5: half as much again).
    pub agency_premium: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// A multi-disciplinary child protection model (Family Safeguarding).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSafeguarding {
    /// First financial year in force, e.g. "2026-27" (default: the first simulated year).
    pub from_year: Option<String>,
    /// Years to reach the full effect, rising linearly (0 or 1: full at once).
    #[serde(default)]
    pub ramp_years: u32,
    /// Share of children in statutory social work covered by the model.
    pub coverage: Value,
    /// Relative risk of a plan starting, for covered children.
    pub plan_rr: Value,
    /// Relative risk of entering care from statutory work, for covered children.
    pub care_rr: Value,
    /// Extra cost per covered child in statutory work (adult specialists in teams), £ a month.
    pub cost_gbp_month: Value,
    pub source: Option<String>,
    pub assumption: Option<String>,
}

/// `1 + share * (factor - 1)`: the average multiplier when a share of families get an effect.
fn blend(share: &Expr, factor: Expr) -> Expr {
    Expr::op(
        Op::Add,
        Expr::Num(1.0),
        Expr::op(
            Op::Mul,
            share.clone(),
            Expr::op(Op::Sub, factor, Expr::Num(1.0)),
        ),
    )
}

fn mul(a: &Expr, b: &Expr) -> Expr {
    Expr::op(Op::Mul, a.clone(), b.clone())
}

fn late_cost(gbp: Expr, per: Per) -> Cost {
    Cost {
        gbp,
        per,
        real_growth: Expr::Num(0.0),
        class: SpendClass::Late,
    }
}

/// Compiles one lever at a time into effects on `model`.
struct Compiler<'c, 'a> {
    cx: &'c mut Ctx<'a>,
    model: &'c mut Model,
    out: Effects,
}

impl Compiler<'_, '_> {
    fn phase(&mut self, when: &RawWhen, path: &str) -> Phase {
        let from = match when.from_year {
            Some(label) => self.cx.year(
                label,
                &format!("{path}.from_year"),
                self.model.start_year,
                self.model.years,
            ),
            None => 0,
        };
        if when.ramp_years > 60 {
            self.cx.err(
                &format!("{path}.ramp_years"),
                format!("ramp of {} years is longer than 60", when.ramp_years),
                "give the years to full effect, e.g. 3",
            );
        }
        Phase {
            from,
            ramp: when.ramp_years,
        }
    }

    fn start(
        &mut self,
        name: &'static str,
        when: &RawWhen,
        source: &Option<String>,
        assumption: &Option<String>,
    ) -> (String, Phase) {
        let path = format!("$.levers.{name}");
        self.cx.provenance(source, assumption, &path);
        self.out.levers.push(name);
        let phase = self.phase(when, &path);
        (path, phase)
    }

    fn value(&mut self, v: &Value, path: &str, field: &str, check: Check) -> Expr {
        self.cx.value(v, &format!("{path}.{field}"), check)
    }

    fn role(&self, s: usize) -> Role {
        self.model.states[s].role
    }

    /// States with role `r`, erroring at `path` when there are none.
    fn states_where(&mut self, path: &str, what: &str, f: impl Fn(&State) -> bool) -> Vec<usize> {
        let found: Vec<usize> = (0..self.model.states.len())
            .filter(|&s| f(&self.model.states[s]))
            .collect();
        if found.is_empty() {
            self.cx.err(
                path,
                format!("the scenario has no {what} state for this lever to act on"),
                "give a state that role or placement, or remove the lever",
            );
        }
        found
    }

    /// Transitions whose source and destination satisfy `f(from, to)`.
    fn transitions_where(&self, f: impl Fn(usize, Option<usize>) -> bool) -> Vec<usize> {
        self.model
            .transitions
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                let to = match t.to {
                    Dest::State(d) => Some(d),
                    Dest::Exit => None,
                };
                f(t.from, to)
            })
            .map(|(k, _)| k)
            .collect()
    }

    fn is_role(&self, s: Option<usize>, r: Role) -> bool {
        s.is_some_and(|s| self.role(s) == r)
    }

    fn placement_of(&self, s: Option<usize>) -> Option<Placement> {
        s.and_then(|s| self.model.states[s].placement)
    }

    /// Moves from statutory work (child in need or a plan) into care.
    fn statutory_to_care(&self) -> Vec<usize> {
        self.transitions_where(|from, to| {
            matches!(self.role(from), Role::ChildInNeed | Role::ChildProtection)
                && self.is_role(to, Role::Care)
        })
    }

    /// Entries into a plan from any other role.
    fn plan_starts(&self) -> Vec<usize> {
        self.transitions_where(|from, to| {
            self.role(from) != Role::ChildProtection && self.is_role(to, Role::ChildProtection)
        })
    }

    fn rate(&mut self, lever: &'static str, transitions: Vec<usize>, factor: Expr, phase: Phase) {
        self.out.rates.push(RateEffect {
            lever,
            transitions,
            factor,
            phase,
        });
    }

    fn add_cost(&mut self, lever: &'static str, states: Vec<usize>, cost: Cost, phase: Phase) {
        self.out.state_costs.push(StateCost {
            lever,
            states,
            change: CostChange::Add(cost),
            phase,
        });
    }

    fn coverage(&mut self, l: &RawCoverage) {
        let (path, phase) = self.start("family_help_coverage", &when!(l), &l.source, &l.assumption);
        let share = self.value(&l.share, &path, "share", Check::Probability);
        self.out.coverage = Some(Coverage { share, phase });
    }

    fn conferences(&mut self, l: &RawConferences) {
        let name = "family_group_conferences";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let offered = self.value(&l.share_offered, &path, "share_offered", Check::Probability);
        let rr = self.value(&l.care_entry_rr, &path, "care_entry_rr", Check::NonNegative);
        let pre = self.value(
            &l.pre_proceedings_share,
            &path,
            "pre_proceedings_share",
            Check::Probability,
        );
        let cost = self.value(
            &l.cost_per_conference_gbp,
            &path,
            "cost_per_conference_gbp",
            Check::NonNegative,
        );
        self.states_where(&path, "child protection", |s| {
            s.role == Role::ChildProtection
        });
        let to_care = self.statutory_to_care();
        self.rate(name, to_care, blend(&offered, rr), phase);
        let starts = self.plan_starts();
        let per_plan = mul(&mul(&offered, &pre), &cost);
        self.out.oneoffs.push(OneOff {
            lever: name,
            transitions: starts,
            cost: late_cost(per_plan, Per::Family),
            phase,
        });
    }

    fn kinship(&mut self, l: &RawKinship) {
        let name = "kinship_support";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let kin = self.states_where(&path, "kinship care (placement `kinship`)", |s| {
            s.placement == Some(Placement::Kinship)
        });
        if let Some(v) = &l.allowance_gbp_month {
            let gbp = self.value(v, &path, "allowance_gbp_month", Check::NonNegative);
            self.add_cost(name, kin.clone(), late_cost(gbp, Per::Child), phase);
        }
        if let Some(v) = &l.permanence_allowance_gbp_month {
            let gbp = self.value(
                v,
                &path,
                "permanence_allowance_gbp_month",
                Check::NonNegative,
            );
            let perm = self.states_where(&path, "permanence", |s| s.role == Role::Permanence);
            self.add_cost(name, perm, late_cost(gbp, Per::Child), phase);
        }
        if let Some(v) = &l.placement_shift {
            let share = self.value(v, &path, "placement_shift", Check::Probability);
            let entries = self.transitions_where(|from, to| {
                self.role(from) != Role::Care && self.placement_of(to) == Some(Placement::Foster)
            });
            if let Some(&to) = kin.first() {
                self.out.redirects.push(Redirect {
                    lever: name,
                    transitions: entries,
                    to,
                    share,
                    phase,
                });
            }
        }
        if let Some(v) = &l.permanence_factor {
            let f = self.value(v, &path, "permanence_factor", Check::NonNegative);
            let to_perm = self.transitions_where(|from, to| {
                kin.contains(&from) && self.is_role(to, Role::Permanence)
            });
            self.rate(name, to_perm, f, phase);
        }
    }

    fn residential(&mut self, l: &RawResidential) {
        let name = "residential_market";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let resi = self.states_where(&path, "residential care (placement `residential`)", |s| {
            s.placement == Some(Placement::Residential)
        });
        if let Some(v) = &l.real_growth {
            let g = self.value(v, &path, "real_growth", Check::Growth);
            self.out.state_costs.push(StateCost {
                lever: name,
                states: resi.clone(),
                change: CostChange::Growth(g),
                phase,
            });
        }
        if let Some(v) = &l.placement_shift {
            let share = self.value(v, &path, "placement_shift", Check::Probability);
            let foster = self.states_where(&path, "foster care (placement `foster`)", |s| {
                s.placement == Some(Placement::Foster)
            });
            let entries = self.transitions_where(|from, to| {
                self.role(from) != Role::Care
                    && self.placement_of(to) == Some(Placement::Residential)
            });
            if let Some(&to) = foster.first() {
                self.out.redirects.push(Redirect {
                    lever: name,
                    transitions: entries,
                    to,
                    share,
                    phase,
                });
            }
        }
    }

    fn reunification(&mut self, l: &RawReunification) {
        let name = "reunification";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let share = self.value(
            &l.share_supported,
            &path,
            "share_supported",
            Check::Probability,
        );
        let home = self.value(
            &l.return_home_factor,
            &path,
            "return_home_factor",
            Check::NonNegative,
        );
        let reentry = self.value(
            &l.reentry_factor,
            &path,
            "reentry_factor",
            Check::NonNegative,
        );
        let cost = self.value(
            &l.cost_per_family_gbp,
            &path,
            "cost_per_family_gbp",
            Check::NonNegative,
        );
        self.states_where(&path, "care", |s| s.role == Role::Care);
        let returns = self.transitions_where(|from, to| {
            self.role(from) == Role::Care && self.is_role(to, Role::Closed)
        });
        let reentries = self.transitions_where(|from, to| {
            self.role(from) == Role::Closed && self.is_role(to, Role::Care)
        });
        self.rate(name, returns.clone(), blend(&share, home), phase);
        self.rate(name, reentries, blend(&share, reentry), phase);
        self.out.oneoffs.push(OneOff {
            lever: name,
            transitions: returns,
            cost: late_cost(mul(&share, &cost), Per::Family),
            phase,
        });
    }

    fn care_cliff(&mut self, l: &RawCareCliff) {
        let name = "care_cliff";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let support = self.value(
            &l.support_gbp_month,
            &path,
            "support_gbp_month",
            Check::NonNegative,
        );
        let leavers = self.states_where(&path, "care leaver", |s| s.role == Role::CareLeaver);
        let end = l.support_to_age;
        let old_end = leavers
            .iter()
            .map(|&s| self.model.states[s].age_out_months / 12)
            .max()
            .unwrap_or(0);
        if !leavers.is_empty() && (end <= old_end || end > 30) {
            self.cx.err(
                &format!("{path}.support_to_age"),
                format!("support to age {end} does not extend support beyond {old_end}"),
                format!("give an age above {old_end} and at most 30, e.g. 25"),
            );
        }
        if let Some(v) = &l.staying_put_gbp_month {
            let gbp = self.value(v, &path, "staying_put_gbp_month", Check::NonNegative);
            self.add_cost(name, leavers.clone(), late_cost(gbp, Per::Child), phase);
        }
        let Some(&first) = leavers.first() else {
            return;
        };
        let growth = self.model.states[first]
            .cost
            .as_ref()
            .map_or(Expr::Num(0.0), |c| c.real_growth.clone());
        let ext = self.model.states.len();
        self.model.states.push(State {
            name: "care_leaver_extended".into(),
            role: Role::CareLeaver,
            class: SpendClass::Late,
            placement: None,
            cost: Some(Cost {
                real_growth: growth,
                ..late_cost(support, Per::Child)
            }),
            age_out_months: end * 12,
            age_out_to: Dest::Exit,
        });
        for s in leavers {
            self.out.age_outs.push(AgeOut {
                lever: name,
                state: s,
                to: Dest::State(ext),
                phase,
            });
        }
    }

    fn workforce(&mut self, l: &RawWorkforce) {
        let name = "workforce";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let now = self.value(
            &l.agency_share_now,
            &path,
            "agency_share_now",
            Check::Probability,
        );
        let new = self.value(&l.agency_share, &path, "agency_share", Check::Probability);
        let premium = self.value(
            &l.agency_premium,
            &path,
            "agency_premium",
            Check::NonNegative,
        );
        let sw = self.states_where(&path, "statutory social work", |s| {
            matches!(
                s.role,
                Role::Assessment | Role::ChildInNeed | Role::ChildProtection
            )
        });
        let one_plus = |share: &Expr| Expr::op(Op::Add, Expr::Num(1.0), mul(share, &premium));
        let factor = Expr::op(Op::Div, one_plus(&new), one_plus(&now));
        self.out.state_costs.push(StateCost {
            lever: name,
            states: sw,
            change: CostChange::Scale(factor),
            phase,
        });
    }

    fn safeguarding(&mut self, l: &RawSafeguarding) {
        let name = "family_safeguarding";
        let (path, phase) = self.start(name, &when!(l), &l.source, &l.assumption);
        let cov = self.value(&l.coverage, &path, "coverage", Check::Probability);
        let plan_rr = self.value(&l.plan_rr, &path, "plan_rr", Check::NonNegative);
        let care_rr = self.value(&l.care_rr, &path, "care_rr", Check::NonNegative);
        let cost = self.value(
            &l.cost_gbp_month,
            &path,
            "cost_gbp_month",
            Check::NonNegative,
        );
        let sw = self.states_where(&path, "statutory social work", |s| {
            matches!(s.role, Role::ChildInNeed | Role::ChildProtection)
        });
        let starts = self.plan_starts();
        self.rate(name, starts, blend(&cov, plan_rr), phase);
        let to_care = self.statutory_to_care();
        self.rate(name, to_care, blend(&cov, care_rr), phase);
        self.add_cost(name, sw, late_cost(mul(&cov, &cost), Per::Child), phase);
    }
}

/// Compiles the levers into effects; may add states to `model` (the extended care-leaver state).
pub(super) fn compile(cx: &mut Ctx, levers: &RawLevers, model: &mut Model) -> Effects {
    let mut c = Compiler {
        cx,
        model,
        out: Effects::default(),
    };
    if let Some(l) = &levers.family_help_coverage {
        c.coverage(l);
    }
    if let Some(l) = &levers.family_group_conferences {
        c.conferences(l);
    }
    if let Some(l) = &levers.kinship_support {
        c.kinship(l);
    }
    if let Some(l) = &levers.residential_market {
        c.residential(l);
    }
    if let Some(l) = &levers.reunification {
        c.reunification(l);
    }
    if let Some(l) = &levers.care_cliff {
        c.care_cliff(l);
    }
    if let Some(l) = &levers.workforce {
        c.workforce(l);
    }
    if let Some(l) = &levers.family_safeguarding {
        c.safeguarding(l);
    }
    c.check_classes();
    c.out
}

impl Compiler<'_, '_> {
    /// Lever costs are late spend; the states and moves they land on must not be priced as early
    /// spend, or one line would mix the two sides of the ratio.
    fn check_classes(&mut self) {
        let mut bad = Vec::new();
        for e in &self.out.state_costs {
            if let CostChange::Add(_) = e.change {
                for &s in &e.states {
                    let st = &self.model.states[s];
                    if st
                        .cost
                        .as_ref()
                        .is_some_and(|c| c.class != SpendClass::Late)
                    {
                        bad.push((e.lever, format!("state `{}`", st.name)));
                    }
                }
            }
        }
        for e in &self.out.oneoffs {
            for &k in &e.transitions {
                let t = &self.model.transitions[k];
                if t.cost.as_ref().is_some_and(|c| c.class != SpendClass::Late) {
                    bad.push((e.lever, t.path.clone()));
                }
            }
        }
        for (lever, what) in bad {
            self.cx.err(
                &format!("$.levers.{lever}"),
                format!(
                    "the lever adds late spend to {what}, which is priced as early or no spend"
                ),
                "price that state or move as `late`, or remove the lever",
            );
        }
    }
}
