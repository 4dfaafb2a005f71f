//! `cargo xtask` acts on the checkout it is started in, even when cargo runs
//! a binary that was built in another checkout.
//!
//! Cargo reuses build artifacts across checkouts that share a target
//! directory: the second checkout gets the first one's `xtask` binary as it
//! is. A root compiled in (`env!("CARGO_MANIFEST_DIR")`) then names the first
//! checkout, and `generate` run in the second rewrote the first one's files.
//! The main test here builds that situation with two scratch checkouts and
//! one `CARGO_TARGET_DIR`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use xtask::generate::{CLIENT, OPERATIONS, SPEC, SPEC_COPY};

const OUTPUTS: [&str; 4] = [SPEC, CLIENT, OPERATIONS, SPEC_COPY];

/// The source both scratch checkouts change, each in its own way, so that
/// their outputs differ.
const SOURCE: &str = "spec/openapi/preauth-reversal.json";
const PHRASE: &str = "Paynet's message (sistem mesajı)";

fn repo() -> PathBuf {
    xtask::workspace::locate(&std::env::current_dir().unwrap()).unwrap()
}

/// Copies `from` into `to`, keeping modification times (cargo compares them
/// to decide what is fresh).
fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "target" {
                copy_tree(&entry.path(), &to.join(entry.file_name()));
            }
        }
    } else {
        fs::copy(from, to).unwrap();
        let modified = fs::metadata(from).unwrap().modified().unwrap();
        fs::File::options()
            .write(true)
            .open(to)
            .unwrap()
            .set_modified(modified)
            .unwrap();
    }
}

/// A scratch checkout: the workspace manifest (with only the members the
/// xtask needs), `Cargo.lock` (so that `--offline` resolves to the same
/// versions), the cargo alias, the xtask's own sources, the specs it reads
/// `paynet-spec`, which it reads the spec with, and `paynet-api`, whose
/// files it writes. `PHRASE` in `SOURCE` gets
/// `marker` appended.
fn checkout(marker: &str) -> tempfile::TempDir {
    let repo = repo();
    let dir = tempfile::tempdir().unwrap();
    for part in [
        "Cargo.lock",
        ".cargo",
        "xtask",
        "spec",
        "paynet-api",
        "paynet-spec",
        // Not built, but cargo reads the manifests of every path
        // dependency, the xtask's test-only ones included.
        "tests",
        "paynet-ext",
        "paynet-mock",
    ] {
        copy_tree(&repo.join(part), &dir.path().join(part));
    }
    let manifest = fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let mut trimmed = String::new();
    for line in manifest.lines() {
        if line.starts_with("members = ") {
            trimmed.push_str("members = [\"paynet-api\", \"paynet-spec\", \"xtask\"]\n");
        } else if !line.starts_with("default-members = ") {
            trimmed.push_str(line);
            trimmed.push('\n');
        }
    }
    assert!(trimmed.contains("members = [\"paynet-api\", \"paynet-spec\", \"xtask\"]"));
    fs::write(dir.path().join("Cargo.toml"), trimmed).unwrap();
    let source = dir.path().join(SOURCE);
    let text = fs::read_to_string(&source).unwrap();
    assert!(text.contains(PHRASE), "{SOURCE} no longer says {PHRASE:?}");
    fs::write(
        &source,
        text.replace(PHRASE, &format!("{PHRASE}, {marker}")),
    )
    .unwrap();
    dir
}

/// The generated files of a checkout, byte for byte.
fn outputs(root: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    OUTPUTS
        .into_iter()
        .map(|path| (path, fs::read(root.join(path)).unwrap()))
        .collect()
}

fn contains(outputs: &BTreeMap<&'static str, Vec<u8>>, path: &str, needle: &str) -> bool {
    String::from_utf8_lossy(&outputs[path]).contains(needle)
}

/// A target directory of our own, started warm from the one this test was
/// built in, so that only `xtask` itself is compiled: dependency libraries
/// are hard-linked (rustc and the linker replace an output by renaming, so
/// the originals are never written through the links), and everything cargo
/// may rewrite in place (fingerprints, build script outputs) is copied.
/// Nothing of a workspace member is taken. Returns the directory and the
/// linked originals with their length and modification time, to check at
/// the end that the warm directory was not touched. Without a warm
/// directory, the build is simply cold.
fn seeded_target() -> (tempfile::TempDir, Vec<(PathBuf, u64, SystemTime)>) {
    let target = tempfile::tempdir().unwrap();
    let mut linked = Vec::new();
    // This test runs from <target>/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    let Some(profile) = exe.parent().and_then(Path::parent) else {
        return (target, linked);
    };
    if !profile.join(".fingerprint").is_dir() || !profile.join("deps").is_dir() {
        return (target, linked);
    }
    let seeded = target.path().join(profile.file_name().unwrap());
    for part in [".fingerprint", "build"] {
        if profile.join(part).is_dir() {
            copy_tree(&profile.join(part), &seeded.join(part));
        }
    }
    fs::create_dir_all(seeded.join("deps")).unwrap();
    for entry in fs::read_dir(profile.join("deps")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let library = [".rlib", ".rmeta", ".so", ".dylib", ".dll"]
            .iter()
            .any(|ext| name.ends_with(ext));
        let member = name.starts_with("libxtask") || name.starts_with("libpaynet");
        if library && !member {
            let meta = entry.metadata().unwrap();
            fs::hard_link(entry.path(), seeded.join("deps").join(&name)).unwrap();
            linked.push((entry.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    (target, linked)
}

/// `cargo xtask ARGS` in `dir`, offline, with `target` as the target
/// directory.
fn cargo_xtask(dir: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(["--offline", "xtask"])
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn two_checkouts_sharing_a_target_dir_each_generate_their_own_files() {
    // Both checkouts exist before the one build, so that their sources are
    // older than the binary and cargo hands checkout B the binary it built
    // for checkout A: the situation of the issue.
    let a = checkout("checkout A");
    let b = checkout("checkout B");
    let root_a = a.path().canonicalize().unwrap();
    let root_b = b.path().canonicalize().unwrap();
    let (target, linked) = seeded_target();
    let committed_a = outputs(&root_a);
    let committed_b = outputs(&root_b);
    assert_eq!(committed_a, committed_b);

    // --check in each reports its own stale files, and writes nothing.
    let check_a = cargo_xtask(
        &root_a,
        target.path(),
        &["generate", "--check", "--spec-only"],
    );
    assert!(!check_a.status.success(), "{}", text(&check_a));
    let out = stdout(&check_a);
    assert!(
        out.starts_with(&format!(
            "generate --check: workspace {}\n",
            root_a.display()
        )),
        "{}",
        text(&check_a)
    );
    assert!(out.contains("+++ b/spec/paynet.json"), "{}", text(&check_a));
    assert!(out.contains("checkout A"), "{}", text(&check_a));
    assert!(!out.contains("checkout B"), "{}", text(&check_a));

    let check_b = cargo_xtask(
        &root_b,
        target.path(),
        &["generate", "--check", "--spec-only"],
    );
    let err = String::from_utf8_lossy(&check_b.stderr);
    assert!(
        !err.contains("Compiling xtask"),
        "cargo rebuilt xtask for checkout B, so this test no longer shows that a binary built elsewhere acts on the checkout it runs in:\n{}",
        text(&check_b)
    );
    assert!(!check_b.status.success(), "{}", text(&check_b));
    let out = stdout(&check_b);
    assert!(
        out.starts_with(&format!(
            "generate --check: workspace {}\n",
            root_b.display()
        )),
        "{}",
        text(&check_b)
    );
    assert!(out.contains("checkout B"), "{}", text(&check_b));
    assert!(!out.contains("checkout A"), "{}", text(&check_b));
    assert_eq!(outputs(&root_a), committed_a);
    assert_eq!(outputs(&root_b), committed_b);

    // generate in A writes A's files only.
    let gen_a = cargo_xtask(&root_a, target.path(), &["generate", "--spec-only"]);
    assert!(gen_a.status.success(), "{}", text(&gen_a));
    assert!(
        stdout(&gen_a).starts_with(&format!("generate: workspace {}\n", root_a.display())),
        "{}",
        text(&gen_a)
    );
    let written_a = outputs(&root_a);
    for path in OUTPUTS {
        assert_ne!(
            written_a[path], committed_a[path],
            "{path} not rewritten in A"
        );
        assert!(stdout(&gen_a).contains(&format!("generate: wrote {path}\n")));
    }
    assert!(contains(&written_a, SPEC, "checkout A"));
    assert!(contains(&written_a, SPEC_COPY, "checkout A"));
    assert_eq!(outputs(&root_b), committed_b, "generate in A wrote into B");

    // generate in B, with the binary built for A, writes B's files only.
    let gen_b = cargo_xtask(&root_b, target.path(), &["generate", "--spec-only"]);
    assert!(gen_b.status.success(), "{}", text(&gen_b));
    assert!(
        stdout(&gen_b).starts_with(&format!("generate: workspace {}\n", root_b.display())),
        "{}",
        text(&gen_b)
    );
    let written_b = outputs(&root_b);
    assert!(contains(&written_b, SPEC, "checkout B"));
    assert!(contains(&written_b, SPEC_COPY, "checkout B"));
    assert!(!contains(&written_b, SPEC, "checkout A"));
    assert_eq!(outputs(&root_a), written_a, "generate in B wrote into A");

    // Each is now up to date, and says so about itself.
    for (root, check) in [(&root_a, "A"), (&root_b, "B")] {
        let output = cargo_xtask(root, target.path(), &["generate", "--check", "--spec-only"]);
        assert!(output.status.success(), "{check}: {}", text(&output));
        assert!(
            stdout(&output).contains("generate --check: everything is up to date"),
            "{check}: {}",
            text(&output)
        );
    }

    // The warm target directory the scratch one started from is as it was.
    for (path, len, modified) in linked {
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(
            (meta.len(), meta.modified().unwrap()),
            (len, modified),
            "{} was written through its hard link",
            path.display()
        );
    }
}

/// The binary this test was built with, run in `dir`.
fn xtask_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn from_a_subdirectory_it_acts_on_that_checkout() {
    let a = checkout("checkout A");
    let root = a.path().canonicalize().unwrap();
    let output = xtask_in(
        &root.join("spec/vendor"),
        &["generate", "--check", "--spec-only"],
    );
    assert!(!output.status.success(), "{}", text(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with(&format!("generate --check: workspace {}\n", root.display())),
        "{}",
        text(&output)
    );
    assert!(out.contains("checkout A"), "{}", text(&output));
}

#[test]
fn outside_a_checkout_it_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = xtask_in(dir.path(), &["generate", "--spec-only"]);
    assert!(!output.status.success(), "{}", text(&output));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("is not inside a checkout of the Paynet workspace"),
        "{}",
        text(&output)
    );
    assert!(
        err.contains("run `cargo xtask` from the checkout you want it to act on"),
        "{}",
        text(&output)
    );
    assert!(stdout(&output).is_empty(), "{}", text(&output));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn in_another_workspace_it_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    fs::create_dir_all(dir.path().join("spec")).unwrap();
    let output = xtask_in(dir.path(), &["generate", "--spec-only"]);
    assert!(!output.status.success(), "{}", text(&output));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("is not a checkout of the Paynet workspace")
            && err.contains("has no member paynet-api or xtask"),
        "{}",
        text(&output)
    );
    assert!(!dir.path().join("paynet-api").exists());
    assert!(
        fs::read_dir(dir.path().join("spec"))
            .unwrap()
            .next()
            .is_none()
    );
}
