//! `cargo xtask`: maintenance commands for the Paynet workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Maintenance commands for the Paynet client workspace",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Merge spec/vendor/*.md and spec/openapi/*.json into spec/paynet.json
    /// (normalized and validated), then generate paynet-api/src/generated.rs
    /// with progenitor and the operations table generated_operations.rs,
    /// and refresh the public API listings in public-api/ (rustdoc JSON).
    Generate {
        /// Write nothing: print a unified diff of every stale file and exit
        /// non-zero if any is stale.
        #[arg(long)]
        check: bool,
        /// Leave the public API listings in public-api/ alone: the spec and
        /// the generated code only, in milliseconds instead of a rustdoc run.
        /// CI always checks the listings.
        #[arg(long)]
        spec_only: bool,
    },
    /// Compare spec/vendor's pages with spec/paynet.json: fields, required
    /// flags, types, examples and URLs of the GitBook pages, and the embedded
    /// OpenAPI of the SoftPOS pages. One line per finding; non-zero exit on
    /// any finding not declared with x-vendor-doc.
    CheckDocs {
        /// Also print the notes: declared deviations and repaired examples.
        #[arg(long)]
        verbose: bool,
    },
    /// Fetch every page listed in spec/vendor/sources.txt (its URL + `.md`),
    /// replace the vendor files that changed, run generate and check-docs,
    /// and print, page by page, what changed in the API (Markdown, on
    /// stdout). Nothing is written when any page is refused (a timeout, too
    /// large, a redirect to another host, HTML, an empty page, a 4xx, a 5xx
    /// after retries) or the pages do not generate.
    ///
    /// Exit codes: 0 nothing changed; 1 pages changed and were regenerated
    /// (with --check: would be); 2 the fetch failed and nothing was written.
    #[command(
        after_help = "Exit codes: 0 nothing changed, 1 pages changed (regenerated, or with --check would be), 2 the fetch failed and nothing was written."
    )]
    FetchDocs {
        /// Fetch from this scheme and host instead of each page's own (a
        /// mirror, or a local server in tests), keeping each page's path.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Write nothing: only say what would change.
        #[arg(long)]
        check: bool,
        /// Seconds one page may take, from connecting to its last byte.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Leave the public API listings alone (see `generate --spec-only`).
        #[arg(long)]
        spec_only: bool,
    },
}

/// The checkout the command was started in (see `xtask::workspace`), never
/// the one this binary was built in.
fn workspace_root() -> anyhow::Result<PathBuf> {
    let dir = std::env::current_dir().context("cannot read the current directory")?;
    xtask::workspace::locate(&dir)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = match workspace_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let name = match cli.command {
        Command::Generate { check: true, .. } => "generate --check",
        Command::Generate { check: false, .. } => "generate",
        Command::CheckDocs { .. } => "check-docs",
        Command::FetchDocs { check: true, .. } => "fetch-docs --check",
        Command::FetchDocs { check: false, .. } => "fetch-docs",
    };
    // fetch-docs prints its summary (Markdown) on stdout: the workspace
    // line goes to stderr there, so that the summary can be a PR body.
    if matches!(cli.command, Command::FetchDocs { .. }) {
        eprintln!("{name}: workspace {}", root.display());
    } else {
        println!("{name}: workspace {}", root.display());
    }
    match cli.command {
        Command::FetchDocs {
            base_url,
            check,
            timeout,
            spec_only,
        } => {
            let options = xtask::fetch_docs::Options {
                settings: xtask::fetch::Settings {
                    base_url,
                    timeout: std::time::Duration::from_secs(timeout),
                    ..Default::default()
                },
                check,
                public_api: !spec_only,
            };
            match xtask::fetch_docs::fetch_docs(&root, &options) {
                Ok(run) => {
                    print!("{}", run.summary);
                    for path in &run.written {
                        eprintln!("fetch-docs: wrote {path}");
                    }
                    ExitCode::from(run.status.exit_code())
                }
                Err(e) => {
                    eprintln!("error: fetch-docs: {e:#}");
                    ExitCode::from(xtask::fetch_docs::FAILED)
                }
            }
        }
        Command::CheckDocs { verbose } => match xtask::check_docs::check_docs(&root) {
            Ok(report) => {
                if verbose {
                    for note in &report.notes {
                        println!("note: {note}");
                    }
                }
                for finding in &report.findings {
                    println!("{finding}");
                }
                println!(
                    "check-docs: {} pages, {} fields compared, {} findings, {} declared deviations and notes{}",
                    report.pages,
                    report.fields,
                    report.findings.len(),
                    report.notes.len(),
                    if verbose {
                        ""
                    } else {
                        " (--verbose lists them)"
                    }
                );
                if report.findings.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Generate { check, spec_only } => {
            let outcome = match xtask::generate(&root, check) {
                Ok(outcome) => outcome,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return ExitCode::FAILURE;
                }
            };
            for line in &outcome.normalizations {
                println!("normalized {line}");
            }
            for line in &outcome.merges {
                println!("merged {line}");
            }
            if !check {
                for path in &outcome.stale {
                    println!("generate: wrote {path}");
                }
            }
            // The listings are read from the crates as they now are on disk:
            // after the write above, or, with --check, as committed (and a
            // stale generated file has already failed the check then).
            let api = match spec_only {
                true => Ok(xtask::public_api::Outcome::default()),
                false => xtask::public_api::refresh(&root, check),
            };
            let api = match api {
                Ok(api) => api,
                Err(e) => {
                    eprintln!("error: public API listing: {e:#}");
                    return ExitCode::FAILURE;
                }
            };
            let mut stale: Vec<String> = outcome.stale.iter().map(|p| p.to_string()).collect();
            stale.extend(api.stale.iter().cloned());
            if check {
                if stale.is_empty() {
                    println!("generate --check: everything is up to date");
                    ExitCode::SUCCESS
                } else {
                    print!("{}{}", outcome.diff, api.diff);
                    eprintln!(
                        "generate --check: stale: {} (run `cargo xtask generate`)",
                        stale.join(", ")
                    );
                    ExitCode::FAILURE
                }
            } else {
                for path in &api.stale {
                    println!("generate: wrote {path} (the public API changed: review it)");
                }
                if stale.is_empty() {
                    println!("generate: everything was up to date");
                }
                ExitCode::SUCCESS
            }
        }
    }
}
