//! The report's assumptions and known limitations: the levers' assumptions, each scenario's own
//! limitations and the model's, each said once. An item that says what an earlier one already
//! says (nearly all of its words appear in the earlier one) is left out.

use super::params::plain;
use serde_json::Value;

/// The model's known limitations (docs/model.md), added to every report that does not already
/// state them.
pub const MODEL_LIMITATIONS: [&str; 3] = [
    "The causal effect of early help on later statutory demand is uncertain and evidenced mostly by specific programmes.",
    "National averages hide a fourfold range between councils.",
    "Unaccompanied children, court practice and market prices drive late spend independently of early help.",
];

/// The closing pointer to the model's own description.
pub const MODEL_POINTER: &str =
    "docs/model.md describes the model, its data and its limitations in full.";

/// The lower-case words of a sentence, punctuation dropped.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `new` repeats `old`: at least 80% of the shorter one's words appear in the other
/// (items of fewer than four words repeat only an item with the same words).
pub fn repeats(new: &str, old: &str) -> bool {
    let (a, b) = (words(new), words(old));
    if a.len().min(b.len()) < 4 {
        return a == b;
    }
    let covered = |x: &[String], y: &[String]| {
        !x.is_empty() && x.iter().filter(|w| y.contains(w)).count() * 5 >= x.len() * 4
    };
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    covered(short, long)
}

fn push_new(out: &mut Vec<String>, item: String) {
    if !item.trim().is_empty() && !out.iter().any(|o| repeats(&item, o)) {
        out.push(item);
    }
}

/// Every item, in order: the levers' assumptions first (they are what a reform scenario's
/// result rests on), then the scenarios' limitations, then the model's, without repeats.
pub fn list(summaries: &[&Value]) -> Vec<String> {
    let mut out = Vec::new();
    for l in super::levers::lever_lines(summaries) {
        push_new(&mut out, l);
    }
    for s in summaries {
        for l in s
            .get("limitations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            push_new(&mut out, plain(Some(l)));
        }
    }
    for l in MODEL_LIMITATIONS {
        push_new(&mut out, l.to_string());
    }
    out.push(MODEL_POINTER.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_item_is_said_twice() {
        let base = json!({"limitations": [
            "The causal effect of family help on later statutory demand (family_help_rr) is uncertain and evidenced by specific programmes (Troubled Families), not national data.",
            "National averages hide a fourfold range between councils.",
            "Placement moves within care are not modelled."
        ]});
        let alt =
            json!({"limitations": ["National averages hide a fourfold range between councils."]});
        let l = list(&[&base, &alt]);
        assert_eq!(l.len(), 5, "{l:#?}");
        assert_eq!(
            l[3],
            "Unaccompanied children, court practice and market prices drive late spend independently of early help."
        );
        assert_eq!(l[4], MODEL_POINTER);
        for (i, a) in l.iter().enumerate() {
            for b in &l[..i] {
                assert!(!repeats(a, b), "`{a}` repeats `{b}`");
            }
        }
        // A scenario with no limitations of its own still gets the model's.
        assert_eq!(list(&[&json!({})]).len(), 4);
    }

    #[test]
    fn different_items_are_not_repeats() {
        assert!(!repeats(
            "Placement moves within care are not modelled.",
            "National averages hide a fourfold range between councils."
        ));
        assert!(repeats(
            "National averages hide a fourfold range.",
            "National averages hide a fourfold range between councils."
        ));
    }
}
