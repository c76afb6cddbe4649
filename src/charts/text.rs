//! Text measurement with the bundled font, word wrapping and truncation.
use plotters::style::{FontDesc, FontFamily, FontStyle};

use super::theme::FONT_FAMILY;

/// Width in pixels of `text` at plotters font `size` (as the PNG renderer lays it out;
/// SVG viewers draw the same font about 6% narrower, so this is a safe upper bound).
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, style)
        .box_size(text)
        .map(|(w, _)| f64::from(w))
        .unwrap_or(size * 0.62 * text.chars().count() as f64)
}

/// Height of one line of text at `size`, including leading.
pub fn line_height(size: f64) -> f64 {
    size * 1.1
}

/// Shortens `text` with a trailing ellipsis until it fits `max` pixels.
pub fn truncate(text: &str, size: f64, bold: bool, max: f64) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if width(&candidate, size, bold) <= max {
            return candidate;
        }
    }
    "…".to_string()
}

/// Wraps text made of " · "-separated parts, breaking between parts where possible
/// (a part too long for a line is word-wrapped); at most `max_lines` lines.
pub fn wrap_parts(text: &str, size: f64, bold: bool, max: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in text.split(" · ") {
        let joined = lines.last().map(|l| format!("{l} · {part}"));
        match joined {
            Some(j) if width(&j, size, bold) <= max => {
                if let Some(last) = lines.last_mut() {
                    *last = j;
                }
            }
            _ => lines.extend(wrap(part, size, bold, max, usize::MAX)),
        }
    }
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" · ");
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|l| truncate(&l, size, bold, max))
        .collect()
}

/// Greedy word wrap to `max` pixels; at most `max_lines` lines (the last one truncated).
pub fn wrap(text: &str, size: f64, bold: bool, max: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || width(&candidate, size, bold) <= max {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|l| truncate(&l, size, bold, max))
        .collect()
}
