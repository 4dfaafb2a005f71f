//! The exit codes, one per answer to "what happened?", following
//! paynet-ext's three predicates on an error.

use paynet_ext::Error;

/// Done: Paynet answered with a success (result code 0, or 100 for a
/// repeat of one that had succeeded).
pub const SUCCESS: u8 = 0;
/// Certainly not done, and the same request would be refused again: a
/// bank decline, a result code, a 4xx, refused credentials
/// (`Error::is_refusal`).
pub const REFUSED: u8 = 1;
/// A usage or configuration error: a wrong flag or value, a missing or
/// unreadable key, no environment, a production call not confirmed.
/// Nothing was sent. (clap's own code for a usage error.)
pub const USAGE: u8 = 2;
/// The outcome is unknown: no answer, an unreadable or contradictory one,
/// a 5xx. Check the transaction before anything else
/// (`Error::is_outcome_unknown`).
pub const UNKNOWN: u8 = 3;
/// No connection could be made: the request never left, and the same
/// command may be run again (`Error::is_retry_safe`).
pub const NOT_SENT: u8 = 4;

/// The exit code of an error. A request the client refused to send
/// (`Error::InvalidRequest`: a value that breaks the spec) is a usage
/// error here: nothing was sent, and the command line is what to fix.
pub fn of(error: &Error) -> u8 {
    if matches!(error, Error::InvalidRequest { .. }) {
        USAGE
    } else if error.is_outcome_unknown() {
        UNKNOWN
    } else if error.is_retry_safe() {
        NOT_SENT
    } else {
        REFUSED
    }
}

/// The name of an exit code's outcome, as printed in an error's JSON.
pub fn outcome(code: u8) -> &'static str {
    match code {
        SUCCESS => "success",
        REFUSED => "refused",
        USAGE => "not_sent_usage",
        UNKNOWN => "unknown",
        _ => "not_sent",
    }
}

/// The exit codes, as `--help` shows them.
pub const HELP: &str = "\
Exit codes:
  0  success (result code 0, or 100: an earlier identical request had succeeded)
  1  refused: certainly not done (a bank decline, a result code, a 4xx, refused credentials)
  2  usage or configuration error: nothing was sent
  3  outcome unknown: check the transaction (paynet check) before anything else
  4  no connection could be made: nothing was sent, safe to run again";
