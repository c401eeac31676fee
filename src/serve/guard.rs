//! What keeps other sites and other hosts out of the server: every request
//! must name this server as its Host (a DNS-rebinding page names its own),
//! a change must come from this server's Origin when the browser says where
//! it comes from, and must carry the server's token ([`token_ok`]); every
//! answer carries the site's Content-Security-Policy and forbids framing.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::Shared;
use crate::site::html::CSP;

/// Whether `host` (a Host header) names this server: an address it
/// answers on, or `localhost`, with its port. Names other than
/// `localhost` are refused: that is what a rebinding attack uses.
pub fn host_ok(shared: &Shared, host: &str) -> bool {
    let port = shared.addr.port();
    let (name, p) = match host.rsplit_once(':') {
        Some(pair) => pair,
        None => return false,
    };
    if p.parse::<u16>().ok() != Some(port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let bind = shared.addr.ip();
    if name.eq_ignore_ascii_case("localhost") {
        return bind.is_loopback() || bind.is_unspecified();
    }
    match name.parse::<IpAddr>() {
        Ok(ip) if bind.is_unspecified() => !ip.is_multicast(),
        Ok(ip) => ip == bind,
        Err(_) => false,
    }
}

/// The token check, in constant time.
pub fn token_ok(shared: &Shared, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return false;
    };
    let (a, b) = (token.as_bytes(), shared.token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, format!("{why}\n")).into_response()
}

pub async fn guard(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !host_ok(&shared, &host) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers to its own address only.",
        );
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        if shared.options.read_only {
            return refuse(StatusCode::FORBIDDEN, "This server is read-only.");
        }
        if let Some(origin) = headers.get(header::ORIGIN)
            && origin.to_str().ok() != Some(&format!("http://{host}"))
        {
            return refuse(
                StatusCode::FORBIDDEN,
                "Changes are accepted from this server's own pages only.",
            );
        }
        if headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site")
        {
            return refuse(
                StatusCode::FORBIDDEN,
                "Changes are accepted from this server's own pages only.",
            );
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{CSP}; frame-ancestors 'none'")) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}
