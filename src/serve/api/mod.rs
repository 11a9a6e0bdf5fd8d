//! The routes: the page's assets and the JSON API of SPEC §10.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::desk::{self, View};
use super::{names, security, App};
use crate::error::Error;
use crate::scan::sniff::{self, Sniffed};

mod employees;
mod outputs;
mod scans;

use employees::*;
use outputs::*;
use scans::*;

/// Whether this build has `dossier copies` (SPEC §11).
pub const COPIES: bool = true;

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const ICON: &str = include_str!("../assets/icon.svg");

/// Bodies other than uploads (JSON, applicant.toml): far more than any real one.
const SMALL_BODY: usize = 1 << 20;

type Shared = Arc<App>;

pub fn router(app: Shared) -> Router {
    let upload_limit = usize::try_from(app.max_upload).unwrap_or(usize::MAX);
    let upload = Router::new()
        .route("/api/employees/{folder}/scans", post(upload_scan))
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/", get(index))
        .route(
            "/assets/app.js",
            get(|| asset(APP_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/assets/app.css",
            get(|| asset(APP_CSS, "text/css; charset=utf-8")),
        )
        .route("/assets/icon.svg", get(|| asset(ICON, "image/svg+xml")))
        .route("/api/meta", get(meta))
        .route("/api/employees", get(list).post(create))
        .route("/api/employees/{folder}", get(one))
        .route(
            "/api/employees/{folder}/applicant",
            get(applicant_text).put(applicant_save),
        )
        .route("/api/employees/{folder}/scans/{*name}", post(assign))
        .route("/api/employees/{folder}/thumb", get(thumb))
        .route("/api/files/out/{name}", get(out_file))
        .route("/api/copies.pdf", get(copies_pdf))
        .route("/api/checklist.pdf", get(checklist_pdf))
        .route("/api/pack", post(pack))
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .merge(upload)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

/// The gate of [`security::admit`], then the headers every answer carries.
async fn gate(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let admitted = security::admit(req.method(), req.uri(), req.headers(), app.port, &app.token);
    let mut resp = match admitted {
        Err(security::Refused(why)) => {
            let mut r = fail(security::REFUSED, why).into_response();
            if req.uri().path() == "/" {
                r = (
                    security::REFUSED,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    format!(
                        "<!doctype html><meta charset=utf-8><title>dossier</title><p>{why}</p>"
                    ),
                )
                    .into_response();
            }
            r
        }
        Ok(carried) => {
            let mut r = next.run(req).await;
            if carried == security::Carried::Query {
                r.headers_mut().append(
                    header::SET_COOKIE,
                    security::set_cookie(app.port, &app.token),
                );
            }
            r
        }
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// An answer that is not a success: a status and a JSON body.
pub struct Fail(StatusCode, Value);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        // An error names files, and a scan's name may hold an ID number: masked, as every
        // message the CLI prints is (SPEC §9).
        let mut body = self.1;
        crate::privacy::mask_json(&mut body, &crate::privacy::known_ids());
        (self.0, Json(body)).into_response()
    }
}

/// A JSON error answer: `{"error": message}`.
fn fail(status: StatusCode, message: impl Into<String>) -> Fail {
    Fail(status, json!({"error": message.into()}))
}

/// Runs blocking work (checks, file writes, PDFs) off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Fail> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "内部错误 (internal error)",
        )
    })
}

async fn not_found() -> Response {
    fail(StatusCode::NOT_FOUND, "没有这个地址 (no such address)").into_response()
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8").await
}

async fn asset(body: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

async fn meta(State(app): State<Shared>) -> Response {
    let s = &app.desk.ctx;
    Json(json!({
        "dir": app.desk.dir.file_name().map(|n| n.to_string_lossy().into_owned()),
        "single": app.desk.single,
        "date": s.date.to_string(),
        "standard": s.book.standard_score,
        "rulebook": {"id": s.book.id, "version": s.book.version, "title": s.book.title},
        "districts": s.book.district_names(),
        "max_upload": app.max_upload,
        "copies": app.copies,
        "version": crate::pack::TOOL_VERSION,
    }))
    .into_response()
}

/// A FOLDER from the address: malformed → 400, not an employee of DIR → 404.
fn employee_dir(app: &App, folder: &str) -> Result<PathBuf, Fail> {
    names::component(folder).map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?;
    app.desk.folder(folder).ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            format!(
                "没有员工文件夹「{}」(no such employee folder)",
                names::shown(folder)
            ),
        )
    })
}

fn broken_json(folder: &str, error: &str, diagnostics: &Value) -> Value {
    json!({"folder": folder, "error": error, "diagnostics": diagnostics})
}
