//! The commands written by hand: the session key (whose answer is a key,
//! so it goes to a file), the transaction check by id or reference, and
//! shell completions.

use std::io::Write;
use std::path::Path;

use paynet_ext::{CheckExt, SessionKeyExt, TransactionRef};
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
