//! The shared look: bundled font, Okabe-Ito palette, type sizes and line weights.
use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

use super::error::ChartError;

/// Name under which the bundled DejaVu Sans is registered. Plotters writes it verbatim
/// as the SVG `font-family`, so it doubles as a CSS fallback list for SVG viewers that
/// lack DejaVu Sans; PNGs always use the bundled font.
pub const FONT_FAMILY: &str = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled DejaVu Sans with plotters once; no system font is ever consulted.
pub fn ensure_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, REGULAR)
            .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())?;
        plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, BOLD)
            .map_err(|_| "DejaVuSans-Bold.ttf is not a valid font".to_string())
    })
    .clone()
    .map_err(ChartError::Font)
}

const fn hex(v: u32) -> RGBColor {
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// The Okabe-Ito colour-blind-safe palette, in its published order.
pub const OKABE_ITO: [RGBColor; 8] = [
    hex(0xE69F00), // orange
    hex(0x56B4E9), // sky blue
    hex(0x009E73), // bluish green
    hex(0xF0E442), // yellow
    hex(0x0072B2), // blue
    hex(0xD55E00), // vermillion
    hex(0xCC79A7), // reddish purple
    hex(0x000000), // black
];

pub const ORANGE: RGBColor = OKABE_ITO[0];
pub const SKY_BLUE: RGBColor = OKABE_ITO[1];
pub const GREEN: RGBColor = OKABE_ITO[2];
pub const YELLOW: RGBColor = OKABE_ITO[3];
pub const BLUE: RGBColor = OKABE_ITO[4];
pub const VERMILLION: RGBColor = OKABE_ITO[5];
pub const PURPLE: RGBColor = OKABE_ITO[6];
pub const BLACK: RGBColor = OKABE_ITO[7];

/// Scenario colours in overlay order: strong colours first, pale yellow last
/// (it is hard to see as a thin line on white).
pub const SCENARIO_COLOURS: [RGBColor; 8] = [
    BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, BLACK, YELLOW,
];

/// At most this many scenarios can be overlaid (one distinct colour each).
pub const MAX_SCENARIOS: usize = SCENARIO_COLOURS.len();

pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Opacity of uncertainty bands with one series, two or three, and more overlaid.
pub const BAND_ALPHA_SINGLE: f64 = 0.25;
pub const BAND_ALPHA_FEW: f64 = 0.14;
pub const BAND_ALPHA_MANY: f64 = 0.08;

/// Sizes at the reference canvas of 1600×1000 px; scaled with the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    pub title: f64,
    pub subtitle: f64,
    pub axis_title: f64,
    pub tick: f64,
    pub legend: f64,
    pub footer: f64,
    pub panel_title: f64,
    pub data_label: f64,
    pub line: f64,
    pub margin: f64,
}

impl Sizes {
    /// Sizes for a canvas of `width`×`height`, scaled from the 1600×1000 reference.
    pub fn for_canvas(width: u32, height: u32) -> Sizes {
        let s = (f64::from(width) / 1600.0).min(f64::from(height) / 1000.0);
        Sizes {
            title: 40.0 * s,
            subtitle: 24.0 * s,
            axis_title: 22.0 * s,
            tick: 21.0 * s,
            legend: 22.0 * s,
            footer: 19.0 * s,
            panel_title: 23.0 * s,
            data_label: 19.0 * s,
            line: (3.0 * s).max(1.0),
            margin: 28.0 * s,
        }
    }
}
