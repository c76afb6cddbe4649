//! Writing a result folder so that earlier results are never left half-overwritten: everything
//! goes into a hidden temporary folder beside the target, which is then renamed into place.

use crate::error::Error;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A result folder being written: files go to `tmp`; `commit` renames it to `target`.
#[derive(Debug)]
pub struct Staged {
    pub tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    /// Starts writing `<out>/<name>/`.
    pub fn new(out: &Path, name: &str) -> Result<Staged, Error> {
        create_out(out)?;
        clear_stale(out);
        let tmp = out.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)
                .map_err(|e| Error::io(format!("cannot clear {}", tmp.display()), e))?;
        }
        fs::create_dir(&tmp)
            .map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))?;
        Ok(Staged {
            tmp,
            target: out.join(name),
            committed: false,
        })
    }

    /// Writes a scenario's `yearly.csv` and `summary.json` into its folder `<name>/`, as `run`,
    /// `compare` and `decompose` do for each scenario they run.
    pub fn write_scenario<R: crate::results::store::Runs + ?Sized>(
        &self,
        model: &crate::scenario::Model,
        runs: &R,
        info: &crate::results::summary::RunInfo,
    ) -> Result<(), Error> {
        let dir = &model.name;
        let yearly = crate::results::yearly::yearly_csv(model, runs)?;
        self.write(&format!("{dir}/yearly.csv"), yearly.as_bytes())?;
        let summary = crate::results::summary::summary_json(model, runs, info)?;
        self.write(&format!("{dir}/summary.json"), summary.as_bytes())
    }

    /// Writes one file into the staged folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path(rel)?;
        fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    }

    /// Writes one file into the staged folder as `fill` produces it, through a buffer; `fill` is
    /// given the writer and the file's path for its errors.
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn Write, &str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let path = self.path(rel)?;
        let file = fs::File::create(&path)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        fill(&mut BufWriter::new(file), &path.display().to_string())
    }

    /// The staged folder itself, for writers that name their own files (charts).
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The staged path of `rel`, with its folder created.
    fn path(&self, rel: &str) -> Result<PathBuf, Error> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        Ok(path)
    }

    /// Replaces the target folder with the staged one.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("out"),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| {
                Error::io(format!("cannot move aside {}", self.target.display()), e)
            })?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io(
                format!("cannot move results into {}", self.target.display()),
                e,
            ));
        }
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

/// Creates the output folder `out` (and its parents) if it is missing.
pub fn create_out(out: &Path) -> Result<(), Error> {
    fs::create_dir_all(out)
        .map_err(|e| Error::io(format!("cannot create output folder {}", out.display()), e))
}

/// Removes the hidden `.NAME.partial-PID` and `.NAME.old-PID` folders left in `out` by processes
/// that were killed (SIGKILL, power loss) and are no longer running. A `.NAME.old-PID` folder whose
/// `NAME` is missing holds the last complete results (the process died between its two renames),
/// so it is renamed back rather than removed. Folders of live processes are left alone; where
/// liveness cannot be told (outside Linux) nothing is touched. Nothing ever reads these folders.
pub fn clear_stale(out: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((name, kind, pid)) = file_name.to_str().and_then(parse_staging_name) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        let target = out.join(name);
        if kind == "old" && !target.exists() {
            let _ = fs::rename(&path, &target);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Splits `.NAME.partial-PID` or `.NAME.old-PID` into (NAME, "partial" or "old", PID).
fn parse_staging_name(file: &str) -> Option<(&str, &str, u32)> {
    let rest = file.strip_prefix('.')?;
    let (head, pid) = rest.rsplit_once('-')?;
    let pid: u32 = pid.parse().ok()?;
    let (name, kind) = head.rsplit_once('.')?;
    (!name.is_empty() && (kind == "partial" || kind == "old")).then_some((name, kind, pid))
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    true
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_the_folder_and_drop_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staged::new(dir.path(), "a").unwrap();
        s.write("x.txt", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a/x.txt")).unwrap(), b"one");
        {
            let s = Staged::new(dir.path(), "a").unwrap();
            s.write("x.txt", b"two").unwrap();
            // dropped without commit: an interrupted write
        }
        assert_eq!(fs::read(dir.path().join("a/x.txt")).unwrap(), b"one");
        let s = Staged::new(dir.path(), "a").unwrap();
        s.write("y.txt", b"new").unwrap();
        s.commit().unwrap();
        assert!(!dir.path().join("a/x.txt").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary folders left: {names:?}");
    }

    #[test]
    fn parses_staging_folder_names_only() {
        assert_eq!(
            parse_staging_name(".baseline.partial-123"),
            Some(("baseline", "partial", 123))
        );
        assert_eq!(
            parse_staging_name(".my-run.old-7"),
            Some(("my-run", "old", 7))
        );
        assert_eq!(parse_staging_name("baseline"), None);
        assert_eq!(parse_staging_name(".baseline.partial-x"), None);
        assert_eq!(parse_staging_name(".git"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_folders_of_dead_processes_are_cleared_and_old_results_restored() {
        let dir = tempfile::tempdir().unwrap();
        // A process id that cannot be running: above the kernel's pid_max (at most 2^22).
        let dead = 4_194_304 + 17;
        fs::create_dir(dir.path().join(format!(".a.partial-{dead}"))).unwrap();
        fs::create_dir(dir.path().join(format!(".b.old-{dead}"))).unwrap();
        fs::write(dir.path().join(format!(".b.old-{dead}/x.txt")), b"kept").unwrap();
        let live = format!(".c.partial-{}", std::process::id());
        fs::create_dir(dir.path().join(&live)).unwrap();
        let s = Staged::new(dir.path(), "a").unwrap();
        drop(s);
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert_eq!(names, vec![live, "b".to_string()]);
        assert_eq!(fs::read(dir.path().join("b/x.txt")).unwrap(), b"kept");
    }
}
