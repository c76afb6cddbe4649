//! Renders a [`Report`] and its result tables as an Excel workbook (results.xlsx): one sheet per
//! table, numbers stored as numbers with formats. Returns bytes; the application writes them.
//!
//! The workbook is byte-for-byte deterministic: the zip entries carry a fixed timestamp and the
//! document's creation date is fixed to 1 January 1980 (the zip format's epoch), so the same
//! folder always gives the same file.

use super::content::Report;
use super::measures::{MeasureValue, Stat};
use super::tables::ResultRow;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// Sheet names, in workbook order.
pub const HEADLINE_SHEET: &str = "Headline measures";
pub const YEARLY_SHEET: &str = "Yearly results";
pub const DIFFERENCES_SHEET: &str = "Differences";
pub const PARAMETERS_SHEET: &str = "Parameters";
pub const FIT_SHEET: &str = "Fit";
pub const ABOUT_SHEET: &str = "About";

/// Column headers of the yearly and differences sheets: yearly.csv's own.
const RESULT_HEADERS: [&str; 8] = [
    "scenario", "year", "metric", "unit", "mean", "p5", "p50", "p95",
];
const HEADLINE_HEADERS: [&str; 8] = [
    "Scenario",
    "Measure",
    "Period",
    "Unit",
    "Mean or value",
    "p5",
    "p50 (median)",
    "p95",
];
const PARAMETER_HEADERS: [&str; 11] = [
    "Scenario",
    "Parameter",
    "Distribution",
    "Value or distribution (as in the report)",
    "Unit",
    "Drawn mean",
    "Drawn p5",
    "Drawn p50",
    "Drawn p95",
    "Basis",
    "Source or assumption",
];

/// The widest a column of long, wrapped text is made (in Excel's character units).
const WRAPPED_WIDTH: usize = 60;
/// Excel's default row height in points; a wrapped row is given one of these per line.
const LINE_HEIGHT: f64 = 15.0;
/// The widest a column of short text or numbers is made.
const MAX_WIDTH: usize = 60;

/// The Excel number format for a unit.
pub fn number_format(unit: &str) -> &'static str {
    match unit {
        "gbp_m" => "#,##0.0",
        "children" | "families" => "#,##0",
        "ratio" => "0.00",
        "gbp_per_gbp" => "\"£\"0.00",
        "share" => "0%",
        _ => "General",
    }
}

/// A headline unit as a reader would say it.
fn unit_label(unit: &str) -> &str {
    match unit {
        "gbp_m" => "£m",
        "gbp_per_gbp" => "£ per £1",
        "share" => "share of runs",
        other => other,
    }
}

/// The format of a parameter's drawn values: money and anything of 1 or more with two
/// decimals; smaller numbers (mostly monthly probabilities) with four to six.
fn parameter_format(unit: &str, s: &Stat) -> &'static str {
    let largest = [s.mean, s.p5, s.p50, s.p95]
        .iter()
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    if unit.starts_with("gbp") || largest >= 1.0 {
        "#,##0.00"
    } else {
        "0.0000##"
    }
}

/// One cell of a table.
enum Cell {
    Text(String),
    /// Long text, wrapped in a wide column.
    Wrapped(String),
    /// A number and its format; non-finite numbers are written as their text (`NaN`, `inf`).
    Number(f64, &'static str),
    Blank,
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// The display width of a number under a format, roughly: digits, separators and decimals.
fn number_width(x: f64, format: &str) -> usize {
    let decimals = format.split_once('.').map_or(0, |(_, d)| {
        d.chars().take_while(|c| *c == '0' || *c == '#').count()
    });
    let digits = format!("{:.0}", x.abs()).len();
    digits + digits / 3 + decimals + 3
}

/// The lines `text` takes when wrapped at spaces into lines of `width` characters (a word
/// longer than a line is broken).
fn wrapped_lines(text: &str, width: usize) -> usize {
    let mut lines = 1;
    let mut used = 0;
    for word in text.split(' ').map(|w| w.chars().count()) {
        let need = if used == 0 { word } else { used + 1 + word };
        if need <= width {
            used = need;
        } else if used == 0 {
            lines += (word - 1) / width;
            used = word - (word - 1) / width * width;
        } else {
            lines += 1 + word.saturating_sub(1) / width;
            used = word - word.saturating_sub(1) / width * width;
        }
    }
    lines
}

/// Writes a header row and rows as one table: bold header, frozen, filtered, columns sized.
fn write_table(
    ws: &mut Worksheet,
    name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    let plain = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    let mut numbers: Vec<(&str, Format)> = Vec::new();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() + 2).collect();
    let mut wrap_col = vec![false; headers.len()];
    // Headers of number columns sit right, over their numbers.
    let header_right = header.clone().set_align(FormatAlign::Right);
    for (c, h) in headers.iter().enumerate() {
        let numeric = rows
            .iter()
            .any(|r| matches!(r.get(c), Some(Cell::Number(..))));
        let format = if numeric { &header_right } else { &header };
        ws.write_string_with_format(0, c as u16, *h, format)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string_with_format(r, col, s, &plain)?;
                    widths[c] = widths[c].max(s.chars().count() + 2);
                }
                Cell::Wrapped(s) => {
                    ws.write_string_with_format(r, col, s, &wrapped)?;
                    wrap_col[c] = true;
                    widths[c] = widths[c].max(s.chars().count() + 2);
                }
                Cell::Number(x, _) if !x.is_finite() => {
                    ws.write_string_with_format(r, col, x.to_string(), &plain)?;
                }
                Cell::Number(x, f) => {
                    let i = match numbers.iter().position(|(nf, _)| nf == f) {
                        Some(i) => i,
                        None => {
                            numbers.push((f, plain.clone().set_num_format(*f)));
                            numbers.len() - 1
                        }
                    };
                    ws.write_number_with_format(r, col, *x, &numbers[i].1)?;
                    widths[c] = widths[c].max(number_width(*x, f));
                }
                Cell::Blank => {}
            }
        }
    }
    let widths: Vec<usize> = widths
        .iter()
        .zip(&wrap_col)
        .map(|(w, wrap)| (*w).min(if *wrap { WRAPPED_WIDTH } else { MAX_WIDTH }))
        .collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    // Rows of wrapped text get a height for their lines: Excel fits such rows when it opens
    // a file, but other readers (LibreOffice) keep the default height and overlap the text.
    for (r, row) in rows.iter().enumerate() {
        let lines = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| match cell {
                Cell::Wrapped(s) => wrapped_lines(s, w.saturating_sub(2).max(1)),
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r as u32 + 1, LINE_HEIGHT * lines as f64)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    // Printed: A4 landscape, one page wide, the header row on every page.
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(0, 0)?;
    let last_col = headers.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, rows.len() as u32, last_col)?;
    Ok(())
}

fn stat_cells(s: &Stat, format: &'static str) -> [Cell; 4] {
    [s.mean, s.p5, s.p50, s.p95].map(|x| Cell::Number(x, format))
}

fn result_rows(rows: &[ResultRow]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            let f = number_format(&r.unit);
            let mut cells = vec![
                text(&r.scenario),
                text(&r.year),
                text(&r.metric),
                text(&r.unit),
            ];
            cells.extend(r.values.map(|x| Cell::Number(x, f)));
            cells
        })
        .collect()
}

fn headline_rows(report: &Report) -> Vec<Vec<Cell>> {
    report
        .measures
        .iter()
        .map(|m| {
            let f = number_format(&m.unit);
            let mut cells = vec![
                text(&m.scenario),
                text(&m.measure),
                text(&m.period),
                text(unit_label(&m.unit)),
            ];
            match &m.value {
                MeasureValue::Stat(s) => cells.extend(stat_cells(s, f)),
                MeasureValue::Number(x) => cells.push(Cell::Number(*x, f)),
                MeasureValue::Text(t) => cells.push(text(t)),
            }
            cells
        })
        .collect()
}

fn parameter_rows(report: &Report) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for table in &report.parameters {
        for p in &table.rows {
            let mut cells = vec![
                text(&table.scenario),
                text(&p.name),
                text(&p.distribution),
                Cell::Wrapped(p.value.clone()),
                text(&p.unit),
            ];
            match &p.drawn {
                Some(s) => cells.extend(stat_cells(s, parameter_format(&p.unit, s))),
                None => cells.extend([Cell::Blank, Cell::Blank, Cell::Blank, Cell::Blank]),
            }
            cells.push(text(&p.basis_kind));
            cells.push(Cell::Wrapped(p.basis_text.clone()));
            rows.push(cells);
        }
    }
    rows
}

const FIT_HEADERS: [&str; 12] = [
    "Metric",
    "Year",
    "Unit",
    "Observed",
    "Median",
    "p5",
    "p95",
    "Error",
    "Inside 90% interval",
    "Tolerance",
    "Within tolerance",
    "Model figures from",
];

/// Every target of every fit section: observed, the model's median and interval, the error and
/// tolerance as shares (shown as percentages).
fn fit_rows(report: &Report) -> Vec<Vec<Cell>> {
    let yes = |b: bool| text(if b { "yes" } else { "no" });
    let mut rows = Vec::new();
    for section in &report.fit {
        for r in &section.rows {
            let unit = crate::results::metrics::index_of(&r.metric).map_or("children", |k| {
                crate::results::metrics::METRICS[k].1.as_str()
            });
            let f = number_format(unit);
            rows.push(vec![
                text(&r.metric),
                text(&r.year),
                text(unit),
                Cell::Number(r.observed, f),
                Cell::Number(r.p50, f),
                Cell::Number(r.p5, f),
                Cell::Number(r.p95, f),
                Cell::Number(r.error(), "+0.0%;-0.0%;0.0%"),
                yes(r.inside()),
                Cell::Number(r.tolerance(), "0%"),
                yes(r.within()),
                Cell::Wrapped(section.numbers_from.clone()),
            ]);
        }
    }
    rows
}

/// Sheet of each scenario's money by year at central values.
pub const POLICY_SHEET: &str = "Policy";

fn policy_rows(report: &Report) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for t in &report.policy {
        for (y, b, e) in &t.rows {
            rows.push(vec![
                text(&t.scenario),
                text(&t.budget_label),
                text(y),
                Cell::Number(*b, "#,##0.0"),
                Cell::Number(*e, "#,##0.0"),
            ]);
        }
    }
    rows
}

fn about_rows(report: &Report, has_differences: bool) -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![text("Report"), Cell::Wrapped(report.title.clone())]];
    for d in &report.description {
        rows.push(vec![text("Description"), Cell::Wrapped(d.clone())]);
    }
    for (k, v) in &report.reproducibility {
        rows.push(vec![text(k), Cell::Wrapped(v.clone())]);
    }
    let mut notes = vec![
        (HEADLINE_SHEET, "The figures the report's headline findings quote. p5 to p95 is the 90% interval across runs."),
        (YEARLY_SHEET, "yearly.csv of each scenario: mean, p5, p50 and p95 across runs by year and metric."),
    ];
    if has_differences {
        notes.push((DIFFERENCES_SHEET, "deltas.csv: alternative minus baseline, computed run by run with common random numbers, then summarised across runs."));
    }
    notes.push((POLICY_SHEET, "Each scenario's budget and extra early investment by year, at the parameters' central values (summary.json's policy block)."));
    if report.fit.iter().any(|f| !f.rows.is_empty()) {
        notes.push((FIT_SHEET, "Each published figure the posterior was calibrated on, against the model's median and 90% interval in its year (the last column says whose figures and which engine); error = median / observed - 1; tolerance: 3% for stocks, 6% for flows, 10% for the late:early ratio."));
    }
    notes.push((PARAMETERS_SHEET, "Each parameter's distribution as the scenario states it, the values drawn across runs (for parameters drawn as one number), and its source or assumption."));
    notes.push(("Numbers", "Stored unrounded, exactly as in the CSV and JSON files; the number formats round only what is shown."));
    for (k, v) in notes {
        rows.push(vec![text(k), Cell::Wrapped(v.into())]);
    }
    rows
}

/// The workbook's bytes: headline measures, yearly results, differences (when `deltas` is
/// given), policy, the fit (when the report has a fit section), parameters and an About sheet.
pub fn render(
    report: &Report,
    yearly: &[ResultRow],
    deltas: Option<&[ResultRow]>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&report.title)
            .set_comment("Written by carecast report")
            .set_creation_datetime(&created),
    );
    write_table(
        wb.add_worksheet(),
        HEADLINE_SHEET,
        &HEADLINE_HEADERS,
        &headline_rows(report),
    )?;
    write_table(
        wb.add_worksheet(),
        YEARLY_SHEET,
        &RESULT_HEADERS,
        &result_rows(yearly),
    )?;
    if let Some(d) = deltas {
        write_table(
            wb.add_worksheet(),
            DIFFERENCES_SHEET,
            &RESULT_HEADERS,
            &result_rows(d),
        )?;
    }
    write_table(
        wb.add_worksheet(),
        POLICY_SHEET,
        &[
            "Scenario",
            "Budget",
            "Year",
            "Budget (£m)",
            "Extra early investment (£m)",
        ],
        &policy_rows(report),
    )?;
    let fit = fit_rows(report);
    if !fit.is_empty() {
        write_table(wb.add_worksheet(), FIT_SHEET, &FIT_HEADERS, &fit)?;
    }
    write_table(
        wb.add_worksheet(),
        PARAMETERS_SHEET,
        &PARAMETER_HEADERS,
        &parameter_rows(report),
    )?;
    write_table(
        wb.add_worksheet(),
        ABOUT_SHEET,
        &["Item", "Value"],
        &about_rows(report, deltas.is_some()),
    )?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_units() {
        assert_eq!(number_format("gbp_m"), "#,##0.0");
        assert_eq!(number_format("children"), "#,##0");
        assert_eq!(number_format("ratio"), "0.00");
        assert_eq!(number_format("something_new"), "General");
        let stat = |x| Stat {
            mean: x,
            p5: x,
            p50: x,
            p95: x,
        };
        assert_eq!(parameter_format("per month", &stat(0.0062)), "0.0000##");
        assert_eq!(parameter_format("children", &stat(470000.0)), "#,##0.00");
        assert_eq!(parameter_format("gbp per month", &stat(0.5)), "#,##0.00");
    }

    #[test]
    fn wrapped_lines_follow_spaces_and_break_long_words() {
        assert_eq!(wrapped_lines("abc", 10), 1);
        assert_eq!(wrapped_lines("aaaa bbbb cccc", 9), 2);
        assert_eq!(wrapped_lines("short xxxxxxxxxxxxxxxxxxxxxxxxx", 10), 4);
        assert_eq!(wrapped_lines(&"x".repeat(20), 10), 2);
    }

    #[test]
    fn number_width_counts_separators_and_decimals() {
        assert_eq!(number_width(12366.164, "#,##0.0"), 5 + 1 + 1 + 3);
        assert_eq!(number_width(4.36, "0.00"), 1 + 2 + 3);
        assert_eq!(number_width(0.0123, "0.0000##"), 1 + 6 + 3);
    }
}
