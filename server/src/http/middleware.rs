//! Cross-cutting request handling: request ids, tracing spans, metrics, security
//! headers, CSRF protection and the session of page requests.

use crate::state::AppState;
use app::error::AppError;
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderValue, Method, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;
use std::time::Instant;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

pub const REQUEST_ID: &str = "x-request-id";

/// Gives every request an `x-request-id` (kept when the client sent one) and echoes
/// it on the response.
pub fn request_id_layers() -> ServiceBuilder<
    tower::layer::util::Stack<
        PropagateRequestIdLayer,
        tower::layer::util::Stack<SetRequestIdLayer<MakeRequestUuid>, tower::layer::util::Identity>,
    >,
> {
    let name = header::HeaderName::from_static(REQUEST_ID);
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(name.clone(), MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(name))
}

/// One tracing span per request (method, matched path, request id) with the status
/// and latency logged at the end, plus Prometheus counters and histograms.
pub async fn observe(req: Request<Body>, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| route_group(req.uri().path()));
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let span =
        tracing::info_span!("request", method = %method, path = %path, request_id = %request_id);
    let response = {
        use tracing::Instrument;
        next.run(req).instrument(span.clone()).await
    };
    let status = response.status().as_u16();
    let elapsed = start.elapsed();
    let _enter = span.enter();
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(status, duration_ms, "request failed");
    } else if path != "/healthz"
        && path != "/readyz"
        && path != "/metrics"
        && !path.starts_with("/pkg")
    {
        tracing::info!(status, duration_ms, "request");
    }
    let labels = [
        ("method", method.to_string()),
        ("path", path),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    response
}

/// Keeps metric label cardinality bounded for paths without a matched route
/// (static files, 404s).
fn route_group(path: &str) -> String {
    if path.starts_with("/pkg/") {
        "/pkg/*".into()
    } else if path.starts_with("/rpc/") {
        path.to_string()
    } else {
        "unmatched".into()
    }
}

/// Server functions answer every error with status 500 and the serialized
/// [`AppError`]; this gives them the status their error code stands for (401, 403,
/// 404, 409, 422...), so HTTP clients, logs and metrics see what really happened.
pub async fn rpc_error_status(req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with("/rpc/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    if res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = axum::http::StatusCode::from_u16(err.code.http_status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Conservative security headers on every response.
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    res
}

/// Loads the session of a page request (who is logged in, which language) before
/// the page renders, into the request's extensions where `app::session::page_session`
/// finds it. Server functions and static files do not need it.
pub async fn page_session(
    State(state): State<AppState>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/rpc/")
        && !path.starts_with("/pkg/")
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
    if is_page {
        match app::session::load(&state.db, req.headers()).await {
            Ok(info) => {
                req.extensions_mut().insert(info);
            }
            Err(e) => tracing::warn!(error = %e, "the page renders without a session"),
        }
    }
    next.run(req).await
}

/// Refuses state-changing requests from other origins.
///
/// Session cookies are `SameSite=Lax`, which already keeps them off cross-site POSTs
/// in modern browsers; this check adds a second, explicit line: every POST, PUT,
/// PATCH or DELETE outside `/api/v1` (which authenticates with bearer keys or
/// signatures, never cookies) must carry an `Origin` (or, failing that, a `Referer`)
/// of this site. Server functions are registered for POST only, so no
/// state-changing call can ride on a GET.
pub async fn csrf(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let unsafe_method = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !unsafe_method || req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let expected = match &state.settings.public_origin {
        Some(origin) => authority_of(origin).map(str::to_string),
        None => req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let presented = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(authority_of)
        .map(str::to_string);
    match (expected, presented) {
        (Some(e), Some(p)) if e.eq_ignore_ascii_case(&p) => next.run(req).await,
        (_, presented) => {
            tracing::warn!(
                origin = presented.as_deref().unwrap_or("-"),
                "cross-origin request refused"
            );
            AppError::new(
                ErrorCode::CsrfRejected,
                "This request did not come from a Bazaar page. Reload the page and try again",
            )
            .into_response()
        }
    }
}

/// `https://host:port/path` → `host:port`.
fn authority_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    (!authority.is_empty() && !authority.contains('@')).then_some(authority)
}

#[cfg(test)]
mod tests {
    use super::authority_of;

    #[test]
    fn authority_is_host_and_port() {
        assert_eq!(
            authority_of("http://127.0.0.1:3000/seller?x=1"),
            Some("127.0.0.1:3000")
        );
        assert_eq!(
            authority_of("https://bazaar.example.com"),
            Some("bazaar.example.com")
        );
        assert_eq!(authority_of("null"), None);
        assert_eq!(authority_of("http://user@evil/"), None);
    }
}
