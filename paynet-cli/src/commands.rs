//! The commands written by hand: the session key (whose answer is a key,
//! so it goes to a file), the transaction check by id or reference, a
//! refund with its amount in exact lira, every row of the refund list, and
//! shell completions.

use std::io::Write;
use std::path::Path;

use paynet_ext::types::RefundRequestPending;
use paynet_ext::{
    Amount, CheckExt, RefundAmount, RefundDates, RefundExt, RefundQuery, RefundRequest,
    SessionKeyExt, TransactionRef,
};
use serde_json::json;

use crate::Hand;
use crate::exit;
use crate::operation::{Settings, Usage};

/// Runs a hand-written command; its exit code, or why nothing was sent.
pub async fn run(command: Hand, settings: &Settings) -> Result<u8, Usage> {
    match command {
        Hand::SessionKey {
            agent_id,
            user_id,
            save_to,
        } => {
            let client = settings.client(true)?;
            // Check that the file can be written before asking for a key.
            write_private(&save_to, b"")?;
            match client.obtain_session_key(&agent_id, &user_id).await {
                Ok(key) => {
                    write_private(&save_to, format!("{}\n", key.expose_secret()).as_bytes())?;
                    settings.print(&json!({
                        "saved_to": save_to.display().to_string(),
                        "expired_date": key.expired_date().map(|d| d.as_str().to_string()),
                    }));
                    Ok(exit::SUCCESS)
                }
                Err(error) => {
                    let _ = std::fs::remove_file(&save_to);
                    Ok(settings.failure(&error, None))
                }
            }
        }
        Hand::Check {
            xact_id,
            reference_no,
        } => {
            let which = match (xact_id, reference_no) {
                (Some(id), _) => TransactionRef::XactId(id),
                (None, Some(reference)) => TransactionRef::ReferenceNo(reference),
                (None, None) => {
                    return Err(Usage("give --xact-id or --reference-no".to_string()));
                }
            };
            let client = settings.client(true)?;
            Ok(settings.finish(client.check_transaction(which).await))
        }
        Hand::Refund {
            xact_id,
            amount,
            succeed_url,
        } => {
            let mut request = match amount {
                None => RefundRequest::whole(xact_id.as_str()),
                Some(text) => {
                    let amount: Amount = text.trim().parse().map_err(|_| {
                        Usage(format!(
                            "--amount takes an amount in lira such as 10.00, not {text:?}"
                        ))
                    })?;
                    RefundRequest::part(xact_id.as_str(), amount)
                        .map_err(|e| Usage(e.to_string()))?
                }
            };
            if let Some(url) = succeed_url {
                request = request.succeed_url(url);
            }
            let client = settings.client(true)?;
            let shown = match request.amount() {
                RefundAmount::Part(kurus) => {
                    format!("{} TRY ({kurus} kuruş)", kurus.to_amount().value())
                }
                _ => "the whole sale".to_string(),
            };
            settings.confirm(
                "reversed_request",
                "İade",
                &[
                    ("xact_id".to_string(), xact_id.clone()),
                    ("amount".to_string(), shown),
                ],
            )?;
            match client.request_refund(request).await {
                Ok(pending) => {
                    let (amount, kurus) = match pending.amount() {
                        RefundAmount::Part(kurus) => (
                            Some(kurus.to_amount().value().to_string()),
                            Some(kurus.to_string()),
                        ),
                        _ => (None, None),
                    };
                    let mut answer = serde_json::to_value(&**pending.reply()).unwrap_or_default();
                    settings.redact(&mut answer);
                    settings.print(&json!({
                        "state": "requested",
                        "note": "Paynet created the request; its decision comes later (paynet refunds)",
                        "xact_id": pending.xact_id(),
                        "whole": amount.is_none(),
                        "amount": amount,
                        "amount_kurus": kurus,
                        "answer": answer,
                    }));
                    Ok(exit::SUCCESS)
                }
                Err(error) => {
                    let response = error
                        .response::<RefundRequestPending>()
                        .and_then(|r| serde_json::to_value(r).ok());
                    Ok(settings.failure(&error, response))
                }
            }
        }
        Hand::Refunds {
            from,
            to,
            agent_id,
            bank_id,
            page_size,
        } => {
            let dates = RefundDates::new(from, to).map_err(|e| Usage(e.to_string()))?;
            let mut query = RefundQuery::new(dates).page_size(page_size);
            if let Some(agent) = agent_id {
                query = query.agent_id(agent);
            }
            if let Some(bank) = bank_id {
                query = query.bank_id(bank);
            }
            let client = settings.client(true)?;
            let mut rows = client.refunds(query);
            while let Some(row) = rows.next().await {
                match row {
                    Ok(row) => {
                        let mut value = serde_json::to_value(&row).unwrap_or_default();
                        settings.redact(&mut value);
                        settings.print_row(&value);
                    }
                    Err(error) => return Ok(settings.failure_row(&error)),
                }
            }
            Ok(exit::SUCCESS)
        }
        Hand::Completions { shell } => {
            let mut stdout = std::io::stdout();
            clap_complete::generate(shell, &mut crate::cli(), "paynet", &mut stdout);
            let _ = stdout.flush();
            Ok(exit::SUCCESS)
        }
    }
}

/// Writes `contents` to `path`, readable and writable by its owner only.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), Usage> {
    let fail = |e: std::io::Error| Usage(format!("cannot write {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path).map_err(fail)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
        file.write_all(contents).map_err(fail)
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path).map_err(fail)?;
        file.write_all(contents).map_err(fail)
    }
}
