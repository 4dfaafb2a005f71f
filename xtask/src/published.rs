//! Where each vendor page is published: `spec/vendor/sources.txt`.
//!
//! `cargo xtask fetch-docs` reads this list to know what to fetch. The file
//! is plain text so that adding a page is adding a line: comments start
//! with `#`, and each other line is `file origin url [unverified]`,
//! separated by spaces (the file's own header says what each column means).

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The list, relative to the workspace root.
pub const LIST: &str = "spec/vendor/sources.txt";

/// How a vendor file came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The page's Markdown export, unchanged.
    Export,
    /// Written by us from the published page: its fields, types and flags as
    /// published, its words ours. The first fetch replaces it.
    Transcription,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Export => "export",
            Origin::Transcription => "transcription",
        })
    }
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The file's name in `spec/vendor/` (`capture-reversal.md`).
    pub file: String,
    /// How the file came to be.
    pub origin: Origin,
    /// The published page, without `.md`.
    pub url: String,
    /// Nobody has confirmed that the page is at exactly this URL.
    pub unverified: bool,
    /// 1-based line in the list, for messages.
    pub line: usize,
}

impl Published {
    /// Where the page's Markdown is: the URL plus `.md`.
    pub fn markdown_url(&self) -> String {
        format!("{}.md", self.url)
    }
}

/// Parses the list's text; an error names the line.
pub fn parse(text: &str) -> Result<Vec<Published>> {
    let mut pages: Vec<Published> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let columns: Vec<&str> = content.split_whitespace().collect();
        let (file, origin, url, unverified) = match columns.as_slice() {
            [file, origin, url] => (*file, *origin, *url, false),
            [file, origin, url, "unverified"] => (*file, *origin, *url, true),
            _ => bail!("{LIST}:{line}: expected `file origin url [unverified]`, found {content:?}"),
        };
        let origin = match origin {
            "export" => Origin::Export,
            "transcription" => Origin::Transcription,
            other => {
                bail!("{LIST}:{line}: the origin is `export` or `transcription`, not {other:?}")
            }
        };
        if !file.ends_with(".md") || file.contains('/') {
            bail!("{LIST}:{line}: {file:?} is not the name of a Markdown file in spec/vendor/");
        }
        if !url.starts_with("https://") || url.ends_with(".md") || url.ends_with('/') {
            bail!(
                "{LIST}:{line}: {url:?} is not a page URL (https, without the `.md` and without a trailing slash)"
            );
        }
        if let Some(earlier) = pages.iter().find(|p| p.file == file) {
            bail!(
                "{LIST}:{line}: {file} is listed twice (first on line {})",
                earlier.line
            );
        }
        pages.push(Published {
            file: file.to_string(),
            origin,
            url: url.to_string(),
            unverified,
            line,
        });
    }
    Ok(pages)
}

/// Reads the list under `root` and checks it against the folder: every
/// Markdown file in `spec/vendor/` is listed, and every listed file exists.
pub fn load(root: &Path) -> Result<Vec<Published>> {
    let text =
        std::fs::read_to_string(root.join(LIST)).with_context(|| format!("cannot read {LIST}"))?;
    let pages = parse(&text)?;
    let on_disk: Vec<String> = crate::sources::vendor_pages(root)?
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let unlisted: Vec<&str> = on_disk
        .iter()
        .filter(|f| !pages.iter().any(|p| &p.file == *f))
        .map(String::as_str)
        .collect();
    if !unlisted.is_empty() {
        bail!(
            "{LIST} does not say where {} is published: add a line for each",
            unlisted.join(", ")
        );
    }
    let missing: Vec<String> = pages
        .iter()
        .filter(|p| !on_disk.contains(&p.file))
        .map(|p| format!("{} (line {})", p.file, p.line))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{LIST} lists files that are not in spec/vendor/: {}",
            missing.join(", ")
        );
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_comments_and_the_unverified_mark() {
        let pages = parse(
            "# header\n\na.md export https://h/x  # trailing\nb.md  transcription  https://h/y  unverified\n",
        )
        .unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(
            (pages[0].file.as_str(), pages[0].origin, pages[0].unverified),
            ("a.md", Origin::Export, false)
        );
        assert_eq!(pages[0].markdown_url(), "https://h/x.md");
        assert_eq!(pages[1].line, 4);
        assert!(pages[1].unverified);
        assert_eq!(pages[1].origin, Origin::Transcription);
    }

    #[test]
    fn refuses_malformed_lines_naming_them() {
        for (text, expected) in [
            ("a.md https://h/x\n", "sources.txt:1: expected"),
            ("a.md copy https://h/x\n", "not \"copy\""),
            ("a.md export http://h/x\n", "is not a page URL"),
            ("a.md export https://h/x.md\n", "is not a page URL"),
            (
                "a.txt export https://h/x\n",
                "is not the name of a Markdown file",
            ),
            (
                "a.md export https://h/x\na.md export https://h/y\n",
                "listed twice",
            ),
            ("a.md export https://h/x maybe\n", "expected"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }
}
