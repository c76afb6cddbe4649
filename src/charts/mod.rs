//! Publication charts for carecast results: seven chart kinds, SVG and PNG, one theme; and
//! two comparison charts (`impact`, `payback`) drawn from a scenario comparison; and the
//! `backtest` chart of a projection against later targets; and the `waterfall` of a
//! decomposition.
//!
//! Charts only read a scenario's output folder (`yearly.csv`, `summary.json`); they never
//! simulate. Text uses the bundled DejaVu Sans, so output is the same on every machine.
pub mod backtest;
mod comparison;
mod comparison_folder;
mod csv;
mod data;
mod difference;
mod error;
mod figure;
mod finding;
mod fit;
mod flows;
pub(crate) mod format;
mod impact;
mod layout;
mod metric;
mod output;
mod payback;
mod placements;
mod ratio;
mod render;
mod spend;
mod stock;
mod text;
mod theme;
pub mod tornado;
pub mod waterfall;

use std::path::{Path, PathBuf};

pub use comparison::{
    figures as comparison_figures, render_comparison, Comparison, ComparisonSeries,
};
pub use data::{ScenarioResults, Stat, Summary, Year};
pub use error::ChartError;
pub use figure::{Figure, LegendItem, Mark, Panel, Swatch};
pub use fit::{figure as fit_figure, metric_words, FitSeries};
pub use format::{count, gbp_m, ratio as format_ratio, ValueFormat};
pub use layout::{ChartLayout, PanelLayout, Rect};
pub use metric::{Metric, Unit};
pub(crate) use output::downsample;
pub use output::{figure_rgb, figure_svg, write_figure};
pub use theme::{MAX_SCENARIOS, OKABE_ITO, SCENARIO_COLOURS};

/// Smallest canvas the layout supports.
pub const MIN_WIDTH: u32 = 640;
pub const MIN_HEIGHT: u32 = 400;
/// Largest canvas drawn (a PNG is drawn at twice its size before it is averaged down, so a
/// 4000×4000 chart holds about 200 MB of pixels while it is drawn).
pub const MAX_WIDTH: u32 = 4000;
pub const MAX_HEIGHT: u32 = 4000;

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

/// The comparison charts, by file stem: drawn only from a comparison folder.
pub const COMPARISON_CHARTS: [&str; 3] = ["impact", "payback", "difference"];

/// What `render_all` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    pub formats: Vec<Format>,
    pub width: u32,
    pub height: u32,
    /// Write only the chart with this file stem (e.g. `ratio`, `impact`).
    pub only: Option<String>,
    /// The chart's title instead of its finding (only with `only`).
    pub title: Option<String>,
    /// The chart's subtitle instead of the descriptive one (only with `only`).
    pub subtitle: Option<String>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            formats: vec![Format::Svg, Format::Png],
            width: 1600,
            height: 1000,
            only: None,
            title: None,
            subtitle: None,
        }
    }
}

impl ChartOptions {
    /// Whether the chart `stem` is written.
    pub fn wants(&self, stem: &str) -> bool {
        self.only.as_deref().is_none_or(|o| o == stem)
    }

    /// The figure with the requested title and subtitle in place of its own.
    fn apply(&self, mut fig: Figure) -> Figure {
        if let Some(t) = &self.title {
            fig.title.clone_from(t);
        }
        if let Some(s) = &self.subtitle {
            fig.subtitle.clone_from(s);
        }
        fig
    }

    /// Checks the options before anything is drawn: formats, size, and that `only` names a
    /// chart of a comparison folder (`comparison`) or of scenario folders, with any title or
    /// subtitle given with it.
    pub fn validate(&self, comparison: bool) -> Result<(), ChartError> {
        let mut available = scenario_chart_stems();
        if comparison {
            available.extend(COMPARISON_CHARTS);
        }
        self.check(&available, comparison)
    }

    fn check(&self, available: &[&str], comparison: bool) -> Result<(), ChartError> {
        if self.formats.is_empty() {
            return Err(ChartError::NoFormats);
        }
        check_size(self.width, self.height)?;
        match &self.only {
            Some(name) if !available.contains(&name.as_str()) => Err(ChartError::UnknownChart {
                name: name.clone(),
                available: available.join(", "),
                hint: if !comparison && COMPARISON_CHARTS.contains(&name.as_str()) {
                    " (it is drawn only from a comparison folder written by `carecast compare`)"
                } else {
                    ""
                },
            }),
            None if self.title.is_some() || self.subtitle.is_some() => {
                Err(ChartError::TitleWithoutChart)
            }
            _ => Ok(()),
        }
    }
}

/// File stems of the seven scenario charts.
pub fn scenario_chart_stems() -> Vec<&'static str> {
    ChartKind::ALL.iter().map(|k| k.stem()).collect()
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
            "Children in care",
        ),
        ChartKind::ChildProtection => stock::figure(
            results,
            Metric::CpPlans,
            "Children on child protection plans at 31 March",
            "Children on a child protection plan at 31 March",
            "Children on child protection plans",
        ),
        ChartKind::ChildrenInNeed => stock::figure(
            results,
            Metric::ChildrenInNeed,
            "Children in need at 31 March",
            "Children in need at 31 March",
            "Children in need",
        ),
        ChartKind::Flows => flows::figure(results),
        ChartKind::Placements => placements::figure(results),
    }
}

fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    if width < MIN_WIDTH || height < MIN_HEIGHT || width > MAX_WIDTH || height > MAX_HEIGHT {
        return Err(ChartError::Size {
            width,
            height,
            min_width: MIN_WIDTH,
            min_height: MIN_HEIGHT,
            max_width: MAX_WIDTH,
            max_height: MAX_HEIGHT,
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

/// Renders one chart as an SVG document of `width`×`height` pixels.
pub fn render_svg(
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<String, ChartError> {
    check_size(width, height)?;
    figure_svg(kind.stem(), &figure(kind, results)?, width, height)
}

/// Renders one chart to raw 8-bit RGB pixels (row-major, `width*height*3` bytes),
/// exactly as it goes into the PNG.
pub fn render_rgb(
    kind: ChartKind,
    results: &[ScenarioResults],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    check_size(width, height)?;
    output::figure_rgb(kind.stem(), &figure(kind, results)?, width, height)
}

/// Renders one chart and writes it as a `width`×`height` PNG file at `path` (which must end
/// in `.png`).
pub fn write_png(
    kind: ChartKind,
    results: &[ScenarioResults],
    path: &Path,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let pixels = render_rgb(kind, results, width, height)?;
    output::write_rgb_png(&pixels, path, width, height)
}

/// Writes every chart (or the one `opts.only` names) in every requested format into `out_dir`
/// (each via a temporary file renamed into place) and returns the paths written, in chart then
/// format order.
pub fn render_all(
    results: &[ScenarioResults],
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    opts.validate(false)?;
    write_scenario_charts(results, out_dir, opts)
}

/// [`render_all`] after the options were checked.
fn write_scenario_charts(
    results: &[ScenarioResults],
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    figure::check_set(results)?;
    let mut written = Vec::new();
    for kind in ChartKind::ALL.into_iter().filter(|k| opts.wants(k.stem())) {
        let fig = opts.apply(figure(kind, results)?);
        for &format in &opts.formats {
            written.push(write_figure(kind.stem(), &fig, format, out_dir, opts)?);
        }
    }
    Ok(written)
}
