//! `cargo xtask fetch-docs` against a local page server on loopback: the
//! pages of spec/vendor/ served at their published paths, some of them
//! altered, broken, slow or moved. No test reaches the internet.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_tests::scratch::{Scratch, repo_root as repo};
use xtask::fetch::Settings;
use xtask::fetch_docs::{Options, Run, Status, fetch_docs};
use xtask::generate::OUTPUTS;
use xtask::published;

/// What the server answers for one path.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Wait this long before answering (a slow server).
    delay: Duration,
    /// Answer 503 to this many requests first.
    failures: usize,
}

impl Reply {
    fn markdown(text: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/markdown; charset=utf-8".into())],
            body: text.into().into_bytes(),
            delay: Duration::ZERO,
            failures: 0,
        }
    }
    fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::markdown("")
        }
    }
}

/// A page server on 127.0.0.1: one thread per connection, `Connection:
/// close`, answers from a table of paths that the test changes.
struct Server {
    base: String,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// Serves every page of `root`'s list at its published path, as it is.
    fn for_pages(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut replies = HashMap::new();
        for page in published::load(root).unwrap() {
            let text = std::fs::read_to_string(root.join("spec/vendor").join(&page.file)).unwrap();
            replies.insert(path_of(&page.markdown_url()), Reply::markdown(text));
        }
        let replies = Arc::new(Mutex::new(replies));
        let requests = Arc::new(AtomicUsize::new(0));
        let (table, count) = (replies.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (table, count) = (table.clone(), count.clone());
                std::thread::spawn(move || answer(stream, &table, &count));
            }
        });
        Server {
            base,
            replies,
            requests,
        }
    }

    /// Sets the reply for the page in file `file` of the list.
    fn set(&self, root: &Path, file: &str, reply: Reply) {
        let page = published::load(root)
            .unwrap()
            .into_iter()
            .find(|p| p.file == file)
            .unwrap();
        self.replies
            .lock()
            .unwrap()
            .insert(path_of(&page.markdown_url()), reply);
    }

    /// The page of `file` as served now, changed by `change` (which must change it).
    fn edit(&self, root: &Path, file: &str, change: impl FnOnce(String) -> String) {
        let text = std::fs::read_to_string(root.join("spec/vendor").join(file)).unwrap();
        let changed = change(text.clone());
        assert_ne!(text, changed, "the edit of {file} changed nothing");
        self.set(root, file, Reply::markdown(changed));
    }
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_string()
}

fn answer(stream: TcpStream, table: &Mutex<HashMap<String, Reply>>, count: &AtomicUsize) {
    count.fetch_add(1, Ordering::SeqCst);
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let reply = {
        let mut table = table.lock().unwrap();
        match table.get_mut(&path) {
            Some(reply) if reply.failures > 0 => {
                reply.failures -= 1;
                Reply::status(503)
            }
            Some(reply) => reply.clone(),
            None => Reply::status(404),
        }
    };
    std::thread::sleep(reply.delay);
    let mut stream = reader.into_inner();
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
}

/// A scratch checkout: spec/ and every file `generate` writes.
fn scratch() -> Scratch {
    let mut paths = vec!["spec"];
    paths.extend(OUTPUTS.iter().filter(|path| !path.starts_with("spec/")));
    Scratch::with(&paths)
}

fn options(server: &Server, check: bool) -> Options {
    Options {
        settings: Settings {
            base_url: Some(server.base.clone()),
            timeout: Duration::from_millis(1500),
            max_bytes: 256 * 1024,
            retries: 2,
            backoff: Duration::from_millis(10),
        },
        check,
        public_api: false,
    }
}

/// Every file under `root`, byte for byte.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn run(dir: &Scratch, server: &Server) -> Run {
    fetch_docs(dir.path(), &options(server, false)).unwrap()
}

/// Runs fetch-docs expecting it to fail: returns the error, after checking
/// that not one file of the checkout changed (or was added).
fn refused(dir: &Scratch, server: &Server) -> String {
    let before = snapshot(dir.path());
    let err = fetch_docs(dir.path(), &options(server, false))
        .map(|run| run.summary)
        .expect_err("the fetch should fail");
    assert_eq!(
        snapshot(dir.path()),
        before,
        "files changed despite: {err:#}"
    );
    format!("{err:#}")
}

/// How many pages the list has (the tests serve all of them).
fn pages() -> usize {
    published::load(repo()).unwrap().len()
}

const CAPTURE: &str = "capture-reversal.md";
const SOFTPOS: &str = "softpos-init-reversal.md";

#[test]
fn every_vendor_file_is_listed_and_every_listed_file_exists() {
    let pages = published::load(repo()).unwrap();
    let files: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
    for entry in std::fs::read_dir(repo().join("spec/vendor")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            assert!(files.contains(&name.as_str()), "{name} is not in the list");
        }
    }
    let dir = Scratch::with(&["spec/vendor"]);
    dir.write("spec/vendor/new-page.md", "# New\n");
    let err = published::load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("does not say where new-page.md is published"),
        "{err}"
    );
    std::fs::remove_file(dir.join("spec/vendor/new-page.md")).unwrap();
    std::fs::remove_file(dir.join(&format!("spec/vendor/{CAPTURE}"))).unwrap();
    let err = published::load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("lists files that are not in spec/vendor/: capture-reversal.md"),
        "{err}"
    );
}

#[test]
fn unchanged_pages_exit_0_and_write_nothing() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    let before = snapshot(dir.path());
    let run = run(&dir, &server);
    assert_eq!(run.status, Status::Unchanged);
    assert_eq!(run.status.exit_code(), 0);
    assert!(run.written.is_empty());
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(server.requests.load(Ordering::SeqCst), pages());
}

#[test]
fn a_new_field_in_an_embedded_response_is_regenerated_and_named() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace(
            r#""payment_session_id":{"type":"string","description":"Payment Session Id."},"#,
            r#""payment_session_id":{"type":"string","description":"Payment Session Id."},"terminal_id":{"type":"string","description":"Terminal."},"#,
        )
    });
    let run = run(&dir, &server);
    assert_eq!(run.status.exit_code(), 1);
    assert!(
        run.summary.contains(
            "- POST /v1/softpos/init_reversal_transaction (init_reversal_transaction): response 200 terminal_id: added (string, optional)"
        ),
        "{}",
        run.summary
    );
    assert!(
        dir.read("paynet-api/src/generated.rs")
            .contains("pub terminal_id:")
    );
    assert!(dir.read("spec/paynet.json").contains("\"terminal_id\""));
    assert!(
        dir.read(&format!("spec/vendor/{SOFTPOS}"))
            .contains("terminal_id")
    );
    // the page, then every generated file: each one's header carries the
    // spec's hash, so all of them change with it
    let mut expected = vec!["spec/vendor/softpos-init-reversal.md"];
    expected.extend(OUTPUTS);
    assert_eq!(run.written, expected);
    assert!(
        !snapshot(dir.path()).keys().any(|k| k.ends_with(".tmp")),
        "a temporary file was left"
    );
}

#[test]
fn a_new_field_in_a_table_is_named_with_the_edit_to_propose() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), CAPTURE, |t| {
        t.replacen(
            "| **ratio**",
            "| **terminal\\_id** | string (20) | Terminal numarası |\n| **ratio**",
            1,
        )
    });
    // and a row of a nested table (`Data[]`'s `=>` rows)
    server.edit(dir.path(), "transaction-check.md", |t| {
        t.replacen(
            "| =>id ",
            "| =>terminal\\_id | int | Terminal |\n| =>id ",
            1,
        )
    });
    let run = run(&dir, &server);
    assert_eq!(run.status, Status::Changed);
    let s = &run.summary;
    assert!(
        s.contains(
            "response Data[] terminal_id: on the page but not in the spec\n  - proposed: in spec/openapi/transaction-check.json, add to /components/schemas/TransactionCheckRow/properties: `\"terminal_id\": {\"type\":\"integer\"}`"
        ),
        "{s}"
    );
    assert!(s.contains("### spec/vendor/capture-reversal.md"), "{s}");
    assert!(
        s.contains("response terminal_id: on the page but not in the spec"),
        "{s}"
    );
    assert!(
        s.contains(
            "proposed: in spec/openapi/capture-reversal.json, add to /components/schemas/CaptureReversalResponse/properties: `\"terminal_id\": {\"maxLength\":20,\"type\":\"string\"}`"
        ),
        "{s}"
    );
    assert!(
        s.contains("written by hand (spec/openapi/capture-reversal.json)"),
        "{s}"
    );
    // the hand-written spec is left to a person: the page alone was written
    assert_eq!(
        run.written,
        [
            "spec/vendor/capture-reversal.md",
            "spec/vendor/transaction-check.md"
        ]
    );
}

#[test]
fn removed_and_retyped_fields_are_named() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace(
            r#""reference_no":{"type":"string","description":"Referans numarası."},"#,
            "",
        )
        .replace(
            r#""deeplink_url":{"type":"string","#,
            r#""deeplink_url":{"type":"integer","#,
        )
    });
    server.edit(dir.path(), CAPTURE, |t| {
        let t = t.replacen("| **card\\_holder**", "| **card\\_holder\\_gone**", 1);
        t.replacen(
            "instalment**               | int ",
            "instalment**               | bool",
            1,
        )
    });
    let run = run(&dir, &server);
    let s = &run.summary;
    assert!(
        s.contains("(init_reversal_transaction): request reference_no: removed (was string)"),
        "{s}"
    );
    assert!(
        s.contains(
            "(init_reversal_transaction): response 200 deeplink_url: retyped from string to integer"
        ),
        "{s}"
    );
    assert!(
        s.contains("response card_holder: in the spec but not on the page"),
        "{s}"
    );
    assert!(
        s.contains("response card_holder_gone: on the page but not in the spec"),
        "{s}"
    );
    assert!(
        s.contains("response instalment: the page says `bool`"),
        "{s}"
    );
    assert!(
        s.contains("/components/schemas/CaptureReversalResponse/properties/instalment: make `type` and `maxLength` read `{\"type\":\"boolean\"}`"),
        "{s}"
    );
}

/// Makes `dir` a git repository with everything committed.
fn commit_all(dir: &Scratch) {
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "pages",
        ],
    ] {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
}

fn git_status(dir: &Scratch) -> String {
    let output = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_page_that_turned_into_html_is_refused() {
    let dir = scratch();
    commit_all(&dir);
    let server = Server::for_pages(dir.path());
    // another page changed: it would be written, were the fetch not refused
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace("Deeplink adresi.", "Deeplink.")
    });
    server.set(dir.path(), CAPTURE, Reply::markdown("\n  <html>"));
    assert!(refused(&dir, &server).contains("an HTML document where Markdown was expected"));
    let mut html = Reply::markdown("<!DOCTYPE html><html><body>Paynet</body></html>");
    server.set(dir.path(), CAPTURE, html.clone());
    let err = refused(&dir, &server);
    assert!(err.contains("spec/vendor/capture-reversal.md: "), "{err}");
    assert!(
        err.contains("an HTML document where Markdown was expected"),
        "{err}"
    );
    html.headers = vec![("Content-Type".into(), "text/html; charset=utf-8".into())];
    server.set(dir.path(), CAPTURE, html);
    let err = refused(&dir, &server);
    assert!(
        err.contains("HTML (Content-Type: text/html; charset=utf-8)"),
        "{err}"
    );
    assert_eq!(git_status(&dir), "");
}

#[test]
fn a_404_is_refused_and_nothing_is_written() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace("İptal/İade", "İptal / İade")
    });
    server.set(dir.path(), CAPTURE, Reply::status(404));
    let err = refused(&dir, &server);
    assert!(
        err.starts_with(&format!(
            "1 of {} pages could not be fetched; nothing was written",
            pages()
        )),
        "{err}"
    );
    assert!(
        err.contains("spec/vendor/capture-reversal.md: http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("HTTP 404 Not Found"), "{err}");
}

#[test]
fn a_slow_server_is_refused_and_nothing_is_written() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    let mut slow = Reply::markdown("# Slow\n");
    slow.delay = Duration::from_secs(5);
    server.set(dir.path(), CAPTURE, slow);
    let err = refused(&dir, &server);
    assert!(err.contains("no complete answer within 1.5 s"), "{err}");
}

#[test]
fn a_redirect_to_another_host_is_refused_and_one_within_the_host_followed() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    let mut away = Reply::status(302);
    away.headers = vec![(
        "Location".into(),
        "https://elsewhere.invalid/page.md".into(),
    )];
    server.set(dir.path(), CAPTURE, away);
    let err = refused(&dir, &server);
    assert!(
        err.contains("redirects to another host (https://elsewhere.invalid/page.md)"),
        "{err}"
    );

    // within the host: followed, and the page read from where it moved
    let page = std::fs::read_to_string(dir.join(&format!("spec/vendor/{CAPTURE}"))).unwrap();
    let mut moved = Reply::status(301);
    moved.headers = vec![("Location".into(), "/moved.md".into())];
    server.set(dir.path(), CAPTURE, moved);
    server
        .replies
        .lock()
        .unwrap()
        .insert("/moved.md".into(), Reply::markdown(page));
    assert_eq!(run(&dir, &server).status, Status::Unchanged);
}

#[test]
fn an_empty_or_oversized_page_is_refused() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.set(dir.path(), CAPTURE, Reply::markdown("  \n\n"));
    assert!(refused(&dir, &server).contains("an empty page"));
    server.set(dir.path(), CAPTURE, Reply::markdown("x".repeat(300 * 1024)));
    let err = refused(&dir, &server);
    assert!(
        err.contains("larger than the limit of 262144 bytes"),
        "{err}"
    );
}

#[test]
fn a_5xx_is_tried_again_and_refused_when_it_persists() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    let page = std::fs::read_to_string(dir.join(&format!("spec/vendor/{CAPTURE}"))).unwrap();
    let mut flaky = Reply::markdown(page);
    flaky.failures = 2;
    server.set(dir.path(), CAPTURE, flaky);
    assert_eq!(run(&dir, &server).status, Status::Unchanged);
    // every page once, and two 503s before the third answer
    assert_eq!(server.requests.load(Ordering::SeqCst), pages() + 2);

    server.set(dir.path(), CAPTURE, Reply::status(502));
    let err = refused(&dir, &server);
    assert!(
        err.contains("HTTP 502 Bad Gateway after 3 attempts"),
        "{err}"
    );
}

#[test]
fn one_page_of_several_failing_writes_none() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    // two pages changed, one fails: neither changed page is written
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace("Deeplink adresi.", "Deeplink.")
    });
    server.edit(dir.path(), "preauth-reversal.md", |t| {
        t + "\nOne more line.\n"
    });
    server.set(dir.path(), "transaction-check.md", Reply::status(500));
    let err = refused(&dir, &server);
    assert!(err.contains("spec/vendor/transaction-check.md"), "{err}");
}

#[test]
fn check_writes_nothing_and_says_what_would_change() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replace(
            r#""reference_no":{"type":"string","description":"Referans numarası."},"#,
            "",
        )
    });
    let before = snapshot(dir.path());
    let run = fetch_docs(dir.path(), &options(&server, true)).unwrap();
    assert_eq!(run.status.exit_code(), 1);
    assert!(run.written.is_empty());
    assert!(
        run.summary.contains("request reference_no: removed"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("--check: nothing was written"),
        "{}",
        run.summary
    );
    assert_eq!(snapshot(dir.path()), before);
}

/// The binary, on this checkout, with `--check` (so that nothing is
/// written here whatever happens): its exit codes and where it prints.
#[test]
fn the_command_exits_0_1_or_2() {
    let root = repo();
    let server = Server::for_pages(root);
    let xtask = |extra: &[&str]| {
        let mut args = vec![
            "fetch-docs",
            "--check",
            "--spec-only",
            "--base-url",
            &server.base,
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(&args)
            .current_dir(root)
            .output()
            .unwrap()
    };
    let unchanged = xtask(&[]);
    assert_eq!(unchanged.status.code(), Some(0), "{unchanged:?}");
    assert!(
        String::from_utf8_lossy(&unchanged.stdout).contains(&format!(
            "all {} pages are as spec/vendor/ holds them",
            pages()
        ))
    );

    server.edit(root, "preauth-reversal.md", |t| t + "\nOne more line.\n");
    let changed = xtask(&[]);
    assert_eq!(changed.status.code(), Some(1), "{changed:?}");
    assert!(
        String::from_utf8_lossy(&changed.stdout).starts_with(&format!(
            "## Paynet's docs changed: 1 of {} pages\n\n### spec/vendor/preauth-reversal.md",
            pages()
        )),
        "{changed:?}"
    );

    server.set(root, CAPTURE, Reply::status(404));
    let failed = xtask(&[]);
    assert_eq!(failed.status.code(), Some(2), "{failed:?}");
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains(&format!(
            "error: fetch-docs: 1 of {} pages could not be fetched",
            pages()
        )),
        "{stderr}"
    );
    assert!(failed.stdout.is_empty(), "{failed:?}");
}

#[test]
fn pages_that_do_not_generate_write_nothing() {
    let dir = scratch();
    let server = Server::for_pages(dir.path());
    server.edit(dir.path(), SOFTPOS, |t| {
        t.replacen("{\"openapi\"", "{\"openapi\" ", 1)
            .replacen("\"paths\":{", "\"paths\":{,", 1)
    });
    server.edit(dir.path(), "preauth-reversal.md", |t| {
        t + "\nOne more line.\n"
    });
    let err = refused(&dir, &server);
    assert!(
        err.starts_with("the fetched pages do not generate (preauth-reversal.md, softpos-init-reversal.md); nothing was written"),
        "{err}"
    );
    assert!(
        err.contains("spec/vendor/softpos-init-reversal.md:"),
        "{err}"
    );
}
