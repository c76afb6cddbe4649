//! The report's parameter tables, read from summary.json: each parameter's value or
//! distribution, what was drawn, and its source or assumption.

use super::measures::{stat_of, Stat};
use serde_json::Value;

/// One row of a parameter table: the text the report shows (`value`, `basis()`) and the
/// same facts as fields for the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamRow {
    pub name: String,
    /// The value or distribution as the report shows it, e.g.
    /// `lognormal (median 700, sigma 0.25); gbp per family per month`.
    pub value: String,
    /// The distribution's name (`lognormal`, `dirichlet`, ...), or `fixed` for a single value.
    pub distribution: String,
    /// The stated unit, or empty.
    pub unit: String,
    /// Summary of the values drawn across runs, where the parameter is one number per run.
    pub drawn: Option<Stat>,
    /// `Source`, `Assumption` or empty.
    pub basis_kind: String,
    pub basis_text: String,
}

impl ParamRow {
    /// "Source: ..." or "Assumption: ...", as the report shows it.
    pub fn basis(&self) -> String {
        if self.basis_kind.is_empty() {
            "(none recorded)".into()
        } else {
            format!("{}: {}", self.basis_kind, self.basis_text)
        }
    }

    /// Whether two scenarios state this parameter the same way (draws aside).
    fn same_as(&self, other: &ParamRow) -> bool {
        self.value == other.value && self.basis() == other.basis()
    }
}

/// Which rows the HTML and Markdown list: all, or (for an alternative in a comparison) only
/// those that differ from the baseline's.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    All,
    ChangesFrom {
        baseline: String,
        /// Indices into `rows` of the parameters that are new or stated differently.
        changed: Vec<usize>,
        /// The baseline's parameters this scenario does not have.
        missing: Vec<String>,
    },
}

/// A parameter table for one scenario. `rows` always holds every parameter (the workbook
/// lists them all); `listing` says which the report shows.
#[derive(Debug, Clone)]
pub struct ParamTable {
    pub scenario: String,
    /// The scenario's label, for headings and notes.
    pub label: String,
    pub rows: Vec<ParamRow>,
    pub listing: Listing,
}

impl ParamTable {
    /// Lists only what differs from `baseline`'s table.
    pub fn list_changes_from(&mut self, baseline: &ParamTable) {
        let find = |name: &str| baseline.rows.iter().find(|r| r.name == name);
        let changed = (0..self.rows.len())
            .filter(|&i| find(&self.rows[i].name).is_none_or(|b| !self.rows[i].same_as(b)))
            .collect();
        let missing = baseline
            .rows
            .iter()
            .filter(|b| !self.rows.iter().any(|r| r.name == b.name))
            .map(|b| b.name.clone())
            .collect();
        self.listing = Listing::ChangesFrom {
            baseline: baseline.label.clone(),
            changed,
            missing,
        };
    }

    /// The rows the report shows.
    pub fn listed_rows(&self) -> Vec<&ParamRow> {
        match &self.listing {
            Listing::All => self.rows.iter().collect(),
            Listing::ChangesFrom { changed, .. } => {
                changed.iter().map(|&i| &self.rows[i]).collect()
            }
        }
    }

    /// A sentence saying what the listed rows are, when they are not all the rows.
    pub fn note(&self) -> Option<String> {
        let Listing::ChangesFrom {
            baseline,
            changed,
            missing,
        } = &self.listing
        else {
            return None;
        };
        let same = self.rows.len() - changed.len();
        let mut note = if changed.is_empty() {
            format!("All {same} parameters are as in {baseline}.")
        } else {
            let rest = match same {
                0 => "none is as".to_string(),
                1 => "the other one is as".to_string(),
                n => format!("the other {n} are as"),
            };
            let listed = match changed.len() {
                1 => "Only the parameter that is new or stated differently".to_string(),
                n => format!("Only the {n} parameters that are new or stated differently"),
            };
            let verb = if changed.len() == 1 { "is" } else { "are" };
            format!("{listed} from {baseline} {verb} listed; {rest} in {baseline}.")
        };
        if !missing.is_empty() {
            note.push_str(&format!(
                " Not used by {}: {}.",
                self.label,
                missing.join(", ")
            ));
        }
        note.push_str(" The workbook (results.xlsx) lists every parameter of every scenario.");
        Some(note)
    }
}

/// JSON as plain text: strings unquoted, whole numbers without `.0`, objects as `key value`
/// pairs and arrays as lists.
pub fn plain(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(not recorded)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => {
            let s = n.to_string();
            s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
        }
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| format!("{k} {}", plain(Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| plain(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn distribution_text(d: &Value) -> String {
    let Some(obj) = d.as_object() else {
        return plain(Some(d));
    };
    let unit = obj.get("unit").map(|u| plain(Some(u)));
    if let Some(v) = obj.get("value") {
        match (obj.len(), &unit) {
            (1, _) => return plain(Some(v)),
            (2, Some(u)) => return format!("{} {u}", plain(Some(v))),
            _ => {}
        }
    }
    let dist = obj.get("dist").map(|u| plain(Some(u)));
    let rest: Vec<String> = obj
        .iter()
        .filter(|(k, _)| *k != "unit" && *k != "dist")
        .map(|(k, v)| match v {
            Value::Object(_) | Value::Array(_) => format!("{k}: {}", plain(Some(v))),
            _ => format!("{k} {}", plain(Some(v))),
        })
        .collect();
    let mut s = match dist {
        Some(d) => format!("{d} ({})", rest.join("; ")),
        None => rest.join("; "),
    };
    if let Some(u) = unit {
        s.push_str(&format!("; {u}"));
    }
    s
}

fn parameter_row(p: &Value) -> ParamRow {
    let (basis_kind, basis_text) = match (p.get("source"), p.get("assumption")) {
        (Some(s), _) => ("Source", plain(Some(s))),
        (None, Some(a)) => ("Assumption", plain(Some(a))),
        (None, None) => ("", String::new()),
    };
    let d = p.get("distribution");
    let distribution = match d.and_then(|d| d.get("dist")) {
        Some(name) => plain(Some(name)),
        None if d.and_then(|d| d.get("value")).is_some() => "fixed".into(),
        None if d.and_then(|d| d.get("path")).is_some() => "time path".into(),
        None if d.and_then(|d| d.get("expr")).is_some() => "derived".into(),
        None => "(not recorded)".into(),
    };
    // Only parameters drawn as one number per run have a single `value` summary.
    let drawn = p
        .get("drawn")
        .and_then(Value::as_object)
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("value"))
        .and_then(stat_of);
    ParamRow {
        name: plain(p.get("name")),
        value: d
            .map(distribution_text)
            .unwrap_or_else(|| "(not recorded)".into()),
        distribution,
        unit: d
            .and_then(|d| d.get("unit"))
            .map(|u| plain(Some(u)))
            .unwrap_or_default(),
        drawn,
        basis_kind: basis_kind.into(),
        basis_text,
    }
}

/// The table of one summary.json's parameters, listing them all.
pub fn parameter_table(summary: &Value) -> ParamTable {
    let rows = summary
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().map(parameter_row).collect())
        .unwrap_or_default();
    ParamTable {
        scenario: plain(summary.get("scenario")),
        label: super::content::label_of(summary),
        rows,
        listing: Listing::All,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn distributions_read_as_text() {
        let gamma = json!({"dist": "gamma", "mean": 773.0, "sd": 60.0, "unit": "gbp per month"});
        assert_eq!(
            distribution_text(&gamma),
            "gamma (mean 773; sd 60); gbp per month"
        );
        let dirichlet = json!({"dist": "dirichlet", "shares": {"care": 0.226, "cin": 0.5}, "concentration": 300.0});
        assert_eq!(
            distribution_text(&dirichlet),
            "dirichlet (shares: care 0.226, cin 0.5; concentration 300)"
        );
        assert_eq!(distribution_text(&json!({"value": 1.5})), "1.5");
        assert_eq!(
            distribution_text(&json!({"value": 0.008, "unit": "per month"})),
            "0.008 per month"
        );
    }

    fn table(scenario: &str, params: Value) -> ParamTable {
        parameter_table(&json!({"scenario": scenario, "parameters": params}))
    }

    #[test]
    fn an_alternative_lists_only_what_differs_from_the_baseline() {
        let base = table(
            "base",
            json!([
                {"name": "a", "distribution": {"value": 1.0}, "source": "S"},
                {"name": "b", "distribution": {"value": 2.0}, "assumption": "A"},
                {"name": "c", "distribution": {"value": 3.0}, "assumption": "A"}
            ]),
        );
        let mut alt = table(
            "alt",
            json!([
                {"name": "a", "distribution": {"value": 1.0}, "source": "S"},
                {"name": "b", "distribution": {"value": 2.5}, "assumption": "A"},
                {"name": "d", "distribution": {"value": 4.0}, "assumption": "new"}
            ]),
        );
        alt.list_changes_from(&base);
        let names: Vec<&str> = alt.listed_rows().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(alt.rows.len(), 3, "every row is kept for the workbook");
        let note = alt.note().unwrap();
        assert!(note.starts_with("Only the 2 parameters that are new or stated differently from base are listed; the other one is as in base."), "{note}");
        assert!(note.contains("Not used by alt: c."));
        assert_eq!(base.note(), None);
        assert_eq!(base.listed_rows().len(), 3);
    }
}
