//! A tour of the Paynet client: the three reversals, a success and the main
//! failures of each, showing what was sent and how the answer was mapped;
//! the server's view of SoftPOS: obtaining a session key with the secret
//! key, starting a reversal with it, an expired key refused; and a refund
//! (İade) of part of yesterday's sale, whose decision the tour receives on
//! a local port and confirms against the refund list (İade Listesi).
//!
//! With no settings it starts `paynet-mock` in-process: no network, no
//! credentials. With `PAYNET_ENV=sandbox` (or `PAYNET_BASE_URL`) and
//! `PAYNET_SECRET_KEY` set, it runs against that server instead, for the
//! transaction ids given as arguments:
//!
//! ```text
//! cargo run -p paynet-tour                                     # local simulator
//! PAYNET_ENV=sandbox PAYNET_SECRET_KEY=sck_... [PAYNET_AGENT_ID=... PAYNET_USER_ID=... | PAYNET_SESSION_KEY=...] \
//!   cargo run -p paynet-tour -- CAPTURED_XACT_ID [PREAUTH_XACT_ID [SOFTPOS_ENCRYPTED_ID]]
//! ```

use paynet_ext::CallExt;
use std::time::Duration;

use paynet_ext::{
    Amount, ClientBuilder, Environment, Error, PendingRefund, RefundDates, RefundExt, RefundNotice,
    RefundQuery, RefundRequest, Reply, SecretKey, SessionKey, SessionKeyExt, refund_notice_route,
};
use paynet_mock::{
    CAPTURE_EXAMPLE_XACT_ID, Config, EXPIRED_SESSION_USER, MockServer, PREAUTH_EXAMPLE_XACT_ID,
    Transaction,
};
use serde_json::{Value, json};

/// Prints how a refund request (İade) was mapped: its success is a
/// pending request, not a refund.
fn show_refund(result: &Result<PendingRefund, Error>) {
    match result {
        Ok(pending) => {
            println!(
                "   answer  HTTP {}, result code {}",
                pending.reply().status(),
                pending.reply().result_code()
            );
            println!(
                "   mapped  Ok(PendingRefund): Paynet created a request for {} of {}; nothing is refunded until its team approves it",
                pending.amount(),
                pending.xact_id()
            );
            println!();
        }
        Err(e) => {
            show_error(e);
            println!();
        }
    }
}

/// Prints what is about to be sent: method, path, the credential headers
/// (redacted), the JSON body.
fn show_request(operation_id: &str, has_secret: bool, session: bool, body: &Value) {
    let op = paynet_api::runtime::operation(operation_id).expect("an operation of the spec");
    println!("   sent    {} {}", op.method, op.path);
    if !op.security.is_empty() {
        if has_secret {
            println!("           authorization: Basic [redacted]");
        } else {
            println!("           (no secret key: the client refuses to send this)");
        }
    }
    if session {
        println!("           session-key: [redacted]");
    }
    println!("           {body}");
}

/// Prints how the answer was mapped.
fn show<T>(result: &Result<Reply<T>, Error>, summary: impl Fn(&T) -> String) {
    match result {
        Ok(reply) => {
            println!(
                "   answer  HTTP {}, result code {}",
                reply.status(),
                reply.result_code()
            );
            let repeat = if reply.is_repeat() {
                " (a repeat: an earlier identical request had already succeeded)"
            } else {
                ""
            };
            println!("   mapped  Ok: {}{repeat}", summary(reply));
        }
        Err(e) => show_error(e),
    }
    println!();
}

/// Prints how a failure was mapped, and what to do about it.
fn show_error(e: &Error) {
    if let Some(status) = e.status() {
        println!("   answer  HTTP {status}");
    }
    println!("   mapped  Err({}): {e}", variant(e));
    let advice = if e.is_retry_safe() {
        "nothing reached Paynet: safe to send again"
    } else if e.is_outcome_unknown() {
        "the outcome is unknown: check the transaction before anything else"
    } else {
        "a clear refusal: nothing happened, and the same request would be refused again"
    };
    println!("           {advice}");
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::InvalidRequest { .. } => "InvalidRequest",
        Error::Transport { .. } => "Transport",
        Error::Timeout { .. } => "Timeout",
        Error::Unauthorized { .. } => "Unauthorized",
        Error::Http { .. } => "Http",
        Error::Paynet { .. } => "Paynet",
        Error::BankDeclined { .. } => "BankDeclined",
        Error::Inconsistent { .. } => "Inconsistent",
        Error::Undecodable { .. } => "Undecodable",
        Error::BodyTooLarge { .. } => "BodyTooLarge",
        Error::Redirected { .. } => "Redirected",
        _ => "other",
    }
}

fn title(n: &mut usize, text: &str) {
    *n += 1;
    println!("── {n}. {text}");
}

async fn capture(
    client: &paynet_api::Client,
    has_secret: bool,
    n: &mut usize,
    what: &str,
    xact_id: &str,
) {
    title(
        n,
        &format!("Capture reversal (Finansallaştırma İptal): {what}"),
    );
    let body = json!({ "xact_id": xact_id });
    show_request("capture_reversal", has_secret, false, &body);
    let request = client.capture_reversal().body_map(|b| b.xact_id(xact_id));
    let result = request.call().await;
    show(&result, |r| {
        format!(
            "reversed {} {} (net {}, fee {} + tax {}), bank {}",
            r.amount.map(|a| a.to_string()).unwrap_or_default(),
            r.currency
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            r.net_amount.map(|a| a.to_string()).unwrap_or_default(),
            r.comission.map(|a| a.to_string()).unwrap_or_default(),
            r.comission_tax.map(|a| a.to_string()).unwrap_or_default(),
            r.bank_id.clone().unwrap_or_default(),
        )
    });
}

async fn preauth(
    client: &paynet_api::Client,
    has_secret: bool,
    n: &mut usize,
    what: &str,
    xact_id: &str,
) {
    title(
        n,
        &format!("Pre-authorisation reversal (Ön Otorizasyon İptal): {what}"),
    );
    show_request(
        "preauth_reversal",
        has_secret,
        false,
        &json!({ "xact_id": xact_id }),
    );
    let request = client.preauth_reversal().body_map(|b| b.xact_id(xact_id));
    let result = request.call().await;
    show(&result, |r| r.message.clone().unwrap_or_default());
}

async fn softpos(
    client: &paynet_api::Client,
    session: &SessionKey,
    n: &mut usize,
    what: &str,
    xact_id: &str,
) {
    title(
        n,
        &format!("SoftPOS reversal start (İptal / İade Başlatma): {what}"),
    );
    let body = json!({ "xact_id": xact_id, "reference_no": "TOUR-1" });
    show_request("init_reversal_transaction", false, true, &body);
    let request = client
        .init_reversal_transaction()
        .session_key(session.expose_secret())
        .body_map(|b| {
            b.xact_id(xact_id.to_string())
                .reference_no("TOUR-1".to_string())
        });
    let result = request.call().await;
    show(&result, |r| {
        format!(
            "hand {} to the PayPOS app (encryption key received: {})",
            r.deeplink_url.clone().unwrap_or_default(),
            r.encryption_key.is_some()
        )
    });
}

/// The server's side of SoftPOS: a session key (Oturum Anahtarı,
/// `get_auth_key`) obtained with the secret key, in one call.
async fn obtain(
    client: &paynet_api::Client,
    n: &mut usize,
    what: &str,
    agent_id: &str,
    user_id: &str,
) -> Option<SessionKey> {
    title(
        n,
        &format!("Session key for a server (Oturum Anahtarı): {what}"),
    );
    show_request(
        "get_auth_key",
        true,
        false,
        &json!({ "agent_id": agent_id, "user_id": user_id }),
    );
    println!("           paynetmobile: {}", paynet_ext::PAYNET_MOBILE);
    let obtained = client.obtain_session_key(agent_id, user_id).await;
    let session = match obtained {
        Ok(session) => {
            let left = session
                .expires_at()
                .and_then(|end| end.duration_since(std::time::SystemTime::now()).ok());
            println!("   mapped  Ok: {session:?}");
            match left {
                Some(left) => println!(
                    "           valid for {} s more; hand it to the app, or use it for the SoftPOS calls",
                    left.as_secs()
                ),
                None => println!(
                    "           already expired (is_expired() is {})",
                    session.is_expired()
                ),
            }
            Some(session)
        }
        Err(e) => {
            println!("   mapped  Err({}): {e}", variant(&e));
            None
        }
    };
    println!();
    session
}

async fn local() -> anyhow::Result<()> {
    let mock = MockServer::start(Config {
        slow_delay: Duration::from_secs(3),
        refund_decision_delay: Some(Duration::from_secs(1)),
        ..Config::default()
    })
    .await?;
    println!(
        "Started paynet-mock on {} (a local Paynet; nothing leaves this machine).",
        mock.base_url()
    );
    println!("It knows the vendor pages' example transactions; some ids trigger chosen answers.\n");
    let env = Environment::custom(&mock.base_url())?;
    let client = ClientBuilder::new(env.clone())
        .secret_key(SecretKey::new(mock.secret_key())?)
        .build()?;
    let n = &mut 0;

    capture(
        &client,
        true,
        n,
        "the vendor's example transaction",
        CAPTURE_EXAMPLE_XACT_ID,
    )
    .await;
    capture(
        &client,
        true,
        n,
        "the same transaction again",
        CAPTURE_EXAMPLE_XACT_ID,
    )
    .await;
    capture(
        &client,
        true,
        n,
        "a transaction Paynet does not know",
        "xk_tour_unknown",
    )
    .await;
    capture(
        &client,
        true,
        n,
        "the bank declines (trigger xk_mock_bank_decline)",
        "xk_mock_bank_decline",
    )
    .await;
    capture(
        &client,
        true,
        n,
        "Paynet's own example answer: code 1 but is_succeed true",
        "xk_mock_disagree",
    )
    .await;
    let wrong_key = ClientBuilder::new(env.clone())
        .secret_key(SecretKey::new("sck_wrong")?)
        .build()?;
    mock.add_transaction(Transaction::captured("xk_tour_2"));
    capture(&wrong_key, true, n, "with a wrong secret key", "xk_tour_2").await;
    let impatient = ClientBuilder::new(env.clone())
        .secret_key(SecretKey::new(mock.secret_key())?)
        .timeout(Duration::from_secs(1))
        .build()?;
    capture(
        &impatient,
        true,
        n,
        "Paynet answers after the client's timeout (1 s here)",
        "xk_mock_slow",
    )
    .await;

    preauth(
        &client,
        true,
        n,
        "the vendor's example pre-authorisation",
        PREAUTH_EXAMPLE_XACT_ID,
    )
    .await;
    preauth(
        &client,
        true,
        n,
        "a captured transaction (the wrong kind)",
        "xk_tour_2",
    )
    .await;
    preauth(
        &client,
        true,
        n,
        "a repeat Paynet answers with code 100 (trigger xk_mock_repeat)",
        "xk_mock_repeat",
    )
    .await;
    let keyless = ClientBuilder::new(env.clone()).build()?;
    preauth(
        &keyless,
        false,
        n,
        "from a client that has no secret key",
        PREAUTH_EXAMPLE_XACT_ID,
    )
    .await;

    // The server's view: it obtains the session key itself.
    let session = obtain(
        &client,
        n,
        "for dealer 1234, user kasiyer1",
        "1234",
        "kasiyer1",
    )
    .await
    .expect("the simulator issues session keys");
    softpos(
        &client,
        &session,
        n,
        "a captured transaction, with the key just obtained",
        "xk_tour_2",
    )
    .await;
    let expired = obtain(
        &client,
        n,
        &format!("one that has already expired (user {EXPIRED_SESSION_USER})"),
        "1234",
        EXPIRED_SESSION_USER,
    )
    .await
    .expect("the simulator issues session keys");
    softpos(
        &client,
        &expired,
        n,
        "with the expired session key",
        "xk_tour_2",
    )
    .await;
    softpos(
        &client,
        &SessionKey::new("never_issued")?,
        n,
        "with a session key Paynet never issued",
        "xk_tour_2",
    )
    .await;
    softpos(
        &client,
        &session,
        n,
        "a proxy answers with an HTML error page (trigger xk_mock_html_500)",
        "xk_mock_html_500",
    )
    .await;

    refunds(&client, &mock, n).await?;

    let (total, reversed) = mock.store().counts();
    println!("The simulator now holds {total} transactions, {reversed} of them reversed.");
    mock.shutdown().await;
    Ok(())
}

/// İade and İade Listesi: half of yesterday's sale given back, the
/// decision received on a local port, confirmed against the refund list.
async fn refunds(
    client: &paynet_api::Client,
    mock: &MockServer,
    n: &mut usize,
) -> anyhow::Result<()> {
    let today = paynet_mock::turkish_today();
    let yesterday = today.pred_opt().expect("a day before today");
    let sale = "xk_tour_sale_of_yesterday";
    mock.add_transaction(
        Transaction::captured(sale)
            .with_amounts("20.00".parse()?, "0.40".parse()?, "0.07".parse()?)
            .with_date(yesterday),
    );
    mock.add_transaction(Transaction::captured("xk_tour_sale_of_today"));

    // The service's receiver for succeedUrl, on a local port: it answers
    // Paynet at once and hands each notice over this channel.
    let (sender, mut notices) = tokio::sync::mpsc::channel(8);
    let app = axum::Router::new().route("/paynet/refunds", refund_notice_route(sender));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let succeed_url = format!("http://{}/paynet/refunds", listener.local_addr()?);
    let receiver = tokio::spawn(async move { axum::serve(listener, app).await });

    title(
        n,
        "İade: give back 10.00 TRY of yesterday's 20.00 TRY sale; the decision comes to a local port",
    );
    let ten: Amount = "10.00".parse()?;
    let request = RefundRequest::part(sale, ten)?.succeed_url(&succeed_url);
    let body =
        json!({ "xact_id": sale, "amount": request.amount().wire(), "succeedUrl": succeed_url });
    show_request("reversed_request", true, false, &body);
    show_refund(&client.request_refund(request).await);

    title(
        n,
        "İade: 10.00 TRY of a sale made today (the page: no partial refund on the day of the sale)",
    );
    let body = json!({ "xact_id": "xk_tour_sale_of_today", "amount": "1000" });
    show_request("reversed_request", true, false, &body);
    show_refund(
        &client
            .request_refund(RefundRequest::part("xk_tour_sale_of_today", ten)?)
            .await,
    );

    title(n, "İade: 10.005 TRY (a fraction of a kuruş)");
    match RefundRequest::part(sale, "10.005".parse()?) {
        Ok(_) => println!("   (accepted: not expected)\n"),
        Err(e) => {
            println!("   nothing sent");
            show_error(&e);
            println!();
        }
    }

    title(
        n,
        "The decision: Paynet posts it to succeedUrl, unsigned; confirm it before acting",
    );
    let notice = tokio::time::timeout(Duration::from_secs(10), notices.recv())
        .await
        .map_err(|_| anyhow::anyhow!("no decision arrived in 10 s"))?
        .ok_or_else(|| anyhow::anyhow!("the receiver stopped"))?;
    println!(
        "   received xact_id {} code {} ({:?}), status {:?}",
        notice.xact_id,
        notice.code,
        notice.decision(),
        notice.status.as_deref().unwrap_or("")
    );
    let dates = RefundDates::new(yesterday, today)?;
    let confirmation = client.confirm_refund_notice(&notice, dates).await?;
    println!(
        "   confirmed against the refund list: listed {}, approved {}",
        confirmation.is_listed(),
        confirmation.is_approved()
    );
    let forged = RefundNotice::from_json(br#"{"xact_id":"xk_forged","code":"0"}"#)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let forged = client.confirm_refund_notice(&forged, dates).await?;
    println!(
        "   a forged notice for a refund the list does not show: listed {}, approved {}\n",
        forged.is_listed(),
        forged.is_approved()
    );

    title(
        n,
        "İade Listesi: poll the refund list instead (a stream of rows, page by page)",
    );
    show_request(
        "reversal_list",
        true,
        false,
        &json!({ "datab": yesterday.to_string(), "datbi": today.to_string(), "limit": 100 }),
    );
    let mut rows = client.refunds(RefundQuery::new(dates));
    while let Some(row) = rows.next().await {
        let row = row?;
        println!(
            "   row     refund {} of sale {}, entered {}, status {} (a field the page does not list, kept as it arrived)",
            row.reversed_xact_id.as_deref().unwrap_or("?"),
            row.xact_id.as_deref().unwrap_or("?"),
            row.entry_date
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            row.extra
                .get("status")
                .and_then(|s| s.as_str())
                .unwrap_or("?"),
        );
    }
    println!();
    receiver.abort();
    Ok(())
}

async fn remote() -> anyhow::Result<()> {
    // Without PAYNET_SECRET_KEY only the SoftPOS step can run, and the
    // classic steps show the refusal: ask for such a client by name.
    let has_secret = std::env::var_os(SecretKey::ENV).is_some();
    let builder = if has_secret {
        ClientBuilder::from_env()?
    } else {
        ClientBuilder::from_env_without_secret_key()?
    };
    println!(
        "Running against {:?}: real calls, real money in production.\n",
        Environment::from_env()?
    );
    let client = builder.build()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        anyhow::bail!(
            "give the transaction ids to reverse: CAPTURED_XACT_ID [PREAUTH_XACT_ID [SOFTPOS_ENCRYPTED_ID]]"
        );
    }
    let n = &mut 0;
    capture(&client, has_secret, n, "a transaction you named", &args[0]).await;
    capture(
        &client,
        has_secret,
        n,
        "a transaction Paynet does not know",
        "xk_tour_unknown",
    )
    .await;
    if let Some(id) = args.get(1) {
        preauth(&client, has_secret, n, "a pre-authorisation you named", id).await;
    }
    // With PAYNET_AGENT_ID and PAYNET_USER_ID, the server obtains its own
    // session key; otherwise PAYNET_SESSION_KEY gives one.
    let obtained = match (
        has_secret,
        std::env::var("PAYNET_AGENT_ID"),
        std::env::var("PAYNET_USER_ID"),
    ) {
        (true, Ok(agent_id), Ok(user_id)) => {
            obtain(
                &client,
                n,
                "for the dealer and user you named",
                &agent_id,
                &user_id,
            )
            .await
        }
        _ => None,
    };
    if let Some(id) = args.get(2) {
        let session = match obtained {
            Some(session) => session,
            None => SessionKey::from_env()?,
        };
        softpos(&client, &session, n, "a transaction you named", id).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("PAYNET_ENV").is_some() || std::env::var_os("PAYNET_BASE_URL").is_some() {
        remote().await
    } else {
        local().await
    }
}
