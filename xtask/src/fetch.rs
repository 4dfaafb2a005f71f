//! Fetching the published pages: one GET per page, with every refusal rule.
//!
//! A page is refused, with its file and the reason, when the server does
//! not answer in time or sends more than the size limit, redirects to
//! another host (scheme, host or port), answers HTML where Markdown was
//! expected, an empty page, a 404 or another 4xx. A 5xx (and a connection
//! that could not be made) is tried again a few times, waiting twice as
//! long each time. Redirects within the same host are followed (a few).
//!
//! What changes on every fetch is normalised, and nothing else: the bytes
//! that depend on how the page travelled, not on what it says. That is a
//! leading byte-order mark, CRLF line ends, and the number of newlines at
//! the end (exactly one is kept). No line of the pages we hold changes from
//! one fetch to the next; the "Agent Instructions" block the site appends
//! is kept as it comes, like the rest. A line found to change on every
//! fetch (a date, a build id) belongs in [`normalise`], and in the README's
//! "When Paynet's docs change".

use std::io::Read;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;

use crate::published::Published;

/// How pages are fetched.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Replaces each URL's scheme and host (`http://127.0.0.1:8080`), for
    /// tests and mirrors; a path here is put before the page's path.
    pub base_url: Option<String>,
    /// The longest one page may take, from connecting to its last byte.
    pub timeout: Duration,
    /// The largest page accepted, in bytes.
    pub max_bytes: u64,
    /// How many times a 5xx (or a failed connection) is tried again.
    pub retries: u32,
    /// The wait before the first retry; each further one waits twice as long.
    pub backoff: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: None,
            timeout: Duration::from_secs(30),
            max_bytes: 2 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(2),
        }
    }
}

/// Redirects followed within one host before giving up.
const MAX_REDIRECTS: usize = 5;

/// The URL a page is fetched from: its Markdown URL, with the scheme and
/// host of `base` when one is given.
pub fn source_url(page: &Published, base: Option<&str>) -> Result<Url, String> {
    let published = Url::parse(&page.markdown_url())
        .map_err(|e| format!("{} is not a URL: {e}", page.markdown_url()))?;
    let Some(base) = base else {
        return Ok(published);
    };
    let base = Url::parse(base).map_err(|e| format!("--base-url {base:?} is not a URL: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
        return Err(format!(
            "--base-url {base} is not an http or https URL with a host"
        ));
    }
    let joined = format!(
        "{}{}",
        base.as_str().trim_end_matches('/'),
        published.path()
    );
    Url::parse(&joined).map_err(|e| format!("{joined} is not a URL: {e}"))
}

/// A client for [`fetch`]: no redirect followed by itself (each one is
/// checked here), the timeout of `settings`, and no proxy for a loopback
/// base URL (a test's local server).
pub fn client(settings: &Settings) -> Result<Client, String> {
    let mut builder = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!(
            "paynet-rs-xtask/",
            env!("CARGO_PKG_VERSION"),
            " fetch-docs"
        ));
    let loopback = settings
        .base_url
        .as_deref()
        .and_then(|b| Url::parse(b).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| h == "localhost" || h == "[::1]" || h.starts_with("127."));
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Fetches one page; `Err` is the reason it was refused, as one sentence.
pub fn fetch(client: &Client, url: Url, settings: &Settings) -> Result<String, String> {
    let mut url = url;
    let mut redirects = 0;
    let mut attempt = 0;
    loop {
        let response = match client.get(url.clone()).send() {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                return Err(format!(
                    "{url}: no complete answer within {}",
                    seconds(settings.timeout)
                ));
            }
            Err(e) if attempt < settings.retries => {
                let _ = e;
                std::thread::sleep(settings.backoff * 2u32.pow(attempt));
                attempt += 1;
                continue;
            }
            Err(e) => {
                return Err(format!(
                    "{url}: cannot connect after {} attempts: {e}",
                    attempt + 1
                ));
            }
        };
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{url}: HTTP {status} without a Location"))?;
            let next = url
                .join(location)
                .map_err(|e| format!("{url}: HTTP {status} to {location:?}, not a URL: {e}"))?;
            if !same_origin(&url, &next) {
                return Err(format!(
                    "{url}: redirects to another host ({next}); refused: the list in spec/vendor/sources.txt names where each page is"
                ));
            }
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(format!("{url}: more than {MAX_REDIRECTS} redirects"));
            }
            url = next;
            continue;
        }
        if status.is_server_error() {
            if attempt < settings.retries {
                std::thread::sleep(settings.backoff * 2u32.pow(attempt));
                attempt += 1;
                continue;
            }
            return Err(format!(
                "{url}: HTTP {status} after {} attempts",
                attempt + 1
            ));
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(format!(
                "{url}: HTTP 404 Not Found: the page is not (or no longer) at this URL; correct it in spec/vendor/sources.txt"
            ));
        }
        if !status.is_success() {
            return Err(format!("{url}: HTTP {status}"));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.contains("html") {
            return Err(format!(
                "{url}: HTML (Content-Type: {content_type}) where Markdown was expected"
            ));
        }
        if response
            .content_length()
            .is_some_and(|n| n > settings.max_bytes)
        {
            return Err(format!(
                "{url}: larger than the limit of {} bytes",
                settings.max_bytes
            ));
        }
        let mut body = Vec::new();
        response
            .take(settings.max_bytes + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                if std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<reqwest::Error>())
                    .is_some_and(reqwest::Error::is_timeout)
                    || e.kind() == std::io::ErrorKind::TimedOut
                {
                    format!(
                        "{url}: no complete answer within {}",
                        seconds(settings.timeout)
                    )
                } else {
                    format!("{url}: the answer broke off: {e}")
                }
            })?;
        if body.len() as u64 > settings.max_bytes {
            return Err(format!(
                "{url}: larger than the limit of {} bytes",
                settings.max_bytes
            ));
        }
        let text = String::from_utf8(body).map_err(|_| format!("{url}: not UTF-8 text"))?;
        let start: String = text
            .trim_start()
            .chars()
            .take(14)
            .collect::<String>()
            .to_ascii_lowercase();
        if start.starts_with("<!doctype html") || start.starts_with("<html") {
            return Err(format!(
                "{url}: an HTML document where Markdown was expected"
            ));
        }
        if text.trim().is_empty() {
            return Err(format!("{url}: an empty page"));
        }
        return Ok(normalise(&text));
    }
}

/// The page with what changes on every fetch taken out (see the module's
/// documentation): no byte-order mark, LF line ends, one newline at the end.
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut text = text.replace("\r\n", "\n");
    let kept = text.trim_end_matches('\n').len();
    text.truncate(kept);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::published::Origin;

    fn page(url: &str) -> Published {
        Published {
            file: "a.md".into(),
            origin: Origin::Export,
            url: url.into(),
            unverified: false,
            line: 1,
        }
    }

    #[test]
    fn the_base_url_replaces_scheme_and_host_only() {
        let p = page("https://doc.paynet.com.tr/servisler/islem/oedeme-kontrol");
        assert_eq!(
            source_url(&p, None).unwrap().as_str(),
            "https://doc.paynet.com.tr/servisler/islem/oedeme-kontrol.md"
        );
        assert_eq!(
            source_url(&p, Some("http://127.0.0.1:9/"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/servisler/islem/oedeme-kontrol.md"
        );
        assert_eq!(
            source_url(&p, Some("http://mirror/paynet"))
                .unwrap()
                .as_str(),
            "http://mirror/paynet/servisler/islem/oedeme-kontrol.md"
        );
        assert!(
            source_url(&p, Some("ftp://x"))
                .unwrap_err()
                .contains("--base-url")
        );
    }

    #[test]
    fn normalises_only_bom_line_ends_and_the_final_newlines() {
        assert_eq!(normalise("\u{feff}# A\r\n\r\nb  \r\n\n\n"), "# A\n\nb  \n");
        assert_eq!(normalise("# A"), "# A\n");
    }
}
