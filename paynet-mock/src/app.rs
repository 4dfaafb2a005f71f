//! The axum app: one route per path of the spec, each method of it bound to
//! its operation's handler (admission, then the operation's [`Behaviour`]);
//! 404 for any other path, 405 for another method; one log line per request
//! from a middleware layer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::Value;

use crate::admission::{Rejection, admit};
use crate::answers::Behaviour;
use crate::spec::SpecOperation;
use crate::state::State;

/// What the log line says about a request that reached an operation; the
/// handler leaves it in the response's extensions for [`log`].
#[derive(Clone)]
struct Logged {
    operation: String,
    xact_id: Option<String>,
}

/// The app for `operations`: each one's route, and its behaviour chosen
/// once, here.
pub(crate) fn router(operations: &[Arc<SpecOperation>], state: Arc<State>) -> Router {
    let mut paths: BTreeMap<&str, Vec<&Arc<SpecOperation>>> = BTreeMap::new();
    for op in operations {
        paths.entry(op.path.as_str()).or_default().push(op);
    }
    let mut app = Router::new();
    for (path, ops) in paths {
        let allowed = ops
            .iter()
            .map(|op| op.method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut methods: MethodRouter<Arc<State>> = MethodRouter::new();
        for op in ops {
            let Ok(method) = Method::from_bytes(op.method.as_bytes()) else {
                continue;
            };
            let Ok(filter) = MethodFilter::try_from(method) else {
                continue;
            };
            let (op, behaviour) = (op.clone(), Behaviour::of(&op.id));
            methods = methods.merge(on(
                filter,
                move |axum::extract::State(state): axum::extract::State<Arc<State>>,
                      request: Request| async move {
                    operation(&state, &op, behaviour, request).await
                },
            ));
        }
        let methods = methods.fallback(move |request: Request| async move {
            Rejection::MethodNotAllowed {
                method: request.method().clone(),
                path: request.uri().path().to_string(),
                allowed,
            }
        });
        app = app.route(path, methods);
    }
    app.fallback(|request: Request| async move {
        Rejection::NoSuchPath(request.uri().path().to_string())
    })
    .layer(middleware::from_fn(log))
    .with_state(state)
}

/// One request of `op`: admitted, then answered by its behaviour.
async fn operation(
    state: &State,
    op: &SpecOperation,
    behaviour: Behaviour,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let (mut response, xact_id) = match admit(state, op, &parts.headers, body).await {
        Ok(json) => {
            let xact_id = json
                .get("xact_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            (behaviour.answer(state, op, &json).await, xact_id)
        }
        Err(rejection) => (rejection.into_response(), None),
    };
    response.extensions_mut().insert(Logged {
        operation: op.id.clone(),
        xact_id,
    });
    response
}

/// The log line of every request: method, path, status, operation,
/// `xact_id`, time.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let logged = response.extensions_mut().remove::<Logged>();
    let (operation, xact_id) = match &logged {
        Some(l) => (l.operation.as_str(), l.xact_id.as_deref()),
        None => ("-", None),
    };
    // The path and the xact_id come from the client: escaped (`\n`,
    // `\u{1b}`), so that no value can end the line or forge another one.
    tracing::info!(
        target: "paynet_mock",
        "{} {} -> {} op={} xact_id={} in {:.1} ms",
        method,
        path.escape_debug(),
        response.status().as_u16(),
        operation,
        xact_id.unwrap_or("-").escape_debug(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
