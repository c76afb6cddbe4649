//! The output metrics: names and units are a contract read by charts, reports and other tools.

/// Unit of a metric, as written in `yearly.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    GbpM,
    Children,
    Families,
    Ratio,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::GbpM => "gbp_m",
            Unit::Children => "children",
            Unit::Families => "families",
            Unit::Ratio => "ratio",
        }
    }
}

/// Every metric, in output order: (name, unit).
pub const METRICS: [(&str, Unit); 28] = [
    ("early_spend", Unit::GbpM),
    ("late_spend", Unit::GbpM),
    ("total_spend", Unit::GbpM),
    ("late_early_ratio", Unit::Ratio),
    ("children_in_care", Unit::Children),
    ("children_in_care_kinship", Unit::Children),
    ("children_in_care_foster", Unit::Children),
    ("children_in_care_residential", Unit::Children),
    ("children_in_care_other", Unit::Children),
    ("cp_plans", Unit::Children),
    ("children_in_need", Unit::Children),
    ("family_help_caseload", Unit::Families),
    ("families_waiting", Unit::Families),
    ("referrals", Unit::Children),
    ("family_help_starts", Unit::Families),
    ("cp_starts", Unit::Children),
    ("care_entries", Unit::Children),
    ("care_exits_home", Unit::Children),
    ("care_exits_permanence", Unit::Children),
    ("care_leavers", Unit::Children),
    ("rereferrals_12m", Unit::Children),
    ("cp_starts_repeat", Unit::Children),
    ("closed_without_care", Unit::Children),
    ("returns_home_breakdown", Unit::Children),
    ("care_leavers_supported_18_20", Unit::Children),
    ("care_leavers_supported_21_plus", Unit::Children),
    ("care_exits_other", Unit::Children),
    ("care_exits", Unit::Children),
];

/// Number of metrics.
pub const N_METRICS: usize = METRICS.len();

/// Index of each metric in a year's value array.
pub mod idx {
    pub const EARLY_SPEND: usize = 0;
    pub const LATE_SPEND: usize = 1;
    pub const TOTAL_SPEND: usize = 2;
    pub const RATIO: usize = 3;
    pub const CIC: usize = 4;
    pub const CIC_KINSHIP: usize = 5;
    pub const CIC_FOSTER: usize = 6;
    pub const CIC_RESIDENTIAL: usize = 7;
    pub const CIC_OTHER: usize = 8;
    pub const CP_PLANS: usize = 9;
    pub const CIN: usize = 10;
    pub const FH_CASELOAD: usize = 11;
    pub const WAITING: usize = 12;
    pub const REFERRALS: usize = 13;
    pub const FH_STARTS: usize = 14;
    pub const CP_STARTS: usize = 15;
    pub const CARE_ENTRIES: usize = 16;
    pub const EXITS_HOME: usize = 17;
    pub const EXITS_PERMANENCE: usize = 18;
    pub const CARE_LEAVERS: usize = 19;
    pub const REREFERRALS_12M: usize = 20;
    pub const CP_STARTS_REPEAT: usize = 21;
    pub const CLOSED_WITHOUT_CARE: usize = 22;
    pub const RETURNS_HOME_BREAKDOWN: usize = 23;
    pub const LEAVERS_18_20: usize = 24;
    pub const LEAVERS_21_PLUS: usize = 25;
    pub const EXITS_OTHER: usize = 26;
    pub const CARE_EXITS: usize = 27;
}

/// Index of a metric by name.
pub fn index_of(name: &str) -> Option<usize> {
    METRICS.iter().position(|(n, _)| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_names() {
        assert_eq!(index_of("late_early_ratio"), Some(idx::RATIO));
        assert_eq!(index_of("care_leavers"), Some(idx::CARE_LEAVERS));
        assert_eq!(index_of("families_waiting"), Some(idx::WAITING));
        assert_eq!(index_of("cp_plans"), Some(idx::CP_PLANS));
        assert_eq!(index_of("children_in_care_other"), Some(idx::CIC_OTHER));
        assert_eq!(index_of("family_help_starts"), Some(idx::FH_STARTS));
        assert_eq!(index_of("rereferrals_12m"), Some(idx::REREFERRALS_12M));
        assert_eq!(
            index_of("care_leavers_supported_21_plus"),
            Some(idx::LEAVERS_21_PLUS)
        );
    }
}
