//! The output-contract metrics that charts read, with their `yearly.csv` names and units.

/// Units are the output contract's own.
pub use crate::results::metrics::Unit;

/// A metric from the output contract. Rows with other metric names are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    EarlySpend,
    LateSpend,
    TotalSpend,
    LateEarlyRatio,
    ChildrenInCare,
    ChildrenInCareKinship,
    ChildrenInCareFoster,
    ChildrenInCareResidential,
    ChildrenInCareOther,
    CpPlans,
    ChildrenInNeed,
    FamilyHelpCaseload,
    FamiliesWaiting,
    Referrals,
    FamilyHelpStarts,
    CpStarts,
    CareEntries,
    CareExitsHome,
    CareExitsPermanence,
    CareLeavers,
}

impl Metric {
    pub const ALL: [Metric; 20] = [
        Metric::EarlySpend,
        Metric::LateSpend,
        Metric::TotalSpend,
        Metric::LateEarlyRatio,
        Metric::ChildrenInCare,
        Metric::ChildrenInCareKinship,
        Metric::ChildrenInCareFoster,
        Metric::ChildrenInCareResidential,
        Metric::ChildrenInCareOther,
        Metric::CpPlans,
        Metric::ChildrenInNeed,
        Metric::FamilyHelpCaseload,
        Metric::FamiliesWaiting,
        Metric::Referrals,
        Metric::FamilyHelpStarts,
        Metric::CpStarts,
        Metric::CareEntries,
        Metric::CareExitsHome,
        Metric::CareExitsPermanence,
        Metric::CareLeavers,
    ];

    /// The name used in the `metric` column.
    pub fn name(self) -> &'static str {
        match self {
            Metric::EarlySpend => "early_spend",
            Metric::LateSpend => "late_spend",
            Metric::TotalSpend => "total_spend",
            Metric::LateEarlyRatio => "late_early_ratio",
            Metric::ChildrenInCare => "children_in_care",
            Metric::ChildrenInCareKinship => "children_in_care_kinship",
            Metric::ChildrenInCareFoster => "children_in_care_foster",
            Metric::ChildrenInCareResidential => "children_in_care_residential",
            Metric::ChildrenInCareOther => "children_in_care_other",
            Metric::CpPlans => "cp_plans",
            Metric::ChildrenInNeed => "children_in_need",
            Metric::FamilyHelpCaseload => "family_help_caseload",
            Metric::FamiliesWaiting => "families_waiting",
            Metric::Referrals => "referrals",
            Metric::FamilyHelpStarts => "family_help_starts",
            Metric::CpStarts => "cp_starts",
            Metric::CareEntries => "care_entries",
            Metric::CareExitsHome => "care_exits_home",
            Metric::CareExitsPermanence => "care_exits_permanence",
            Metric::CareLeavers => "care_leavers",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The unit the contract fixes for this metric.
    pub fn unit(self) -> Unit {
        match self {
            Metric::EarlySpend | Metric::LateSpend | Metric::TotalSpend => Unit::GbpM,
            Metric::LateEarlyRatio => Unit::Ratio,
            Metric::FamilyHelpCaseload | Metric::FamiliesWaiting | Metric::FamilyHelpStarts => {
                Unit::Families
            }
            _ => Unit::Children,
        }
    }
}
