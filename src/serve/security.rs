//! The gate every request passes (SPEC §10): the Host header (DNS rebinding), the token (query,
//! cookie or `Authorization: Bearer`), and for requests that change anything a foreign `Origin`.
//!
//! Invariants: a request is answered only when its Host is `127.0.0.1:PORT` or `localhost:PORT`
//! and it carries the token; a state-changing request (any method but GET/HEAD) with an
//! `Origin` other than the server's own (`null` included) or a cross-site `Sec-Fetch-Site` is
//! refused. Every refusal is a 403 with a JSON body, decided before any handler runs.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};

/// A fresh token: 160 random bits from the OS, as 40 hex digits.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source for the token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares without an early exit, so the time taken says nothing about where they differ.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The cookie's name: one per port, since cookies do not tell ports apart and two servers may
/// run side by side.
pub fn cookie_name(port: u16) -> String {
    format!("dossier_token_{port}")
}

/// The `Set-Cookie` value that lets the page's own requests carry the token.
pub fn set_cookie(port: u16, token: &str) -> HeaderValue {
    let v = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict",
        cookie_name(port)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// How the request carried a valid token, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// In the query string: the answer sets the cookie.
    Query,
    Cookie,
    Bearer,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub &'static str);

/// Decides whether a request may go on; on success, how it carried the token.
pub fn admit(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    port: u16,
    token: &str,
) -> Result<Carried, Refused> {
    // Host first: a page on another site that resolved its name to 127.0.0.1 (DNS rebinding)
    // sends its own name here.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let own_hosts = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if !own_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(Refused(
            "Host 不是本机地址 (the Host header is not 127.0.0.1:PORT or localhost:PORT)",
        ));
    }
    let carried = carried_token(uri, headers, port, token).ok_or(Refused(
        "缺少或错误的访问令牌：请用启动时终端打印的地址打开 (missing or wrong token: open the address printed at start)",
    ))?;
    if changes(method) {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("null");
            let own = own_hosts
                .iter()
                .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")));
            if !own {
                return Err(Refused(
                    "来自其他网页的修改请求被拒绝 (a change requested from a foreign Origin)",
                ));
            }
        }
        // Browsers that send no Origin still say where a request comes from.
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            if !matches!(site, "same-origin" | "none") {
                return Err(Refused(
                    "来自其他网页的修改请求被拒绝 (a change requested from another site)",
                ));
            }
        }
    }
    Ok(carried)
}

/// Whether a method may change something (everything but GET, HEAD and OPTIONS).
fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn carried_token(uri: &Uri, headers: &HeaderMap, port: u16, token: &str) -> Option<Carried> {
    if let Some(q) = uri.query() {
        for (k, v) in form_pairs(q) {
            if k == "token" && same(&v, token) {
                return Some(Carried::Query);
            }
        }
    }
    let cookie = cookie_name(port);
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == cookie && same(v, token) {
                    return Some(Carried::Cookie);
                }
            }
        }
    }
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            if same(t.trim(), token) {
                return Some(Carried::Bearer);
            }
        }
    }
    None
}

/// The `key=value` pairs of a query string, percent-decoded (`+` is a space).
pub fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The status of a refusal.
pub const REFUSED: StatusCode = StatusCode::FORBIDDEN;

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 40);
        assert_ne!(a, b);
    }

    #[test]
    fn the_gate() {
        let t = "abc";
        let uri: Uri = "/api/employees?token=abc".parse().unwrap();
        let bare: Uri = "/api/employees".parse().unwrap();
        let ok = headers(&[("host", "127.0.0.1:8080")]);
        assert_eq!(admit(&Method::GET, &uri, &ok, 8080, t), Ok(Carried::Query));
        assert!(admit(&Method::GET, &bare, &ok, 8080, t).is_err());
        let evil = headers(&[("host", "evil.example:8080")]);
        assert!(admit(&Method::GET, &uri, &evil, 8080, t).is_err());
        let other_port = headers(&[("host", "127.0.0.1:8081")]);
        assert!(admit(&Method::GET, &uri, &other_port, 8080, t).is_err());
        let cookie = headers(&[
            ("host", "localhost:8080"),
            ("cookie", "a=b; dossier_token_8080=abc"),
        ]);
        assert_eq!(
            admit(&Method::GET, &bare, &cookie, 8080, t),
            Ok(Carried::Cookie)
        );
        let wrong_port_cookie = headers(&[
            ("host", "localhost:8080"),
            ("cookie", "dossier_token_9=abc"),
        ]);
        assert!(admit(&Method::GET, &bare, &wrong_port_cookie, 8080, t).is_err());
        let bearer = headers(&[("host", "127.0.0.1:8080"), ("authorization", "Bearer abc")]);
        assert_eq!(
            admit(&Method::POST, &bare, &bearer, 8080, t),
            Ok(Carried::Bearer)
        );
        for origin in ["null", "http://evil.example", "http://127.0.0.1:8081"] {
            let h = headers(&[
                ("host", "127.0.0.1:8080"),
                ("authorization", "Bearer abc"),
                ("origin", origin),
            ]);
            assert!(
                admit(&Method::POST, &bare, &h, 8080, t).is_err(),
                "{origin}"
            );
            // Reading is not changing: the Origin does not matter there.
            assert!(admit(&Method::GET, &bare, &h, 8080, t).is_ok(), "{origin}");
        }
        let own = headers(&[
            ("host", "127.0.0.1:8080"),
            ("authorization", "Bearer abc"),
            ("origin", "http://localhost:8080"),
        ]);
        assert!(admit(&Method::PUT, &bare, &own, 8080, t).is_ok());
        let cross = headers(&[
            ("host", "127.0.0.1:8080"),
            ("authorization", "Bearer abc"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(admit(&Method::POST, &bare, &cross, 8080, t).is_err());
    }

    #[test]
    fn comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
