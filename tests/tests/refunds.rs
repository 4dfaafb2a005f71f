//! Refunds (İade) and the refund list (İade Listesi) through `paynet-ext`:
//! the mapping of each answer, the kuruş conversion, paging, the receiver
//! of Paynet's decision and the confirmation of a notice.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use paynet_ext::{
    Amount, Error, ErrorAnswer, Kurus, NOTICE_BODY_LIMIT, NaiveDate, NoticeConfirmation,
    RefundAmount, RefundDates, RefundDecision, RefundExt, RefundNotice, RefundQuery, RefundRequest,
    ResultCode, refund_notice_route,
};
use paynet_tests::{answering, client, fixture, json_answer, request_count};
use proptest::prelude::*;
use serde_json::{Value, json};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const SALE: &str = "xk_EAAAAAh7VYf9HG4+GR9ezqiMWAA8PY6P4eroE4BUUHRCLxGO";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn amount(text: &str) -> Amount {
    text.parse().unwrap()
}

async fn refund(template: ResponseTemplate) -> Result<paynet_ext::PendingRefund, Error> {
    let server = answering(template).await;
    client(&server.uri())
        .request_refund(RefundRequest::part(SALE, amount("10.00")).unwrap())
        .await
}

// ---- İade: the mapping of each answer -------------------------------------

#[tokio::test]
async fn code_0_is_a_pending_request_not_a_refund() {
    let pending = refund(json_answer(200, "reversed_request_example.json"))
        .await
        .expect("pending");
    assert_eq!(pending.xact_id(), SALE);
    assert_eq!(pending.amount().wire().as_deref(), Some("1000"));
    assert_eq!(pending.message(), Some("Başarılı İşlem"));
    assert_eq!(pending.reply().result_code(), ResultCode::Successful);
    assert_eq!(
        pending.reply().object_name.as_deref(),
        Some("transaction_reversed_request")
    );
}

#[tokio::test]
async fn code_0_as_the_tables_string_is_pending_too() {
    let pending = refund(json_answer(200, "reversed_request_code_string.json"))
        .await
        .expect("pending");
    assert_eq!(pending.reply().code(), Some(ResultCode::Successful));
}

#[tokio::test]
async fn a_refused_request_is_a_paynet_error_with_its_code_and_message() {
    let error = refund(json_answer(200, "reversed_request_refused.json"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Paynet { code: ResultCode::BadRequest, message, .. } if message.contains("kısmi iade")),
        "{error:?}"
    );
    assert!(error.is_refusal());
}

#[tokio::test]
async fn error_bodies_and_broken_answers_map_as_for_every_operation() {
    let unauthorized = refund(json_answer(401, "error_401.json"))
        .await
        .unwrap_err();
    assert!(matches!(
        unauthorized,
        Error::Unauthorized(ErrorAnswer { status: 401, .. })
    ));
    let not_found = refund(json_answer(404, "error_404_no_data.json"))
        .await
        .unwrap_err();
    paynet_tests::assert_no_data(&not_found);
    let html =
        refund(ResponseTemplate::new(502).set_body_raw(fixture("html_502.html"), "text/html"))
            .await
            .unwrap_err();
    assert!(matches!(html, Error::Undecodable { status: 502, .. }));
    let empty = refund(ResponseTemplate::new(200)).await.unwrap_err();
    assert!(matches!(empty, Error::Undecodable { status: 200, .. }));
}

#[tokio::test]
async fn refusals_before_sending_send_nothing() {
    let server = answering(json_answer(200, "reversed_request_example.json")).await;
    let client = client(&server.uri());
    let long = "x".repeat(101);
    let cases = [
        (RefundRequest::whole(""), "xact_id"),
        (RefundRequest::whole(long), "xact_id"),
        (
            RefundRequest::whole(SALE).succeed_url("shop.example/refunds"),
            "succeedUrl",
        ),
        (
            RefundRequest::whole(SALE).succeed_url("ftp://shop.example/refunds"),
            "succeedUrl",
        ),
    ];
    for (request, named) in cases {
        let error = client.request_refund(request).await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { message } if message.contains(named)),
            "{error}"
        );
    }
    assert_eq!(request_count(&server).await, 0);
}

#[test]
fn refusals_of_an_amount_name_their_reason() {
    let reason = |text: &str| {
        RefundRequest::part(SALE, amount(text))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        reason("10.005"),
        "the request was not sent: reversed_request: the amount 10.005 has a fraction of a kuruş: Paynet takes whole kuruş (two decimal places)"
    );
    assert!(reason("0").contains("zero"));
    assert!(reason("-10.00").contains("negative"));
    assert!(reason("10000000000000.00").contains("too large for the field"));
    assert_eq!(RefundRequest::whole(SALE).amount(), RefundAmount::Whole);
    assert_eq!(RefundAmount::Whole.wire(), None);
}

// ---- kuruş ----------------------------------------------------------------

proptest! {
    /// Every amount with at most two decimals converts exactly.
    #[test]
    fn two_decimals_convert_exactly(kurus in 1..=Kurus::MAX, extra_zeros in 0u32..4) {
        let scale = 2 + extra_zeros;
        let units = i64::try_from(kurus).unwrap() * 10i64.pow(extra_zeros);
        let lira = Amount::new(units, scale);
        let converted = Kurus::from_amount(lira).unwrap();
        prop_assert_eq!(converted.get(), kurus);
        prop_assert_eq!(converted.to_string(), kurus.to_string());
        prop_assert_eq!(converted.to_amount().value(), lira.value());
    }

    /// A third decimal that is not zero is refused, never rounded.
    #[test]
    fn three_decimals_are_refused(kurus in 0..=Kurus::MAX, third in 1i64..10) {
        let units = i64::try_from(kurus).unwrap() * 10 + third;
        let error = Kurus::from_amount(Amount::new(units, 3)).unwrap_err();
        prop_assert!(
            matches!(&error, Error::InvalidRequest { message } if message.contains("fraction of a kuruş")),
            "{}", error
        );
    }
}

// ---- the refund list ------------------------------------------------------

#[tokio::test]
async fn a_list_page_decodes_with_the_fields_the_page_does_not_list() {
    let server = answering(json_answer(200, "reversal_list_page.json")).await;
    let rows = client(&server.uri())
        .refunds(RefundQuery::new(RefundDates::day(day(1))))
        .collect_rows()
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].reversed_xact_id.as_deref(), Some("xk_REFUND_0001"));
    assert_eq!(rows[0].agent_id.as_deref(), Some("1234"));
    assert_eq!(
        rows[0].id.as_ref().map(ToString::to_string).as_deref(),
        Some("2318890")
    );
    assert_eq!(
        rows[1].id.as_ref().map(ToString::to_string).as_deref(),
        Some("2318891")
    );
    assert_eq!(rows[0].extra["amount"], json!(10.0));
    assert_eq!(rows[0].extra["status"], "Onaylandı");
    assert!(rows[1].extra.is_empty());
    assert_eq!(
        rows[0]
            .entry_date
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("01.12.2026")
    );
}

#[tokio::test]
async fn a_list_answer_without_data_is_undecodable_not_an_empty_list() {
    let server = answering(ResponseTemplate::new(200).set_body_raw(
        r#"{"code":12,"message":"Kayıt bulunamadı"}"#,
        "application/json",
    ))
    .await;
    let mut rows = client(&server.uri()).refunds(RefundQuery::new(RefundDates::day(day(1))));
    let first = rows.next().await.expect("an item");
    assert!(matches!(first, Err(Error::Undecodable { .. })), "{first:?}");
    assert!(rows.next().await.is_none(), "the first error ends the list");
}

#[tokio::test]
async fn a_range_that_ends_before_it_starts_is_refused() {
    let error = RefundDates::new(day(2), day(1)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the request was not sent: reversal_list: the date range ends (2026-12-01) before it starts (2026-12-02)"
    );
}

/// A list of `rows` rows served by `starting_after` and `limit`, as the
/// page describes them.
struct Pages {
    rows: usize,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let limit = body["limit"].as_u64().unwrap_or(10) as usize;
        let after = body["starting_after"].as_u64().unwrap_or(0) as usize;
        let end = (after + limit).min(self.rows);
        let data: Vec<Value> = (after.min(end)..end)
            .map(|i| json!({"reversed_xact_id": format!("xk_r{i}"), "id": i}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "object_name": "transaction_reversal_list",
            "total": self.rows,
            "total_count": data.len(),
            "limit": limit,
            "starting_after": after,
            "has_more": end < self.rows,
            "Data": data,
        }))
    }
}

#[tokio::test]
async fn n_rows_read_with_limit_k_yield_every_row_exactly_once() {
    for n in [0usize, 1, 9, 10, 11, 37] {
        let server = answering(ResponseTemplate::new(500)).await;
        server.reset().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Pages { rows: n })
            .mount(&server)
            .await;
        let client = client(&server.uri());
        for k in [1u32, 3, 10, 50] {
            let before = request_count(&server).await;
            let rows = client
                .refunds(RefundQuery::new(RefundDates::day(day(1))).page_size(k))
                .collect_rows()
                .await
                .expect("rows");
            let ids: Vec<String> = rows
                .iter()
                .map(|r| r.reversed_xact_id.clone().unwrap())
                .collect();
            let expected: Vec<String> = (0..n).map(|i| format!("xk_r{i}")).collect();
            assert_eq!(ids, expected, "n {n}, k {k}");
            let pages = request_count(&server).await - before;
            assert_eq!(pages, n.div_ceil(k as usize).max(1), "n {n}, k {k}");
        }
    }
}

/// An answer that always says `has_more`, with one row or none.
struct Endless {
    row: bool,
    served: Arc<AtomicUsize>,
}

impl Respond for Endless {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.served.fetch_add(1, Ordering::SeqCst);
        let data = if self.row {
            vec![json!({"reversed_xact_id": format!("xk_r{i}")})]
        } else {
            vec![]
        };
        ResponseTemplate::new(200).set_body_json(json!({"has_more": true, "Data": data}))
    }
}

#[tokio::test]
async fn an_answer_that_never_ends_stops_the_list_with_an_error() {
    for row in [false, true] {
        let served = Arc::new(AtomicUsize::new(0));
        let server = MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Endless {
                row,
                served: served.clone(),
            })
            .mount(&server)
            .await;
        let result = client(&server.uri())
            .refunds(RefundQuery::new(RefundDates::day(day(1))).max_pages(5))
            .collect_rows()
            .await;
        let error = result.unwrap_err();
        if row {
            assert_eq!(
                served.load(Ordering::SeqCst),
                5,
                "max_pages pages, then stop"
            );
            assert!(error.to_string().contains("max_pages"), "{error}");
        } else {
            assert_eq!(
                served.load(Ordering::SeqCst),
                1,
                "no progress: stop at once"
            );
            assert!(
                error.to_string().contains("has_more but sent no rows"),
                "{error}"
            );
        }
    }
}

// ---- the decision: receiving and confirming -------------------------------

#[tokio::test]
async fn a_forged_notice_is_unconfirmed_and_a_listed_one_confirmed() {
    let server = answering(json_answer(200, "reversal_list_page.json")).await;
    let client = client(&server.uri());
    let dates = RefundDates::new(day(1), day(2)).unwrap();

    let forged =
        RefundNotice::from_json(br#"{"xact_id":"xk_REFUND_9999","code":"0","status":"ok"}"#)
            .unwrap();
    assert_eq!(
        forged.decision(),
        RefundDecision::Approved,
        "what it claims"
    );
    let confirmation = client.confirm_refund_notice(&forged, dates).await.unwrap();
    assert!(matches!(
        confirmation,
        NoticeConfirmation::Unconfirmed { .. }
    ));
    assert!(!confirmation.is_approved());
    assert!(!confirmation.is_listed());

    let real = RefundNotice::from_json(br#"{"xact_id":"xk_REFUND_0001","code":0}"#).unwrap();
    let confirmation = client.confirm_refund_notice(&real, dates).await.unwrap();
    assert!(confirmation.is_approved());
    assert_eq!(
        confirmation.row().and_then(|r| r.card_holder.as_deref()),
        Some("AHMET YILMAZ")
    );

    let rejected = RefundNotice::from_json(br#"{"xact_id":"2318902","code":"1"}"#).unwrap();
    let confirmation = client
        .confirm_refund_notice(&rejected, dates)
        .await
        .unwrap();
    assert!(confirmation.is_listed(), "found by reversed_id");
    assert!(!confirmation.is_approved());
}

/// The receiver on a local port, and the channel it hands notices to.
async fn receiver(
    capacity: usize,
) -> (
    String,
    tokio::sync::mpsc::Receiver<RefundNotice>,
    tokio::task::JoinHandle<()>,
) {
    let (sender, notices) = tokio::sync::mpsc::channel(capacity);
    let app = axum::Router::new().route("/paynet/refunds", refund_notice_route(sender));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/paynet/refunds", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, notices, task)
}

#[tokio::test]
async fn the_receiver_hands_a_notice_over_and_refuses_bad_input_with_a_4xx() {
    let (url, mut notices, task) = receiver(8).await;
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>| {
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let oversize = format!(
        r#"{{"xact_id":"xk_r1","code":0,"message":"{}"}}"#,
        "x".repeat(NOTICE_BODY_LIMIT)
    );
    for (body, status) in [
        (Vec::new(), 400),
        (b"   ".to_vec(), 400),
        (b"xact_id=xk_r1&code=0".to_vec(), 400),
        (b"[1, 2]".to_vec(), 400),
        (br#"{"xact_id":"xk_r1","code":0"#.to_vec(), 400),
        (br#"{"xact_id":7,"code":0}"#.to_vec(), 422),
        (br#"{"xact_id":"xk_r1","code":"approved"}"#.to_vec(), 422),
        (br#"{"code":0}"#.to_vec(), 422),
        (br#"{"xact_id":"","code":0}"#.to_vec(), 422),
        (oversize.into_bytes(), 413),
    ] {
        let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
        assert_eq!(post(body).await, status, "{shown}");
    }
    assert!(notices.try_recv().is_err(), "nothing bad was handed over");

    let good =
        br#"{"xact_id":"xk_r1","code":"1","status":"Reddedildi","message":"m","note":"extra"}"#;
    assert_eq!(post(good.to_vec()).await, 200);
    let notice = notices.recv().await.unwrap();
    assert_eq!(notice.xact_id, "xk_r1");
    assert_eq!(notice.decision(), RefundDecision::NotApproved);
    assert_eq!(notice.status.as_deref(), Some("Reddedildi"));
    assert_eq!(notice.extra["note"], "extra");
    task.abort();
}

#[tokio::test]
async fn a_full_channel_is_a_503_so_that_paynet_may_post_again() {
    let (url, _notices, task) = receiver(1).await;
    let http = reqwest::Client::new();
    let body = br#"{"xact_id":"xk_r1","code":0}"#.to_vec();
    let first = http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let second = http.post(&url).body(body).send().await.unwrap();
    assert_eq!(second.status().as_u16(), 503);
    task.abort();
}
