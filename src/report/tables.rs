//! The tidy result tables (yearly.csv, deltas.csv: `scenario,year,metric,unit,mean,p5,p50,p95`)
//! parsed into rows for the workbook.

use crate::results::yearly::HEADER;

/// One row of yearly.csv or deltas.csv. Numbers are parsed with `str::parse::<f64>`, so a value
/// written back out round-trips exactly; non-finite values (`NaN`, `inf`) are kept as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub scenario: String,
    pub year: String,
    pub metric: String,
    pub unit: String,
    /// mean, p5, p50, p95.
    pub values: [f64; 4],
}

/// Parses a tidy result CSV. The error says which line is wrong and how.
pub fn parse(text: &str) -> Result<Vec<ResultRow>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == HEADER => {}
        Some((_, h)) => return Err(format!("its header is `{h}`, expected `{HEADER}`")),
        None => return Err("it is empty".into()),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.trim_end().split(',').collect();
        if f.len() != 8 {
            return Err(format!("line {} has {} fields, expected 8", i + 1, f.len()));
        }
        let mut values = [0.0; 4];
        for (v, text) in values.iter_mut().zip(&f[4..]) {
            *v = text
                .parse::<f64>()
                .map_err(|_| format!("line {}: `{text}` is not a number", i + 1))?;
        }
        rows.push(ResultRow {
            scenario: f[0].into(),
            year: f[1].into(),
            metric: f[2].into(),
            unit: f[3].into(),
            values,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_keeps_non_finite_values() {
        let csv = format!("{HEADER}\nb,2025-26,late_early_ratio,ratio,4.3604,4.2054,NaN,inf\n");
        let rows = parse(&csv).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].metric, "late_early_ratio");
        assert_eq!(rows[0].values[0], 4.3604);
        assert!(rows[0].values[2].is_nan() && rows[0].values[3].is_infinite());
    }

    #[test]
    fn names_the_bad_line() {
        let csv = format!("{HEADER}\nb,2025-26,x,ratio,1,2,3,4\nb,2025-26,x,ratio,1,two,3,4\n");
        assert_eq!(parse(&csv).unwrap_err(), "line 3: `two` is not a number");
        assert!(parse("a,b\n")
            .unwrap_err()
            .contains("expected `scenario,year"));
        assert!(parse(&format!("{HEADER}\nb,1,2\n"))
            .unwrap_err()
            .contains("line 2 has 3 fields"));
    }
}
