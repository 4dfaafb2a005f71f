//! The simulator's transactions and their one-way state machine:
//! captured → reversed, pre-authorised → reversed.

use std::collections::HashMap;
use std::sync::Mutex;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What kind of card transaction it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A captured (finansallaştırılmış) sale: capture reversal applies.
    Captured,
    /// A pre-authorisation (ön otorizasyon): pre-authorisation reversal applies.
    Preauthorized,
}

/// A transaction the simulator knows. In a preload file every field but
/// `xact_id` and `kind` may be left out; a field it does not know is
/// refused, so that a misspelt one (`xact_date` for `date`) is not
/// silently dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// Paynet's transaction id.
    pub xact_id: String,
    /// Captured or pre-authorised.
    pub kind: Kind,
    /// Amount charged (tutar).
    #[serde(default = "default_amount")]
    pub amount: Decimal,
    /// Amount without the service fee.
    #[serde(default = "default_net")]
    pub net_amount: Decimal,
    /// Service fee (vendor spelling).
    #[serde(default = "default_comission")]
    pub comission: Decimal,
    /// Tax on the service fee (vendor spelling).
    #[serde(default = "default_tax")]
    pub comission_tax: Decimal,
    /// Rate applied.
    #[serde(default = "default_ratio")]
    pub ratio: Decimal,
    /// Currency.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Bank code in Paynet.
    #[serde(default = "default_bank")]
    pub bank_id: String,
    /// Masked card number.
    #[serde(default = "default_card")]
    pub card_no_masked: String,
    /// Card holder.
    #[serde(default = "default_holder")]
    pub card_holder: String,
    /// Instalments.
    #[serde(default)]
    pub instalment: i64,
    /// Whether it has been reversed already.
    #[serde(default)]
    pub reversed: bool,
    /// The reference number the merchant sent with the payment
    /// (`reference_no`), by which the transaction check can find it.
    #[serde(default)]
    pub reference_no: Option<String>,
    /// The day the transaction was made (Turkish time); `None`: today.
    /// İade's rules depend on it: on the day of the sale only a whole
    /// cancel, later a whole or partial refund.
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a literal decimal")
}
fn default_amount() -> Decimal {
    dec("15")
}
fn default_net() -> Decimal {
    dec("14.65")
}
fn default_comission() -> Decimal {
    dec("0.30")
}
fn default_tax() -> Decimal {
    dec("0.05")
}
fn default_ratio() -> Decimal {
    dec("0.02")
}
fn default_currency() -> String {
    "TRY".into()
}
fn default_bank() -> String {
    "VAKF".into()
}
fn default_card() -> String {
    "435508******4358".into()
}
fn default_holder() -> String {
    "cardholder".into()
}

impl Transaction {
    /// A captured transaction with the vendor example's amounts.
    pub fn captured(xact_id: impl Into<String>) -> Self {
        Transaction::new(xact_id, Kind::Captured)
    }

    /// A pre-authorised transaction with the vendor example's amounts.
    pub fn preauthorized(xact_id: impl Into<String>) -> Self {
        Transaction::new(xact_id, Kind::Preauthorized)
    }

    fn new(xact_id: impl Into<String>, kind: Kind) -> Self {
        Transaction {
            xact_id: xact_id.into(),
            kind,
            amount: default_amount(),
            net_amount: default_net(),
            comission: default_comission(),
            comission_tax: default_tax(),
            ratio: default_ratio(),
            currency: default_currency(),
            bank_id: default_bank(),
            card_no_masked: default_card(),
            card_holder: default_holder(),
            instalment: 0,
            reversed: false,
            reference_no: None,
            date: None,
        }
    }

    /// Made on `date` (Turkish time) rather than today: a sale of an
    /// earlier day can be refunded in part.
    pub fn with_date(mut self, date: chrono::NaiveDate) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the reference number sent with the payment (`reference_no`).
    pub fn with_reference(mut self, reference_no: impl Into<String>) -> Self {
        self.reference_no = Some(reference_no.into());
        self
    }

    /// Sets the amounts: `net_amount` is `amount` less fee and tax.
    pub fn with_amounts(
        mut self,
        amount: Decimal,
        comission: Decimal,
        comission_tax: Decimal,
    ) -> Self {
        self.amount = amount;
        self.comission = comission;
        self.comission_tax = comission_tax;
        self.net_amount = amount - comission - comission_tax;
        self
    }
}

/// The `xact_id` of the capture reversal page's example request.
pub const CAPTURE_EXAMPLE_XACT_ID: &str = "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf";
/// The `xact_id` of the pre-authorisation reversal page's example request.
pub const PREAUTH_EXAMPLE_XACT_ID: &str = "xk_EAAAANFhOW7SioFxO8LHPMruxp0hX3wE8NmJSmGUD*W3uISj";

/// Why a reversal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such transaction.
    Unknown,
    /// Already reversed.
    AlreadyReversed,
    /// A reversal of the other kind (capture reversal of a pre-authorisation).
    WrongKind(Kind),
}

/// The transactions, behind one lock: a check and its state change happen
/// together, so concurrent duplicate reversals give exactly one success.
#[derive(Debug, Default)]
pub struct Store {
    transactions: Mutex<HashMap<String, Transaction>>,
    /// How many reversals were applied to each transaction, counted under
    /// the transactions' lock (a repeat answered 100 is not one).
    applied: Mutex<HashMap<String, u32>>,
}

impl Store {
    /// A store preloaded with the vendor pages' example transactions.
    pub fn with_examples() -> Self {
        let store = Store::default();
        store.insert(Transaction::captured(CAPTURE_EXAMPLE_XACT_ID));
        store.insert(Transaction::preauthorized(PREAUTH_EXAMPLE_XACT_ID));
        store
    }

    /// Adds or replaces a transaction.
    pub fn insert(&self, transaction: Transaction) {
        self.lock().insert(transaction.xact_id.clone(), transaction);
    }

    /// A copy of a transaction.
    pub fn get(&self, xact_id: &str) -> Option<Transaction> {
        self.lock().get(xact_id).cloned()
    }

    /// How many transactions there are, and how many are reversed.
    pub fn counts(&self) -> (usize, usize) {
        let map = self.lock();
        (map.len(), map.values().filter(|t| t.reversed).count())
    }

    /// Reverses a transaction of `kind`, or says why not.
    pub fn reverse(&self, xact_id: &str, kind: Kind) -> Result<Transaction, Refusal> {
        let mut map = self.lock();
        let transaction = map.get_mut(xact_id).ok_or(Refusal::Unknown)?;
        if transaction.kind != kind {
            return Err(Refusal::WrongKind(transaction.kind));
        }
        if transaction.reversed {
            return Err(Refusal::AlreadyReversed);
        }
        transaction.reversed = true;
        *self
            .applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(xact_id.to_string())
            .or_default() += 1;
        Ok(transaction.clone())
    }

    /// How many reversals the store applied to a transaction: 0 or 1, by
    /// construction; tests assert it after re-sent reversals.
    pub fn reversals_applied(&self, xact_id: &str) -> u32 {
        let _transactions = self.lock();
        self.applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(xact_id)
            .copied()
            .unwrap_or(0)
    }

    /// The transaction a transaction check (Ödeme Kontrol) asks for: by
    /// `xact_id`, by the `reference_no` sent with the payment, or by both
    /// (then both must match).
    pub fn find(&self, xact_id: Option<&str>, reference_no: Option<&str>) -> Option<Transaction> {
        let map = self.lock();
        let found = match (xact_id, reference_no) {
            (Some(id), _) => map.get(id),
            (None, Some(reference)) => map
                .values()
                .find(|t| t.reference_no.as_deref() == Some(reference)),
            (None, None) => None,
        }?;
        match reference_no {
            Some(reference) if found.reference_no.as_deref() != Some(reference) => None,
            _ => Some(found.clone()),
        }
    }

    /// Checks that a transaction could be reversed now, changing nothing.
    pub fn check_reversible(&self, xact_id: &str) -> Result<Transaction, Refusal> {
        let map = self.lock();
        let transaction = map.get(xact_id).ok_or(Refusal::Unknown)?;
        if transaction.reversed {
            return Err(Refusal::AlreadyReversed);
        }
        Ok(transaction.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Transaction>> {
        self.transactions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reversal_happens_once_and_only_for_its_kind() {
        let store = Store::with_examples();
        assert_eq!(
            store.reverse(PREAUTH_EXAMPLE_XACT_ID, Kind::Captured),
            Err(Refusal::WrongKind(Kind::Preauthorized))
        );
        let reversed = store
            .reverse(CAPTURE_EXAMPLE_XACT_ID, Kind::Captured)
            .unwrap();
        assert!(reversed.reversed);
        assert_eq!(
            store.reverse(CAPTURE_EXAMPLE_XACT_ID, Kind::Captured),
            Err(Refusal::AlreadyReversed)
        );
        assert_eq!(store.reverse("nope", Kind::Captured), Err(Refusal::Unknown));
        assert_eq!(store.counts(), (2, 1));
        assert_eq!(store.reversals_applied(CAPTURE_EXAMPLE_XACT_ID), 1);
        assert_eq!(store.reversals_applied(PREAUTH_EXAMPLE_XACT_ID), 0);
    }

    #[test]
    fn a_check_finds_by_xact_id_by_reference_or_by_both_agreeing() {
        let store = Store::default();
        store.insert(Transaction::captured("xk_a").with_reference("order-1"));
        store.insert(Transaction::captured("xk_b"));
        let id = |t: Option<Transaction>| t.map(|t| t.xact_id);
        assert_eq!(id(store.find(Some("xk_a"), None)), Some("xk_a".into()));
        assert_eq!(id(store.find(None, Some("order-1"))), Some("xk_a".into()));
        assert_eq!(
            id(store.find(Some("xk_a"), Some("order-1"))),
            Some("xk_a".into())
        );
        assert_eq!(store.find(Some("xk_b"), Some("order-1")), None);
        assert_eq!(store.find(None, Some("order-2")), None);
        assert_eq!(store.find(None, None), None);
    }

    #[test]
    fn preload_files_need_only_id_and_kind() {
        let list: Vec<Transaction> = serde_json::from_str(
            r#"[{"xact_id": "a", "kind": "captured"}, {"xact_id": "b", "kind": "preauthorized", "amount": "100.10"}]"#,
        )
        .unwrap();
        assert_eq!(list[0], Transaction::captured("a"));
        assert_eq!(list[1].amount.to_string(), "100.10");
    }
}
