//! Which checkout `cargo xtask` acts on: the one it was started in.
//!
//! The root is found at run time, never from `env!("CARGO_MANIFEST_DIR")`:
//! cargo reuses build artifacts across checkouts that share a target
//! directory (`CARGO_TARGET_DIR`, `build.target-dir`), so a path baked in at
//! compile time can name another checkout than the one the command was run
//! in, and `generate` would rewrite that other checkout's files.
//!
//! `cargo run` (and so `cargo xtask`) starts the binary in the directory it
//! was invoked from. From there, cargo itself says which workspace that
//! directory belongs to (`cargo metadata --no-deps`, the same rule every
//! cargo command uses), and the root is accepted only if it is a checkout of
//! this workspace: its members include `paynet-api` and `xtask`, and it has
//! a `spec/` folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Members a checkout of this workspace has.
pub const REQUIRED_MEMBERS: [&str; 2] = ["paynet-api", "xtask"];

/// The root of the checkout of this workspace that contains `dir`.
///
/// Fails, naming `dir`, when `dir` is in no cargo workspace or in another
/// one than this.
pub fn locate(dir: &Path) -> Result<PathBuf> {
    let metadata = match metadata(dir)? {
        Ok(metadata) => metadata,
        Err(reason) => bail!(
            "{} is not inside a checkout of the Paynet workspace ({}); run `cargo xtask` from the checkout you want it to act on",
            dir.display(),
            reason
        ),
    };
    let root = metadata["workspace_root"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata names no workspace_root")?;
    let members: Vec<&Value> = metadata["workspace_members"]
        .as_array()
        .map(|ids| ids.iter().collect())
        .unwrap_or_default();
    let names: Vec<&str> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| members.contains(&&p["id"]))
        .filter_map(|p| p["name"].as_str())
        .collect();
    let missing: Vec<&str> = REQUIRED_MEMBERS
        .into_iter()
        .filter(|m| !names.contains(m))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} is not a checkout of the Paynet workspace: its workspace {} has no member {}; run `cargo xtask` from the checkout you want it to act on",
            dir.display(),
            root.display(),
            missing.join(" or ")
        );
    }
    if !root.join("spec").is_dir() {
        bail!(
            "{} is not a checkout of the Paynet workspace: it has no spec/ folder",
            root.display()
        );
    }
    Ok(root)
}

/// The target directory cargo uses for the workspace at `root`
/// (`CARGO_TARGET_DIR`, `build.target-dir`, or `target/`).
pub fn target_dir(root: &Path) -> Result<PathBuf> {
    let metadata =
        metadata(root)?.map_err(|reason| anyhow::anyhow!("cargo metadata failed: {reason}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata names no target_directory")
}

/// `cargo metadata --no-deps` run in `dir`: its JSON, or, when cargo
/// refuses, the first line it printed (the reason, without `error: `).
fn metadata(dir: &Path) -> Result<std::result::Result<Value, String>> {
    // `cargo run` sets CARGO to the cargo that started us; a binary run by
    // hand falls back to the one on PATH.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run `{} metadata`", cargo.to_string_lossy()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("cargo metadata failed");
        return Ok(Err(reason.trim().trim_start_matches("error: ").to_string()));
    }
    Ok(Ok(
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?
    ))
}
