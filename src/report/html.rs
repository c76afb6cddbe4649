//! Renders a [`Report`] as one self-contained HTML file (inline CSS and SVG, no network requests).

use super::content::Report;
use super::path::TextTable;

const CSS: &str = "@page { size: A4; margin: 15mm }
body { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #222; max-width: 180mm; margin: 0 auto; padding: 0 1em; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin-top: 1.4em; page-break-after: avoid; break-after: avoid; }
h3 { page-break-after: avoid; break-after: avoid; }
figure { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: 3px 5px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th { background: #eee; }
col.name { width: 27%; } col.value { width: 25%; } col.basis { width: 48%; }
col.item { width: 26%; }
td.name { font-family: monospace; font-size: 8pt; }
td.num { text-align: right; }
p.note { font-size: 9pt; color: #555; }
ul.findings li { margin-bottom: 0.4em; }
code { font-size: 9pt; overflow-wrap: anywhere; }
@media screen { figure { width: 250mm; max-width: calc(100vw - 2em); position: relative; left: 50%; transform: translateX(-50%); } }
@media print { body { padding: 0; } }";

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG ready to inline: any XML declaration or doctype dropped and the namespace attribute
/// removed (HTML does not need it, and the report carries no URLs at all).
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..]
        .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
        .trim_end()
        .to_string()
}

/// A text table under its own heading (`level`: "h2", "h3"), with its note; the columns for
/// which `numeric` holds are set right, as numbers; `widths` (percentages, one a column, or
/// none) size the columns.
fn table(t: &TextTable, level: &str, numeric: &dyn Fn(usize) -> bool, widths: &[u32]) -> String {
    let mut h = format!(
        "<{level}>{}</{level}>\n<p class=\"note\">{}</p>\n<table>\n",
        escape(&t.title),
        escape(&t.note)
    );
    if !widths.is_empty() {
        h.push_str("<colgroup>");
        for w in widths {
            h.push_str(&format!("<col style=\"width: {w}%\" />"));
        }
        h.push_str("</colgroup>\n");
    }
    h.push_str("<thead><tr>");
    for c in &t.header {
        h.push_str(&format!("<th>{}</th>", escape(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if numeric(i) { " class=\"num\"" } else { "" };
            h.push_str(&format!("<td{class}>{}</td>", escape(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The whole HTML document.
pub fn render(r: &Report) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    h.push_str(&format!("<title>{}</title>\n", escape(&r.title)));
    h.push_str(&format!("<style>\n{CSS}\n</style>\n</head>\n<body>\n"));
    h.push_str(&format!("<h1>{}</h1>\n", escape(&r.title)));
    for d in &r.description {
        h.push_str(&format!("<p>{}</p>\n", escape(d)));
    }
    h.push_str("<h2>Headline findings</h2>\n<ul class=\"findings\">\n");
    for f in &r.findings {
        h.push_str(&format!("<li>{}</li>\n", escape(f)));
    }
    h.push_str("</ul>\n");
    let mut figures = 0;
    let mut figure = |c: &super::content::Chart| {
        figures += 1;
        format!(
            "<figure>\n{}\n<figcaption>Figure {figures}. {}</figcaption>\n</figure>\n",
            inline_svg(&c.svg),
            escape(&c.title)
        )
    };
    for f in &r.fit {
        h.push_str(&format!("<h2>{}</h2>\n", escape(&f.title)));
        for p in &f.paragraphs {
            h.push_str(&format!("<p>{}</p>\n", escape(p)));
        }
        for c in &f.charts {
            h.push_str(&figure(c));
        }
        if let Some(t) = &f.table {
            let widths = [19, 9, 11, 10, 19, 9, 11, 12];
            h.push_str(&table(t, "h3", &|i| (2..=5).contains(&i), &widths));
        }
    }
    if let Some(t) = &r.path {
        let last = t.header.len().saturating_sub(1);
        h.push_str(&table(t, "h2", &|i| i != 0 && i != last, &[]));
    }
    h.push_str("<h2>Charts</h2>\n");
    if r.charts.is_empty() {
        h.push_str("<p>No charts were found in this folder (render them with <code>carecast chart</code>).</p>\n");
    }
    for c in &r.charts {
        h.push_str(&figure(c));
    }
    if !r.policy.is_empty() {
        h.push_str("<h2>Policy</h2>\n");
    }
    for t in &r.policy {
        h.push_str(&format!("<h3>{}</h3>\n", escape(&t.label)));
        if let Some(d) = &t.differs {
            h.push_str(&format!("<p>{}</p>\n", escape(d)));
        }
        h.push_str(&format!(
            "<table>\n<thead><tr><th>Year</th><th>{}</th><th>Extra early investment (£m)</th></tr></thead>\n<tbody>\n",
            escape(&t.budget_label)
        ));
        for (y, b, e) in &t.rows {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                escape(y),
                super::numbers::grouped(*b, 0),
                super::numbers::grouped(*e, 0)
            ));
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("<h2>Parameters</h2>\n");
    for t in &r.parameters {
        h.push_str(&format!("<h3>{}</h3>\n", escape(&t.label)));
        if let Some(note) = t.note() {
            h.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&note)));
        }
        let rows = t.listed_rows();
        if rows.is_empty() {
            continue;
        }
        h.push_str("<table>\n<colgroup><col class=\"name\" /><col class=\"value\" /><col class=\"basis\" /></colgroup>\n<thead><tr><th>Parameter</th><th>Value or distribution</th><th>Source or assumption</th></tr></thead>\n<tbody>\n");
        for p in rows {
            h.push_str(&format!(
                "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&p.name),
                escape(&p.value),
                escape(&p.basis())
            ));
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("<h2>Assumptions and known limitations</h2>\n<ul>\n");
    for l in &r.limitations {
        h.push_str(&format!("<li>{}</li>\n", escape(l)));
    }
    h.push_str("</ul>\n<h2>Method</h2>\n");
    for m in &r.method {
        h.push_str(&format!("<p>{}</p>\n", escape(m)));
    }
    h.push_str("<h2>Reproducibility</h2>\n<table>\n<colgroup><col class=\"item\" /><col /></colgroup>\n<tbody>\n");
    for (k, v) in &r.reproducibility {
        h.push_str(&format!(
            "<tr><th>{}</th><td><code>{}</code></td></tr>\n",
            escape(k),
            escape(v)
        ));
    }
    h.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn inline_svg_drops_declaration_and_namespace() {
        let s = inline_svg("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\"></svg>\n");
        assert_eq!(s, "<svg width=\"1\"></svg>");
    }
}
