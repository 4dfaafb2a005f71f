//! The answers every part of the simulator builds: a JSON body with its
//! content type, and an error in the shape its operation documents.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

use crate::spec::ErrorStyle;

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
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
