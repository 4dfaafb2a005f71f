//! Finding and parsing the sources of the merged document.
//!
//! Two kinds of source:
//! - every Markdown page in `spec/vendor/` that holds a ```` ```json ````
//!   fence: the OpenAPI document inside it (the SoftPOS pages publish theirs
//!   this way), so a new page dropped there joins the client unchanged;
//! - every `*.json` file in `spec/openapi/`: the hand-written documents.
//!   `base.json` among them gives the merged document its `info` and
//!   `servers`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One parsed source document.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the workspace root, for messages (`spec/vendor/x.md`).
    pub name: String,
    /// Line of the file where the JSON text starts (1-based); 1 for a `.json` file.
    pub first_line: usize,
    /// The parsed document.
    pub doc: Value,
}

/// An error that names the file (and line:column for JSON syntax errors).
#[derive(Debug)]
pub struct SourceError {
    /// The file, relative to the workspace root.
    pub file: String,
    /// `line:column` in that file, where known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => {
                write!(f, "{}:{}:{}: {}", self.file, line, column, self.message)
            }
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SourceError {}

/// A ```` ```json ```` fence found in a Markdown page.
#[derive(Debug, PartialEq, Eq)]
pub struct Fence {
    /// 1-based line of the first line inside the fence.
    pub first_line: usize,
    /// The text inside the fence.
    pub text: String,
}

/// Every ```` ```json ```` fence in `markdown`, in order.
pub fn json_fences(markdown: &str) -> Vec<Fence> {
    let mut fences = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        match &mut open {
            None if trimmed == "```json" => open = Some((index + 2, String::new())),
            None => {}
            Some(_) if trimmed == "```" => {
                let (first_line, text) = open.take().expect("checked just above");
                fences.push(Fence { first_line, text });
            }
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    fences
}

/// Parses `text` as JSON; an error names `file` and the line:column in it.
pub fn parse_json(file: &str, first_line: usize, text: &str) -> Result<Value, SourceError> {
    serde_json::from_str(text).map_err(|e| SourceError {
        file: file.to_string(),
        position: Some((first_line + e.line().saturating_sub(1), e.column())),
        message: format!("invalid JSON: {e}"),
    })
}

fn sorted_files(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError {
        file: dir.display().to_string(),
        position: None,
        message: format!("cannot read the folder: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    Ok(files)
}

/// The vendor pages, `root/spec/vendor/*.md`, in file-name order.
pub fn vendor_pages(root: &Path) -> Result<Vec<PathBuf>, SourceError> {
    sorted_files(&root.join("spec/vendor"), "md")
}

/// The text of `path`, and its name relative to `root` for messages.
pub fn read(root: &Path, path: &Path) -> Result<(String, String), SourceError> {
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SourceError {
        file: name.clone(),
        position: None,
        message: format!("cannot read: {e}"),
    })?;
    Ok((name, text))
}

/// Loads every source under `root/spec`, vendor pages first, in file-name order.
pub fn load(root: &Path) -> Result<Vec<Source>, SourceError> {
    let mut sources = Vec::new();
    for path in vendor_pages(root)? {
        let (name, text) = read(root, &path)?;
        for fence in json_fences(&text) {
            let doc = parse_json(&name, fence.first_line, &fence.text)?;
            sources.push(Source {
                name: name.clone(),
                first_line: fence.first_line,
                doc,
            });
        }
    }
    sources.extend(hand_written(root)?);
    Ok(sources)
}

/// The hand-written OpenAPI documents, `root/spec/openapi/*.json`, in
/// file-name order.
pub fn hand_written(root: &Path) -> Result<Vec<Source>, SourceError> {
    sorted_files(&root.join("spec/openapi"), "json")?
        .into_iter()
        .map(|path| {
            let (name, text) = read(root, &path)?;
            let doc = parse_json(&name, 1, &text)?;
            Ok(Source {
                name,
                first_line: 1,
                doc,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_json_fences_with_their_first_line() {
        let page = "# T\n\n```\n{\"not\": 1}\n```\n\n```json\n{\"a\": 1}\n```\n";
        assert_eq!(
            json_fences(page),
            vec![Fence {
                first_line: 8,
                text: "{\"a\": 1}\n".to_string()
            }]
        );
    }

    #[test]
    fn json_error_position_is_counted_in_the_file() {
        let err = parse_json("spec/vendor/p.md", 8, "{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(err.position, Some((9, 8)));
        assert!(
            err.to_string()
                .starts_with("spec/vendor/p.md:9:8: invalid JSON"),
            "{err}"
        );
    }
}
