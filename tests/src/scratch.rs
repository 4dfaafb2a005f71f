//! Scratch workspaces: a temporary folder holding copies of some of the
//! repository's files, for tests and benchmarks that run a command on a
//! workspace and may change it. Removed on drop.

use std::fs;
use std::path::{Path, PathBuf};

/// The repository's root (the workspace root) of the checkout the tests
/// run in, found at run time from the current directory (cargo starts tests
/// and benches in their package's folder), like `cargo xtask` finds it: a
/// path compiled in could name another checkout that shares the target
/// directory.
pub fn repo_root() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let here = std::env::current_dir().expect("a current directory");
        here.ancestors()
            .find(|dir| dir.join("spec/paynet.json").is_file() && dir.join("Cargo.toml").is_file())
            .unwrap_or_else(|| {
                panic!(
                    "{} is not inside a checkout of the workspace",
                    here.display()
                )
            })
            .to_path_buf()
    })
}

/// A temporary folder laid out like the repository, removed on drop.
#[derive(Debug)]
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// An empty scratch workspace.
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// A scratch workspace holding copies of `paths` (files or folders,
    /// relative to the repository's root) at the same places.
    pub fn with(paths: &[&str]) -> Self {
        let scratch = Scratch::new();
        for path in paths {
            scratch.copy(path);
        }
        scratch
    }

    /// Its root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `relative` under its root.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Copies `relative` (a file or a folder) from the repository to the
    /// same place here, creating the folders above it.
    pub fn copy(&self, relative: &str) -> &Self {
        copy_path(&repo_root().join(relative), &self.join(relative));
        self
    }

    /// Creates the folder `relative` and those above it.
    pub fn create_dir(&self, relative: &str) -> &Self {
        fs::create_dir_all(self.join(relative)).expect("create a scratch folder");
        self
    }

    /// Writes `contents` to `relative`, creating the folders above it.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create a scratch folder");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// The text of `relative`.
    pub fn read(&self, relative: &str) -> String {
        let path = self.join(relative);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Replaces the text of `relative` with `change` of it; panics if
    /// `change` leaves it as it was, so that an edit that no longer applies
    /// (the file changed upstream) fails loudly instead of testing nothing.
    pub fn edit(&self, relative: &str, change: impl FnOnce(String) -> String) {
        let before = self.read(relative);
        let after = change(before.clone());
        assert_ne!(before, after, "the edit of {relative} changed nothing");
        self.write(relative, after);
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

fn copy_path(from: &Path, to: &Path) {
    let kind = fs::metadata(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    if kind.is_dir() {
        fs::create_dir_all(to).expect("create a scratch folder");
        for entry in fs::read_dir(from).expect("read a repository folder") {
            let entry = entry.expect("a folder entry");
            copy_path(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).expect("create a scratch folder");
        }
        fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_and_folders_to_the_same_places_and_cleans_up() {
        let scratch = Scratch::with(&["spec/vendor", "Cargo.toml"]);
        let root = scratch.path().to_path_buf();
        assert_eq!(
            scratch.read("Cargo.toml"),
            fs::read_to_string(repo_root().join("Cargo.toml")).unwrap()
        );
        let pages = fs::read_dir(scratch.join("spec/vendor")).unwrap().count();
        assert_eq!(
            pages,
            fs::read_dir(repo_root().join("spec/vendor"))
                .unwrap()
                .count()
        );
        assert!(pages > 0);
        scratch.edit("Cargo.toml", |t| t + "# edited\n");
        assert!(scratch.read("Cargo.toml").ends_with("# edited\n"));
        drop(scratch);
        assert!(!root.exists());
    }

    #[test]
    #[should_panic(expected = "changed nothing")]
    fn an_edit_that_changes_nothing_fails() {
        let scratch = Scratch::new();
        scratch.write("a.txt", "x");
        scratch.edit("a.txt", |t| t.replace("y", "z"));
    }
}
