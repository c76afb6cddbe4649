//! Renders a [`Report`] as Markdown, charts as relative image links.

use super::content::Report;
use super::path::TextTable;

/// Escapes characters that Markdown or inline HTML would interpret in running text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A text table under its own heading (`level`: "##", "###"), with its note; the columns for
/// which `numeric` holds are set right.
fn table(t: &TextTable, level: &str, numeric: &dyn Fn(usize) -> bool) -> String {
    let mut m = format!("{level} {}\n\n{}\n\n", escape(&t.title), escape(&t.note));
    let cells = |row: &[String]| {
        row.iter()
            .map(|c| escape(c))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    m.push_str(&format!("| {} |\n", cells(&t.header)));
    let align: Vec<&str> = (0..t.header.len())
        .map(|i| if numeric(i) { "---:" } else { "---" })
        .collect();
    m.push_str(&format!("|{}|\n", align.join("|")));
    for row in &t.rows {
        m.push_str(&format!("| {} |\n", cells(row)));
    }
    m.push('\n');
    m
}

/// The whole Markdown document.
pub fn render(r: &Report) -> String {
    let mut m = String::new();
    m.push_str(&format!("# {}\n\n", escape(&r.title)));
    for d in &r.description {
        m.push_str(&format!("{}\n\n", escape(d)));
    }
    m.push_str("## Headline findings\n\n");
    for f in &r.findings {
        m.push_str(&format!("- {}\n", escape(f)));
    }
    m.push('\n');
    let mut figures = 0;
    let mut figure = |c: &super::content::Chart| {
        figures += 1;
        format!("![Figure {figures}. {}]({})\n\n", escape(&c.title), c.link)
    };
    for f in &r.fit {
        m.push_str(&format!("## {}\n\n", escape(&f.title)));
        for p in &f.paragraphs {
            m.push_str(&format!("{}\n\n", escape(p)));
        }
        for c in &f.charts {
            m.push_str(&figure(c));
        }
        if let Some(t) = &f.table {
            m.push_str(&table(t, "###", &|i| (2..=5).contains(&i)));
        }
    }
    if let Some(t) = &r.path {
        let last = t.header.len().saturating_sub(1);
        m.push_str(&table(t, "##", &|i| i != 0 && i != last));
    }
    m.push_str("## Charts\n\n");
    if r.charts.is_empty() {
        m.push_str("No charts were found in this folder (render them with `carecast chart`).\n\n");
    }
    for c in &r.charts {
        m.push_str(&figure(c));
    }
    if !r.policy.is_empty() {
        m.push_str("## Policy\n\n");
    }
    for t in &r.policy {
        m.push_str(&format!("### {}\n\n", escape(&t.label)));
        if let Some(d) = &t.differs {
            m.push_str(&format!("{}\n\n", escape(d)));
        }
        m.push_str(&format!(
            "| Year | {} | Extra early investment (£m) |\n|---|---:|---:|\n",
            escape(&t.budget_label)
        ));
        for (y, b, e) in &t.rows {
            m.push_str(&format!(
                "| {y} | {} | {} |\n",
                super::numbers::grouped(*b, 0),
                super::numbers::grouped(*e, 0)
            ));
        }
        m.push('\n');
    }
    m.push_str("## Parameters\n\n");
    for t in &r.parameters {
        m.push_str(&format!("### {}\n\n", escape(&t.label)));
        if let Some(note) = t.note() {
            m.push_str(&format!("{}\n\n", escape(&note)));
        }
        let rows = t.listed_rows();
        if rows.is_empty() {
            continue;
        }
        m.push_str("| Parameter | Value or distribution | Source or assumption |\n|---|---|---|\n");
        for p in rows {
            m.push_str(&format!(
                "| {} | {} | {} |\n",
                escape(&p.name),
                escape(&p.value),
                escape(&p.basis())
            ));
        }
        m.push('\n');
    }
    m.push_str("## Assumptions and known limitations\n\n");
    for l in &r.limitations {
        m.push_str(&format!("- {}\n", escape(l)));
    }
    m.push_str("\n## Method\n\n");
    for p in &r.method {
        m.push_str(&format!("{}\n\n", escape(p)));
    }
    m.push_str("## Reproducibility\n\n| Item | Value |\n|---|---|\n");
    for (k, v) in &r.reproducibility {
        m.push_str(&format!(
            "| {} | `{}` |\n",
            escape(k),
            v.replace('`', "'").replace('|', "\\|")
        ));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_table_and_emphasis_characters() {
        assert_eq!(escape("a|b*c_d"), "a\\|b\\*c\\_d");
    }
}
