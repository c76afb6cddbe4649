//! Scale-out: `run --shard K/N` runs the K-th of N disjoint ranges of run indices (with the same
//! per-run seeds as an unsharded run) and saves its raw per-run results; `merge` combines the
//! shards of a scenario into exactly the `yearly.csv` and `runs.csv` one machine would write.

use super::output::Staged;
use crate::engine::RunResult;
use crate::error::{Error, InputError, InputErrors};
use crate::results::metrics::N_METRICS;
use crate::results::store::{RunStore, Runs};
use crate::scenario::{load, validate, Model};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Which shard of how many (K is 1-based on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Parses `K/N` with 1 <= K <= N.
    pub fn parse(s: &str) -> Result<Shard, Error> {
        let bad = || {
            Error::Usage(format!(
                "--shard {s:?} is not K/N with 1 <= K <= N, e.g. --shard 2/8"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// The run indices of this shard out of `runs`: contiguous, disjoint, covering all.
    pub fn range(&self, runs: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(runs) * u128::from(i) / u128::from(self.n)) as u64;
        at(self.k - 1)..at(self.k)
    }

    /// Folder name of a shard's results.
    pub fn folder(&self, scenario: &str) -> String {
        format!("{scenario}.shard-{}-of-{}", self.k, self.n)
    }
}

/// One run's results as saved in a shard (floats round-trip exactly through JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedRun {
    run: u64,
    years: Vec<Vec<f64>>,
    state_children: Vec<Vec<f64>>,
    family_months: u64,
    clamped_rows: u32,
    params: Vec<f64>,
}

/// A shard file's header: what was run. The file is this object with one more field last,
/// `results`, the runs' raw results in run order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardHead {
    pub carecast_version: String,
    pub scenario: String,
    pub scenario_file: String,
    pub scenario_hash: String,
    /// The resolved scenario, so `merge` needs no other file.
    pub resolved: serde_json::Value,
    pub seed: u64,
    pub runs: u64,
    pub scale: f64,
    pub shard: [u64; 2],
    pub elapsed_seconds: f64,
}

/// A shard file's runs (its other fields are read as a `ShardHead`).
#[derive(Debug, Deserialize)]
struct ShardRuns {
    results: Vec<SavedRun>,
}

/// Writes `<out>/<scenario>.shard-K-of-N/shard.json`, a run at a time.
#[allow(clippy::too_many_arguments)]
pub fn write_shard(
    out: &Path,
    model: &Model,
    scenario_file: &str,
    shard: Shard,
    seed: u64,
    runs: u64,
    scale: f64,
    elapsed_seconds: f64,
    results: &RunStore,
) -> Result<PathBuf, Error> {
    let head = ShardHead {
        carecast_version: env!("CARGO_PKG_VERSION").into(),
        scenario: model.name.clone(),
        scenario_file: scenario_file.into(),
        scenario_hash: model.hash.clone(),
        resolved: model.resolved.clone(),
        seed,
        runs,
        scale,
        shard: [shard.k, shard.n],
        elapsed_seconds,
    };
    let encode = |e: serde_json::Error| Error::Other(format!("cannot encode shard: {e}"));
    let head = serde_json::to_string(&head).map_err(encode)?;
    let staged = Staged::new(out, &shard.folder(&model.name))?;
    staged.write_with("shard.json", |w, what| {
        let io = |e| Error::io(format!("cannot write {what}"), e);
        // The header object without its closing brace, then the runs.
        let open = head.strip_suffix('}').unwrap_or(&head);
        write!(w, "{open},\"results\":[").map_err(io)?;
        let first = shard.range(runs).start;
        let mut run = first;
        results.each(&mut |r| {
            let saved = SavedRun {
                run,
                years: r.years.iter().map(|y| y.to_vec()).collect(),
                state_children: r.state_children.clone(),
                family_months: r.family_months,
                clamped_rows: r.clamped_rows,
                params: r.params.clone(),
            };
            let comma = if run == first { "" } else { "," };
            run += 1;
            w.write_all(comma.as_bytes()).map_err(io)?;
            serde_json::to_writer(&mut *w, &saved).map_err(encode)
        })?;
        w.write_all(b"]}").and_then(|_| w.flush()).map_err(io)
    })?;
    staged.commit()
}

fn bad(dir: &Path, message: String, fix: &str) -> Error {
    InputErrors(vec![InputError::new(
        dir.join("shard.json"),
        "$",
        message,
        fix,
    )])
    .into()
}

/// Reads the text of the shard file in folder `d`.
fn read_text(d: &Path) -> Result<String, Error> {
    std::fs::read_to_string(d.join("shard.json")).map_err(|e| {
        bad(
            d,
            format!("cannot read a shard: {e}"),
            "name folders written by `carecast run --shard K/N`",
        )
    })
}

fn parse<T: serde::de::DeserializeOwned>(d: &Path, text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| {
        bad(
            d,
            format!("not a carecast shard file: {e}"),
            "name folders written by `carecast run --shard K/N`",
        )
    })
}

/// Reads shard folders of one scenario, adds all their runs to `store` in run order, and returns
/// the scenario's model and run settings (with the shards' elapsed seconds summed). Shards are
/// checked against each other first, then read one at a time, so memory holds one shard's runs.
pub fn read_shards(dirs: &[PathBuf], store: &mut RunStore) -> Result<(Model, ShardHead), Error> {
    let mut heads: Vec<(PathBuf, ShardHead)> = Vec::new();
    for d in dirs {
        let head: ShardHead = parse(d, &read_text(d)?)?;
        heads.push((d.clone(), head));
    }
    let (first_dir, first) = heads
        .first()
        .cloned()
        .ok_or_else(|| Error::Usage("merge needs at least one shard folder".into()))?;
    let n = first.shard[1];
    for (d, f) in &heads {
        let same = f.scenario_hash == first.scenario_hash
            && f.seed == first.seed
            && f.runs == first.runs
            && f.scale.to_bits() == first.scale.to_bits()
            && f.shard[1] == n
            && f.carecast_version == first.carecast_version;
        if !same {
            return Err(bad(d, format!("this shard was not run with the same scenario, seed, runs, scale, shard count and carecast version as {}", first_dir.display()), "merge only the shards of one `run --shard K/N` batch"));
        }
    }
    heads.sort_by_key(|(_, f)| f.shard[0]);
    let ks: Vec<u64> = heads.iter().map(|(_, f)| f.shard[0]).collect();
    if ks != (1..=n).collect::<Vec<_>>() {
        return Err(Error::Usage(format!(
            "merge needs each of shards 1 to {n} exactly once; got {ks:?}"
        )));
    }
    let loaded =
        load::Loaded::from_json(PathBuf::from(&first.scenario_file), first.resolved.clone());
    let model = validate::validate(&loaded)?;
    if model.hash != first.scenario_hash {
        return Err(bad(
            &first_dir,
            "the saved scenario does not match its hash".into(),
            "re-run the shards",
        ));
    }
    for (d, f) in &heads {
        let saved: ShardRuns = parse(d, &read_text(d)?)?;
        let expected = Shard { k: f.shard[0], n }.range(f.runs);
        let got: Vec<u64> = saved.results.iter().map(|r| r.run).collect();
        if got != expected.clone().collect::<Vec<_>>() {
            return Err(bad(
                d,
                format!(
                    "shard holds runs {:?}.. but should hold {expected:?}",
                    got.first()
                ),
                "re-run this shard",
            ));
        }
        for r in saved.results {
            let mut years = Vec::with_capacity(r.years.len());
            for y in &r.years {
                let row: [f64; N_METRICS] = y.as_slice().try_into().map_err(|_| {
                    bad(
                        d,
                        "a run has the wrong number of metrics".into(),
                        "re-run this shard with the same carecast version",
                    )
                })?;
                years.push(row);
            }
            store.push(&RunResult {
                years,
                state_children: r.state_children,
                family_months: r.family_months,
                clamped_rows: r.clamped_rows,
                params: r.params,
            })?;
        }
    }
    let mut meta = first;
    meta.elapsed_seconds = heads.iter().map(|(_, f)| f.elapsed_seconds).sum();
    Ok((model, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_all_runs_once_in_order() {
        for (runs, n) in [(10u64, 3u64), (7, 7), (3, 5), (1000, 8)] {
            let all: Vec<u64> = (1..=n).flat_map(|k| Shard { k, n }.range(runs)).collect();
            assert_eq!(all, (0..runs).collect::<Vec<_>>());
        }
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { k: 2, n: 8 });
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
        assert!(Shard::parse("x").is_err());
    }
}
