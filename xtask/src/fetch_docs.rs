//! `cargo xtask fetch-docs`: fetch every published page, regenerate, and
//! say what changed in the API.
//!
//! 1. Read `spec/vendor/sources.txt` ([`crate::published`]) and fetch every
//!    page ([`crate::fetch`]). Any refusal stops the run: nothing is written.
//! 2. Pages whose text (normalised) is what `spec/vendor/` holds are
//!    unchanged. None changed: done.
//! 3. In a scratch copy of `spec/`, put the changed pages, run `generate`
//!    and then `check-docs`. A page whose document does not generate stops
//!    the run here, with nothing written.
//! 4. Summarise, page by page, what changed in the API, read from
//!    `spec/paynet.json` before and after ([`crate::spec_diff`]), with
//!    check-docs' findings for the pages whose spec is hand-written, and for
//!    a field the page added or retyped, the edit to propose to that spec
//!    (by check-docs' own type rules).
//! 5. Unless `check`: write the pages and the generated files, all or none,
//!    then refresh the public API listings and add their diff.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::check_docs::{self, Finding, FindingKind};
use crate::docs::{self, DocType};
use crate::fetch::{self, Settings};
use crate::published::{self, Origin, Published};
use crate::sources::Source;
use crate::{generate, public_api, sources, spec_diff};

/// What `fetch-docs` does besides fetching.
#[derive(Debug, Clone)]
pub struct Options {
    /// How pages are fetched.
    pub settings: Settings,
    /// Write nothing; only say what would change.
    pub check: bool,
    /// Refresh the public API listings after writing (rustdoc: needs the
    /// whole workspace; the tests, on a scratch copy of `spec/`, leave it out).
    pub public_api: bool,
}

/// How a run ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every page is what `spec/vendor/` holds.
    Unchanged,
    /// Pages changed, and were written and regenerated (or, with `check`,
    /// would be).
    Changed,
}

impl Status {
    /// The exit code of `cargo xtask fetch-docs` for this status: 0 for
    /// nothing changed, 1 for changed. A failed run exits with [`FAILED`].
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Unchanged => 0,
            Status::Changed => 1,
        }
    }
}

/// The exit code of a run that failed: nothing was written.
pub const FAILED: u8 = 2;

/// The result of a run that did not fail.
#[derive(Debug)]
pub struct Run {
    /// Whether anything changed.
    pub status: Status,
    /// The summary, in Markdown (the body of the pull request).
    pub summary: String,
    /// The files written (none with `check`), relative to the root.
    pub written: Vec<String>,
}

/// One fetched page that differs from its file.
struct Changed<'a> {
    page: &'a Published,
    old: String,
    new: String,
}

/// The operation paths a page documents: the paths of its embedded OpenAPI
/// documents, or the path of its service URL.
fn page_paths(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for fence in sources::json_fences(text) {
        if let Ok(doc) = serde_json::from_str::<Value>(&fence.text) {
            paths.extend(paynet_spec::path_items(&doc).map(|(p, _)| p.to_string()));
        }
    }
    if let Some(url) = docs::parse(text).url
        && let Ok(url) = reqwest::Url::parse(&url.url)
    {
        paths.insert(url.path().to_string());
    }
    paths
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// Where, in the merged spec, the object schema that holds a table's
/// fields is defined (a JSON Pointer, `$ref`s followed).
fn schema_pointer(spec: &Value, path: &str, request: bool, parent: Option<&str>) -> Option<String> {
    let op = paynet_spec::operations(spec).find(|op| op.path() == path)?;
    let mut pointer = if request {
        op.request_body_schema_pointer().ok()??
    } else {
        op.responses()
            .into_iter()
            .find(|r| r.status == "200")?
            .schema_pointer()
            .ok()??
    };
    if let Some(parent) = parent {
        pointer = paynet_spec::target(
            spec,
            &format!("{pointer}/properties/{}/items", paynet_spec::escape(parent)),
        )
        .ok()?;
    }
    Some(pointer)
}

/// The property a documented type becomes, by check-docs' rules; `None`
/// for a type those rules do not know, or an array (a nested table).
fn proposed_property(doc_type: &DocType) -> Option<Value> {
    let types = check_docs::documented_types(doc_type)?;
    let [ty] = types.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if ty == "array" {
        return None;
    }
    let mut property = serde_json::json!({ "type": ty });
    if let Some(length) = doc_type.length {
        property["maxLength"] = length.into();
    }
    Some(property)
}

/// The edit to propose for one check-docs finding, if it is a field the
/// page added or retyped.
fn proposal(
    finding: &Finding,
    page: &docs::Page,
    path: &str,
    spec: &Value,
    files: &[Source],
) -> Option<String> {
    let added = match finding.kind {
        FindingKind::Added => true,
        FindingKind::Retyped => false,
        FindingKind::Other => return None,
    };
    let in_request = page.request.iter().any(|f| f.line == finding.line);
    let field = page
        .request
        .iter()
        .chain(&page.response)
        .find(|f| f.line == finding.line && !f.name.is_empty())?;
    let schema = schema_pointer(spec, path, in_request, field.parent.as_deref())?;
    let Source {
        name: file, doc, ..
    } = files
        .iter()
        .find(|source| source.doc.pointer(&schema).is_some())?;
    let Some(property) = proposed_property(&field.doc_type) else {
        return Some(format!(
            "by hand in {file} at {schema}: the page's type `{}` has no plain JSON type",
            field.doc_type
        ));
    };
    let at = format!("{schema}/properties");
    if added {
        let required = if field.required == Some(true) {
            format!(", and add \"{}\" to {schema}/required", field.name)
        } else {
            String::new()
        };
        return Some(format!(
            "in {file}, add to {at}: `\"{}\": {}` with a description in English that keeps Paynet's Turkish term{required}",
            field.name, property
        ));
    }
    let current = doc.pointer(&format!("{at}/{}", paynet_spec::escape(&field.name)))?;
    if current.get("type").is_none() || current.get("x-vendor-doc").is_some() {
        return Some(format!(
            "by hand in {file} at {at}/{}: it refers to a shared schema or declares a deviation; make it `{property}`, or declare the page's type `{}` with x-vendor-doc",
            field.name, field.doc_type
        ));
    }
    Some(format!(
        "in {file}, at {at}/{}: make `type` and `maxLength` read `{property}`",
        field.name
    ))
}

/// Writes every `(path, text)` under `root`, or none: each goes to a
/// temporary file beside its target first, then all are renamed; a failure
/// puts back what was already replaced.
fn write_all(root: &Path, files: &[(String, String)]) -> Result<()> {
    let temp = |path: &str| root.join(format!("{path}.fetch-docs.tmp"));
    let mut staged = Vec::new();
    let cleanup = |staged: &[&String]| {
        for path in staged {
            let _ = std::fs::remove_file(temp(path));
        }
    };
    for (path, text) in files {
        if let Err(e) = std::fs::write(temp(path), text) {
            cleanup(&staged);
            bail!("cannot write {path}: {e}; nothing was written");
        }
        staged.push(path);
    }
    let mut done: Vec<(&String, Option<Vec<u8>>)> = Vec::new();
    for path in staged.iter().copied() {
        let old = std::fs::read(root.join(path)).ok();
        if let Err(e) = std::fs::rename(temp(path), root.join(path)) {
            for (path, old) in done {
                match old {
                    Some(bytes) => {
                        let _ = std::fs::write(root.join(path), bytes);
                    }
                    None => {
                        let _ = std::fs::remove_file(root.join(path));
                    }
                }
            }
            cleanup(&staged);
            bail!("cannot replace {path}: {e}; every file was put back");
        }
        done.push((path, old));
    }
    Ok(())
}

/// Runs `fetch-docs` on the checkout at `root`.
///
/// `Err` means the run failed and nothing was written (exit code 2).
pub fn fetch_docs(root: &Path, options: &Options) -> Result<Run> {
    let pages = published::load(root)?;
    let client = fetch::client(&options.settings).map_err(|e| anyhow!(e))?;
    let mut failures = Vec::new();
    let mut changed = Vec::new();
    for page in &pages {
        let fetched = fetch::source_url(page, options.settings.base_url.as_deref())
            .and_then(|url| fetch::fetch(&client, url, &options.settings));
        match fetched {
            Err(reason) => failures.push(format!("spec/vendor/{}: {reason}", page.file)),
            Ok(new) => {
                let old = std::fs::read_to_string(root.join("spec/vendor").join(&page.file))
                    .with_context(|| format!("cannot read spec/vendor/{}", page.file))?;
                if fetch::normalise(&old) != new {
                    changed.push(Changed { page, old, new });
                }
            }
        }
    }
    if !failures.is_empty() {
        bail!(
            "{} of {} pages could not be fetched; nothing was written:\n  {}",
            failures.len(),
            pages.len(),
            failures.join("\n  ")
        );
    }
    if changed.is_empty() {
        return Ok(Run {
            status: Status::Unchanged,
            summary: format!(
                "Paynet's docs: all {} pages are as spec/vendor/ holds them.\n",
                pages.len()
            ),
            written: Vec::new(),
        });
    }

    // Generate and check in a scratch copy, so that a page that does not
    // generate leaves the checkout untouched.
    let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
    let stage = scratch.path();
    copy_dir(&root.join("spec"), &stage.join("spec")).context("cannot copy spec/")?;
    for c in &changed {
        std::fs::write(stage.join("spec/vendor").join(&c.page.file), &c.new)?;
    }
    let outputs = generate::build(stage)
        .with_context(|| {
            format!(
                "the fetched pages do not generate ({}); nothing was written",
                changed
                    .iter()
                    .map(|c| c.page.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?
        .outputs;
    // check-docs reads the merged spec from the scratch copy; the other
    // outputs stay in memory until they are written.
    let spec_text = &outputs
        .iter()
        .find(|o| o.path == generate::SPEC)
        .context("generate made no spec")?
        .text;
    std::fs::write(stage.join(generate::SPEC), spec_text)?;
    let before = read_json(&root.join(generate::SPEC))?;
    let after: Value = serde_json::from_str(spec_text).context("the generated spec is not JSON")?;
    let report = check_docs::check_docs(stage)?;
    let changes = spec_diff::changes(&before, &after);
    let files = sources::hand_written(stage)?;

    let mut summary = format!(
        "## Paynet's docs changed: {} of {} pages\n\n",
        changed.len(),
        pages.len()
    );
    let mut attributed = BTreeSet::new();
    for c in &changed {
        let name = format!("spec/vendor/{}", c.page.file);
        summary.push_str(&format!("### {name}\n\n{}\n", c.page.url));
        if c.page.origin == Origin::Transcription {
            summary.push_str(
                "\nThe published page replaces our transcription: the findings below include where the two differed.\n",
            );
        }
        let paths: BTreeSet<String> = page_paths(&c.old)
            .into_iter()
            .chain(page_paths(&c.new))
            .collect();
        let embedded = !sources::json_fences(&c.new).is_empty();
        let ours: Vec<&spec_diff::Change> = changes
            .iter()
            .filter(|ch| paths.contains(&ch.path))
            .collect();
        attributed.extend(ours.iter().map(|ch| ch.text.clone()));
        summary.push_str("\nChanges to the API (spec/paynet.json before and after):\n\n");
        if ours.is_empty() && embedded {
            summary.push_str("- none\n");
        } else if ours.is_empty() {
            summary
                .push_str("- none yet: the client follows once the hand-written spec is edited and `cargo xtask generate` is run\n");
        }
        for ch in &ours {
            summary.push_str(&format!("- {}\n", ch.text));
        }
        let findings: Vec<&Finding> = report.findings.iter().filter(|f| f.page == name).collect();
        if !embedded {
            let spec_files: Vec<&str> = files
                .iter()
                .filter(|source| {
                    paths
                        .iter()
                        .any(|p| paynet_spec::path_item(&source.doc, p).is_some())
                })
                .map(|source| source.name.as_str())
                .collect();
            summary.push_str(&format!(
                "\nThis page's spec is written by hand ({}): it does not follow the page by itself.\n",
                if spec_files.is_empty() {
                    "no document in spec/openapi/ has its path yet".to_string()
                } else {
                    spec_files.join(", ")
                }
            ));
        }
        if !findings.is_empty() {
            summary.push_str("\ncheck-docs (fix each before merging; after editing spec/openapi/, run `cargo xtask generate`, then `cargo xtask check-docs`: it reads the generated spec):\n\n");
            let page = docs::parse(&c.new);
            let path = paths.iter().next().map(String::as_str).unwrap_or("");
            for finding in findings {
                summary.push_str(&format!("- {finding}\n"));
                if let Some(edit) = proposal(finding, &page, path, &after, &files) {
                    summary.push_str(&format!("  - proposed: {edit}\n"));
                }
            }
        }
        summary.push('\n');
    }
    let others: Vec<&spec_diff::Change> = changes
        .iter()
        .filter(|ch| !attributed.contains(&ch.text))
        .collect();
    if !others.is_empty() {
        summary.push_str("### Other changes to the API\n\n");
        for ch in others {
            summary.push_str(&format!("- {}\n", ch.text));
        }
        summary.push('\n');
    }
    let unchanged_findings = report
        .findings
        .iter()
        .filter(|f| {
            !changed
                .iter()
                .any(|c| f.page == format!("spec/vendor/{}", c.page.file))
        })
        .count();
    if unchanged_findings > 0 {
        summary.push_str(&format!(
            "check-docs also has {unchanged_findings} findings on pages that did not change: run `cargo xtask check-docs`.\n\n"
        ));
    }

    if options.check {
        summary.push_str(
            "(--check: nothing was written; the public API listings are compared only when the files are written.)\n",
        );
        return Ok(Run {
            status: Status::Changed,
            summary,
            written: Vec::new(),
        });
    }

    let mut writes: Vec<(String, String)> = changed
        .iter()
        .map(|c| (format!("spec/vendor/{}", c.page.file), c.new.clone()))
        .collect();
    for output in outputs {
        if std::fs::read_to_string(root.join(output.path))
            .ok()
            .as_ref()
            != Some(&output.text)
        {
            writes.push((output.path.to_string(), output.text));
        }
    }
    write_all(root, &writes)?;
    let mut written: Vec<String> = writes.into_iter().map(|(p, _)| p).collect();

    if options.public_api {
        summary.push_str("### The public API listings\n\n");
        let listings: Vec<(String, String)> = public_api::CRATES
            .iter()
            .map(|k| {
                let path = public_api::listing_path(k);
                let text = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
                (path, text)
            })
            .collect();
        match public_api::refresh(root, false) {
            Err(e) => summary.push_str(&format!(
                "Not refreshed: {e:#}. Run `cargo xtask generate` and read `git diff public-api/`.\n"
            )),
            Ok(outcome) if outcome.stale.is_empty() => summary.push_str("Unchanged.\n"),
            Ok(outcome) => {
                written.extend(outcome.stale);
                summary.push_str("```diff\n");
                for (path, old) in listings {
                    let new = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
                    if new != old {
                        summary.push_str(
                            &similar::TextDiff::from_lines(&old, &new)
                                .unified_diff()
                                .context_radius(0)
                                .header(&format!("a/{path}"), &format!("b/{path}"))
                                .to_string(),
                        );
                    }
                }
                summary.push_str(
                    "```\n\nA removed or changed line breaks users' builds (README, \"Versioning\").\n",
                );
            }
        }
    }
    Ok(Run {
        status: Status::Changed,
        summary,
        written,
    })
}
