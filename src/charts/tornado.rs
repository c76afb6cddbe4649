//! The tornado chart of a sensitivity analysis: one horizontal bar per parameter, labelled with
//! its description, from the measure with the parameter at its p10 to the measure with it at its
//! p90, largest swing at the top, drawn around the centre (the median the report quotes), in the
//! shared theme and bundled font (SVG and PNG).

use plotters::coord::Shift;
use plotters::element::{PathElement, Rectangle, Text};
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};
use std::path::Path;

use super::error::ChartError;
use super::text;
use super::theme::{self, Sizes, FONT_FAMILY};

/// One bar: the parameter label, its p10 and p90 values as text, the measure at each end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub low_text: String,
    pub high_text: String,
    pub at_low: f64,
    pub at_high: f64,
}

/// Everything the tornado shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    pub title: String,
    pub subtitle: String,
    pub axis_title: String,
    pub footer: String,
    pub central: f64,
    /// What the centre line is labelled, e.g. "median −3,549".
    pub central_label: String,
    /// Largest swing first; at most [`MAX_BARS`] are drawn.
    pub bars: Vec<Bar>,
}

/// Most bars drawn (the CSV holds them all).
pub const MAX_BARS: usize = 15;

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Svg,
    Bitmap,
}

const ASC_DESC_PER_EM: f64 = 2384.0 / 2048.0;
const CAP_PER_EM: f64 = 0.729;
const SVG_EM: f64 = 1.0 / 1.24;
const LOW_COLOUR: RGBColor = theme::BLUE;
const HIGH_COLOUR: RGBColor = theme::ORANGE;

struct P<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    target: Target,
}

impl<DB: DrawingBackend> P<'_, DB> {
    /// Text with the middle of its capitals at y.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &self,
        t: &str,
        x: i32,
        y: i32,
        size: f64,
        bold: bool,
        colour: RGBColor,
        h: HPos,
    ) -> Result<(), String> {
        let em = size * SVG_EM;
        let baseline = f64::from(y) + CAP_PER_EM * em / 2.0;
        let (drop, fs) = match self.target {
            Target::Svg => (0.76 * em, size),
            Target::Bitmap => {
                let fs = em * ASC_DESC_PER_EM;
                (fs / 2.0, fs)
            }
        };
        let style = TextStyle {
            font: FontDesc::new(
                FontFamily::Name(FONT_FAMILY),
                fs,
                if bold {
                    FontStyle::Bold
                } else {
                    FontStyle::Normal
                },
            ),
            color: colour.to_backend_color(),
            pos: Pos::new(h, VPos::Top),
        };
        self.area
            .draw(&Text::new(t, (x, (baseline - drop).round() as i32), style))
            .map_err(|e| e.to_string())
    }

    fn rect(&self, x0: i32, y0: i32, x1: i32, y1: i32, colour: RGBColor) -> Result<(), String> {
        self.area
            .draw(&Rectangle::new(
                [(x0.min(x1), y0), (x0.max(x1).max(x0.min(x1) + 1), y1)],
                colour.filled(),
            ))
            .map_err(|e| e.to_string())
    }

    fn line(&self, a: (i32, i32), b: (i32, i32), colour: RGBColor, w: f64) -> Result<(), String> {
        self.area
            .draw(&PathElement::new(
                vec![a, b],
                colour.stroke_width(w.round().max(1.0) as u32),
            ))
            .map_err(|e| e.to_string())
    }
}

/// Nice axis ticks covering [lo, hi].
fn ticks(lo: f64, hi: f64) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut v = Vec::new();
    let mut x = first;
    while x <= hi + step * 1e-9 {
        v.push(x);
        x += step;
    }
    (v, step)
}

/// Tick text with as many decimals as the step needs.
fn tick_label(v: f64, step: f64) -> String {
    if step >= 1.0 {
        return number(v.round());
    }
    let d = (-(step.log10().floor()) as usize
        + usize::from((step * 10f64.powf(-(step.log10().floor()))).fract() > 1e-6))
    .min(8);
    let s = format!("{:.d$}", v.abs());
    format!("{}{s}", if v < -step * 1e-9 { "−" } else { "" })
}

/// Short number text: thousands separators for large values, four significant digits else.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{}{out}", if v < 0.0 { "−" } else { "" })
    } else if a == 0.0 {
        "0".into()
    } else if a.fract() == 0.0 {
        format!("{}{a:.0}", if v < 0.0 { "−" } else { "" })
    } else {
        let d = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{a:.d$}");
        format!("{}{s}", if v < 0.0 { "−" } else { "" })
    }
}

fn draw<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    target: Target,
    t: &Tornado,
    w: u32,
    h: u32,
) -> Result<(), String> {
    let z = Sizes::for_canvas(w, h);
    area.fill(&theme::BACKGROUND).map_err(|e| e.to_string())?;
    let p = P {
        area: &area,
        target,
    };
    let (wf, hf) = (f64::from(w), f64::from(h));
    let m = z.margin;
    // Title, subtitle, legend.
    let mut y = m + z.title * 0.5;
    let title = text::wrap(&t.title, z.title, true, wf - 2.0 * m, 2);
    for (i, line) in title.iter().enumerate() {
        if i > 0 {
            y += text::line_height(z.title);
        }
        p.text(
            line,
            m as i32,
            y as i32,
            z.title,
            true,
            theme::TEXT,
            HPos::Left,
        )?;
    }
    y += z.title * 0.6 + z.subtitle;
    for line in text::wrap_parts(&t.subtitle, z.subtitle, false, wf - 2.0 * m, 3) {
        p.text(
            &line,
            m as i32,
            y as i32,
            z.subtitle,
            false,
            theme::MUTED,
            HPos::Left,
        )?;
        y += z.subtitle * 1.3;
    }
    y += z.legend * 0.4;
    let sw = z.legend;
    let mut x = m;
    for (colour, label) in [
        (LOW_COLOUR, "parameter at its p10"),
        (HIGH_COLOUR, "parameter at its p90"),
    ] {
        p.rect(
            x as i32,
            (y - sw / 2.0) as i32,
            (x + sw) as i32,
            (y + sw / 2.0) as i32,
            colour,
        )?;
        p.text(
            label,
            (x + sw * 1.4) as i32,
            y as i32,
            z.legend,
            false,
            theme::TEXT,
            HPos::Left,
        )?;
        x += sw * 1.4 + text::width(label, z.legend, false) + 2.0 * sw;
    }
    let plot_top = y + z.legend * 1.5;
    let footer_h = z.footer * 1.4 * 2.0;
    let axis_h = z.tick * 1.8 + z.axis_title * 1.6;
    let plot_bottom = hf - m - footer_h - axis_h;
    let bars: Vec<&Bar> = t.bars.iter().take(MAX_BARS).collect();
    // Label column: as wide as the longest label, at most 35% of the canvas.
    let label_w = bars
        .iter()
        .map(|b| text::width(&b.label, z.tick, false))
        .fold(0.0, f64::max)
        .min(0.35 * wf);
    let value_w = bars
        .iter()
        .flat_map(|b| {
            [
                text::width(&b.low_text, z.data_label, false),
                text::width(&b.high_text, z.data_label, false),
            ]
        })
        .fold(0.0, f64::max);
    let x0 = m + label_w + z.tick + value_w + z.data_label;
    let x1 = wf - m - value_w - z.data_label;
    let mut lo = t.central;
    let mut hi = t.central;
    for b in &bars {
        lo = lo.min(b.at_low.min(b.at_high));
        hi = hi.max(b.at_low.max(b.at_high));
    }
    if hi - lo < 1e-12 * t.central.abs().max(1.0) {
        lo -= 0.5 * t.central.abs().max(1.0) * 0.01;
        hi += 0.5 * t.central.abs().max(1.0) * 0.01;
    }
    let (tick_v, step) = ticks(lo, hi);
    let (lo, hi) = (
        tick_v[0].min(lo),
        tick_v.last().copied().unwrap_or(hi).max(hi),
    );
    let xp = |v: f64| -> f64 { x0 + (v - lo) / (hi - lo) * (x1 - x0) };
    // Grid and ticks.
    for v in &tick_v {
        let xx = xp(*v) as i32;
        p.line(
            (xx, plot_top as i32),
            (xx, plot_bottom as i32),
            theme::GRID,
            z.line / 3.0,
        )?;
        p.text(
            &tick_label(*v, step),
            xx,
            (plot_bottom + z.tick) as i32,
            z.tick,
            false,
            theme::MUTED,
            HPos::Center,
        )?;
    }
    p.text(
        &text::truncate(&t.axis_title, z.axis_title, false, x1 - x0),
        ((x0 + x1) / 2.0) as i32,
        (plot_bottom + z.tick * 1.8 + z.axis_title) as i32,
        z.axis_title,
        false,
        theme::TEXT,
        HPos::Center,
    )?;
    // Bars.
    let n = bars.len().max(1) as f64;
    let slot = (plot_bottom - plot_top) / n;
    let bh = (slot * 0.62).min(z.tick * 2.2);
    let xc = xp(t.central);
    for (i, b) in bars.iter().enumerate() {
        let yc = plot_top + slot * (i as f64 + 0.5);
        p.text(
            &text::truncate(&b.label, z.tick, false, label_w),
            (m + label_w) as i32,
            yc as i32,
            z.tick,
            false,
            theme::TEXT,
            HPos::Right,
        )?;
        // Both ends on one side of the central value: split the bar so neither hides the other.
        let same_side = (b.at_low - t.central) * (b.at_high - t.central) > 0.0;
        let ends = [
            (b.at_low, &b.low_text, LOW_COLOUR, 0.0),
            (b.at_high, &b.high_text, HIGH_COLOUR, 1.0),
        ];
        for (k, (v, txt, colour, half)) in ends.into_iter().enumerate() {
            let (ya, yb, ym) = if same_side {
                let top = yc - bh / 2.0 + half * bh / 2.0;
                (top, top + bh / 2.0, top + bh / 4.0)
            } else {
                (yc - bh / 2.0, yc + bh / 2.0, yc)
            };
            p.rect(xc as i32, ya as i32, xp(v) as i32, yb as i32, colour)?;
            let right = v > t.central || (v == t.central && k == 1);
            let xe = xp(v);
            let (xx, hpos) = if right {
                (xe + z.data_label * 0.4, HPos::Left)
            } else {
                (xe - z.data_label * 0.4, HPos::Right)
            };
            let size = if same_side {
                z.data_label * 0.85
            } else {
                z.data_label
            };
            p.text(txt, xx as i32, ym as i32, size, false, theme::TEXT, hpos)?;
        }
    }
    p.line(
        (xc as i32, plot_top as i32),
        (xc as i32, plot_bottom as i32),
        theme::BLACK,
        z.line / 1.5,
    )?;
    p.text(
        &t.central_label,
        xc as i32,
        (plot_top - z.tick * 0.6) as i32,
        z.data_label,
        true,
        theme::TEXT,
        HPos::Center,
    )?;
    p.line(
        (x0 as i32, plot_bottom as i32),
        (x1 as i32, plot_bottom as i32),
        theme::AXIS,
        z.line / 2.0,
    )?;
    let mut fy = hf - m - footer_h + z.footer;
    for line in text::wrap_parts(&t.footer, z.footer, false, wf - 2.0 * m, 2) {
        p.text(
            &line,
            m as i32,
            fy as i32,
            z.footer,
            false,
            theme::MUTED,
            HPos::Left,
        )?;
        fy += z.footer * 1.4;
    }
    area.present().map_err(|e| e.to_string())
}

/// The tornado as an SVG document.
pub fn svg(t: &Tornado, width: u32, height: u32) -> Result<String, ChartError> {
    theme::ensure_fonts()?;
    let mut out = String::new();
    draw(
        SVGBackend::with_string(&mut out, (width, height)).into_drawing_area(),
        Target::Svg,
        t,
        width,
        height,
    )
    .map_err(|message| ChartError::Draw {
        chart: "tornado".into(),
        message,
    })?;
    Ok(out)
}

/// Writes the tornado as a PNG (drawn at twice the size and averaged down, like the other charts).
pub fn write_png(t: &Tornado, path: &Path, width: u32, height: u32) -> Result<(), ChartError> {
    theme::ensure_fonts()?;
    let (bw, bh) = (width * 2, height * 2);
    let mut big = vec![0u8; bw as usize * bh as usize * 3];
    draw(
        BitMapBackend::with_buffer(&mut big, (bw, bh)).into_drawing_area(),
        Target::Bitmap,
        t,
        bw,
        bh,
    )
    .map_err(|message| ChartError::Draw {
        chart: "tornado".into(),
        message,
    })?;
    let pixels = super::downsample(&big, width as usize, height as usize, 2);
    let fail = |e: String| ChartError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut backend = BitMapBackend::new(path, (width, height));
    backend
        .blit_bitmap((0, 0), (width, height), &pixels)
        .map_err(|e| fail(e.to_string()))?;
    backend.present().map_err(|e| fail(e.to_string()))
}
