//! Pixel layout of a figure: header, panels with their axes, a legend strip to the right
//! of every panel (so it can never cover data), and the footer.
use super::figure::Figure;
use super::format::{self, Ticks};
use super::text;
use super::theme::Sizes;

/// An axis-aligned pixel rectangle, `x0..x1` by `y0..y1` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Rect {
    fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect {
            x0: x0.round() as i32,
            y0: y0.round() as i32,
            x1: x1.round().max(x0.round()) as i32,
            y1: y1.round().max(y0.round()) as i32,
        }
    }

    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    /// True when the two rectangles share any pixel.
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// True when `other` lies wholly inside `self`.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    /// True when the point lies inside or on the edge.
    pub fn contains_point(&self, (x, y): (i32, i32)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// One panel: its whole area, the plotting rectangle inside its axes, and its scales.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelLayout {
    pub outer: Rect,
    pub plot: Rect,
    pub ticks: Ticks,
    /// Label every n-th year on the x axis (1 = all).
    pub label_every: usize,
    /// Rows of x-axis labels: 2 where every year of a bar chart is labelled on alternate rows.
    pub label_rows: usize,
    /// Number of year slots along the x axis.
    pub slots: usize,
    /// On a categorical axis, each slot's label as drawn: one to three lines, fitted to its slot.
    pub category_lines: Vec<Vec<String>>,
    /// The panel's direct end labels in mark order: the text as drawn (shortened to fit) and
    /// the pixel y of its middle (moved apart so that no two overlap).
    pub end_labels: Vec<(String, i32)>,
}

impl PanelLayout {
    /// Pixel x of data x (years since the first year): the centre of that year's slot.
    pub fn x_px(&self, x: f64) -> i32 {
        let slot = f64::from(self.plot.width()) / self.slots as f64;
        (f64::from(self.plot.x0) + (x + 0.5) * slot).round() as i32
    }

    /// Width of one year's slot in pixels.
    pub fn slot_px(&self) -> f64 {
        f64::from(self.plot.width()) / self.slots as f64
    }

    /// Pixel y of a value (the lowest tick at the bottom of the plot).
    pub fn y_px(&self, v: f64) -> i32 {
        let range = self.ticks.top - self.ticks.bottom;
        let frac = if range > 0.0 {
            (v - self.ticks.bottom) / range
        } else {
            0.0
        };
        (f64::from(self.plot.y1) - frac.clamp(0.0, 1.0) * f64::from(self.plot.height())).round()
            as i32
    }
}

/// Where everything goes on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    pub canvas: Rect,
    pub sizes: Sizes,
    pub title: Rect,
    /// The title on one line or, where it does not fit, two.
    pub title_lines: Vec<String>,
    pub subtitle_lines: Vec<String>,
    pub subtitle: Rect,
    pub y_title: Rect,
    pub panels: Vec<PanelLayout>,
    pub x_title: Rect,
    pub legend: Rect,
    /// Legend labels after truncation to the legend width, one per entry.
    pub legend_labels: Vec<String>,
    pub legend_row_height: f64,
    /// Notes wrapped to the legend width.
    pub note_lines: Vec<String>,
    pub footer: Rect,
    /// The footer (the source line), on one line or, where it does not fit, two.
    pub footer_lines: Vec<String>,
    /// Footer font size (shrunk only if the footer does not fit on two lines).
    pub footer_size: f64,
}

/// Columns and rows for `n` small multiples.
fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (2, 1),
        3 => (3, 1),
        4 => (2, 2),
        5 | 6 => (3, 2),
        _ => (n.div_ceil(2), 2),
    }
}

/// Lays out `fig` on a `width`×`height` canvas.
pub fn layout(fig: &Figure, width: u32, height: u32) -> ChartLayout {
    let sz = Sizes::for_canvas(width, height);
    let s = sz.title / 40.0;
    let (w, h) = (f64::from(width), f64::from(height));
    let m = sz.margin;
    let inner_w = w - 2.0 * m;

    // Header.
    let mut y = m;
    let title_lines = text::wrap(&fig.title, sz.title, true, inner_w, 2);
    let title_h = text::line_height(sz.title) * title_lines.len().max(1) as f64;
    let title = Rect::new(m, y, w - m, y + title_h);
    y = f64::from(title.y1) + 6.0 * s;
    let subtitle_lines = text::wrap_parts(&fig.subtitle, sz.subtitle, false, inner_w, 3);
    let sub_h = text::line_height(sz.subtitle) * subtitle_lines.len() as f64;
    let subtitle = Rect::new(m, y, w - m, y + sub_h);
    y = f64::from(subtitle.y1) + 22.0 * s;

    // Footer and x-axis title, from the bottom up.
    let (footer_lines, footer_size) = footer_lines(&fig.footer, sz.footer, inner_w);
    let footer_h = text::line_height(footer_size) * footer_lines.len() as f64;
    let footer = Rect::new(m, h - m - footer_h, w - m, h - m);
    let x_title_y1 = f64::from(footer.y0) - 18.0 * s;
    let x_title_y0 = x_title_y1 - text::line_height(sz.axis_title);

    // Legend strip on the right, as tall as the plotting region.
    let swatch = 46.0 * s + 12.0 * s;
    let widest = fig
        .legend
        .iter()
        .map(|i| text::width(&i.label, sz.legend, false))
        .fold(0.0, f64::max);
    let legend_w = (widest + swatch).clamp(0.18 * w, 0.26 * w);
    let legend_x0 = w - m - legend_w;
    let legend = Rect::new(legend_x0, y, w - m, x_title_y0);
    let legend_labels = fig
        .legend
        .iter()
        .map(|i| text::truncate(&i.label, sz.legend, false, legend_w - swatch))
        .collect();
    let note_lines = fig
        .notes
        .iter()
        .flat_map(|n| text::wrap(n, sz.footer, false, legend_w, 10))
        .collect();

    // Plotting region: left of the legend, below the y-axis title.
    let region_x1 = legend_x0 - 36.0 * s;
    let y_title = Rect::new(m, y, region_x1, y + text::line_height(sz.axis_title));
    let region = Rect::new(
        m,
        f64::from(y_title.y1) + 12.0 * s,
        region_x1,
        x_title_y0 - 8.0 * s,
    );
    let x_title = Rect::new(m, x_title_y0, region_x1, x_title_y1);

    let panels = panel_layouts(fig, &region, &sz, s);
    ChartLayout {
        canvas: Rect::new(0.0, 0.0, w, h),
        sizes: sz,
        title,
        title_lines,
        subtitle_lines,
        subtitle,
        y_title,
        panels,
        x_title,
        legend,
        legend_labels,
        legend_row_height: text::line_height(sz.legend) * 1.35,
        note_lines,
        footer,
        footer_lines,
        footer_size,
    }
}

/// The footer's lines and font size: one line where it fits, else word-wrapped onto two,
/// shrunk only where two lines are not enough.
fn footer_lines(footer: &str, size: f64, max: f64) -> (Vec<String>, f64) {
    let mut fs = size;
    loop {
        let lines = text::wrap(footer, fs, false, max, usize::MAX);
        if lines.len() <= 2 || fs < 0.5 * size {
            return (text::wrap(footer, fs, false, max, 2), fs);
        }
        fs *= 0.95;
    }
}

/// The y format of panel `i`.
pub fn panel_format(fig: &Figure, i: usize) -> format::ValueFormat {
    fig.panels
        .get(i)
        .and_then(|p| p.y_format)
        .unwrap_or(fig.y_format)
}

fn panel_ticks(fig: &Figure, i: usize) -> Ticks {
    let has_labels = |p: &super::figure::Panel| {
        p.marks
            .iter()
            .any(|m| matches!(m, super::figure::Mark::Label { .. }))
    };
    let max_of = |p: &super::figure::Panel| {
        let top = p.marks.iter().map(|m| m.max_y()).fold(0.0, f64::max);
        if has_labels(p) {
            top * 1.1
        } else {
            top
        }
    };
    let min_of = |p: &super::figure::Panel| {
        let bottom = p.marks.iter().map(|m| m.min_y()).fold(0.0, f64::min);
        if has_labels(p) {
            bottom * 1.1
        } else {
            bottom
        }
    };
    let (min, max) = if fig.shared_y {
        (
            fig.panels.iter().map(min_of).fold(0.0, f64::min),
            fig.panels.iter().map(max_of).fold(0.0, f64::max),
        )
    } else {
        (
            fig.panels.get(i).map_or(0.0, min_of),
            fig.panels.get(i).map_or(0.0, max_of),
        )
    };
    format::ticks_range(min, max, panel_format(fig, i))
}

/// The smallest step of at least `min` that also labels the last year (up to twice `min`),
/// else `min` itself.
fn label_step(min: usize, slots: usize) -> usize {
    if min <= 1 || slots <= 1 {
        return min.max(1);
    }
    (min..=(2 * min).min(slots - 1))
        .find(|step| (slots - 1) % step == 0)
        .unwrap_or(min)
}

/// Every end label in a panel, in mark order: its text, its short form and its data y.
fn end_label_marks(panel: &super::figure::Panel) -> Vec<(&str, &str, f64)> {
    panel
        .marks
        .iter()
        .filter_map(|m| match m {
            super::figure::Mark::EndLabel { y, text, short, .. } => {
                Some((text.as_str(), short.as_str(), *y))
            }
            _ => None,
        })
        .collect()
}

/// Moves label centres (pixel y, any order) apart to at least `gap`, keeping them within
/// `top..=bottom` where there is room; returns them in the given order.
pub fn spread(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
    let mut placed: Vec<f64> = order.iter().map(|&i| ys[i].clamp(top, bottom)).collect();
    for i in 1..placed.len() {
        placed[i] = placed[i].max(placed[i - 1] + gap);
    }
    // Pushed past the bottom: shift the run back up from the bottom.
    if let Some(&last) = placed.last() {
        if last > bottom {
            let n = placed.len();
            placed[n - 1] = bottom;
            for i in (0..n - 1).rev() {
                placed[i] = placed[i].min(placed[i + 1] - gap);
            }
        }
    }
    let mut out = vec![0.0; ys.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = placed[k];
    }
    out
}

/// Splits a category label into pieces that may end a line: after each `-` or space.
fn break_points(label: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut cur = String::new();
    for c in label.chars() {
        cur.push(c);
        if c == '-' || c == ' ' {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces
}

/// A category label on at most three lines of at most `max` pixels (broken after `-` or space,
/// the last line shortened with an ellipsis if it still does not fit).
pub fn category_lines(label: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for piece in break_points(label) {
        let joined = format!("{cur}{piece}");
        if cur.is_empty() || text::width(joined.trim_end(), size, false) <= max {
            cur = joined;
        } else {
            lines.push(std::mem::replace(&mut cur, piece));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > 3 {
        let rest = lines.split_off(2).concat();
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|l| text::truncate(l.trim_end(), size, false, max))
        .collect()
}

/// How the years along a panel's x axis are labelled: (every n-th, rows). Bar charts label every
/// year, on alternate rows where one row is too tight; line charts label every n-th year with
/// room between labels.
fn year_labels(bars: bool, label_w: f64, slot: f64, slots: usize, s: f64) -> (usize, usize) {
    if bars {
        if label_w + 8.0 * s <= slot {
            return (1, 1);
        }
        if label_w + 8.0 * s <= 2.0 * slot {
            return (1, 2);
        }
    }
    let every = label_step(
        ((label_w + 24.0 * s) / slot).ceil().max(1.0) as usize,
        slots,
    );
    (every, 1)
}

fn panel_layouts(fig: &Figure, region: &Rect, sz: &Sizes, s: f64) -> Vec<PanelLayout> {
    let n = fig.panels.len().max(1);
    let (cols, rows) = grid(n);
    let (gap_x, gap_y) = (34.0 * s, 30.0 * s);
    let cell_w = (f64::from(region.width()) - gap_x * (cols as f64 - 1.0)) / cols as f64;
    let cell_h = (f64::from(region.height()) - gap_y * (rows as f64 - 1.0)) / rows as f64;
    let slots = fig
        .years
        .last()
        .zip(fig.years.first())
        .map_or(1, |(l, f)| (l.start - f.start + 1).max(1) as usize);
    let year_label_w = if fig.categorical {
        0.0
    } else {
        fig.years
            .iter()
            .map(|y| text::width(&y.label, sz.tick, false))
            .fold(0.0, f64::max)
    };
    let bars = fig.panels.iter().any(|p| {
        p.marks.iter().any(|m| {
            matches!(
                m,
                super::figure::Mark::Stack { .. } | super::figure::Mark::Bar { .. }
            )
        })
    });
    let tick_lh = text::line_height(sz.tick);
    fig.panels
        .iter()
        .enumerate()
        .map(|(i, panel)| {
            let (c, r) = (i % cols, i / cols);
            let x0 = f64::from(region.x0) + c as f64 * (cell_w + gap_x);
            let y0 = f64::from(region.y0) + r as f64 * (cell_h + gap_y);
            let outer = Rect::new(x0, y0, x0 + cell_w, y0 + cell_h);
            let ticks = panel_ticks(fig, i);
            let tick_w = ticks
                .values
                .iter()
                .map(|&v| {
                    text::width(
                        &format::tick_label(panel_format(fig, i), v, ticks.step),
                        sz.tick,
                        false,
                    )
                })
                .fold(0.0, f64::max);
            let top = if panel.title.is_some() {
                text::line_height(sz.panel_title) + 10.0 * s
            } else {
                6.0 * s
            };
            let plot_x0 = x0 + tick_w + 12.0 * s;
            let mut plot_x1 = x0 + cell_w;
            // Direct labels sit right of the last slot's centre: leave room for the widest.
            let ends = end_label_marks(panel);
            let end_max = 0.25 * cell_w;
            // A name too long for the room gives way to the value (the legend names the colours).
            let end_texts: Vec<String> = ends
                .iter()
                .map(|(t, short, _)| {
                    if text::width(t, sz.data_label, true) <= end_max {
                        t.to_string()
                    } else {
                        text::truncate(short, sz.data_label, true, end_max)
                    }
                })
                .collect();
            let end_w = end_texts
                .iter()
                .map(|t| text::width(t, sz.data_label, true) + 16.0 * s)
                .fold(0.0, f64::max);
            // Room right of the last slot's centre for its year label's right half and the
            // direct labels.
            let need = end_w.max(year_label_w / 2.0);
            let mut slot = (plot_x1 - plot_x0) / slots as f64;
            if need > slot / 2.0 {
                slot = ((plot_x1 - plot_x0 - need) / (slots as f64 - 0.5)).max(1.0);
                plot_x1 = plot_x0 + slot * slots as f64;
            }
            let (label_every, label_rows) = year_labels(bars, year_label_w, slot, slots, s);
            let category_lines: Vec<Vec<String>> = if fig.categorical {
                fig.years
                    .iter()
                    .map(|y| category_lines(&y.label, sz.tick, slot - 8.0 * s))
                    .collect()
            } else {
                Vec::new()
            };
            let label_lines = category_lines
                .iter()
                .map(Vec::len)
                .max()
                .unwrap_or(label_rows)
                .max(1);
            let bottom = tick_lh * label_lines as f64 + 14.0 * s;
            let plot = Rect::new(plot_x0, y0 + top, plot_x1, y0 + cell_h - bottom);
            let mut pl = PanelLayout {
                outer,
                plot,
                ticks,
                label_every,
                label_rows,
                slots,
                category_lines,
                end_labels: Vec::new(),
            };
            let ys: Vec<f64> = ends
                .iter()
                .map(|(_, _, y)| f64::from(pl.y_px(*y)))
                .collect();
            let placed = spread(
                &ys,
                text::line_height(sz.data_label),
                f64::from(plot.y0),
                f64::from(plot.y1),
            );
            pl.end_labels = end_texts
                .into_iter()
                .zip(placed)
                .map(|(t, y)| (t, y.round() as i32))
                .collect();
            pl
        })
        .collect()
}
