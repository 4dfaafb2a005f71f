//! Hand-written wire types for the values Paynet sends in more than one form.
//!
//! Paynet's tables and its own examples disagree on several types (see
//! `spec/README.md`): a result code documented as a string arrives as a
//! number, `is_succeed` documented as a string arrives as a boolean, money
//! documented as `decimal` arrives as a JSON number or a string, and dates
//! carry no UTC offset. `cargo xtask generate` replaces the named schemas of
//! `spec/openapi/base.json` with the types below (progenitor's type
//! replacement), so every generated struct decodes every form and callers see
//! one Rust type per field.
//!
//! Money never passes through a binary float on its way to [`Amount`] when it
//! arrives as a string. A JSON number is read by serde_json as `f64` and
//! turned back into the shortest decimal that reads as the same `f64`, which
//! is exact for every amount of up to 15 significant digits (`14.65` stays
//! `14.65`). With serde_json's `arbitrary_precision` feature on, numbers of
//! any length are exact.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The key serde_json uses for a number when `arbitrary_precision` is on.
const ARBITRARY_PRECISION_KEY: &str = "$serde_json::private::Number";

/// One JSON scalar as it arrived, before a wire type interprets it.
/// Strings are borrowed from the input where serde allows it and numbers
/// are kept as numbers, so decoding allocates only what it keeps.
enum Scalar<'de> {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// A number's exact text (serde_json with `arbitrary_precision`).
    NumberText(Cow<'de, str>),
    Str(Cow<'de, str>),
}

impl Scalar<'_> {
    fn describe(&self) -> String {
        match self {
            Scalar::Bool(b) => format!("boolean {b}"),
            Scalar::Int(n) => format!("number {n}"),
            Scalar::UInt(n) => format!("number {n}"),
            Scalar::Float(n) => format!("number {n}"),
            Scalar::NumberText(n) => format!("number {n}"),
            Scalar::Str(s) => format!("string {s:?}"),
        }
    }

    /// The text of a string, or the integer text of an integral number.
    fn integer(&self) -> Option<i64> {
        match self {
            Scalar::Int(n) => Some(*n),
            Scalar::UInt(n) => i64::try_from(*n).ok(),
            Scalar::NumberText(text) | Scalar::Str(text) => parse_integer(text),
            Scalar::Bool(_) | Scalar::Float(_) => None,
        }
    }
}

/// Formats into a stack buffer; `None` if it does not fit.
fn with_stack_text<R>(value: impl fmt::Display, f: impl FnOnce(&str) -> R) -> R {
    struct Stack {
        buf: [u8; 64],
        len: usize,
    }
    impl fmt::Write for Stack {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            if end > self.buf.len() {
                return Err(fmt::Error);
            }
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut stack = Stack {
        buf: [0; 64],
        len: 0,
    };
    if fmt::Write::write_fmt(&mut stack, format_args!("{value}")).is_ok() {
        f(std::str::from_utf8(&stack.buf[..stack.len]).expect("written from a str"))
    } else {
        f(&value.to_string())
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON string, number or boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::UInt(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        // serde_json with `arbitrary_precision` hands numbers over as a
        // one-entry map holding the number's exact text.
        match map.next_key::<Cow<'de, str>>()? {
            Some(key) if key == ARBITRARY_PRECISION_KEY => {
                Ok(Scalar::NumberText(Cow::Owned(map.next_value::<String>()?)))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Scalar<'de>, D::Error> {
    deserializer.deserialize_any(ScalarVisitor)
}

fn parse_integer(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// How many significant digits a JSON number keeps exactly through an f64.
const EXACT_DIGITS: usize = 15;

fn significant_digits(text: &str) -> usize {
    let digits = text.trim_start_matches(['-', '0', '.']);
    let digits = if text.contains('.') {
        digits
    } else {
        digits.trim_end_matches('0')
    };
    digits.bytes().filter(u8::is_ascii_digit).count().max(1)
}

/// The largest scale [`short_decimal`] tries: money has two decimals, the
/// ratios Paynet sends a few more.
const SHORT_SCALE: usize = 6;

/// The decimal that the text path (`Display` of `n`, then
/// [`significant_digits`] and [`Decimal::from_str_exact`]) gives for `n`,
/// found without writing text: the smallest scale `s` at which an integer
/// `m` below 10^15 reads back as `n` (`m / 10^s == n`; both are exact
/// `f64`s and the division rounds correctly, as parsing the decimal
/// `m·10^-s` does). `None` when there is none, or for -0: then the text
/// path decides. A test compares the two on many values.
fn short_decimal(n: f64) -> Option<Decimal> {
    const POW10: [f64; SHORT_SCALE + 1] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    if !n.is_finite() || (n == 0.0 && n.is_sign_negative()) {
        return None;
    }
    for (scale, power) in POW10.iter().enumerate() {
        let m = (n * power).round();
        if m.abs() >= 1e15 {
            return None;
        }
        if m / power == n {
            return Some(Decimal::new(m as i64, scale as u32));
        }
    }
    None
}

/// An exact amount of money in Turkish lira (tutar), from a JSON number or a
/// numeric string. Serialized as a string, so that it stays exact wherever
/// it goes next.
///
/// `Display` writes it as lira are written on a receipt, with two decimals
/// (`15.00`, `0.30`, `14.65`), whatever form it arrived in: two equal
/// amounts print the same, so a log line, a receipt and a reconciliation
/// file agree. It never rounds: an amount with fractions of a kuruş prints
/// every decimal it has (`0.125`), and parsing what it printed
/// ([`FromStr`]) gives the same value back. The value is exact
/// ([`Amount::value`]); the text as it arrived is [`Amount::as_sent`].
/// `Debug` shows the same two decimals (`Amount(15.00)`). Equality and
/// ordering compare values: `15` and `15.00` are equal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Zero lira.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// The amount as a decimal: exact, with the scale it arrived with
    /// (`15` and `15.00` are equal values of scale 0 and 2).
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The amount as Paynet wrote it, for anyone who must keep the text
    /// that arrived (an audit trail, a byte-for-byte comparison): `15` for
    /// the JSON number `15`, `15.00` for the string `"15.00"`, `0.3` for
    /// the number `0.3`. [`Display`](fmt::Display) writes two decimals
    /// instead. A string in the spec's form (digits, an optional point and
    /// decimals) comes back as it was, except that leading zeros are
    /// dropped (`"015.00"` is `15.00`); a JSON number is the shortest
    /// decimal that serde_json's `f64` reading of it gives (`15.0` arrives
    /// as `15`), or its exact text with serde_json's `arbitrary_precision`.
    pub fn as_sent(self) -> String {
        self.0.to_string()
    }

    /// `units` scaled down by `scale` decimal places: `Amount::new(1465, 2)`
    /// is 14.65.
    ///
    /// # Panics
    /// When `scale` is over 28, like [`Decimal::new`].
    pub fn new(units: i64, scale: u32) -> Amount {
        Amount(Decimal::new(units, scale))
    }

    /// The sum, or `None` if it overflows.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// The difference, or `None` if it overflows.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// Rounded to kuruş (two decimal places), halves away from zero, with
    /// exactly two decimals (its [`Amount::as_sent`] is `15.00`, not `15`).
    pub fn round_to_kurus(self) -> Amount {
        let mut rounded = self
            .0
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(2);
        Amount(rounded)
    }
}

impl std::ops::Add for Amount {
    type Output = Amount;
    /// # Panics
    /// On overflow (beyond about 7.9 × 10²⁸), like [`Decimal`]; see
    /// [`Amount::checked_add`].
    fn add(self, other: Amount) -> Amount {
        Amount(self.0 + other.0)
    }
}

impl std::ops::Sub for Amount {
    type Output = Amount;
    /// # Panics
    /// On overflow, like [`Decimal`]; see [`Amount::checked_sub`].
    fn sub(self, other: Amount) -> Amount {
        Amount(self.0 - other.0)
    }
}

impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, other: Amount) {
        self.0 += other.0;
    }
}

impl std::ops::SubAssign for Amount {
    fn sub_assign(&mut self, other: Amount) {
        self.0 -= other.0;
    }
}

impl std::ops::Neg for Amount {
    type Output = Amount;
    fn neg(self) -> Amount {
        Amount(-self.0)
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a Amount> for Amount {
    fn sum<I: Iterator<Item = &'a Amount>>(iter: I) -> Amount {
        iter.copied().sum()
    }
}

impl PartialEq<Decimal> for Amount {
    fn eq(&self, other: &Decimal) -> bool {
        self.0 == *other
    }
}

impl From<Decimal> for Amount {
    fn from(value: Decimal) -> Self {
        Amount(value)
    }
}

impl From<Amount> for Decimal {
    fn from(value: Amount) -> Self {
        value.0
    }
}

impl FromStr for Amount {
    type Err = rust_decimal::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::from_str_exact(s.trim()).map(Amount)
    }
}

impl fmt::Display for Amount {
    /// Two decimals at least (`15.00`, `0.30`), every decimal the value has
    /// beyond (`0.125`), never a rounded value; no `-` for a zero. Width,
    /// fill and alignment apply (`{:>10}`); an explicit precision (`{:.3}`)
    /// is passed to [`Decimal`]'s `Display`, which rounds to it, half to
    /// even (`{:.1}` of 14.65 is `14.6`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `normalize` drops trailing zeros past the point and turns -0
        // into 0; then at least two decimals, padded, never cut.
        let value = self.0.normalize();
        if f.precision().is_some() {
            return fmt::Display::fmt(&value, f);
        }
        let decimals = value.scale().max(2) as usize;
        with_stack_text(format_args!("{value:.decimals$}"), |text| f.pad(text))
    }
}

impl fmt::Debug for Amount {
    /// `Amount(15.00)`: the same text as `Display`, so that `{:?}` of an
    /// answer shows equal amounts alike.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({self})")
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let parse = |text: &str| {
            text.parse::<Amount>()
                .map_err(|e| de::Error::custom(format_args!("invalid amount {text:?}: {e}")))
        };
        match scalar(deserializer)? {
            Scalar::Int(n) => Ok(Amount(Decimal::from(n))),
            Scalar::UInt(n) => Ok(Amount(Decimal::from(n))),
            // The shortest decimal that reads back as the same f64:
            // 14.65 is 14.65. `short_decimal` finds it without text for
            // the amounts Paynet sends; otherwise `Display` of an f64 is
            // that decimal, without an exponent. Up to 15 significant
            // digits it is the one that was sent; beyond, the JSON number
            // may have lost digits on its way through the f64, and a
            // rounded amount is never reported.
            Scalar::Float(n) => match short_decimal(n) {
                Some(value) => Ok(Amount(value)),
                None => with_stack_text(n, |text| {
                    if significant_digits(text) > EXACT_DIGITS {
                        Err(de::Error::custom(format_args!(
                            "the amount {text} has more than {EXACT_DIGITS} significant digits as a JSON number, so it may not be exact; Paynet must send it as a string"
                        )))
                    } else {
                        parse(text)
                    }
                }),
            },
            Scalar::NumberText(text) | Scalar::Str(text) => parse(&text),
            other @ Scalar::Bool(_) => Err(de::Error::custom(format_args!(
                "expected an amount, found {}",
                other.describe()
            ))),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An exact decimal amount in Turkish lira, as a number or a numeric string.",
            "oneOf": [{"type": "number"}, {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}]
        })
    }
}

macro_rules! result_codes {
    ($($variant:ident = $code:literal, $name:literal, $doc:literal;)*) => {
        /// Paynet's result code (sonuç kodu; the vendor's table is "Dönüş
        /// Kodları"). Every documented code has a variant; any other number
        /// is kept in [`ResultCode::Other`]. Decoded from a number or a
        /// numeric string, serialized as a number.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ResultCode {
            $(#[doc = $doc] $variant,)*
            /// A code that Paynet's documentation does not list.
            Other(i64),
        }

        impl ResultCode {
            /// The code for a number.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => ResultCode::$variant,)*
                    other => ResultCode::Other(other),
                }
            }
            /// The number on the wire.
            pub fn code(self) -> i64 {
                match self {
                    $(ResultCode::$variant => $code,)*
                    ResultCode::Other(code) => code,
                }
            }
            /// Paynet's own name for the code (`company_blocked`), if documented.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(ResultCode::$variant => Some($name),)*
                    ResultCode::Other(_) => None,
                }
            }
        }
    };
}

result_codes! {
    Successful = 0, "successful", "0: the operation succeeded (başarılı).";
    Unsuccessful = 1, "unsuccessful", "1: the operation failed (başarısız).";
    CompanyBlocked = 2, "company_blocked", "2: the company is blocked.";
    AgentBlocked = 3, "agent_blocked", "3: the agent (bayi) is blocked.";
    AgentNotFound = 4, "agent_not_found", "4: the agent (bayi) was not found.";
    DuplicateData = 5, "duplicate_data", "5: duplicate data.";
    NoProcess = 6, "no_process", "6: nothing was processed.";
    Unauthorized = 7, "unauthorized", "7: not authorized (wrong or missing key).";
    ServerError = 8, "server_error", "8: Paynet's server failed.";
    NotImplemented = 9, "not_implemented", "9: not implemented.";
    Timeout = 10, "timeout", "10: a timeout inside Paynet or at the bank.";
    BadRequest = 11, "bad_request", "11: the request was invalid.";
    NoData = 12, "no_data", "12: no such data (for example an unknown transaction).";
    PaynetjNoSession = 13, "paynetj_no_session", "13: Paynet.js: no session.";
    PaynetjWrongBin = 14, "paynetj_wrong_bin", "14: Paynet.js: wrong card BIN.";
    PaynetjUnmatchTran = 15, "paynetj_unmatch_tran", "15: Paynet.js: the transaction does not match.";
    Paynetj3dError = 16, "paynetj_3d_error", "16: Paynet.js: 3-D Secure error.";
    PaynetjUsedSession = 17, "paynetj_used_session", "17: Paynet.js: the session was already used.";
    WrongCardData = 18, "wrong_card_data", "18: wrong card data.";
    WrongTransactionType = 19, "wrong_transaction_type", "19: wrong transaction type (for example reversing a transaction of another kind).";
    WrongPosType = 20, "wrong_pos_type", "20: wrong POS type.";
    WrongRatioGet = 21, "wrong_ratio_get", "21: the rate could not be read.";
    PaynetjExpireDateError = 22, "paynetj_expire_date_error", "22: Paynet.js: expiry date error (from the vendor's PHP sample).";
    RatioCodeNotFound = 23, "ratio_code_not_found", "23: rate code not found (from the vendor's PHP sample).";
    InvoiceNoNotFound = 24, "invoice_no_not_found", "24: invoice number not found (from the vendor's PHP sample).";
    CardNotFound = 25, "card_not_found", "25: card not found (from the vendor's PHP sample).";
    CardKeyUndefined = 26, "card_key_undefined", "26: card key undefined (from the vendor's PHP sample).";
    OldSuccessful = 100, "old_successful", "100: a previous successful transaction (Önceki Başarılı İşlem): the request was a repeat and the first one had succeeded.";
    SubscriptionOn = 200, "subscription_on", "200: subscription on (from the vendor's PHP sample).";
    SubscriptionOff = 201, "subscription_off", "201: subscription off (from the vendor's PHP sample).";
}

impl ResultCode {
    /// True for 0 (successful) and 100 (previous successful transaction).
    pub fn is_success(self) -> bool {
        matches!(self, ResultCode::Successful | ResultCode::OldSuccessful)
    }
}

impl From<i64> for ResultCode {
    fn from(code: i64) -> Self {
        ResultCode::from_code(code)
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

impl<'de> Deserialize<'de> for ResultCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Code::deserialize(deserializer).map(|c| ResultCode::from_code(c.0))
    }
}

impl Serialize for ResultCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl JsonSchema for ResultCode {
    fn schema_name() -> Cow<'static, str> {
        "ResultCode".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Paynet's result code, as a number or a numeric string.",
            "oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^-?[0-9]+$"}]
        })
    }
}

/// A numeric code that Paynet documents as `char` or `string` and sends as a
/// number (`transaction_type`, `pos_type`, the HTTP status in an error body).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Code(pub i64);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = scalar(deserializer)?;
        value.integer().map(Code).ok_or_else(|| {
            de::Error::custom(format_args!(
                "expected an integer code, found {}",
                value.describe()
            ))
        })
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl JsonSchema for Code {
    fn schema_name() -> Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An integer code, as a number or a numeric string.",
            "oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^-?[0-9]+$"}]
        })
    }
}

/// A boolean sent as `true`/`false` or as the strings `"true"`/`"false"`
/// (any letter case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Flag(pub bool);

impl Flag {
    /// The boolean.
    pub fn get(self) -> bool {
        self.0
    }
}

impl From<Flag> for bool {
    fn from(value: Flag) -> Self {
        value.0
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = scalar(deserializer)?;
        match &value {
            Scalar::Bool(b) => Some(*b),
            Scalar::Str(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
            Scalar::Str(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
        .map(Flag)
        .ok_or_else(|| {
            de::Error::custom(format_args!(
                "expected a boolean, found {}",
                value.describe()
            ))
        })
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.0)
    }
}

impl JsonSchema for Flag {
    fn schema_name() -> Cow<'static, str> {
        "Flag".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A boolean, or the string \"true\" or \"false\".",
            "oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false", "True", "False"]}]
        })
    }
}

/// Text that Paynet documents as another type (`paynet_error_id` as `bool`,
/// `currency` as `decimal`) and sends as a string: any scalar is kept as text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(pub String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Text(match scalar(deserializer)? {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(n) => n.to_string(),
            Scalar::UInt(n) => n.to_string(),
            Scalar::Float(n) => n.to_string(),
            Scalar::NumberText(text) | Scalar::Str(text) => text.into_owned(),
        }))
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Text, sent as a string, number or boolean.",
            "oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
        })
    }
}

/// A credential that arrives in an answer: the mobile session key of
/// `get_auth_key`, the `encryption_key` of a SoftPOS start (spec component
/// `SecretText`). Its `Debug` prints `[redacted]` and it has no `Display`,
/// so `{:?}` of the answer that carried it shows no key;
/// [`SecretText::expose_secret`] gives it. `Serialize` writes the key as
/// it came (it is meant to reach the phone): do not log a serialized
/// answer. The text is not zeroed on drop (paynet-ext's `SessionKey`,
/// built from a session key, is).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a credential.
    pub fn new(text: impl Into<String>) -> Self {
        SecretText(text.into())
    }

    /// The credential, for the one place it is needed.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([redacted])")
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretText)
    }
}

impl Serialize for SecretText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl JsonSchema for SecretText {
    fn schema_name() -> Cow<'static, str> {
        "SecretText".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A credential (mobile session key), sent as a string.",
            "type": "string"
        })
    }
}

/// A date and time as Paynet sends it, kept as the text that arrived, and
/// read as a date and time when the text is in a layout this crate knows.
///
/// The spec documents these fields as plain strings, so every string is
/// accepted: a layout nobody expected must not turn an answer into an
/// unreadable one. Known layouts: ISO 8601 without an offset (Turkish local
/// time, `2016-04-07T15:33:09.543`, also with a space for the `T`), RFC 3339
/// with an offset, and the Turkish `07.04.2016 15:33:09` (day first).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalDateTime {
    text: String,
}

impl LocalDateTime {
    /// The text as Paynet sent it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The wall-clock time, when the text is in a known layout.
    pub fn local(&self) -> Option<chrono::NaiveDateTime> {
        self.parsed().map(|(local, _)| local)
    }

    /// The UTC offset, when the text carried one.
    pub fn offset(&self) -> Option<chrono::FixedOffset> {
        self.parsed().and_then(|(_, offset)| offset)
    }

    /// Whether the text is in a known layout ([`LocalDateTime::local`] is
    /// `Some`).
    pub fn is_parsed(&self) -> bool {
        self.parsed().is_some()
    }

    /// Keeps `text`; it is read in the known layouts when asked
    /// ([`LocalDateTime::local`]), so decoding an answer whose dates
    /// nobody reads does not pay for parsing them.
    pub fn new(text: impl Into<String>) -> Self {
        LocalDateTime { text: text.into() }
    }

    fn parsed(&self) -> Option<(chrono::NaiveDateTime, Option<chrono::FixedOffset>)> {
        parse_date_time(self.text.trim())
    }
}

fn parse_date_time(s: &str) -> Option<(chrono::NaiveDateTime, Option<chrono::FixedOffset>)> {
    // chrono's own parser of `%Y-%m-%dT%H:%M:%S%.f`, without reading a
    // format string on every call: the layout Paynet documents, tried first.
    if let Ok(local) = s.parse::<chrono::NaiveDateTime>() {
        return Some((local, None));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some((t.naive_local(), Some(*t.offset())));
    }
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%d.%m.%Y %H:%M:%S%.f",
        "%d.%m.%Y %H:%M",
    ]
    .iter()
    .find_map(|layout| chrono::NaiveDateTime::parse_from_str(s, layout).ok())
    .map(|local| (local, None))
}

impl FromStr for LocalDateTime {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(LocalDateTime::new(s))
    }
}

impl fmt::Display for LocalDateTime {
    /// The text as it arrived.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(LocalDateTime::new(text.into_owned()))
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl JsonSchema for LocalDateTime {
    fn schema_name() -> Cow<'static, str> {
        "LocalDateTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date and time, usually Turkish local time without a UTC offset; any text is kept.",
            "type": "string"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_str, json, to_value};

    /// A JSON number's amount as the text path reads it: `Display`, the
    /// significant-digit bound, then the exact parse.
    fn by_text(n: f64) -> Option<Decimal> {
        let text = n.to_string();
        if significant_digits(&text) > EXACT_DIGITS {
            return None;
        }
        Decimal::from_str_exact(&text).ok()
    }

    /// Where [`short_decimal`] answers, it answers what the text path
    /// does, scale included (`as_sent` shows the scale).
    fn agrees_with_text(n: f64) -> Result<(), proptest::test_runner::TestCaseError> {
        if let Some(fast) = short_decimal(n) {
            let slow = by_text(n);
            proptest::prop_assert!(slow.is_some(), "{n}: {fast} where the text path refuses");
            proptest::prop_assert_eq!(fast.to_string(), slow.unwrap().to_string(), "{}", n);
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn short_decimal_reads_money_as_its_text(
            units in -(10i64.pow(14))..10i64.pow(14),
            scale in 0i32..=8,
        ) {
            let n = units as f64 / 10f64.powi(scale);
            agrees_with_text(n)?;
            // Amounts in lira and kuruş below a trillion never need text.
            if scale <= 2 && units.abs() < 10i64.pow(14) {
                proptest::prop_assert!(short_decimal(n).is_some(), "{}", n);
            }
        }

        #[test]
        fn short_decimal_agrees_on_any_float(bits in proptest::num::u64::ANY) {
            agrees_with_text(f64::from_bits(bits))?;
        }
    }

    #[test]
    fn short_decimal_leaves_edges_to_the_text_path() {
        for n in [-0.0, f64::NAN, f64::INFINITY, 1e15, 0.1234567, 1e-7] {
            assert_eq!(short_decimal(n), None, "{n}");
        }
        assert_eq!(short_decimal(14.65).unwrap().to_string(), "14.65");
        assert_eq!(short_decimal(15.0).unwrap().to_string(), "15");
        assert_eq!(short_decimal(-0.05).unwrap().to_string(), "-0.05");
        assert_eq!(short_decimal(0.0).unwrap().to_string(), "0");
    }

    #[test]
    fn amounts_decode_from_numbers_and_strings_exactly() {
        // (what arrived, Display, as_sent)
        for (text, shown, sent) in [
            ("14.65", "14.65", "14.65"),
            ("\"14.65\"", "14.65", "14.65"),
            ("15", "15.00", "15"),
            ("\"15.00\"", "15.00", "15.00"),
            ("0.3", "0.30", "0.3"),
            ("0.05", "0.05", "0.05"),
            ("\"0.30\"", "0.30", "0.30"),
            ("\"15.000\"", "15.00", "15.000"),
            ("\"0.125\"", "0.125", "0.125"),
            ("\"-0.00\"", "0.00", "0.00"),
            ("\"-7.5\"", "-7.50", "-7.5"),
            ("123456789012.34", "123456789012.34", "123456789012.34"),
        ] {
            let amount: Amount = from_str(text).unwrap();
            assert_eq!(amount.to_string(), shown, "{text}");
            assert_eq!(amount.as_sent(), sent, "{text}");
            // Display never rounds: what it printed parses to the same value.
            assert_eq!(amount.to_string().parse::<Amount>().unwrap(), amount);
        }
        // Equal amounts print alike, whatever form they arrived in.
        let number: Amount = from_str("15").unwrap();
        let string: Amount = from_str("\"15.00\"").unwrap();
        assert_eq!(number, string);
        assert_eq!(
            format!("{number} {number:?}"),
            format!("{string} {string:?}")
        );
        assert_eq!(format!("{number:?}"), "Amount(15.00)");
        assert_eq!(format!("[{number:>8}]"), "[   15.00]");
        // An explicit precision is Decimal's, which rounds half to even.
        assert_eq!(format!("{:.1}", Amount::new(1465, 2)), "14.6");
        assert_eq!(Amount::new(15, 0).round_to_kurus().as_sent(), "15.00");
        assert_eq!(Amount::new(14655, 3).round_to_kurus().to_string(), "14.66");
        assert_eq!(
            to_value(Amount::from_str("14.65").unwrap()).unwrap(),
            json!("14.65")
        );
        assert!(from_str::<Amount>("\"14,65\"").is_err());
        assert!(from_str::<Amount>("true").is_err());
    }

    #[test]
    fn result_codes_decode_from_numbers_and_strings_and_keep_unknown_numbers() {
        assert_eq!(from_str::<ResultCode>("0").unwrap(), ResultCode::Successful);
        assert_eq!(
            from_str::<ResultCode>("\"0\"").unwrap(),
            ResultCode::Successful
        );
        assert_eq!(
            from_str::<ResultCode>("100").unwrap(),
            ResultCode::OldSuccessful
        );
        assert_eq!(
            from_str::<ResultCode>("\" 12 \"").unwrap(),
            ResultCode::NoData
        );
        assert_eq!(
            from_str::<ResultCode>("4242").unwrap(),
            ResultCode::Other(4242)
        );
        assert_eq!(ResultCode::Other(4242).code(), 4242);
        assert_eq!(ResultCode::CardKeyUndefined.code(), 26);
        assert_eq!(ResultCode::NoData.to_string(), "12 (no_data)");
        assert_eq!(to_value(ResultCode::OldSuccessful).unwrap(), json!(100));
        assert!(from_str::<ResultCode>("\"zero\"").is_err());
        assert!(from_str::<ResultCode>("1.5").is_err());
        assert!(ResultCode::OldSuccessful.is_success() && !ResultCode::Unsuccessful.is_success());
    }

    #[test]
    fn every_documented_code_round_trips_through_its_number() {
        for code in (0..=26).chain([100, 200, 201]) {
            let rc = ResultCode::from_code(code);
            assert!(rc.name().is_some(), "{code} has no name");
            assert_eq!(rc.code(), code);
        }
        assert_eq!(ResultCode::from_code(27), ResultCode::Other(27));
    }

    #[test]
    fn flags_text_and_codes_accept_both_documented_forms() {
        assert!(from_str::<Flag>("true").unwrap().get());
        assert!(from_str::<Flag>("\"True\"").unwrap().get());
        assert!(!from_str::<Flag>("\"false\"").unwrap().get());
        assert!(from_str::<Flag>("\"yes\"").is_err());
        assert!(from_str::<Flag>("1").is_err());
        assert_eq!(from_str::<Text>("\"\"").unwrap().as_str(), "");
        assert_eq!(from_str::<Text>("false").unwrap().as_str(), "false");
        assert_eq!(from_str::<Text>("949").unwrap().as_str(), "949");
        assert_eq!(from_str::<Code>("6").unwrap(), Code(6));
        assert_eq!(from_str::<Code>("\"5\"").unwrap(), Code(5));
        assert!(from_str::<Code>("\"x\"").is_err());
    }

    #[test]
    fn dates_decode_in_every_known_layout_and_keep_any_other_text() {
        let d: LocalDateTime = from_str("\"2016-04-07T15:33:09.543\"").unwrap();
        assert_eq!(d.offset(), None);
        assert_eq!(d.local().unwrap().to_string(), "2016-04-07 15:33:09.543");
        assert_eq!(d.to_string(), "2016-04-07T15:33:09.543");
        let d: LocalDateTime = from_str("\"2016-04-07T15:33:09.543+03:00\"").unwrap();
        assert_eq!(d.offset().map(|o| o.local_minus_utc()), Some(3 * 3600));
        for turkish in ["07.04.2016 15:33:09", "2016-04-07 15:33:09"] {
            let d = LocalDateTime::new(turkish);
            assert_eq!(
                d.local().unwrap().to_string(),
                "2016-04-07 15:33:09",
                "{turkish}"
            );
            assert_eq!(d.as_str(), turkish);
        }
        // Any other string is what the spec allows: kept, not refused.
        let d: LocalDateTime = from_str("\"yesterday\"").unwrap();
        assert!(!d.is_parsed());
        assert_eq!(d.as_str(), "yesterday");
        assert_eq!(to_value(&d).unwrap(), json!("yesterday"));
        assert!(from_str::<LocalDateTime>("12").is_err(), "not a string");
    }
}
