//! Self-explaining reports of a result folder: content built once, rendered as HTML and Markdown.

pub mod content;
pub mod html;
pub mod markdown;

pub use content::{Chart, ParamRow, ParamTable, Report};
