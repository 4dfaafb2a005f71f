//! The simulator's İade and İade Listesi, through `paynet-ext`: the page's
//! rules, the decision posted to `succeedUrl` (after a delay or on a
//! test's command), the refund list's paging, and exactly-once under
//! concurrency.

use std::collections::BTreeSet;
use std::time::Duration;

use paynet_ext::{
    Amount, CallExt, Error, NoticeConfirmation, RefundDates, RefundDecision, RefundExt,
    RefundNotice, RefundQuery, RefundRequest, ResultCode, refund_notice_route,
};
use paynet_mock::{
    Config, LOST_ANSWER, MockServer, NoticeDelivery, RefundStatus, Transaction, turkish_today,
};
use paynet_tests::simulator_client as client;
use tokio::sync::mpsc;

fn amount(text: &str) -> Amount {
    text.parse().unwrap()
}

/// A sale of `lira` made `days_ago` days ago (0: today).
fn sale(xact_id: &str, lira: &str, days_ago: u64) -> Transaction {
    let lira: rust_decimal::Decimal = lira.parse().unwrap();
    let mut sale = Transaction::captured(xact_id).with_amounts(
        lira,
        rust_decimal::Decimal::ZERO,
        rust_decimal::Decimal::ZERO,
    );
    if days_ago > 0 {
        let mut date = turkish_today();
        for _ in 0..days_ago {
            date = date.pred_opt().unwrap();
        }
        sale = sale.with_date(date);
    }
    sale
}

async fn mock(delay: Option<Duration>) -> MockServer {
    MockServer::start(Config {
        refund_decision_delay: delay,
        notice_timeout: Duration::from_millis(500),
        ..Config::default()
    })
    .await
    .unwrap()
}

fn today() -> RefundDates {
    RefundDates::day(turkish_today())
}

fn code_of(result: Result<paynet_ext::PendingRefund, Error>) -> Option<ResultCode> {
    match result {
        Ok(_) => Some(ResultCode::Successful),
        Err(Error::Paynet { code, .. }) => Some(code),
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn on_the_day_of_the_sale_only_the_whole_sale_is_cancelled() {
    let mock = mock(None).await;
    mock.add_transaction(sale("xk_today_sale_001", "20.00", 0));
    let client = client(&mock);
    let partial = client
        .request_refund(RefundRequest::part("xk_today_sale_001", amount("10.00")).unwrap())
        .await;
    assert_eq!(code_of(partial), Some(ResultCode::BadRequest));
    let whole = client
        .request_refund(RefundRequest::whole("xk_today_sale_001"))
        .await
        .expect("a pending cancel");
    assert!(whole.reply().result_code().is_success());
    let again = client
        .request_refund(RefundRequest::whole("xk_today_sale_001"))
        .await;
    assert_eq!(code_of(again), Some(ResultCode::DuplicateData));
    let records = mock.refunds();
    assert_eq!(records.len(), 1);
    assert!(records[0].cancel);
    assert_eq!(records[0].kurus, 2000);
    assert_eq!(records[0].status, RefundStatus::Pending);
}

#[tokio::test]
async fn a_later_day_refunds_in_part_never_more_than_remains() {
    let mock = mock(None).await;
    mock.add_transaction(sale("xk_old_sale_0001", "20.00", 1));
    let client = client(&mock);
    let half = client
        .request_refund(RefundRequest::part("xk_old_sale_0001", amount("10.00")).unwrap())
        .await
        .expect("pending");
    assert_eq!(half.amount().wire().as_deref(), Some("1000"));
    let too_much = client
        .request_refund(RefundRequest::part("xk_old_sale_0001", amount("10.01")).unwrap())
        .await;
    assert_eq!(code_of(too_much), Some(ResultCode::BadRequest));
    let rest = client
        .request_refund(RefundRequest::whole("xk_old_sale_0001"))
        .await
        .expect("the rest, pending");
    assert!(rest.reply().result_code().is_success());
    assert_eq!(mock.refund_requested("xk_old_sale_0001"), 2000);

    // An amount that is not kuruş, sent through the generated builder.
    let odd = client
        .reversed_request()
        .body_map(|b| {
            b.xact_id("xk_old_sale_0001")
                .amount(Some("ten".to_string()))
        })
        .call()
        .await
        .unwrap_err();
    assert!(
        matches!(
            odd,
            Error::Paynet {
                code: ResultCode::BadRequest,
                ..
            }
        ),
        "{odd:?}"
    );

    let unknown = client
        .request_refund(RefundRequest::whole("xk_nobody_at_all"))
        .await
        .unwrap_err();
    paynet_tests::assert_no_data(&unknown);
    let preauth = client
        .request_refund(RefundRequest::whole(paynet_mock::PREAUTH_EXAMPLE_XACT_ID))
        .await;
    assert_eq!(code_of(preauth), Some(ResultCode::WrongTransactionType));

    let rows = client
        .refunds(RefundQuery::new(today()))
        .collect_rows()
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].extra["status"], "Beklemede");
    assert_eq!(rows[0].extra["amount"], serde_json::json!(10));
    assert_eq!(rows[0].xact_id.as_deref(), Some("xk_old_****0001"));
}

/// A receiver on a local port, as a service runs it.
async fn receiver() -> (String, mpsc::Receiver<RefundNotice>) {
    let (sender, notices) = mpsc::channel(16);
    let app = axum::Router::new().route("/paynet/refunds", refund_notice_route(sender));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/paynet/refunds", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, notices)
}

#[tokio::test]
async fn a_tests_command_decides_and_the_notice_arrives_and_is_confirmed() {
    let mock = mock(None).await;
    mock.add_transaction(sale("xk_decided_sale1", "50.00", 2));
    let client = client(&mock);
    let (url, mut notices) = receiver().await;
    for lira in ["10.00", "5.00"] {
        client
            .request_refund(
                RefundRequest::part("xk_decided_sale1", amount(lira))
                    .unwrap()
                    .succeed_url(&url),
            )
            .await
            .expect("pending");
    }
    let records = mock.refunds();
    assert!(records.iter().all(|r| r.status == RefundStatus::Pending));
    for (record, approve) in records.iter().zip([true, false]) {
        let delivery = mock.decide_refund(&record.refund_xact_id, approve).await;
        assert_eq!(delivery, Some(NoticeDelivery::Answered(200)));
        assert_eq!(mock.decide_refund(&record.refund_xact_id, true).await, None);
        let notice = notices.recv().await.expect("a notice");
        assert_eq!(notice.xact_id, record.refund_xact_id);
        let expected = if approve {
            RefundDecision::Approved
        } else {
            RefundDecision::NotApproved
        };
        assert_eq!(notice.decision(), expected);
        let confirmation = client
            .confirm_refund_notice(&notice, today())
            .await
            .unwrap();
        assert!(confirmation.is_listed());
        assert_eq!(confirmation.is_approved(), approve);
    }
    let forged =
        RefundNotice::from_json(br#"{"xact_id":"xk_mock_refund_999999","code":"0"}"#).unwrap();
    let confirmation = client
        .confirm_refund_notice(&forged, today())
        .await
        .unwrap();
    assert!(matches!(
        confirmation,
        NoticeConfirmation::Unconfirmed { .. }
    ));
    assert!(!confirmation.is_approved());
}

#[tokio::test]
async fn after_the_configured_delay_the_request_is_approved_and_posted() {
    let mock = mock(Some(Duration::from_millis(200))).await;
    mock.add_transaction(sale("xk_delayed_sale1", "30.00", 1));
    let client = client(&mock);
    let (url, mut notices) = receiver().await;
    client
        .request_refund(RefundRequest::whole("xk_delayed_sale1").succeed_url(&url))
        .await
        .expect("pending");
    let notice = tokio::time::timeout(Duration::from_secs(10), notices.recv())
        .await
        .expect("in time")
        .expect("a notice");
    assert_eq!(notice.decision(), RefundDecision::Approved);
    assert_eq!(notice.code, ResultCode::Successful);
    assert_eq!(mock.refunds()[0].status, RefundStatus::Approved);
}

#[tokio::test]
async fn a_failed_post_is_recorded_and_the_request_still_listed() {
    let mock = mock(None).await;
    mock.add_transaction(sale("xk_unheard_sale1", "30.00", 1));
    let client = client(&mock);
    // A port that accepts and never answers: the POST times out.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/refunds", silent.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    // A port nobody listens on: the POST is refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}/refunds", closed.local_addr().unwrap());
    drop(closed);
    for url in [&silent_url, &closed_url] {
        client
            .request_refund(
                RefundRequest::part("xk_unheard_sale1", amount("1.00"))
                    .unwrap()
                    .succeed_url(url),
            )
            .await
            .expect("pending");
    }
    let records = mock.refunds();
    let timed_out = mock.decide_refund(&records[0].refund_xact_id, true).await;
    assert_eq!(timed_out, Some(NoticeDelivery::Failed("timed out".into())));
    let refused = mock.decide_refund(&records[1].refund_xact_id, false).await;
    assert!(
        matches!(refused, Some(NoticeDelivery::Failed(_))),
        "{refused:?}"
    );
    let rows = client
        .refunds(RefundQuery::new(today()))
        .collect_rows()
        .await
        .unwrap();
    let statuses: Vec<&str> = rows
        .iter()
        .map(|r| r.extra["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["Onaylandı", "Onaylanmadı"]);
}

#[tokio::test]
async fn the_list_pages_every_request_exactly_once() {
    let mock = mock(None).await;
    mock.add_transaction(sale("xk_many_refunds1", "100.00", 3));
    let client = client(&mock);
    for _ in 0..25 {
        client
            .request_refund(RefundRequest::part("xk_many_refunds1", amount("0.10")).unwrap())
            .await
            .expect("pending");
    }
    for page in [1, 7, 10, 25, 100] {
        let rows = client
            .refunds(RefundQuery::new(today()).page_size(page))
            .collect_rows()
            .await
            .unwrap();
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.reversed_xact_id.clone().unwrap())
            .collect();
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), 25, "page size {page}");
        assert_eq!(distinct.len(), 25, "page size {page}");
    }
    // Another day's range holds none of them.
    let yesterday = turkish_today().pred_opt().unwrap();
    let none = client
        .refunds(RefundQuery::new(RefundDates::day(yesterday)))
        .collect_rows()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_hundred_concurrent_partial_refunds_never_exceed_the_sale() {
    let mock = mock(None).await;
    // 100.00 TRY in refunds of 1.50: at most 66 fit (99.00).
    mock.add_transaction(sale("xk_contended_sale", "100.00", 1));
    let client = client(&mock);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .request_refund(
                    RefundRequest::part("xk_contended_sale", "1.50".parse().unwrap()).unwrap(),
                )
                .await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(Error::Paynet {
                code: ResultCode::BadRequest,
                ..
            }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(accepted, 66);
    assert_eq!(mock.refund_requested("xk_contended_sale"), 66 * 150);
    assert_eq!(mock.refunds().len(), 66);
}

#[tokio::test]
async fn a_lost_answer_leaves_the_request_in_the_list() {
    let mock = mock(None).await;
    let id = format!("{LOST_ANSWER}_refund");
    mock.add_transaction(sale(&id, "40.00", 1));
    let client = client(&mock);
    let lost = client
        .request_refund(RefundRequest::part(&id, amount("10.00")).unwrap())
        .await
        .unwrap_err();
    assert!(lost.is_outcome_unknown(), "{lost:?}");
    // What a service does next: read the list before anything else.
    let rows = client
        .refunds(RefundQuery::new(today()))
        .collect_rows()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the request was made; do not send it again");
}
