//! Self-explaining reports of a result folder: content built once, rendered as HTML, Markdown
//! and an Excel workbook.

pub mod content;
pub mod findings;
pub mod fit;
pub mod html;
pub mod lead;
pub mod levers;
pub mod limitations;
pub mod markdown;
pub mod measures;
pub mod method;
pub mod numbers;
pub mod params;
pub mod path;
pub mod policy;
pub mod tables;
pub mod tradeoffs;
pub mod xlsx;

pub use content::{Chart, Report};
pub use params::{ParamRow, ParamTable};
