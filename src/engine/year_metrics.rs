//! How a year's results become the output metrics, shared by both engines so that the metric
//! definitions cannot drift apart: spend from occupancy and one-off costs, stocks at 31 March,
//! flows between roles, and what a year adds beyond them (tagged moves, the coverage duty).

use crate::results::metrics::{idx, N_METRICS};
use crate::scenario::model::{Model, Placement, Role, SpendClass};

/// A year's occupancy: child-months and family-months in each state, one-off costs by spend
/// class, and the weight each simulated unit stands for.
pub(crate) struct Occupancy<'a> {
    pub children: &'a [f64],
    pub families: &'a [f64],
    pub oneoff: &'a [f64; 3],
    pub weight: f64,
}

/// Sets the spend metrics: state costs over the year's occupancy (family help is paid by the
/// budget, `early_budget`, not by occupancy), one-off costs and fixed cost lines.
pub(crate) fn add_spend_metrics(
    model: &Model,
    values: &[f64],
    y: usize,
    early_budget: f64,
    costs: &[(f64, f64, SpendClass)],
    occ: &Occupancy,
    out: &mut [f64; N_METRICS],
) -> Result<(), String> {
    let w = occ.weight;
    let mut spend = [0.0f64; 3];
    for (s, &(per_child, per_family, class)) in costs.iter().enumerate() {
        if s == model.capacity_state {
            continue;
        }
        spend[class as usize] +=
            (occ.children[s] * per_child + occ.families[s] * per_family) * w / 1e6;
    }
    for (total, part) in spend.iter_mut().zip(occ.oneoff) {
        *total += part * w / 1e6;
    }
    for fc in &model.fixed_costs {
        let v = fc.gbp_m.eval(values).map_err(|e| e.0)?;
        let g = fc.real_growth.eval(values).map_err(|e| e.0)?;
        spend[fc.class as usize] += v * (1.0 + g).powi(y as i32 + 1);
    }
    let early = early_budget + spend[SpendClass::Early as usize];
    let late = spend[SpendClass::Late as usize];
    if early <= 0.0 {
        return Err(format!(
            "early spend in {} is £{early:.1}m, so the late:early ratio is undefined; keep the early budget above zero",
            model.year_label(y)
        ));
    }
    out[idx::EARLY_SPEND] = early;
    out[idx::LATE_SPEND] = late;
    out[idx::TOTAL_SPEND] = early + late;
    out[idx::RATIO] = late / early;
    Ok(())
}

/// Adds `ch` children and `fams` families in state `s` at 31 March, the index child aged
/// `age_months`, to the stock metrics.
pub(crate) fn add_stock_metrics(
    model: &Model,
    s: usize,
    age_months: u32,
    ch: f64,
    fams: f64,
    out: &mut [f64; N_METRICS],
) {
    let st = &model.states[s];
    match st.role {
        Role::Care => {
            out[idx::CIC] += ch;
            out[match st.placement {
                Some(Placement::Kinship) => idx::CIC_KINSHIP,
                Some(Placement::Foster) => idx::CIC_FOSTER,
                Some(Placement::Residential) => idx::CIC_RESIDENTIAL,
                _ => idx::CIC_OTHER,
            }] += ch;
        }
        Role::ChildProtection => out[idx::CP_PLANS] += ch,
        Role::FamilyHelp => out[idx::FH_CASELOAD] += fams,
        Role::Need => out[idx::WAITING] += fams,
        Role::CareLeaver => out[leaver_metric(age_months)] += ch,
        _ => {}
    }
    if st.role.is_child_in_need() {
        out[idx::CIN] += ch;
    }
}

/// What a year adds beyond states and flows: tagged moves and the coverage duty's places.
#[derive(Debug, Default, Clone, Copy)]
pub struct YearExtras {
    /// Children re-referred within 12 months (unweighted in the Monte Carlo engine).
    pub rereferrals: f64,
    /// Children starting a second or later plan (unweighted in the Monte Carlo engine).
    pub repeat_plans: f64,
    /// Family-months of family help beyond what the budget bought (coverage duty).
    pub duty_family_months: f64,
    /// What those places cost, £m (early spend).
    pub duty_gbp_m: f64,
}

impl YearExtras {
    /// Adds the extras to a year's metrics; counts are multiplied by `weight`.
    pub fn apply(&self, mut row: [f64; N_METRICS], weight: f64) -> [f64; N_METRICS] {
        row[idx::REREFERRALS_12M] += self.rereferrals * weight;
        row[idx::CP_STARTS_REPEAT] += self.repeat_plans * weight;
        if self.duty_gbp_m != 0.0 {
            row[idx::EARLY_SPEND] += self.duty_gbp_m;
            row[idx::TOTAL_SPEND] += self.duty_gbp_m;
            row[idx::RATIO] = row[idx::LATE_SPEND] / row[idx::EARLY_SPEND];
        }
        row
    }
}

/// The care-leaver stock metric for a young person aged `age_months` (the month of the 21st
/// birthday still counts as 20: families leave a state the month after they reach its age-out).
pub(crate) fn leaver_metric(age_months: u32) -> usize {
    if age_months <= 21 * 12 {
        idx::LEAVERS_18_20
    } else {
        idx::LEAVERS_21_PLUS
    }
}

/// Adds one (from, to) cell of a year's flows to the flow metrics: `ch` children and `fams`
/// families moved; index `model.states.len()` is outside the model. Shared by both engines so the
/// metric definitions cannot drift apart.
pub(crate) fn add_flow_metrics(
    model: &Model,
    from: usize,
    to: usize,
    ch: f64,
    fams: f64,
    out: &mut [f64; N_METRICS],
) {
    let s_n = model.states.len();
    let role = |s: usize| (s < s_n).then(|| model.states[s].role);
    let (rf, rt) = (role(from), role(to));
    let statutory = |r: Option<Role>| r.is_some_and(Role::is_statutory);
    if statutory(rt) && !statutory(rf) {
        out[idx::REFERRALS] += ch;
    }
    if to == model.capacity_state && from != to {
        out[idx::FH_STARTS] += fams;
    }
    if rt == Some(Role::ChildProtection) && rf != Some(Role::ChildProtection) {
        out[idx::CP_STARTS] += ch;
    }
    if rt == Some(Role::Care) && rf != Some(Role::Care) {
        out[idx::CARE_ENTRIES] += ch;
    }
    let open_case = |r: Option<Role>| {
        matches!(
            r,
            Some(Role::Assessment | Role::ChildInNeed | Role::ChildProtection)
        )
    };
    if open_case(rf) && !statutory(rt) {
        out[idx::CLOSED_WITHOUT_CARE] += ch;
    }
    if rf == Some(Role::Closed) && rt == Some(Role::Care) {
        out[idx::RETURNS_HOME_BREAKDOWN] += ch;
    }
    if rf == Some(Role::Care) && rt != Some(Role::Care) {
        // Every way out of care, as DfE counts children who ceased to be looked after.
        out[idx::CARE_EXITS] += ch;
    }
    if rf == Some(Role::Care) {
        match rt {
            Some(Role::Permanence) => out[idx::EXITS_PERMANENCE] += ch,
            Some(Role::CareLeaver) => out[idx::CARE_LEAVERS] += ch,
            Some(Role::Care) => {}
            // Leaving the model from care: other reasons (DfE's "other" and 16-17 year olds).
            None => out[idx::EXITS_OTHER] += ch,
            Some(_) => out[idx::EXITS_HOME] += ch,
        }
    }
}
