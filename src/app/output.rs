//! Writing a result folder so that earlier results are never left half-overwritten: everything
//! goes into a hidden temporary folder beside the target, which is then renamed into place.

use crate::error::Error;
use std::fs;
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
        fs::create_dir_all(out)
            .map_err(|e| Error::io(format!("cannot create output folder {}", out.display()), e))?;
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

    /// Writes one file into the staged folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
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
}
