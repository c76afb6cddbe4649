//! `runs.csv`: every run's value of every metric in every year, for analysts who want the
//! distribution itself. Written as it is built, a run at a time, so it never sits whole in memory.

use super::format_value;
use super::metrics::METRICS;
use super::store::Runs;
use crate::error::Error;
use crate::scenario::Model;
use std::io::Write;

/// The CSV header.
pub const HEADER: &str = "scenario,run,year,metric,unit,value";

/// Writes `runs.csv` (`scenario,run,year,metric,unit,value`) to `w`; `first_run` is the index of
/// the first run. `what` names the destination in errors.
pub fn write_runs_csv<R: Runs + ?Sized>(
    model: &Model,
    runs: &R,
    first_run: u64,
    w: &mut dyn Write,
    what: &str,
) -> Result<(), Error> {
    let io = |e| Error::io(format!("cannot write {what}"), e);
    writeln!(w, "{HEADER}").map_err(io)?;
    let mut run = first_run;
    let mut line = String::new();
    runs.each(&mut |r| {
        line.clear();
        for (y, row) in r.years.iter().enumerate() {
            for (k, (metric, unit)) in METRICS.iter().enumerate() {
                line.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    model.name,
                    run,
                    model.year_label(y),
                    metric,
                    unit.as_str(),
                    format_value(row[k], *unit)
                ));
            }
        }
        run += 1;
        w.write_all(line.as_bytes()).map_err(io)
    })?;
    w.flush().map_err(io)
}
