//! Reading scenario files: JSON parsing, `extends` chains (merged base first), and turning serde's
//! errors into `InputError`s that name the file that holds the offending value.

use super::raw::RawScenario;
use super::schema::expected_fields;
use crate::error::{suggestion, InputError};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Longest `extends` chain accepted.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// A scenario file with its `extends` chain merged, and where each part came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file named on the command line.
    pub file: PathBuf,
    /// The merged JSON document.
    pub merged: Json,
    /// The chain, the named file first, then what it extends, and so on.
    chain: Vec<(PathBuf, Json)>,
}

impl Loaded {
    /// A document already in memory (a scenario saved in a shard file), labelled as `file`.
    pub fn from_json(file: PathBuf, merged: Json) -> Loaded {
        Loaded {
            file: file.clone(),
            chain: vec![(file, merged.clone())],
            merged,
        }
    }

    /// The file whose text defines the value at `path` (a `$.a.b[2]` path): the file that defines
    /// most of the path, the named file first; below an object replaced whole, only the file that
    /// wrote it.
    pub fn file_for(&self, path: &str) -> PathBuf {
        let segs = split_path(path);
        let whole = whole_prefix(&segs);
        let mut best = (0usize, &self.chain[0].0);
        for (file, json) in &self.chain {
            let depth = defined_depth(json, &segs);
            if depth > best.0 {
                best = (depth, file);
            }
            if whole.is_some_and(|n| depth >= n) {
                break;
            }
        }
        best.1.clone()
    }

    /// The object replaced whole that holds `path`, when a file further down the chain defines
    /// it too (so that a field left out is not inherited), as a `$.a.b` path.
    fn inherited_whole(&self, path: &str) -> Option<String> {
        let segs = split_path(path);
        let n = whole_prefix(&segs)?;
        let inherited = self.chain[1..]
            .iter()
            .any(|(_, json)| defined_depth(json, &segs[..n]) >= n);
        inherited.then(|| format!("$.{}", segs[..n].join(".")))
    }

    /// Builds an error located at `path` of the named file; where the value comes from a file it
    /// extends, the path says so.
    pub fn error(
        &self,
        path: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> InputError {
        let holder = self.file_for(path);
        let at = if holder == self.file {
            path.to_string()
        } else {
            format!("{path} (inherited from {})", holder.display())
        };
        InputError::new(&self.file, at, message, fix)
    }

    /// Deserializes the merged document into the typed scenario, reporting every problem serde
    /// meets, not only the first: each unknown field (and each value of the wrong type that can
    /// be left out) is reported, removed from a copy of the document, and the copy read again.
    /// The scenario comes back, beside the problems, only when every problem was an unknown
    /// field, so that the remaining checks can still run.
    pub fn parse(&self) -> (Option<RawScenario>, Vec<InputError>) {
        let mut doc = self.merged.clone();
        let mut errors = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        let mut only_unknown = true;
        // Every unknown field first, wherever it is, from the format's own field lists.
        for u in super::schema::unknown_fields(&self.merged) {
            let expected: Vec<&str> = u.expected.iter().map(String::as_str).collect();
            let (message, fix) = explain_unknown(&u.path, &u.field, &expected);
            errors.push(self.error(&u.path, message, fix));
            if remove_key(&mut doc, &u.path) {
                removed.push(u.path);
            }
        }
        while errors.len() < MAX_PARSE_PROBLEMS {
            let (path, msg) = match deserialize(&doc) {
                Ok(raw) => return (only_unknown.then_some(raw), errors),
                Err(e) => e,
            };
            if let Some(field) = missing_field(&msg) {
                // A required value removed after an earlier problem is not a new problem.
                if removed.contains(&child_path(&path, field)) {
                    break;
                }
            }
            let (message, mut fix) = explain_serde(&path, &msg);
            if missing_field(&msg).is_some() {
                if let Some(whole) = self.inherited_whole(&path) {
                    fix.push_str(&format!(
                        "; `{whole}` replaces the inherited one whole, so write all its fields"
                    ));
                }
            }
            errors.push(self.error(&path, message, fix));
            only_unknown &= msg.starts_with("unknown field");
            if !remove_key(&mut doc, &path) {
                break;
            }
            removed.push(path);
        }
        (None, errors)
    }
}

/// For a top-level field that is unknown and like no top-level field (`own`), a hint naming the
/// block where a field of that name (or one like it) belongs, e.g. `policy.extra_investment`.
fn misplaced(path: &str, field: &str, own: &[&str]) -> Option<String> {
    if path.matches('.').count() != 1 || !suggestion(field, own.iter().copied()).is_empty() {
        return None;
    }
    let blocks = [
        (
            "policy",
            super::schema::fields_of::<super::raw::RawPolicy>(),
        ),
        (
            "run",
            super::schema::fields_of::<super::raw::RawRunDefaults>(),
        ),
    ];
    blocks.iter().find_map(|(block, fields)| {
        crate::error::did_you_mean(field, fields.iter().map(String::as_str))
            .map(|f| format!(" (did you mean `{block}.{f}`?)"))
    })
}

/// Most problems reported from reading one scenario's structure.
const MAX_PARSE_PROBLEMS: usize = 100;

/// Reads a document into the typed scenario, or gives the JSON path and serde's message.
fn deserialize(doc: &Json) -> Result<RawScenario, (String, String)> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(doc, &mut track);
    <RawScenario as serde::Deserialize>::deserialize(de).map_err(|e| {
        let path = track.path().to_string();
        let path = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        (path, e.to_string())
    })
}

/// The field named by serde's "missing field `x`" message.
fn missing_field(msg: &str) -> Option<&str> {
    msg.strip_prefix("missing field `")?.split('`').next()
}

/// The path of `field` inside the object at `path`.
fn child_path(path: &str, field: &str) -> String {
    if path == "$" {
        format!("$.{field}")
    } else {
        format!("{path}.{field}")
    }
}

/// Removes the object key at `path` (`$.a.b[2].c`); false when the path does not end in an
/// object key that is there (an array element is never removed: later indices would move).
fn remove_key(doc: &mut Json, path: &str) -> bool {
    let segs = split_path(path);
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    if last.starts_with('[') {
        return false;
    }
    let mut cur = doc;
    for s in parents {
        let next = match s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(idx) => idx.parse::<usize>().ok().and_then(|i| cur.get_mut(i)),
            None => cur.get_mut(s.as_str()),
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    cur.as_object_mut()
        .is_some_and(|m| m.shift_remove(last.as_str()).is_some())
}

/// Reads `file` and every file it `extends`, and merges them.
pub fn load(file: &Path) -> Result<Loaded, InputError> {
    let mut chain: Vec<(PathBuf, Json)> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = Some(file.to_path_buf());
    while let Some(path) = next.take() {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if let Some(pos) = seen.iter().position(|p| *p == canonical) {
            let cycle: Vec<String> = chain[pos..]
                .iter()
                .map(|(p, _)| p.display().to_string())
                .chain(std::iter::once(path.display().to_string()))
                .collect();
            let (last, _) = chain.last().expect("a cycle needs at least one file");
            return Err(InputError::new(
                last.clone(),
                "$.extends",
                format!("`extends` forms a cycle: {}", cycle.join(" -> ")),
                "make the chain end in a file without `extends`",
            ));
        }
        if chain.len() >= MAX_EXTENDS_DEPTH {
            return Err(InputError::new(
                file,
                "$.extends",
                format!("`extends` chain is longer than {MAX_EXTENDS_DEPTH} files"),
                "extend the baseline directly rather than through a long chain",
            ));
        }
        let json = read_json(&path, chain.last().map(|(p, _)| p.as_path()))?;
        next = match json.get("extends") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                Some(dir.join(s))
            }
            Some(_) => {
                return Err(InputError::new(
                    &path,
                    "$.extends",
                    "`extends` must be a string",
                    "write the path of the base scenario, relative to this file, e.g. \"baseline.json\"",
                ))
            }
        };
        seen.push(canonical);
        chain.push((path, json));
    }
    let mut merged = Json::Object(Default::default());
    for (_, json) in chain.iter().rev() {
        merge(&mut merged, json);
    }
    if let Json::Object(map) = &mut merged {
        map.shift_remove("extends");
        // A label names the file that gives it: an extending file without one is known by its
        // own name, not by the label of what it extends.
        match chain.first().and_then(|(_, json)| json.get("label")) {
            Some(label) => {
                map.insert("label".into(), label.clone());
            }
            None => {
                map.shift_remove("label");
            }
        }
    }
    Ok(Loaded {
        file: file.to_path_buf(),
        merged,
        chain,
    })
}

fn read_json(path: &Path, extended_by: Option<&Path>) -> Result<Json, InputError> {
    let (blame, at) = match extended_by {
        Some(parent) => (parent.to_path_buf(), "$.extends"),
        None => (path.to_path_buf(), "$"),
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        InputError::new(
            &blame,
            at,
            format!("cannot read scenario file {}: {e}", path.display()),
            "check the file name and that the file exists",
        )
    })?;
    if !meta.is_file() {
        return Err(InputError::new(
            &blame,
            at,
            format!("{} is not a file", path.display()),
            "name a scenario JSON file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::new(
            path,
            "$",
            format!(
                "the file is {} bytes; scenario files are at most {MAX_FILE_BYTES}",
                meta.len()
            ),
            "is this the right file? Scenario files are small JSON documents",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(
            &blame,
            at,
            format!("cannot read {}: {e}", path.display()),
            "check file permissions",
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::new(
            path,
            "$",
            "the file is empty",
            "write a scenario JSON object, or start from scenarios/baseline.json",
        ));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(InputError::new(
            path,
            "$",
            "the file starts with a byte-order mark (an editor saved it as \"UTF-8 with BOM\")",
            "save the file as plain UTF-8 without a byte-order mark",
        ));
    }
    let json: Json = serde_json::from_slice(&bytes).map_err(|e| {
        let fix = if std::str::from_utf8(&bytes).is_err() {
            "the file is not UTF-8 text; scenario files are JSON text"
        } else if e.to_string().contains("number out of range") {
            "a number is too large to represent; check for a typo such as a stray exponent"
        } else if e.to_string().contains("recursion limit") {
            "the JSON is nested too deeply; scenario files are a few levels deep"
        } else {
            "fix the JSON syntax at that line and column (a missing comma, quote or bracket?)"
        };
        InputError::new(path, "$", format!("not valid JSON: {e}"), fix)
    })?;
    if let Some((at, key)) = super::dupkeys::first_duplicate(&bytes) {
        return Err(InputError::new(
            path,
            at,
            format!("`{key}` appears twice in the same object; JSON keeps only the last, silently"),
            "remove one of the two, keeping the value you mean",
        ));
    }
    if !json.is_object() {
        return Err(InputError::new(
            path,
            "$",
            "a scenario must be a JSON object",
            "wrap the scenario in { ... }",
        ));
    }
    Ok(json)
}

/// Objects that an extending file replaces whole instead of merging key by key: each carries its
/// own `source` or `assumption`, or keys that only make sense together (a distribution and its
/// fields, a cost and what it is per). `*` stands for any name. Arrays (transitions, inflows,
/// fixed costs, extra investment) are always replaced whole.
pub const REPLACED_WHOLE: [&[&str]; 6] = [
    &["parameters", "*"],
    &["initial", "*"],
    &["levers", "*"],
    &["policy", "early_budget"],
    &["policy", "total_budget"],
    &["states", "*", "monthly_cost"],
];

/// Whether the object at `path` (names from the document's root) is replaced whole.
pub fn replaced_whole<S: AsRef<str>>(path: &[S]) -> bool {
    REPLACED_WHOLE.iter().any(|pat| {
        pat.len() == path.len()
            && pat
                .iter()
                .zip(path)
                .all(|(p, k)| *p == "*" || *p == k.as_ref())
    })
}

/// Length of the shortest prefix of `path` that names an object replaced whole, if any.
fn whole_prefix<S: AsRef<str>>(path: &[S]) -> Option<usize> {
    (1..=path.len()).find(|&n| replaced_whole(&path[..n]))
}

/// Merges an extending file `over` onto what it extends, `base`: objects merge key by key except
/// those in `REPLACED_WHOLE`, `null` deletes a key, anything else replaces.
pub fn merge(base: &mut Json, over: &Json) {
    merge_at(base, over, &mut Vec::new());
}

fn merge_at(base: &mut Json, over: &Json, path: &mut Vec<String>) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.shift_remove(k);
                    continue;
                }
                path.push(k.clone());
                match b.get_mut(k) {
                    Some(existing) if !replaced_whole(path) => merge_at(existing, v, path),
                    Some(existing) => *existing = v.clone(),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
                path.pop();
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The segments of a `$.a.b[2].c` path.
fn split_path(path: &str) -> Vec<String> {
    let body = path.strip_prefix('$').unwrap_or(path);
    let mut out = Vec::new();
    for part in body.split('.').filter(|s| !s.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(rest[..i].to_string());
            }
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                out.push(rest[..=end].to_string());
                rest = &rest[end + 1..];
            }
        } else {
            out.push(rest.to_string());
        }
    }
    out
}

fn defined_depth(json: &Json, segs: &[String]) -> usize {
    let mut cur = json;
    let mut depth = 0;
    for s in segs {
        let next = if let Some(idx) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            idx.parse::<usize>().ok().and_then(|i| cur.get(i))
        } else {
            cur.get(s.as_str())
        };
        match next {
            Some(n) => {
                cur = n;
                depth += 1;
            }
            None => break,
        }
    }
    depth
}

/// The message and fix for unknown field `field` at `path`, where `expected` are the fields
/// accepted there: the nearest of them, or the block elsewhere where it belongs.
fn explain_unknown(path: &str, field: &str, expected: &[&str]) -> (String, String) {
    let hint = match misplaced(path, field, expected) {
        Some(h) => h,
        None => suggestion(field, expected.iter().copied()),
    };
    let fix = if expected.is_empty() {
        "remove the field".to_string()
    } else {
        format!("remove it or use one of: {}", expected.join(", "))
    };
    (format!("unknown field `{field}`{hint}"), fix)
}

/// Turns serde's message about the value at `path` into a message and a fix for an analyst.
fn explain_serde(path: &str, msg: &str) -> (String, String) {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        return explain_unknown(path, field, &expected_fields(rest));
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return (
            format!("missing field `{field}`"),
            format!("add `{field}` (see the scenario reference in docs/guide.md)"),
        );
    }
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return (msg.clone(), "write a value of the expected type".into());
    }
    if msg.starts_with("invalid length") {
        return (
            msg.clone(),
            "write a list of exactly two numbers, [from, to]".into(),
        );
    }
    (msg, "see the scenario reference in docs/guide.md".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_merges_other_objects_replaces_arrays_and_null_deletes() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "list": [1, 2], "gone": 1});
        merge(
            &mut base,
            &json!({"a": {"y": 3}, "list": [9], "gone": null}),
        );
        assert_eq!(base, json!({"a": {"x": 1, "y": 3}, "list": [9]}));
    }

    #[test]
    fn objects_that_are_one_unit_are_replaced_whole_and_the_rest_merge() {
        let mut base = json!({
            "parameters": {"rr": {"dist": "lognormal", "median": 0.7, "sigma": 0.2, "source": "s"},
                           "other": {"value": 1, "source": "t"}},
            "states": {"care": {"class": "late", "monthly_cost": {"gbp": 10, "per": "child"}}},
            "initial": {"care": {"children": 5, "source": "u"}},
            "policy": {"rule": "early_set", "early_budget": {"base_gbp_m": 100, "index": {"2026-27": 0.9}, "source": "v"}},
            "levers": {"a": {"share": 0.5, "source": "w"}, "b": {"share": 0.1, "source": "x"}},
        });
        merge(
            &mut base,
            &json!({
                "parameters": {"rr": {"value": 0.5, "assumption": "what if"}},
                "states": {"care": {"monthly_cost": {"gbp": 20, "per": "family"}, "class": "early"}},
                "initial": {"care": {"children": 6, "assumption": "y"}},
                "policy": {"early_budget": {"base_gbp_m": 90, "assumption": "z"}},
                "levers": {"a": {"share": 0.6, "assumption": "q"}, "b": null},
            }),
        );
        assert_eq!(
            base,
            json!({
                "parameters": {"rr": {"value": 0.5, "assumption": "what if"},
                               "other": {"value": 1, "source": "t"}},
                "states": {"care": {"class": "early", "monthly_cost": {"gbp": 20, "per": "family"}}},
                "initial": {"care": {"children": 6, "assumption": "y"}},
                "policy": {"rule": "early_set", "early_budget": {"base_gbp_m": 90, "assumption": "z"}},
                "levers": {"a": {"share": 0.6, "assumption": "q"}},
            })
        );
    }

    #[test]
    fn a_field_below_an_object_replaced_whole_belongs_to_the_file_that_wrote_it() {
        let top = PathBuf::from("top.json");
        let base = PathBuf::from("base.json");
        let loaded = Loaded {
            file: top.clone(),
            merged: Json::Null,
            chain: vec![
                (top.clone(), json!({"parameters": {"rr": {"value": 0.5}}})),
                (
                    base.clone(),
                    json!({"parameters": {"rr": {"median": 0.7}, "q": {"value": 1}},
                           "states": {"care": {"class": "late"}}}),
                ),
            ],
        };
        assert_eq!(loaded.file_for("$.parameters.rr.median"), top);
        assert_eq!(loaded.file_for("$.parameters.q.value"), base);
        assert_eq!(loaded.file_for("$.states.care.class"), base);
    }

    #[test]
    fn every_unknown_field_is_reported_with_its_path_and_the_scenario_still_parses() {
        let mut doc: Json =
            serde_json::from_str(include_str!("../../scenarios/baseline.json")).unwrap();
        doc["horizon_yaers"] = json!(5);
        doc["extra_investmnet"] = json!(3);
        doc["policy"]["lag_month"] = json!(3);
        let loaded = Loaded::from_json(PathBuf::from("typos.json"), doc);
        let (raw, errors) = loaded.parse();
        assert!(
            raw.is_some(),
            "only unknown fields: the rest can be checked"
        );
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 3, "{text:#?}");
        let all = text.join("\n");
        for want in [
            "at $.horizon_yaers: unknown field `horizon_yaers` (did you mean `horizon_years`?)",
            "at $.extra_investmnet: unknown field `extra_investmnet` (did you mean `policy.extra_investment`?)",
            "at $.policy.lag_month: unknown field `lag_month` (did you mean `lag_months`?)",
        ] {
            assert!(all.contains(want), "{want} not in {all}");
        }
    }

    #[test]
    fn a_wrong_type_is_reported_beside_unknown_fields_and_stops_the_parse() {
        let mut doc: Json =
            serde_json::from_str(include_str!("../../scenarios/baseline.json")).unwrap();
        doc["horizon_years"] = json!("ten");
        doc["policy"]["targetting"] = json!("need_first");
        let loaded = Loaded::from_json(PathBuf::from("t.json"), doc);
        let (raw, errors) = loaded.parse();
        assert!(raw.is_none());
        let all: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{all:#?}");
        assert!(all
            .iter()
            .any(|e| e.contains("$.horizon_years") && e.contains("invalid type")));
        assert!(all.iter().any(|e| e.contains("did you mean `targeting`")));
    }

    #[test]
    fn splits_json_paths() {
        assert_eq!(
            split_path("$.transitions[3].p"),
            vec!["transitions", "[3]", "p"]
        );
        assert_eq!(split_path("$"), Vec::<String>::new());
    }

    #[test]
    fn explains_unknown_fields_with_a_suggestion() {
        let (m, f) = explain_serde(
            "$.horizon_yaers",
            "unknown field `horizon_yaers`, expected one of `name`, `horizon_years`",
        );
        assert_eq!(
            m,
            "unknown field `horizon_yaers` (did you mean `horizon_years`?)"
        );
        assert!(f.contains("horizon_years"));
    }
}
