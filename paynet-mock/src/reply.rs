//! The answers every part of the simulator builds: a JSON body with its
//! content type, and an error in the shape its operation documents.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

use crate::spec::ErrorStyle;
use crate::store::Transaction;

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    // `to_vec` writes to the buffer directly; `to_string` goes through
    // `fmt::Display`, a writer adapter per value (a third of a request's
    // cost in the simulator's debug build, as tests run it).
    let bytes = serde_json::to_vec(body).expect("a JSON value always serializes");
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// An error in the shape `style` documents: the classic API's
/// `{type, message, code (HTTP status), result_code}`, or SoftPOS's
/// `{object_name, code (result code), message}`.
pub(crate) fn error(
    style: ErrorStyle,
    status: StatusCode,
    error_type: &str,
    result_code: ResultCode,
    message: &str,
) -> Response {
    let body = match style {
        ErrorStyle::Classic => json!({
            "type": error_type,
            "message": message,
            "code": status.as_u16(),
            "result_code": result_code,
        }),
        ErrorStyle::SoftPos => json!({
            "object_name": "error",
            "code": result_code,
            "message": message,
        }),
    };
    json(status, &body)
}

/// A body that ends the connection without an answer.
pub(crate) fn dropped_connection(why: &'static str) -> Response {
    let stream = futures_util::stream::once(async move {
        Err::<bytes::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            why,
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// Marks an answer as the last on its connection: the rest of an unread
/// body cannot be told from the next request.
pub(crate) fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// An amount in the form Paynet sends: a JSON number (15, 14.65) when a
/// client reading the number as a double gets exactly this decimal back,
/// and otherwise a string (`"12345678901234567.89"`), which the spec's
/// `Amount` allows. Exact decimals as numbers would need serde_json's
/// `arbitrary_precision`, which would change serde_json for every crate
/// built with this one.
pub(crate) fn money(value: Decimal) -> Value {
    let value = value.normalize();
    if value.scale() == 0
        && let Ok(whole) = i64::try_from(value)
    {
        return json!(whole);
    }
    let text = value.to_string();
    // `Display` of a double is the shortest text that reads back as it.
    let double = text
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && Decimal::from_str_exact(&d.to_string()).ok() == Some(value));
    match double.and_then(serde_json::Number::from_f64) {
        Some(number) => Value::Number(number),
        None => Value::String(text),
    }
}

/// `fields` with what every answer about a transaction says of it in the
/// same words: its id, amounts, card holder and bank, and the fixed
/// authorisation data the simulator gives every transaction.
pub(crate) fn with_transaction(t: &Transaction, fields: Value) -> Value {
    let mut body = json!({
        "xact_id": t.xact_id,
        "pos_type": 5,
        "is_tds": false,
        "agent_id": "1001",
        "email": "",
        "phone": "",
        "bank_id": t.bank_id,
        "instalment": t.instalment,
        "ratio": money(t.ratio),
        "card_holder": t.card_holder,
        "amount": money(t.amount),
        "net_amount": money(t.net_amount),
        "comission": money(t.comission),
        "comission_tax": money(t.comission_tax),
        "currency": t.currency,
        "authorization_code": "123456",
        "reference_code": "ref-0001",
        "order_id": "ord-0001",
        "is_succeed": true,
    });
    if let (Value::Object(body), Value::Object(fields)) = (&mut body, fields) {
        body.extend(fields);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_a_number_only_where_a_double_holds_it_exactly() {
        for (text, expected) in [
            ("15", json!(15)),
            ("15.00", json!(15)),
            ("14.65", json!(14.65)),
            ("0.30", json!(0.3)),
            ("-2.5", json!(-2.5)),
            ("123456789012345", json!(123456789012345_i64)),
            ("1234567890123.45", json!(1234567890123.45)),
            ("12345678901234567.89", json!("12345678901234567.89")),
            ("0.1234567890123456789", json!("0.1234567890123456789")),
            (
                "79228162514264337593543950335",
                json!("79228162514264337593543950335"),
            ),
        ] {
            let value: Decimal = text.parse().unwrap();
            let answered = money(value);
            assert_eq!(answered, expected, "{text}");
            // Whatever form it takes, the decimal reads back exactly.
            let back: Decimal = match &answered {
                Value::String(s) => s.parse().unwrap(),
                Value::Number(n) => Decimal::from_str_exact(&n.as_f64().unwrap().to_string())
                    .or_else(|_| n.to_string().parse())
                    .unwrap(),
                other => panic!("{other}"),
            };
            assert_eq!(back, value, "{text}");
        }
    }
}
