//! Reading scenario files: JSON parsing, `extends` chains (merged base first), and turning serde's
//! errors into `InputError`s that name the file that holds the offending value.

use super::raw::RawScenario;
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

    /// The file whose text defines the value at `path` (a `$.a.b[2]` path).
    pub fn file_for(&self, path: &str) -> PathBuf {
        let segs = split_path(path);
        let mut best = (0usize, &self.chain[0].0);
        for (file, json) in &self.chain {
            let depth = defined_depth(json, &segs);
            if depth > best.0 {
                best = (depth, file);
            }
        }
        best.1.clone()
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

    /// Deserializes the merged document into the typed scenario.
    pub fn parse(&self) -> Result<RawScenario, InputError> {
        let mut track = serde_path_to_error::Track::new();
        let de = serde_path_to_error::Deserializer::new(&self.merged, &mut track);
        match <RawScenario as serde::Deserialize>::deserialize(de) {
            Ok(raw) => Ok(raw),
            Err(e) => {
                let path = track.path().to_string();
                let path = if path == "." {
                    "$".to_string()
                } else {
                    format!("$.{path}")
                };
                let (message, fix) = explain_serde(&e.to_string());
                Err(self.error(&path, message, fix))
            }
        }
    }
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

/// Deep-merges `over` onto `base`: objects merge key by key, `null` deletes, anything else replaces.
pub fn merge(base: &mut Json, over: &Json) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.shift_remove(k);
                } else if let Some(existing) = b.get_mut(k) {
                    merge(existing, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
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

/// Turns serde's message into a message and a fix for an analyst.
fn explain_serde(msg: &str) -> (String, String) {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split("expected ")
            .nth(1)
            .map(|s| s.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = suggestion(field, expected.iter().copied());
        let fix = if expected.is_empty() {
            "remove the field".to_string()
        } else {
            format!("remove it or use one of: {}", expected.join(", "))
        };
        return (format!("unknown field `{field}`{hint}"), fix);
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return (
            format!("missing field `{field}`"),
            format!("add `{field}` (see the scenario reference in README.md)"),
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
    (msg, "see the scenario reference in README.md".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_overrides_objects_replaces_arrays_and_null_deletes() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "list": [1, 2], "gone": 1});
        merge(
            &mut base,
            &json!({"a": {"y": 3}, "list": [9], "gone": null}),
        );
        assert_eq!(base, json!({"a": {"x": 1, "y": 3}, "list": [9]}));
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
        let (m, f) =
            explain_serde("unknown field `horizon_yaers`, expected one of `name`, `horizon_years`");
        assert_eq!(
            m,
            "unknown field `horizon_yaers` (did you mean `horizon_years`?)"
        );
        assert!(f.contains("horizon_years"));
    }
}
