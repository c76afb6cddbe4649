//! Errors that reach users: bad input (exit code 2) with the file, the JSON path and the fix,
//! and everything else (exit code 1).

use std::fmt;
use std::path::PathBuf;

/// One problem in an input file: where it is, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: PathBuf,
    /// A JSON path such as `$.transitions[3].p`, or `$` for the whole file.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl InputError {
    pub fn new(
        file: impl Into<PathBuf>,
        path: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            path: path.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: at {}: {}\n  fix: {}",
            self.file.display(),
            self.path,
            self.message,
            self.fix
        )
    }
}

/// All the problems found in one validation pass (never empty).
#[derive(Debug, Clone, PartialEq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if n > 1 {
            write!(f, "\n({n} problems)")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

/// The error type of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario file, an option or another input is wrong: exit code 2.
    #[error("{0}")]
    Input(#[from] InputErrors),
    /// A command-line option is out of range: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// A parameter draw produced a value the model cannot use.
    #[error("run {run}: {message}")]
    Draw { run: u64, message: String },
    /// Reading or writing files failed: exit code 1.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Charts could not be loaded or rendered.
    #[error("{0}")]
    Chart(#[from] crate::charts::ChartError),
    /// Anything else: exit code 1.
    #[error("{0}")]
    Other(String),
    /// The user pressed Ctrl-C (or sent SIGTERM): exit code 130.
    #[error("interrupted: results NOT written for {}{}; any earlier results there are untouched.{}",
        not_written.join(", "),
        if not_written.is_empty() { "(none)" } else { "" },
        if written.is_empty() { " No scenario was written.".to_string() } else { format!(" Written before the interrupt: {}.", written.join(", ")) })]
    Interrupted {
        written: Vec<String>,
        not_written: Vec<String>,
    },
}

impl Error {
    /// The process exit code for this error: 2 for bad input or usage, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Usage(_) | Error::Draw { .. } => 2,
            Error::Chart(e) => match e {
                crate::charts::ChartError::Write { .. }
                | crate::charts::ChartError::Font(_)
                | crate::charts::ChartError::Draw { .. } => 1,
                _ => 2,
            },
            Error::Io { .. } | Error::Other(_) => 1,
            Error::Interrupted { .. } => 130,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.filter(|(c, d)| *d <= 2.max(c.len().min(word.len()) / 3))
        .map(|(c, _)| c)
}

/// Adds " (did you mean `x`?)" when a close candidate exists.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(word, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["transitions", "states", "parameters"];
        assert_eq!(did_you_mean("transitons", names), Some("transitions"));
        assert_eq!(did_you_mean("stats", names), Some("states"));
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }

    #[test]
    fn input_error_names_file_path_and_fix() {
        let e = InputError::new(
            "a.json",
            "$.runs",
            "must be positive",
            "set runs to 1 or more",
        );
        assert_eq!(
            e.to_string(),
            "a.json: at $.runs: must be positive\n  fix: set runs to 1 or more"
        );
    }
}
