//! Comparison charts (`impact`, `payback`): what they are drawn from, and drawing any
//! [`Figure`] to SVG and PNG files with the same theme, layout and renderer as the other charts.
use std::path::{Path, PathBuf};

use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::data::{ScenarioResults, Stat};
use super::error::ChartError;
use super::figure::Figure;
use super::{check_size, downsample, layout, png_size, render, theme, ChartOptions, Format};
use super::{impact, payback, SUPERSAMPLE};

/// One alternative's differences from the baseline, summarised across runs (alternative minus
/// baseline, run by run), as `comparison.json` and `deltas.csv` report them.
#[derive(Debug, Clone)]
pub struct ComparisonSeries {
    pub scenario: String,
    /// Summed over the horizon, £m.
    pub extra_early: Stat,
    pub late_change: Stat,
    pub net_cost: Stat,
    /// Care entries avoided over the horizon (baseline minus alternative), children.
    pub care_entries_avoided: Stat,
    /// Cumulative net saving (−cumulative net cost) at the end of each year, £m.
    pub cumulative_net_saving: Vec<Stat>,
    /// Year index of the median break-even year, if any.
    pub median_break_even: Option<usize>,
}

/// A comparison: the scenarios' results (baseline first) and each alternative's differences.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub scenarios: Vec<ScenarioResults>,
    pub alternatives: Vec<ComparisonSeries>,
}

/// The comparison charts, by file stem.
pub fn figures(cmp: &Comparison) -> Result<Vec<(&'static str, Figure)>, ChartError> {
    Ok(vec![
        ("impact", impact::figure(cmp)?),
        ("payback", payback::figure(cmp)?),
    ])
}

fn draw<DB: DrawingBackend>(
    backend: DB,
    target: render::Target,
    stem: &str,
    fig: &Figure,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let err = |message: String| ChartError::Draw {
        chart: stem.to_string(),
        message,
    };
    let lay = layout::layout(fig, width, height);
    let area = backend.into_drawing_area();
    render::draw(&area, fig, &lay, target).map_err(err)?;
    area.present().map_err(|e| err(e.to_string()))
}

/// Renders a figure as an SVG document.
pub fn figure_svg(stem: &str, fig: &Figure, width: u32, height: u32) -> Result<String, ChartError> {
    check_size(width, height)?;
    theme::ensure_fonts()?;
    let mut out = String::new();
    draw(
        SVGBackend::with_string(&mut out, (width, height)),
        render::Target::Svg,
        stem,
        fig,
        width,
        height,
    )?;
    Ok(out)
}

fn write_png(
    stem: &str,
    fig: &Figure,
    path: &Path,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    check_size(width, height)?;
    theme::ensure_fonts()?;
    let (bw, bh) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    let mut big = vec![0u8; bw as usize * bh as usize * 3];
    draw(
        BitMapBackend::with_buffer(&mut big, (bw, bh)),
        render::Target::Bitmap,
        stem,
        fig,
        bw,
        bh,
    )?;
    let pixels = downsample(&big, width as usize, height as usize, SUPERSAMPLE as usize);
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

/// Writes the comparison charts in every requested format into `out_dir` (each via a temporary
/// file renamed into place) and returns the paths written.
pub fn render_comparison(
    cmp: &Comparison,
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    if opts.formats.is_empty() {
        return Err(ChartError::NoFormats);
    }
    check_size(opts.width, opts.height)?;
    let mut written = Vec::new();
    for (stem, fig) in figures(cmp)? {
        for &format in &opts.formats {
            let ext = format.extension();
            let target = out_dir.join(format!("{stem}.{ext}"));
            let tmp = out_dir.join(format!(".{stem}.tmp-{}.{ext}", std::process::id()));
            let result = match format {
                Format::Svg => figure_svg(stem, &fig, opts.width, opts.height).and_then(|svg| {
                    std::fs::write(&tmp, svg).map_err(|source| ChartError::Write {
                        path: tmp.clone(),
                        source,
                    })
                }),
                Format::Png => {
                    let (w, h) = png_size(opts.width, opts.height);
                    write_png(stem, &fig, &tmp, w, h)
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
            written.push(target);
        }
    }
    Ok(written)
}
