//! Turning a laid-out [`Figure`] into its outputs: an SVG document, RGB pixels, and SVG or PNG
//! files of exactly the requested pixel size (each written to a temporary name and renamed into
//! place). Every chart, the seven scenario charts and the comparison charts alike, goes through
//! these functions.
use std::path::{Path, PathBuf};

use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::error::ChartError;
use super::figure::Figure;
use super::{check_size, layout, render, theme, ChartOptions, Format};

/// Bitmaps are drawn at this multiple of their size and averaged down, which smooths
/// lines and text (plotters' bitmap backend does not anti-alias shapes).
pub(crate) const SUPERSAMPLE: u32 = 2;

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

/// Renders a figure as an SVG document of `width`×`height` pixels; `stem` names the chart in
/// errors.
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

/// Renders a figure to raw 8-bit RGB pixels (row-major, `width*height*3` bytes), exactly as it
/// goes into the PNG.
pub fn figure_rgb(
    stem: &str,
    fig: &Figure,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
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

/// Writes `width`×`height` RGB pixels as a PNG file at `path` (which must end in `.png`: the
/// encoder picks the format from it).
pub(crate) fn write_rgb_png(
    pixels: &[u8],
    path: &Path,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let fail = |e: String| ChartError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut backend = BitMapBackend::new(path, (width, height));
    backend
        .blit_bitmap((0, 0), (width, height), pixels)
        .map_err(|e| fail(e.to_string()))?;
    backend.present().map_err(|e| fail(e.to_string()))
}

/// Writes a figure as `<out_dir>/<stem>.<ext>` at the requested size, via a temporary file
/// renamed into place, and returns the path written.
pub fn write_figure(
    stem: &str,
    fig: &Figure,
    format: Format,
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<PathBuf, ChartError> {
    let (width, height) = (opts.width, opts.height);
    let ext = format.extension();
    let target = out_dir.join(format!("{stem}.{ext}"));
    // The temporary name keeps the real extension: the PNG encoder picks the format from it.
    let tmp = out_dir.join(format!(".{stem}.tmp-{}.{ext}", std::process::id()));
    let result = match format {
        Format::Svg => figure_svg(stem, fig, width, height).and_then(|svg| {
            std::fs::write(&tmp, svg).map_err(|source| ChartError::Write {
                path: tmp.clone(),
                source,
            })
        }),
        Format::Png => figure_rgb(stem, fig, width, height)
            .and_then(|pixels| write_rgb_png(&pixels, &tmp, width, height)),
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
