//! Every run's results in run order, in bounded memory: the latest runs in memory, earlier ones in
//! an unnamed temporary file, so that a batch's memory does not grow with its number of runs while
//! quantiles over runs stay exact.
//!
//! A run is one record of `f64`s: its metrics by year, its children by state and year, its
//! parameter draws, then its family-months and clamped rows. Records gather in memory until a chunk
//! of them fills `budget` bytes; the chunk is then written to the file a column at a time, so one
//! value of every run (say, one metric in one year) reads back with one read a chunk.

use crate::engine::RunResult;
use crate::error::Error;
use crate::results::metrics::N_METRICS;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes of records a store holds in memory before it writes them out.
pub const BUDGET_BYTES: usize = 1 << 20;

/// One value of every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Metric `k` (`metrics::METRICS` order) in year `y`.
    Metric { y: usize, k: usize },
    /// The value drawn for parameter slot `p`.
    Param(usize),
}

/// Runs' results, read a column at a time or a run at a time, whether held in memory (a slice of
/// `RunResult`, as `compare` keeps them for paired differences) or in a `RunStore`.
pub trait Runs {
    /// Number of runs.
    fn count(&self) -> usize;
    /// `col` of every run, in run order.
    fn column(&self, col: Col) -> Result<Vec<f64>, Error>;
    /// Calls `f` with every run, in run order.
    fn each(&self, f: &mut dyn FnMut(&RunResult) -> Result<(), Error>) -> Result<(), Error>;
    /// Family-months simulated, over all runs.
    fn family_months(&self) -> u64;
    /// Clamped probability rows, over all runs.
    fn clamped_rows(&self) -> u64;
}

impl Runs for [RunResult] {
    fn count(&self) -> usize {
        self.len()
    }

    fn column(&self, col: Col) -> Result<Vec<f64>, Error> {
        Ok(match col {
            Col::Metric { y, k } => self.iter().map(|r| r.years[y][k]).collect(),
            Col::Param(p) => self.iter().map(|r| r.params[p]).collect(),
        })
    }

    fn each(&self, f: &mut dyn FnMut(&RunResult) -> Result<(), Error>) -> Result<(), Error> {
        self.iter().try_for_each(f)
    }

    fn family_months(&self) -> u64 {
        self.iter().map(|r| r.family_months).sum()
    }

    fn clamped_rows(&self) -> u64 {
        self.iter().map(|r| u64::from(r.clamped_rows)).sum()
    }
}

/// The shape of a run's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    years: usize,
    states: usize,
    params: usize,
}

impl Shape {
    fn of(r: &RunResult) -> Shape {
        Shape {
            years: r.years.len(),
            states: r.state_children.first().map_or(0, Vec::len),
            params: r.params.len(),
        }
    }

    /// Values in a record: metrics, children by state, parameters, family-months, clamped rows.
    fn width(&self) -> usize {
        self.years * (N_METRICS + self.states) + self.params + 2
    }

    fn index(&self, col: Col) -> usize {
        match col {
            Col::Metric { y, k } => y * N_METRICS + k,
            Col::Param(p) => self.years * (N_METRICS + self.states) + p,
        }
    }

    fn fits(&self, col: Col) -> bool {
        match col {
            Col::Metric { y, k } => y < self.years && k < N_METRICS,
            Col::Param(p) => p < self.params,
        }
    }

    fn record(&self, r: &RunResult, out: &mut Vec<f64>) {
        for row in &r.years {
            out.extend_from_slice(row);
        }
        for row in &r.state_children {
            out.extend_from_slice(row);
        }
        out.extend_from_slice(&r.params);
        // Both below 2^53, so exact as f64.
        out.push(r.family_months as f64);
        out.push(f64::from(r.clamped_rows));
    }

    fn run(&self, rec: &[f64]) -> RunResult {
        let (metrics, rest) = rec.split_at(self.years * N_METRICS);
        let (states, rest) = rest.split_at(self.years * self.states);
        let (params, tail) = rest.split_at(self.params);
        RunResult {
            years: metrics
                .chunks_exact(N_METRICS)
                .map(|c| c.try_into().expect("N_METRICS values"))
                .collect(),
            state_children: (0..self.years)
                .map(|y| states[y * self.states..(y + 1) * self.states].to_vec())
                .collect(),
            params: params.to_vec(),
            family_months: tail[0] as u64,
            clamped_rows: tail[1] as u32,
        }
    }
}

/// Runs' results pushed in run order: at most `budget` bytes of records in memory, full chunks in an
/// unnamed temporary file in `dir` (removed when the store is dropped, or by the system if the
/// process dies).
#[derive(Debug)]
pub struct RunStore {
    dir: PathBuf,
    budget: usize,
    shape: Option<Shape>,
    /// Runs a chunk holds (fixed once the shape is known).
    chunk_runs: usize,
    /// Records of the runs not yet written out, run after run.
    buf: Vec<f64>,
    buffered: usize,
    file: Option<File>,
    chunks_written: usize,
    family_months: u64,
    clamped_rows: u64,
}

impl RunStore {
    /// An empty store that writes its overflow into `dir`.
    pub fn new(dir: &Path) -> RunStore {
        RunStore::with_budget(dir, BUDGET_BYTES)
    }

    /// An empty store holding about `budget` bytes of records in memory (at least one run).
    pub fn with_budget(dir: &Path, budget: usize) -> RunStore {
        RunStore {
            dir: dir.to_path_buf(),
            budget,
            shape: None,
            chunk_runs: 1,
            buf: Vec::new(),
            buffered: 0,
            file: None,
            chunks_written: 0,
            family_months: 0,
            clamped_rows: 0,
        }
    }

    /// Runs a chunk holds: the store's memory is about this many records. Until the first run
    /// arrives this is 1.
    pub fn chunk_runs(&self) -> usize {
        self.chunk_runs
    }

    /// Adds the next run's results.
    pub fn push(&mut self, r: &RunResult) -> Result<(), Error> {
        let shape = Shape::of(r);
        if r.state_children.iter().any(|s| s.len() != shape.states) {
            return Err(Error::Other(
                "a run's children by state differ in length between years".into(),
            ));
        }
        match self.shape {
            None => {
                self.shape = Some(shape);
                self.chunk_runs = (self.budget / (shape.width() * 8)).max(1);
                self.buf.reserve_exact(self.chunk_runs * shape.width());
            }
            Some(s) if s != shape => {
                return Err(Error::Other(format!(
                    "a run's results have shape {shape:?}, earlier runs {s:?}"
                )))
            }
            Some(_) => {}
        }
        shape.record(r, &mut self.buf);
        self.buffered += 1;
        self.family_months += r.family_months;
        self.clamped_rows += u64::from(r.clamped_rows);
        if self.buffered == self.chunk_runs {
            self.write_chunk(shape)?;
        }
        Ok(())
    }

    fn write_chunk(&mut self, shape: Shape) -> Result<(), Error> {
        let w = shape.width();
        let mut bytes = Vec::with_capacity(self.buf.len() * 8);
        for c in 0..w {
            for rec in self.buf.chunks_exact(w) {
                bytes.extend_from_slice(&rec[c].to_le_bytes());
            }
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(tempfile::tempfile_in(&self.dir).map_err(|e| {
                    Error::io(
                        format!(
                            "cannot create a temporary file for run results in {}",
                            self.dir.display()
                        ),
                        e,
                    )
                })?),
        };
        file.seek(SeekFrom::End(0))
            .and_then(|_| file.write_all(&bytes))
            .map_err(|e| self.io_error(e))?;
        self.chunks_written += 1;
        self.buf.clear();
        self.buffered = 0;
        Ok(())
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::io(
            format!(
                "cannot write or read run results in a temporary file in {}",
                self.dir.display()
            ),
            e,
        )
    }

    /// Reads `len` values from byte `at` of the file.
    fn read(&self, at: u64, len: usize) -> Result<Vec<f64>, Error> {
        let mut file = self.file.as_ref().expect("chunks were written");
        let mut bytes = vec![0u8; len * 8];
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| self.io_error(e))?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    }

    fn chunk_bytes(&self, shape: Shape) -> u64 {
        (self.chunk_runs * shape.width() * 8) as u64
    }
}

impl Runs for RunStore {
    fn count(&self) -> usize {
        self.chunks_written * self.chunk_runs + self.buffered
    }

    fn column(&self, col: Col) -> Result<Vec<f64>, Error> {
        let Some(shape) = self.shape else {
            return Ok(Vec::new());
        };
        if !shape.fits(col) {
            return Err(Error::Other(format!(
                "{col:?} is outside the runs' results {shape:?}"
            )));
        }
        let c = shape.index(col);
        let mut out = Vec::with_capacity(self.count());
        for i in 0..self.chunks_written {
            let at = i as u64 * self.chunk_bytes(shape) + (c * self.chunk_runs * 8) as u64;
            out.extend(self.read(at, self.chunk_runs)?);
        }
        out.extend(self.buf.chunks_exact(shape.width()).map(|rec| rec[c]));
        Ok(out)
    }

    fn each(&self, f: &mut dyn FnMut(&RunResult) -> Result<(), Error>) -> Result<(), Error> {
        let Some(shape) = self.shape else {
            return Ok(());
        };
        let w = shape.width();
        let mut rec = Vec::with_capacity(w);
        for i in 0..self.chunks_written {
            let chunk = self.read(i as u64 * self.chunk_bytes(shape), self.chunk_runs * w)?;
            for j in 0..self.chunk_runs {
                rec.clear();
                rec.extend((0..w).map(|c| chunk[c * self.chunk_runs + j]));
                f(&shape.run(&rec))?;
            }
        }
        for rec in self.buf.chunks_exact(w) {
            f(&shape.run(rec))?;
        }
        Ok(())
    }

    fn family_months(&self) -> u64 {
        self.family_months
    }

    fn clamped_rows(&self) -> u64 {
        self.clamped_rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(i: u64, years: usize, states: usize, params: usize) -> RunResult {
        let v = |a: usize, b: usize| (i as f64) * 1e3 + (a * 97 + b) as f64 / 7.0;
        RunResult {
            years: (0..years)
                .map(|y| std::array::from_fn(|k| v(y, k)))
                .collect(),
            state_children: (0..years)
                .map(|y| (0..states).map(|s| -v(y, s)).collect())
                .collect(),
            family_months: 1_000_003 * i,
            clamped_rows: i as u32 % 5,
            params: (0..params).map(|p| v(99, p).sqrt()).collect(),
        }
    }

    #[test]
    fn a_store_gives_back_what_a_slice_does_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let runs: Vec<RunResult> = (0..23).map(|i| run(i, 3, 4, 5)).collect();
        // Records of 3 * (N_METRICS + 4) + 5 + 2 values: a budget of 4 records spills 5 chunks
        // and keeps 3 runs in memory.
        let width = 3 * (N_METRICS + 4) + 7;
        let mut store = RunStore::with_budget(dir.path(), 4 * width * 8);
        for r in &runs {
            store.push(r).unwrap();
        }
        assert_eq!(store.chunk_runs(), 4);
        assert_eq!(store.chunks_written, 5);
        assert_eq!(store.count(), 23);
        for col in [
            Col::Metric { y: 0, k: 0 },
            Col::Metric {
                y: 2,
                k: N_METRICS - 1,
            },
            Col::Param(0),
            Col::Param(4),
        ] {
            assert_eq!(store.column(col).unwrap(), runs[..].column(col).unwrap());
        }
        let mut back = Vec::new();
        store
            .each(&mut |r| {
                back.push(r.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(back, runs);
        assert_eq!(store.family_months(), runs[..].family_months());
        assert_eq!(store.clamped_rows(), runs[..].clamped_rows());
        assert!(store.column(Col::Param(5)).is_err());
    }

    #[test]
    fn a_run_of_another_shape_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = RunStore::new(dir.path());
        store.push(&run(0, 3, 4, 5)).unwrap();
        assert!(store.push(&run(1, 3, 4, 6)).is_err());
        assert_eq!(store.count(), 1);
        assert_eq!(store.chunks_written, 0, "one small run stays in memory");
    }
}
