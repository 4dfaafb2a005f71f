//! `cargo xtask check-docs` on the real pages, and on altered copies of them.

use std::fs;
use std::path::Path;

use paynet_tests::scratch::{Scratch, repo_root as repo};
use xtask::check_docs::{Finding, check_docs};

/// A scratch root holding copies of the vendor pages, the hand-written
/// documents (the merge that places each page's components needs them) and
/// the merged spec.
fn scratch() -> Scratch {
    Scratch::with(&["spec/vendor", "spec/openapi", "spec/paynet.json"])
}

/// Replaces `from` with `to` on line `line` of a page (checking it is there).
fn alter(root: &Path, page: &str, line: usize, from: &str, to: &str) {
    let path = root.join("spec/vendor").join(page);
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(
        lines[line - 1].contains(from),
        "line {line} of {page} is {:?}",
        lines[line - 1]
    );
    lines[line - 1] = lines[line - 1].replacen(from, to, 1);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn findings(root: &Path) -> Vec<Finding> {
    check_docs(root).unwrap().findings
}

fn only(findings: &[Finding]) -> &Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    &findings[0]
}

fn at(finding: &Finding, page: &str, line: usize, subject: &str) {
    assert_eq!(
        (
            finding.page.as_str(),
            finding.line,
            finding.subject.as_str()
        ),
        (format!("spec/vendor/{page}").as_str(), line, subject),
        "{finding}"
    );
}

#[test]
fn the_current_pages_and_specs_pass_clean() {
    let report = check_docs(repo()).unwrap();
    assert_eq!(report.findings, Vec::<Finding>::new());
    assert_eq!(report.pages, 7);
    // get_auth_key's ErrorResponse is the family's, in its own words: the
    // spec keeps the words published first, and says so.
    let worded: Vec<String> = report
        .notes
        .iter()
        .filter(|n| {
            n.message
                .starts_with("the same structure as spec/paynet.json's")
        })
        .map(|n| format!("{}: {}", n.page, n.subject))
        .collect();
    assert_eq!(
        worded,
        ["spec/vendor/softpos-get-auth-key.md: components.schemas.ErrorResponse"]
    );
    assert!(report.fields >= 78, "{}", report.fields);
    // The declared deviations are the contradictions spec/README.md lists,
    // plus money accepted as a string.
    let declared: Vec<String> = report
        .notes
        .iter()
        .filter(|n| n.message.starts_with("declared deviation"))
        .map(|n| n.subject.clone())
        .collect();
    assert_eq!(
        declared,
        [
            "request xact_id",
            "response transaction_type",
            "response pos_type",
            "response amount",
            "response net_amount",
            "response comission",
            "response comission_tax",
            "response currency",
            "response is_succeed",
            "response paynet_error_id",
            "response code",
            "response code",
            "service URLs",
            "response total_amount",
            "response has_more",
            "response Data[] id",
            "request xact_id",
            "response code",
            "callback refundDecision code",
            "request xact_id",
            "response Data[] id",
            "response Data[] transaction_type",
            "response Data[] pos_type",
            "response Data[] amount",
            "response Data[] netAmount",
            "response Data[] comission",
            "response Data[] comission_tax",
            "response Data[] is_succeed",
            "response Data[] (the row without a name)",
        ]
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.subject == "example response" && n.message.contains("commas"))
    );
}

#[test]
fn a_field_added_to_a_response_table_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "capture-reversal.md",
        31,
        "| **instalment**               | int      |",
        "| **installment\\_count**     | int      |",
    );
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(
        &found[0],
        "capture-reversal.md",
        31,
        "response installment_count",
    );
    assert_eq!(found[0].message, "on the page but not in the spec");
    at(&found[1], "capture-reversal.md", 21, "response instalment");
    assert_eq!(found[1].message, "in the spec but not on the page");
}

#[test]
fn a_field_removed_from_a_table_is_reported() {
    let dir = scratch();
    let path = dir.path().join("spec/vendor/preauth-reversal.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("| **message**      | string | Sistem mesajı                                                                                                        |\n", "")).unwrap();
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "preauth-reversal.md", 25, "response message");
    assert_eq!(finding.message, "in the spec but not on the page");
    assert_eq!(
        finding.to_string(),
        "spec/vendor/preauth-reversal.md:25: response message: in the spec but not on the page"
    );
}

#[test]
fn a_changed_type_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "capture-reversal.md",
        31,
        "| int      |",
        "| string   |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "capture-reversal.md", 31, "response instalment");
    assert!(
        finding
            .message
            .starts_with("the page says `string` (string), the spec accepts integer"),
        "{finding}"
    );
}

#[test]
fn a_changed_length_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "preauth-reversal.md",
        18,
        "string (100)",
        "string (50) ",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "preauth-reversal.md", 18, "request xact_id");
    assert!(
        finding
            .message
            .starts_with("the page says at most 50 characters, the spec says maxLength 100"),
        "{finding}"
    );
}

#[test]
fn a_retyped_field_with_a_declared_deviation_is_still_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "capture-reversal.md",
        51,
        "| string   |",
        "| int      |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "capture-reversal.md", 51, "response code");
    assert_eq!(
        finding.message,
        "x-vendor-doc declares the page's type as `string`, the page says `int`"
    );
}

#[test]
fn a_flipped_required_flag_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "preauth-reversal.md",
        18,
        "| Evet    |",
        "| Hayır   |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "preauth-reversal.md", 18, "request xact_id");
    assert_eq!(
        finding.message,
        "the page says optional, the spec says required"
    );
}

#[test]
fn an_example_that_no_longer_validates_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "preauth-reversal.md",
        34,
        "\"xact_id\":\"xk_EAAAANFhOW7SioFxO8LHPMruxp0hX3wE8NmJSmGUD*W3uISj\"",
        "\"xact_id\":12345",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "preauth-reversal.md", 33, "example request");
    assert!(
        finding
            .message
            .starts_with("does not validate against the spec: /xact_id:"),
        "{finding}"
    );
}

#[test]
fn a_changed_service_url_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "capture-reversal.md",
        111,
        "pts-api.paynet.com.tr",
        "pts2-api.paynet.com.tr",
    );
    let finding = only(&findings(dir.path())).clone();
    at(
        &finding,
        "capture-reversal.md",
        111,
        "test URL (Test Sistemi)",
    );
    assert!(finding.message.contains("https://pts2-api.paynet.com.tr/v1/transaction/capture_reversal is not one of the spec's servers"), "{finding}");
}

#[test]
fn a_changed_embedded_openapi_document_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "softpos-init-reversal.md",
        10,
        "\"description\":\"Referans numarası.\"",
        "\"description\":\"Referans numarası.\",\"maxLength\":20",
    );
    let finding = only(&findings(dir.path())).clone();
    at(
        &finding,
        "softpos-init-reversal.md",
        10,
        "components.schemas.InitReversalRequest",
    );
    assert!(
        finding
            .message
            .starts_with("the page's definition differs from spec/paynet.json"),
        "{finding}"
    );

    let dir = scratch();
    alter(
        dir.path(),
        "softpos-init-reversal.md",
        10,
        "\"summary\":\"İptal / İade Başlatma\"",
        "\"summary\":\"İptal\"",
    );
    let all = findings(dir.path());
    // A text the glossary does not know would reach the client in Turkish
    // only; and the summary is in the operation and its bodies' words.
    at(
        &all[0],
        "softpos-init-reversal.md",
        10,
        "embedded OpenAPI /paths/~1v1~1softpos~1init_reversal_transaction/post/summary",
    );
    assert_eq!(
        all[0].message,
        "\"İptal\" has no English: add it to xtask/src/glossary.rs"
    );
    let subjects: Vec<&str> = all[1..].iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "path /v1/softpos/init_reversal_transaction",
            "components.schemas.InitReversalRequest",
            "components.schemas.InitReversalResponse"
        ],
        "{all:#?}"
    );
}

#[test]
fn a_component_of_the_new_page_that_changes_structure_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "softpos-get-auth-key.md",
        10,
        "\"ErrorResponse\":{\"type\":\"object\",\"properties\":{",
        "\"ErrorResponse\":{\"type\":\"object\",\"properties\":{\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},",
    );
    let all = findings(dir.path());
    // Now another structure, it would be kept under a name of its own,
    // which the spec does not have yet; and its operation's answer would
    // refer to it.
    let subjects: Vec<&str> = all.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "path /v1/agent/get_auth_key",
            "components.schemas.ErrorResponse (merged as GetAuthKeyErrorResponse)"
        ],
        "{all:#?}"
    );
    assert!(
        all[1]
            .message
            .starts_with("on the page but not in spec/paynet.json")
    );
}

#[test]
fn a_deviation_that_is_no_longer_needed_is_reported() {
    let dir = scratch();
    // The page now agrees with the spec: the declaration must go.
    alter(
        dir.path(),
        "capture-reversal.md",
        44,
        "| bool     |",
        "| string   |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(
        &finding,
        "capture-reversal.md",
        44,
        "response paynet_error_id",
    );
    assert!(
        finding
            .message
            .starts_with("x-vendor-doc declares the page's type as `bool`"),
        "{finding}"
    );
}

// ---- the transaction check page: nested rows and at-least-one-of -------------------

#[test]
fn a_flipped_at_least_one_of_flag_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "transaction-check.md",
        21,
        "| Evet\\*  |",
        "| Hayır   |",
    );
    // Both rows differ now: one left the group, the other is alone in it.
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(&found[0], "transaction-check.md", 20, "request xact_id");
    assert_eq!(
        found[0].message,
        "the page says at least one of xact_id (Evet*), the spec says at least one of xact_id, reference_no"
    );
    at(
        &found[1],
        "transaction-check.md",
        21,
        "request reference_no",
    );
    assert_eq!(
        found[1].message,
        "the page says optional, the spec says at least one of xact_id, reference_no"
    );

    let dir = scratch();
    alter(
        dir.path(),
        "transaction-check.md",
        20,
        "| Evet\\*  |",
        "| Evet    |",
    );
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(&found[0], "transaction-check.md", 20, "request xact_id");
    assert_eq!(
        found[0].message,
        "the page says required (Evet), the spec says at least one of xact_id, reference_no"
    );
    at(
        &found[1],
        "transaction-check.md",
        21,
        "request reference_no",
    );
    assert_eq!(
        found[1].message,
        "the page says at least one of reference_no (Evet*), the spec says at least one of xact_id, reference_no"
    );
}

#[test]
fn a_retyped_nested_row_is_reported() {
    let dir = scratch();
    alter(
        dir.path(),
        "transaction-check.md",
        42,
        "| int      |",
        "| string   |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(
        &finding,
        "transaction-check.md",
        42,
        "response Data[] instalment",
    );
    assert_eq!(
        finding.message,
        "the page says `string` (string), the spec accepts integer (declare a deliberate deviation with x-vendor-doc)"
    );
}

#[test]
fn a_nested_row_renamed_or_moved_out_of_the_array_is_reported() {
    let dir = scratch();
    // The vendor fixes its name: the declaration must go.
    alter(
        dir.path(),
        "transaction-check.md",
        47,
        "=>netAmount     ",
        "=>net\\_amount   ",
    );
    let finding = only(&findings(dir.path())).clone();
    at(
        &finding,
        "transaction-check.md",
        47,
        "response Data[] net_amount",
    );
    assert_eq!(
        finding.message,
        "x-vendor-doc declares the page's name as netAmount, the page says net_amount: remove it"
    );

    let dir = scratch();
    // Without its `=>`, the row is a top-level field.
    alter(
        dir.path(),
        "transaction-check.md",
        33,
        "=>xact\\_date",
        "xact\\_date  ",
    );
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(
        &found[0],
        "transaction-check.md",
        30,
        "response Data[] xact_date",
    );
    assert_eq!(found[0].message, "in the spec but not on the page");
    at(&found[1], "transaction-check.md", 33, "response xact_date");
    assert_eq!(found[1].message, "on the page but not in the spec");
}

#[test]
fn the_callback_table_is_compared_row_by_row() {
    let dir = scratch();
    alter(dir.path(), "refund.md", 75, "**status**", "**state** ");
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(&found[0], "refund.md", 75, "callback refundDecision state");
    assert_eq!(found[0].message, "on the page but not in the spec");
    at(&found[1], "refund.md", 73, "callback refundDecision status");
    assert_eq!(found[1].message, "in the spec but not on the page");

    let dir = scratch();
    alter(dir.path(), "refund.md", 75, "| string |", "| int    |");
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "refund.md", 75, "callback refundDecision status");
}

#[test]
fn the_spaced_arrow_row_and_the_camel_case_names_are_compared() {
    let dir = scratch();
    // `=> agent_id`, with the page's stray space, is a row of `Data[]`.
    alter(
        dir.path(),
        "refund-list.md",
        48,
        "| string   |",
        "| int      |",
    );
    let finding = only(&findings(dir.path())).clone();
    at(&finding, "refund-list.md", 48, "response Data[] agent_id");

    let dir = scratch();
    // The vendor renames its camelCase field: the spec must follow.
    alter(
        dir.path(),
        "refund-list.md",
        33,
        "companyCode ",
        "company\\_code",
    );
    let found = findings(dir.path());
    assert_eq!(found.len(), 2, "{found:#?}");
    at(&found[0], "refund-list.md", 33, "response company_code");
    at(&found[1], "refund-list.md", 33, "response companyCode");
}
