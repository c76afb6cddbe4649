//! Publication charts for carecast results: seven chart kinds, SVG and PNG, one theme; and
//! two comparison charts (`impact`, `payback`) drawn from a scenario comparison.
//!
//! Charts only read a scenario's output folder (`yearly.csv`, `summary.json`); they never
//! simulate. Text uses the bundled DejaVu Sans, so output is the same on every machine.
mod comparison;
mod csv;
mod data;
mod error;
mod figure;
mod flows;
pub(crate) mod format;
mod impact;
mod layout;
mod metric;
mod payback;
mod placements;
mod ratio;
mod render;
mod spend;
mod stock;
mod text;
mod theme;
pub mod tornado;

use std::path::{Path, PathBuf};

use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};

pub use comparison::{
    figure_svg, figures as comparison_figures, render_comparison, Comparison, ComparisonSeries,
};
pub use data::{ScenarioResults, Stat, Summary, Year};
pub use error::ChartError;
pub use figure::{Figure, LegendItem, Mark, Panel, Swatch};
pub use format::{count, gbp_m, ratio as format_ratio, ValueFormat};
pub use layout::{ChartLayout, PanelLayout, Rect};
pub use metric::{Metric, Unit};
pub use theme::{MAX_SCENARIOS, OKABE_ITO, SCENARIO_COLOURS};

/// Smallest canvas the layout supports.
pub const MIN_WIDTH: u32 = 640;
pub const MIN_HEIGHT: u32 = 400;
/// PNGs are never narrower than this; smaller requests are scaled up proportionally.
pub const MIN_PNG_WIDTH: u32 = 1600;

/// The seven charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    Spend,
    Ratio,
    ChildrenInCare,
    ChildProtection,
    ChildrenInNeed,
    Flows,
    Placements,
}

impl ChartKind {
    pub const ALL: [ChartKind; 7] = [
        ChartKind::Spend,
        ChartKind::Ratio,
        ChartKind::ChildrenInCare,
        ChartKind::ChildProtection,
        ChartKind::ChildrenInNeed,
        ChartKind::Flows,
        ChartKind::Placements,
    ];

    /// File stem, e.g. `children-in-care`.
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::Spend => "spend",
            ChartKind::Ratio => "ratio",
            ChartKind::ChildrenInCare => "children-in-care",
            ChartKind::ChildProtection => "child-protection",
            ChartKind::ChildrenInNeed => "children-in-need",
            ChartKind::Flows => "flows",
            ChartKind::Placements => "placements",
        }
    }
}

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// What `render_all` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    pub formats: Vec<Format>,
    pub width: u32,
    pub height: u32,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            formats: vec![Format::Svg, Format::Png],
            width: 1600,
            height: 1000,
        }
    }
}

/// Builds the backend-neutral description of one chart.
pub fn figure(kind: ChartKind, results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    match kind {
        ChartKind::Spend => spend::figure(results),
        ChartKind::Ratio => ratio::figure(results),
        ChartKind::ChildrenInCare => stock::figure(
            results,
            Metric::ChildrenInCare,
            "Children in care at 31 March",
            "Children looked after at 31 March",
        ),
        ChartKind::ChildProtection => stock::figure(
            results,
            Metric::CpPlans,
            "Children on child protection plans at 31 March",
            "Children on a child protection plan at 31 March",
        ),
        ChartKind::ChildrenInNeed => stock::figure(
            results,
            Metric::ChildrenInNeed,
            "Children in need at 31 March",
            "Children in need at 31 March",
        ),
        ChartKind::Flows => flows::figure(results),
        ChartKind::Placements => placements::figure(results),
    }
}

fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return Err(ChartError::TooSmall {
            width,
            height,
            min_width: MIN_WIDTH,
            min_height: MIN_HEIGHT,
        });
    }
    Ok(())
}

/// The pixel layout a chart would be drawn with (for checks such as "legend never covers data").
pub fn chart_layout(
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<(Figure, ChartLayout), ChartError> {
    check_size(width, height)?;
    theme::ensure_fonts()?;
    let fig = figure(kind, results)?;
    let lay = layout::layout(&fig, width, height);
    Ok((fig, lay))
}

fn draw_err(kind: ChartKind) -> impl Fn(String) -> ChartError {
    move |message| ChartError::Draw {
        chart: kind.stem().to_string(),
        message,
    }
}

fn draw_on<DB: DrawingBackend>(
    backend: DB,
    target: render::Target,
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let (fig, lay) = chart_layout(kind, results, width, height)?;
    let area = backend.into_drawing_area();
    render::draw(&area, &fig, &lay, target).map_err(draw_err(kind))?;
    area.present().map_err(|e| draw_err(kind)(e.to_string()))
}

/// Renders one chart as an SVG document.
pub fn render_svg(
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<String, ChartError> {
    let mut out = String::new();
    draw_on(
        SVGBackend::with_string(&mut out, (width, height)),
        render::Target::Svg,
        kind,
        results,
        width,
        height,
    )?;
    Ok(out)
}

/// Bitmaps are drawn at this multiple of their size and averaged down, which smooths
/// lines and text (plotters' bitmap backend does not anti-alias shapes).
const SUPERSAMPLE: u32 = 2;

/// Renders one chart to raw 8-bit RGB pixels (row-major, `width*height*3` bytes),
/// exactly as it goes into the PNG.
pub fn render_rgb(
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    check_size(width, height)?;
    let (bw, bh) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    let mut big = vec![0u8; bw as usize * bh as usize * 3];
    draw_on(
        BitMapBackend::with_buffer(&mut big, (bw, bh)),
        render::Target::Bitmap,
        kind,
        results,
        bw,
        bh,
    )?;
    Ok(downsample(
        &big,
        width as usize,
        height as usize,
        SUPERSAMPLE as usize,
    ))
}

/// Box-filters a `k`-times larger RGB image down to `w`×`h` (integer arithmetic, so exact).
pub(crate) fn downsample(big: &[u8], w: usize, h: usize, k: usize) -> Vec<u8> {
    let bw = w * k;
    let mut out = vec![0u8; w * h * 3];
    let n = (k * k) as u32;
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..k {
                    for dx in 0..k {
                        sum += u32::from(big[((y * k + dy) * bw + x * k + dx) * 3 + c]);
                    }
                }
                out[(y * w + x) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// Renders one chart and writes it as a PNG file at `path` (which must end in `.png`).
pub fn write_png(
    kind: ChartKind,
    results: &[ScenarioResults],
    path: &Path,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let pixels = render_rgb(kind, results, width, height)?;
    let mut backend = BitMapBackend::new(path, (width, height));
    let fail = |e: String| ChartError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    backend
        .blit_bitmap((0, 0), (width, height), &pixels)
        .map_err(|e| fail(e.to_string()))?;
    backend.present().map_err(|e| fail(e.to_string()))
}

/// The PNG pixel size for a requested chart size: at least [`MIN_PNG_WIDTH`] wide,
/// scaled proportionally so it looks the same as the SVG.
pub fn png_size(width: u32, height: u32) -> (u32, u32) {
    if width >= MIN_PNG_WIDTH {
        (width, height)
    } else {
        let h = (u64::from(height) * u64::from(MIN_PNG_WIDTH)).div_ceil(u64::from(width.max(1)));
        (MIN_PNG_WIDTH, u32::try_from(h).unwrap_or(u32::MAX))
    }
}

fn write_one(
    kind: ChartKind,
    format: Format,
    results: &[ScenarioResults],
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<PathBuf, ChartError> {
    let ext = format.extension();
    let target = out_dir.join(format!("{}.{ext}", kind.stem()));
    // The temporary name keeps the real extension: the PNG encoder picks the format from it.
    let tmp = out_dir.join(format!(".{}.tmp-{}.{ext}", kind.stem(), std::process::id()));
    let result = match format {
        Format::Svg => render_svg(kind, results, opts.width, opts.height).and_then(|svg| {
            std::fs::write(&tmp, svg).map_err(|source| ChartError::Write {
                path: tmp.clone(),
                source,
            })
        }),
        Format::Png => {
            let (w, h) = png_size(opts.width, opts.height);
            write_png(kind, results, &tmp, w, h)
        }
    };
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &target).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        ChartError::Write {
            path: target.clone(),
            source,
        }
    })?;
    Ok(target)
}

/// Writes every chart in every requested format into `out_dir` (each via a temporary
/// file renamed into place) and returns the paths written, in chart then format order.
pub fn render_all(
    results: &[ScenarioResults],
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    if opts.formats.is_empty() {
        return Err(ChartError::NoFormats);
    }
    check_size(opts.width, opts.height)?;
    figure::check_set(results)?;
    let mut written = Vec::new();
    for kind in ChartKind::ALL {
        for &format in &opts.formats {
            written.push(write_one(kind, format, results, out_dir, opts)?);
        }
    }
    Ok(written)
}
