//! A tour of the Paynet client: the three reversals, a success and the main
//! failures of each, showing what was sent and how the answer was mapped;
//! and the server's view of SoftPOS: obtaining a session key with the
//! secret key, starting a reversal with it, an expired key refused.
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

use paynet_ext::{ClientBuilder, Environment, Error, Reply, SecretKey, SessionKey, SessionKeyExt};
use paynet_mock::{
    CAPTURE_EXAMPLE_XACT_ID, Config, EXPIRED_SESSION_USER, MockServer, PREAUTH_EXAMPLE_XACT_ID,
    Transaction,
};
use serde_json::{Value, json};

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
        Err(e) => {
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
    }
    println!();
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

    let (total, reversed) = mock.store().counts();
    println!("The simulator now holds {total} transactions, {reversed} of them reversed.");
    mock.shutdown().await;
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
