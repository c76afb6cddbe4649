//! Draws a laid-out figure onto any plotters backend (SVG string or PNG bitmap).
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

use super::figure::{Figure, Mark, Swatch};
use super::format;
use super::layout::{ChartLayout, PanelLayout, Rect};
use super::theme::{self, FONT_FAMILY};

type DrawResult = Result<(), String>;

/// Which kind of backend is drawn on. Text is placed differently by plotters' SVG and
/// bitmap backends, so text positions are corrected per target to look the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Svg,
    Bitmap,
}

/// Vertical alignment of text relative to the given y.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VAlign {
    /// Top of capital letters at y.
    Top,
    /// Middle of capital letters at y.
    Middle,
    /// Baseline at y.
    Baseline,
}

// DejaVu Sans metrics: (ascent - descent) / em = 2384 / 2048; capital height / em = 0.729.
const ASC_DESC_PER_EM: f64 = 2384.0 / 2048.0;
const CAP_PER_EM: f64 = 0.729;
// Plotters' SVG backend writes font-size = size / 1.24 and dy = 0.76em for top-anchored text.
const SVG_EM: f64 = 1.0 / 1.24;

/// Size, weight and colour of a piece of text.
#[derive(Clone, Copy)]
struct Font {
    size: f64,
    bold: bool,
    colour: RGBColor,
}

impl Font {
    fn new(size: f64, bold: bool, colour: RGBColor) -> Font {
        Font { size, bold, colour }
    }
}

struct Painter<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    target: Target,
    s: f64,
}

impl<DB: DrawingBackend> Painter<'_, DB> {
    fn text(&self, t: &str, (x, y): (i32, i32), f: Font, h: HPos, v: VAlign) -> DrawResult {
        let Font { size, bold, colour } = f;
        let em = size * SVG_EM;
        let baseline = f64::from(y)
            + match v {
                VAlign::Top => CAP_PER_EM * em,
                VAlign::Middle => CAP_PER_EM * em / 2.0,
                VAlign::Baseline => 0.0,
            };
        // Where the top-anchored baseline falls below the anchor, and the size handed to plotters.
        let (drop, font_size) = match self.target {
            Target::Svg => (0.76 * em, size),
            // ab_glyph scales so that ascent-descent = size and puts the baseline at size/2;
            // shrink so the em matches the SVG's.
            Target::Bitmap => {
                let fs = em * ASC_DESC_PER_EM;
                (fs / 2.0, fs)
            }
        };
        let style = TextStyle {
            font: FontDesc::new(
                FontFamily::Name(FONT_FAMILY),
                font_size,
                if bold {
                    FontStyle::Bold
                } else {
                    FontStyle::Normal
                },
            ),
            color: colour.to_backend_color(),
            pos: Pos::new(h, VPos::Top),
        };
        let at = (x, (baseline - drop).round() as i32);
        self.area
            .draw(&Text::new(t, at, style))
            .map_err(|e| e.to_string())
    }

    fn rect(&self, r: Rect, style: ShapeStyle) -> DrawResult {
        self.area
            .draw(&Rectangle::new([(r.x0, r.y0), (r.x1, r.y1)], style))
            .map_err(|e| e.to_string())
    }

    fn line(&self, pts: Vec<(i32, i32)>, style: ShapeStyle) -> DrawResult {
        self.area
            .draw(&PathElement::new(pts, style))
            .map_err(|e| e.to_string())
    }

    fn dot(&self, c: (i32, i32), r: i32, colour: RGBColor) -> DrawResult {
        self.area
            .draw(&Circle::new(c, r, colour.filled()))
            .map_err(|e| e.to_string())
    }

    /// An observed value: a dot larger than a line's, filled, or a ring with a white centre.
    fn point(&self, c: (i32, i32), line: f64, colour: RGBColor, filled: bool) -> DrawResult {
        let r = (line * 2.6).round().max(3.0) as i32;
        self.dot(c, r, colour)?;
        if filled {
            return Ok(());
        }
        let inner = (r - (line * 0.9).round().max(1.0) as i32).max(1);
        self.dot(c, inner, theme::BACKGROUND)
    }

    fn px(&self, v: f64) -> i32 {
        (v * self.s).round() as i32
    }
}

fn stroke(colour: RGBColor, width: f64) -> ShapeStyle {
    colour.stroke_width(width.round().max(1.0) as u32)
}

/// Draws the whole figure.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    lay: &ChartLayout,
    target: Target,
) -> DrawResult {
    let p = Painter {
        area,
        target,
        s: lay.sizes.title / 40.0,
    };
    let sz = &lay.sizes;
    area.fill(&theme::BACKGROUND).map_err(|e| e.to_string())?;
    let title_lh = super::text::line_height(sz.title);
    for (i, l) in lay.title_lines.iter().enumerate() {
        p.text(
            l,
            (
                lay.title.x0,
                lay.title.y0 + (i as f64 * title_lh).round() as i32,
            ),
            Font::new(sz.title, true, theme::TEXT),
            HPos::Left,
            VAlign::Top,
        )?;
    }
    let sub_lh = super::text::line_height(sz.subtitle);
    for (i, l) in lay.subtitle_lines.iter().enumerate() {
        let y = lay.subtitle.y0 + (i as f64 * sub_lh).round() as i32;
        p.text(
            l,
            (lay.subtitle.x0, y),
            Font::new(sz.subtitle, false, theme::MUTED),
            HPos::Left,
            VAlign::Top,
        )?;
    }
    p.text(
        &fig.y_title,
        (lay.y_title.x0, lay.y_title.y0),
        Font::new(sz.axis_title, false, theme::TEXT),
        HPos::Left,
        VAlign::Top,
    )?;
    for (i, (panel, pl)) in fig.panels.iter().zip(&lay.panels).enumerate() {
        let fmt = super::layout::panel_format(fig, i);
        draw_axes(&p, fig, fmt, pl, panel.title.as_deref(), lay)?;
        // Bands under bars under whiskers under lines under points under labels, whatever the
        // order given.
        for layer in 0..6 {
            for mark in panel.marks.iter().filter(|m| layer_of(m) == layer) {
                draw_mark(&p, mark, pl, lay)?;
            }
        }
        draw_end_labels(&p, panel, pl, lay)?;
    }
    let xt = &lay.x_title;
    p.text(
        &fig.x_title,
        ((xt.x0 + xt.x1) / 2, xt.y0),
        Font::new(sz.axis_title, false, theme::TEXT),
        HPos::Center,
        VAlign::Top,
    )?;
    draw_legend(&p, fig, lay)?;
    let footer_lh = super::text::line_height(lay.footer_size);
    for (i, l) in lay.footer_lines.iter().enumerate() {
        p.text(
            l,
            (
                lay.footer.x0,
                lay.footer.y0 + (i as f64 * footer_lh).round() as i32,
            ),
            Font::new(lay.footer_size, false, theme::MUTED),
            HPos::Left,
            VAlign::Top,
        )?;
    }
    Ok(())
}

fn layer_of(m: &Mark) -> usize {
    match m {
        Mark::Band { .. } => 0,
        Mark::Stack { .. } | Mark::Rule { .. } | Mark::Bar { .. } | Mark::Connector { .. } => 1,
        Mark::Whisker { .. } => 2,
        Mark::Line { .. } => 3,
        Mark::Points { .. } => 4,
        Mark::Label { .. } | Mark::EndLabel { .. } => 5,
    }
}

/// Direct labels at line ends, at the positions the layout moved them to.
fn draw_end_labels<DB: DrawingBackend>(
    p: &Painter<DB>,
    panel: &super::figure::Panel,
    pl: &PanelLayout,
    lay: &ChartLayout,
) -> DrawResult {
    let ends = panel.marks.iter().filter_map(|m| match m {
        Mark::EndLabel { x, colour, .. } => Some((*x, *colour)),
        _ => None,
    });
    for ((x, colour), (text, y)) in ends.zip(&pl.end_labels) {
        let at = (pl.x_px(x) + p.px(14.0), *y);
        p.text(
            text,
            at,
            Font::new(lay.sizes.data_label, true, colour),
            HPos::Left,
            VAlign::Middle,
        )?;
    }
    Ok(())
}

fn draw_axes<DB: DrawingBackend>(
    p: &Painter<DB>,
    fig: &Figure,
    fmt: format::ValueFormat,
    pl: &PanelLayout,
    title: Option<&str>,
    lay: &ChartLayout,
) -> DrawResult {
    let sz = &lay.sizes;
    let r = pl.plot;
    if let Some(t) = title {
        let t = super::text::truncate(t, sz.panel_title, true, f64::from(pl.outer.width()));
        p.text(
            &t,
            (pl.outer.x0, pl.outer.y0),
            Font::new(sz.panel_title, true, theme::TEXT),
            HPos::Left,
            VAlign::Top,
        )?;
    }
    for &v in &pl.ticks.values {
        let y = pl.y_px(v);
        let colour = if v == 0.0 { theme::AXIS } else { theme::GRID };
        p.line(vec![(r.x0, y), (r.x1, y)], stroke(colour, p.s * 1.2))?;
        let label = format::tick_label(fmt, v, pl.ticks.step);
        p.text(
            &label,
            (r.x0 - p.px(10.0), y),
            Font::new(sz.tick, false, theme::MUTED),
            HPos::Right,
            VAlign::Middle,
        )?;
    }
    let first = fig.years.first().map_or(0, |y| y.start);
    let tick_lh = super::text::line_height(sz.tick);
    for (k, y) in fig.years.iter().enumerate() {
        let i = (y.start - first) as usize;
        let x = pl.x_px(i as f64);
        p.line(
            vec![(x, r.y1), (x, r.y1 + p.px(6.0))],
            stroke(theme::AXIS, p.s * 1.2),
        )?;
        let lines: Vec<&str> = match pl.category_lines.get(k) {
            Some(lines) => lines.iter().map(String::as_str).collect(),
            None if i % pl.label_every == 0 => vec![y.label.as_str()],
            None => Vec::new(),
        };
        // Alternate rows where every year of a bar chart is labelled but one row is too tight.
        let row = if pl.label_rows > 1 {
            i % pl.label_rows
        } else {
            0
        };
        for (j, l) in lines.iter().enumerate() {
            let dy = ((row + j) as f64 * tick_lh).round() as i32;
            p.text(
                l,
                (x, r.y1 + p.px(12.0) + dy),
                Font::new(sz.tick, false, theme::MUTED),
                HPos::Center,
                VAlign::Top,
            )?;
        }
    }
    Ok(())
}

fn draw_mark<DB: DrawingBackend>(
    p: &Painter<DB>,
    mark: &Mark,
    pl: &PanelLayout,
    lay: &ChartLayout,
) -> DrawResult {
    let sz = &lay.sizes;
    match mark {
        Mark::Band {
            colour,
            alpha,
            points,
        } => {
            let fill = colour.mix(*alpha).filled();
            if let [(x, lo, hi)] = points.as_slice() {
                // A single year: a narrow box instead of an invisible zero-width band.
                let half = (pl.slot_px() * 0.12).clamp(3.0, 24.0 * p.s) as i32;
                let cx = pl.x_px(*x);
                return p.rect(
                    Rect {
                        x0: cx - half,
                        y0: pl.y_px(*hi),
                        x1: cx + half,
                        y1: pl.y_px(*lo),
                    },
                    fill,
                );
            }
            let mut poly: Vec<(i32, i32)> = points
                .iter()
                .map(|&(x, _, hi)| (pl.x_px(x), pl.y_px(hi)))
                .collect();
            poly.extend(
                points
                    .iter()
                    .rev()
                    .map(|&(x, lo, _)| (pl.x_px(x), pl.y_px(lo))),
            );
            p.area
                .draw(&Polygon::new(poly, fill))
                .map_err(|e| e.to_string())
        }
        Mark::Line { colour, points } => {
            let px: Vec<(i32, i32)> = points
                .iter()
                .map(|&(x, y)| (pl.x_px(x), pl.y_px(y)))
                .collect();
            if px.len() > 1 {
                p.line(px.clone(), stroke(*colour, sz.line))?;
            }
            let r = (sz.line * 1.4).round().max(2.0) as i32;
            px.into_iter().try_for_each(|c| p.dot(c, r, *colour))
        }
        Mark::Stack { x, layers } => {
            let half = (pl.slot_px() * 0.32).max(1.0);
            let cx = f64::from(pl.x_px(*x));
            let mut base = 0.0;
            for &(v, colour) in layers {
                let (a, b) = (pl.y_px(base + v), pl.y_px(base));
                // Below-zero layers (differences) hang down from their base.
                let (y0, y1) = (a.min(b), a.max(b));
                if y1 > y0 {
                    p.rect(
                        Rect {
                            x0: (cx - half).round() as i32,
                            y0,
                            x1: (cx + half).round() as i32,
                            y1,
                        },
                        colour.filled(),
                    )?;
                }
                base += v;
            }
            Ok(())
        }
        Mark::Bar {
            x,
            from,
            to,
            colour,
        } => {
            let half = (pl.slot_px() * 0.32).max(1.0);
            let cx = f64::from(pl.x_px(*x));
            let (a, b) = (pl.y_px(*from), pl.y_px(*to));
            // At least one pixel tall, so that a step of about zero still shows where it is.
            let (y0, y1) = (a.min(b), a.max(b).max(a.min(b) + 1));
            p.rect(
                Rect {
                    x0: (cx - half).round() as i32,
                    y0,
                    x1: (cx + half).round() as i32,
                    y1,
                },
                colour.filled(),
            )
        }
        Mark::Connector { x0, x1, y } => {
            let half = (pl.slot_px() * 0.32).max(1.0);
            let (a, b) = (
                (f64::from(pl.x_px(*x0)) + half).round() as i32,
                (f64::from(pl.x_px(*x1)) - half).round() as i32,
            );
            let yy = pl.y_px(*y);
            p.line(vec![(a, yy), (b, yy)], stroke(theme::AXIS, sz.line * 0.5))
        }
        Mark::Whisker { x, lo, hi } => {
            let cx = pl.x_px(*x);
            let cap = (pl.slot_px() * 0.1).max(2.0) as i32;
            let (ylo, yhi) = (pl.y_px(*lo), pl.y_px(*hi));
            let st = stroke(theme::TEXT, sz.line * 0.7);
            p.line(vec![(cx, ylo), (cx, yhi)], st)?;
            p.line(vec![(cx - cap, ylo), (cx + cap, ylo)], st)?;
            p.line(vec![(cx - cap, yhi), (cx + cap, yhi)], st)
        }
        Mark::Points {
            colour,
            filled,
            points,
        } => points
            .iter()
            .try_for_each(|&(x, y)| p.point((pl.x_px(x), pl.y_px(y)), sz.line, *colour, *filled)),
        Mark::Rule { x, colour } => {
            let cx = pl.x_px(*x);
            let (dash, gap) = (p.px(14.0).max(2), p.px(9.0).max(1));
            let st = stroke(*colour, sz.line * 0.8);
            let mut y = pl.plot.y0;
            while y < pl.plot.y1 {
                p.line(vec![(cx, y), (cx, (y + dash).min(pl.plot.y1))], st)?;
                y += dash + gap;
            }
            Ok(())
        }
        // Drawn after the other marks, where the layout placed them.
        Mark::EndLabel { .. } => Ok(()),
        Mark::Label { x, y, text } => {
            let at = (pl.x_px(*x), pl.y_px(*y) - p.px(8.0));
            p.text(
                text,
                at,
                Font::new(sz.data_label, false, theme::TEXT),
                HPos::Center,
                VAlign::Baseline,
            )
        }
    }
}

fn draw_legend<DB: DrawingBackend>(p: &Painter<DB>, fig: &Figure, lay: &ChartLayout) -> DrawResult {
    let sz = &lay.sizes;
    let lg = lay.legend;
    let row = lay.legend_row_height;
    let sw = p.px(46.0);
    for (i, (item, label)) in fig.legend.iter().zip(&lay.legend_labels).enumerate() {
        let cy = lg.y0 + (row * (i as f64 + 0.5)).round() as i32;
        let (x0, x1) = (lg.x0, lg.x0 + sw);
        let half = (row * 0.3).round() as i32;
        let swatch_box = Rect {
            x0,
            y0: cy - half,
            x1,
            y1: cy + half,
        };
        match item.swatch {
            Swatch::Block(c) => p.rect(swatch_box, c.filled())?,
            Swatch::Band(c, a) => p.rect(swatch_box, c.mix(a).filled())?,
            Swatch::Line(c) => {
                p.line(vec![(x0, cy), (x1, cy)], stroke(c, sz.line))?;
                p.dot(
                    ((x0 + x1) / 2, cy),
                    (sz.line * 1.4).round().max(2.0) as i32,
                    c,
                )?;
            }
            Swatch::LineBand(c, a) => {
                p.rect(swatch_box, c.mix(a).filled())?;
                p.line(vec![(x0, cy), (x1, cy)], stroke(c, sz.line))?;
            }
            Swatch::Dot(c, filled) => p.point(((x0 + x1) / 2, cy), sz.line, c, filled)?,
            Swatch::Whisker => {
                let mx = (x0 + x1) / 2;
                let cap = p.px(8.0);
                let st = stroke(theme::TEXT, sz.line * 0.7);
                p.line(vec![(mx, cy - half), (mx, cy + half)], st)?;
                p.line(vec![(mx - cap, cy - half), (mx + cap, cy - half)], st)?;
                p.line(vec![(mx - cap, cy + half), (mx + cap, cy + half)], st)?;
            }
        }
        p.text(
            label,
            (x1 + p.px(12.0), cy),
            Font::new(sz.legend, false, theme::TEXT),
            HPos::Left,
            VAlign::Middle,
        )?;
    }
    let notes_y0 = f64::from(lg.y0) + row * fig.legend.len() as f64 + 16.0 * p.s;
    let lh = super::text::line_height(sz.footer) * 1.05;
    for (i, l) in lay.note_lines.iter().enumerate() {
        let y = (notes_y0 + lh * i as f64).round() as i32;
        p.text(
            l,
            (lg.x0, y),
            Font::new(sz.footer, false, theme::MUTED),
            HPos::Left,
            VAlign::Top,
        )?;
    }
    Ok(())
}
