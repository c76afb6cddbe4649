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
    /// Number of year slots along the x axis.
    pub slots: usize,
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
    let title = Rect::new(m, y, w - m, y + text::line_height(sz.title));
    y = f64::from(title.y1) + 6.0 * s;
    let subtitle_lines = text::wrap_parts(&fig.subtitle, sz.subtitle, false, inner_w, 2);
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
    let year_label_w = fig
        .years
        .iter()
        .map(|y| text::width(&y.label, sz.tick, false))
        .fold(0.0, f64::max);
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
            let bottom = text::line_height(sz.tick) + 14.0 * s;
            let plot_x0 = x0 + tick_w + 12.0 * s;
            let mut plot_x1 = x0 + cell_w;
            let mut slot = (plot_x1 - plot_x0) / slots as f64;
            if year_label_w > slot {
                // A label wider than its slot hangs past the last slot's edge: leave room.
                plot_x1 -= (year_label_w - slot) / 2.0;
                slot = (plot_x1 - plot_x0) / slots as f64;
            }
            let label_every = label_step(
                ((year_label_w + 24.0 * s) / slot).ceil().max(1.0) as usize,
                slots,
            );
            let plot = Rect::new(plot_x0, y0 + top, plot_x1, y0 + cell_h - bottom);
            PanelLayout {
                outer,
                plot,
                ticks,
                label_every,
                slots,
            }
        })
        .collect()
}
