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

/// Whether this build has `dossier copies` (SPEC §11).
pub const COPIES: bool = true;

const INDEX: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const ICON: &str = include_str!("assets/icon.svg");

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
        (self.0, Json(self.1)).into_response()
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

async fn list(State(app): State<Shared>) -> Result<Response, Fail> {
    let views = blocking(move || app.desk.views(None)).await?;
    // Each checked employee's item is made once, when it is checked; it is written, not copied.
    let list: Vec<std::borrow::Cow<'_, Value>> = views
        .iter()
        .map(|(folder, _, v)| match v {
            View::Done(c) => std::borrow::Cow::Borrowed(&c.item),
            View::Broken { error, diagnostics } => {
                std::borrow::Cow::Owned(broken_json(folder, error, diagnostics))
            }
        })
        .collect();
    Ok(Json(list).into_response())
}

async fn one(
    State(app): State<Shared>,
    UrlPath(folder): UrlPath<String>,
) -> Result<Response, Fail> {
    employee_dir(&app, &folder)?;
    let f = folder.clone();
    let view = blocking(move || app.desk.view(&f)).await?;
    let Some((_, view)) = view else {
        return Err(fail(
            StatusCode::NOT_FOUND,
            "没有这个员工 (no such employee)",
        ));
    };
    Ok(Json(employee_json(&folder, &view)).into_response())
}

fn employee_json(folder: &str, view: &View) -> Value {
    match view {
        View::Done(c) => json!({
            "folder": folder,
            "check": c.check,
            "checklist": c.checklist,
            "score": c.score,
            "warnings": c.warnings,
        }),
        View::Broken { error, diagnostics } => {
            let mut v = broken_json(folder, error, diagnostics);
            v["check"] = Value::Null;
            v["checklist"] = Value::Null;
            v["score"] = Value::Null;
            v["warnings"] = json!([]);
            v
        }
    }
}

/// The `check` of one employee after a change, or its error.
fn check_after(app: &App, folder: &str) -> Value {
    app.desk.forget(folder);
    match app.desk.view(folder) {
        Some((_, View::Done(c))) => json!({"check": c.check}),
        Some((_, View::Broken { error, diagnostics })) => {
            json!({"check": null, "error": error, "diagnostics": diagnostics})
        }
        None => json!({"check": null}),
    }
}

#[derive(Deserialize)]
struct NewEmployee {
    folder: String,
}

async fn create(
    State(app): State<Shared>,
    Json(body): Json<NewEmployee>,
) -> Result<Response, Fail> {
    let name = names::new_folder(&body.folder)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?
        .to_string();
    if app.desk.single {
        return Err(fail(
            StatusCode::CONFLICT,
            "此页面打开的是一名员工的文件夹，不能在其中新建员工；请对部门文件夹运行 dossier serve (DIR is one employee)",
        ));
    }
    let dir = app.desk.dir.join(&name);
    if std::fs::symlink_metadata(&dir).is_ok() {
        return Err(fail(
            StatusCode::CONFLICT,
            format!("「{name}」已存在 (already exists)"),
        ));
    }
    let d = dir.clone();
    let made = blocking(move || crate::commands::init::create_folder(&d)).await?;
    match made {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(json!({"folder": name, "created": ["applicant.toml", "scans/"]})),
        )
            .into_response()),
        Err(e) if dir.join("applicant.toml").exists() => {
            Err(fail(StatusCode::CONFLICT, e.to_string()))
        }
        Err(e) => Err(fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

#[derive(Deserialize)]
struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn applicant_text(
    State(app): State<Shared>,
    UrlPath(folder): UrlPath<String>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, Fail> {
    let dir = employee_dir(&app, &folder)?;
    let path = dir.join("applicant.toml");
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() && m.len() <= SMALL_BODY as u64 => {}
        Ok(m) if m.is_file() => {
            return Err(fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                "applicant.toml 太大 (too large)",
            ))
        }
        _ => {
            return Err(fail(
                StatusCode::NOT_FOUND,
                "没有 applicant.toml (no applicant.toml in this folder)",
            ))
        }
    }
    let text =
        std::fs::read(&path).map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if q.format.as_deref() == Some("json") {
        // For the form: the text, its values as JSON, and where it does not parse as TOML.
        let text = String::from_utf8_lossy(&text).into_owned();
        let body = match toml::from_str::<toml::Table>(&text) {
            Ok(t) => json!({"text": text, "toml": toml_json(toml::Value::Table(t))}),
            Err(e) => {
                let d = crate::error::Diagnostic::at(&text, e.span().unwrap_or(0..0), e.message());
                json!({"text": text, "toml": {}, "diagnostics": desk::diagnostics_json(&[d])})
            }
        };
        return Ok(Json(body).into_response());
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

async fn applicant_save(
    State(app): State<Shared>,
    UrlPath(folder): UrlPath<String>,
    body: Bytes,
) -> Result<Response, Fail> {
    let dir = employee_dir(&app, &folder)?;
    let unprocessable =
        |d: Value| Fail(StatusCode::UNPROCESSABLE_ENTITY, json!({"diagnostics": d}));
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return Err(unprocessable(json!([{"line": 0, "column": 0,
            "message": "不是 UTF-8 文本 (the body is not UTF-8 text)"}])));
    };
    let outcome = blocking(move || -> Result<Value, Result<Value, String>> {
        // Validated exactly as the commands read it: written beside applicant.toml under a
        // temporary name, loaded, and renamed over it only when it is valid.
        let mut tmp = tempfile::Builder::new()
            .prefix(".applicant-")
            .suffix(".toml")
            .tempfile_in(&dir)
            .map_err(|e| Err(e.to_string()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Err(e.to_string()))?;
        tmp.as_file().sync_all().map_err(|e| Err(e.to_string()))?;
        let s = &app.desk.ctx;
        match crate::profile::Profile::load(tmp.path(), &s.book.district_names(), s.date) {
            Ok(_) => {}
            Err(Error::Applicant { diagnostics, .. }) => {
                return Err(Ok(desk::diagnostics_json(&diagnostics)))
            }
            Err(e) => {
                return Err(Ok(
                    json!([{"line": 0, "column": 0, "message": e.to_string()}]),
                ))
            }
        }
        tmp.persist(dir.join("applicant.toml"))
            .map_err(|e| Err(e.error.to_string()))?;
        Ok(check_after(&app, &folder))
    })
    .await?;
    match outcome {
        Ok(v) => Ok(Json(v).into_response()),
        Err(Ok(d)) => Err(unprocessable(d)),
        Err(Err(e)) => Err(fail(StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}

/// TOML values as JSON; dates become their text (`"2016-10-01"`).
fn toml_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_json(v))).collect())
        }
    }
}

#[derive(Deserialize)]
struct ItemQuery {
    item: String,
    #[serde(default)]
    part: Option<String>,
}

/// The checked employee behind FOLDER, or the answer why there is none.
fn checked(app: &App, folder: &str) -> Result<(PathBuf, std::sync::Arc<desk::Checked>), Fail> {
    employee_dir(app, folder)?;
    match app.desk.view(folder) {
        Some((dir, View::Done(c))) => Ok((dir, c)),
        Some((_, View::Broken { error, .. })) => Err(fail(
            StatusCode::CONFLICT,
            format!("先改正 applicant.toml (fix applicant.toml first): {error}"),
        )),
        None => Err(fail(
            StatusCode::NOT_FOUND,
            "没有这个员工 (no such employee)",
        )),
    }
}

/// Where a scan of `item` goes: `scans/<label>[-<part>].<ext>`, with the part asked for (409
/// when it is taken) or the first free one (the item's named parts in order, then p2, p3 …).
fn target_name(
    c: &desk::Checked,
    dir: &Path,
    slug: &str,
    part: Option<&str>,
    ext: &str,
    except: Option<&str>,
) -> Result<String, Fail> {
    let item = c
        .checklist
        .item(slug)
        .filter(|i| i.scanned())
        .ok_or_else(|| {
            fail(
                StatusCode::BAD_REQUEST,
                format!(
                    "清单中没有材料「{}」(no such item on this checklist)",
                    names::shown(slug)
                ),
            )
        })?;
    let label: String = item
        .label
        .chars()
        .map(|ch| {
            if "/\\:*?\"<>|%".contains(ch) || ch.is_control() {
                '_'
            } else {
                ch
            }
        })
        .collect();
    let fold = crate::scan::matching::fold_key;
    // Parts already there: the item's files, and any file in scans/ with the item's name.
    let have: Vec<Vec<char>> = c
        .report
        .items
        .iter()
        .filter(|r| r.slug == slug)
        .flat_map(|r| r.files.iter())
        .filter(|f| Some(f.rel.as_str()) != except)
        .map(|f| fold(&f.part))
        .collect();
    let scans = dir.join("scans");
    let exists = |name: &str| -> bool {
        let Ok(rd) = std::fs::read_dir(&scans) else {
            return false;
        };
        let (stem, _) = crate::scan::matching::split_ext(name);
        let key = fold(stem);
        rd.flatten().any(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let rel = format!("scans/{n}");
            Some(rel.as_str()) != except && fold(crate::scan::matching::split_ext(&n).0) == key
        })
    };
    let name_of = |p: &str| {
        if p.is_empty() {
            format!("{label}.{ext}")
        } else {
            format!("{label}-{p}.{ext}")
        }
    };
    if let Some(p) = part {
        let p = names::part(p).map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?;
        let name = name_of(p);
        if have.contains(&fold(p)) || exists(&name) {
            return Err(fail(
                StatusCode::CONFLICT,
                format!("「{name}」已有文件，不会覆盖 (a file of that part exists)"),
            ));
        }
        return Ok(name);
    }
    let mut candidates: Vec<String> = item.parts.clone();
    if item.parts.is_empty() {
        candidates.push(String::new());
    }
    candidates.extend((2..100).map(|n| format!("p{n}")));
    candidates
        .into_iter()
        .find(|p| !have.contains(&fold(p)) && !exists(&name_of(p)))
        .map(|p| name_of(&p))
        .ok_or_else(|| fail(StatusCode::CONFLICT, "没有空闲的文件名 (no free part name)"))
}

/// The content type of a scan from its first bytes; 415 for anything but PDF/JPEG/PNG, or a
/// type the item does not accept.
fn scan_kind(head: &[u8], c: &desk::Checked, slug: &str) -> Result<crate::scan::FileKind, Fail> {
    let kind = match sniff::sniff(head) {
        Sniffed::Scan { kind, .. } => kind,
        Sniffed::Other { zh: what, .. } => {
            return Err(fail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("这是{what}，不是 PDF、JPG 或 PNG 扫描件，未保存 (not a pdf/jpg/png by its content; nothing saved)"),
            ))
        }
    };
    if let Some(item) = c.checklist.item(slug) {
        if !item.accept.is_empty() && !item.accept.iter().any(|a| a == kind.ext()) {
            return Err(fail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "「{}」只收 {}，这是 {}，未保存 (this item takes other types; nothing saved)",
                    item.label,
                    item.accept.join("、"),
                    kind.name()
                ),
            ));
        }
    }
    Ok(kind)
}

async fn upload_scan(
    State(app): State<Shared>,
    UrlPath(folder): UrlPath<String>,
    Query(q): Query<ItemQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Fail> {
    // The original name is only told back; the saved name is the item's.
    let original = match headers.get("x-file-name") {
        Some(v) => {
            let raw = v.to_str().map_err(|_| {
                fail(
                    StatusCode::BAD_REQUEST,
                    "X-File-Name 须为百分号编码 (percent-encode X-File-Name)",
                )
            })?;
            let decoded = percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| {
                    fail(
                        StatusCode::BAD_REQUEST,
                        "X-File-Name 不是 UTF-8 (not UTF-8)",
                    )
                })?;
            Some(names::shown(&decoded))
        }
        None => None,
    };
    if body.len() as u64 > app.max_upload {
        return Err(too_large(&app));
    }
    if body.is_empty() {
        return Err(fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "空文件，未保存 (an empty file; nothing saved)",
        ));
    }
    blocking(move || {
        let (dir, c) = checked(&app, &folder)?;
        let kind = scan_kind(&body[..body.len().min(1024)], &c, &q.item)?;
        let name = target_name(&c, &dir, &q.item, q.part.as_deref(), kind.ext(), None)?;
        let scans = dir.join("scans");
        match crate::bundle::write_atomic(&scans, &name, &body, false) {
            Ok(_) => {}
            Err(crate::bundle::BundleError::Exists { .. }) => {
                return Err(fail(
                    StatusCode::CONFLICT,
                    format!("「{name}」已存在，未覆盖 (exists)"),
                ))
            }
            Err(e) => return Err(fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
        }
        let mut v = check_after(&app, &folder);
        v["saved"] = format!("scans/{name}").into();
        if let Some(o) = original {
            v["original"] = o.into();
        }
        Ok((StatusCode::CREATED, Json(v)).into_response())
    })
    .await?
}

fn too_large(app: &App) -> Fail {
    fail(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "文件超过 {} MB，未保存 (over the size limit; nothing saved)",
            app.max_upload / 1_000_000
        ),
    )
}

async fn assign(
    State(app): State<Shared>,
    UrlPath((folder, rest)): UrlPath<(String, String)>,
    Query(q): Query<ItemQuery>,
) -> Result<Response, Fail> {
    let Some(name) = rest.strip_suffix("/assign") else {
        return Err(fail(
            StatusCode::NOT_FOUND,
            "没有这个地址 (no such address)",
        ));
    };
    let name = names::scan_rel(name)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?
        .to_string();
    blocking(move || {
        let (dir, c) = checked(&app, &folder)?;
        // Only a file the check found in scans/ (the tree, not the request, says what exists).
        let rel = format!("scans/{name}");
        let known = c
            .report
            .items
            .iter()
            .flat_map(|i| i.files.iter().map(|f| f.rel.as_str()))
            .chain(c.report.findings.iter().filter_map(|f| f.path.as_deref()))
            .any(|p| p == rel);
        if !known {
            return Err(fail(
                StatusCode::NOT_FOUND,
                format!("scans/ 中没有「{}」(no such scan)", names::shown(&name)),
            ));
        }
        let from = dir.join("scans").join(&name);
        match std::fs::symlink_metadata(&from) {
            Ok(m) if m.is_file() => {}
            _ => {
                return Err(fail(
                    StatusCode::NOT_FOUND,
                    "不是普通文件 (not a regular file)",
                ))
            }
        }
        let mut head = vec![0u8; 1024];
        let n = std::io::Read::read(
            &mut std::fs::File::open(&from)
                .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?,
            &mut head,
        )
        .unwrap_or(0);
        let kind = scan_kind(&head[..n], &c, &q.item)?;
        let new = target_name(&c, &dir, &q.item, q.part.as_deref(), kind.ext(), Some(&rel))?;
        let to = dir.join("scans").join(&new);
        if to != from {
            rename_new(&from, &to)?;
        }
        let mut v = check_after(&app, &folder);
        v["saved"] = format!("scans/{new}").into();
        Ok(Json(v).into_response())
    })
    .await?
}

/// Renames `from` to `to`, never replacing a file at `to`.
fn rename_new(from: &Path, to: &Path) -> Result<(), Fail> {
    let exists = || {
        fail(
            StatusCode::CONFLICT,
            "目标文件已存在，未覆盖 (the target exists)",
        )
    };
    // A hard link cannot replace a file: no window in which one made meanwhile is lost.
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from)
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        // File systems without hard links (FAT on a USB stick): check, then rename.
        Err(_) => {
            if std::fs::symlink_metadata(to).is_ok() {
                return Err(exists());
            }
            std::fs::rename(from, to)
                .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
        }
    }
}

#[derive(Deserialize)]
struct ThumbQuery {
    file: String,
}

async fn thumb(
    State(app): State<Shared>,
    UrlPath(folder): UrlPath<String>,
    Query(q): Query<ThumbQuery>,
) -> Result<Response, Fail> {
    let rel = q
        .file
        .strip_prefix("scans/")
        .ok_or_else(|| fail(StatusCode::BAD_REQUEST, "只有 scans/ 中的文件有缩略图"))?;
    names::scan_rel(rel).map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?;
    let png = blocking(move || {
        let (dir, c) = checked(&app, &folder)?;
        let known = c
            .report
            .items
            .iter()
            .flat_map(|i| i.files.iter())
            .any(|f| f.rel == q.file);
        if !known {
            return Err(fail(StatusCode::NOT_FOUND, "没有这个扫描件 (no such scan)"));
        }
        let path = dir.join(&q.file);
        app.thumbs
            .get(&path, app.desk.ctx.book.limits.max_pixels)
            .ok_or_else(|| fail(StatusCode::NOT_FOUND, "没有缩略图 (no thumbnail)"))
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=60"),
        ],
        png,
    )
        .into_response())
}

async fn out_file(
    State(app): State<Shared>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, Fail> {
    let name = names::component(&name)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, e.0))?
        .to_string();
    let path = app.desk.dir.join("out").join(&name);
    // Only a regular file directly in out/, never through a link.
    let out_ok = std::fs::symlink_metadata(app.desk.dir.join("out")).is_ok_and(|m| m.is_dir());
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() && out_ok => {}
        _ => {
            return Err(fail(
                StatusCode::NOT_FOUND,
                format!("out/ 中没有「{}」(no such file)", names::shown(&name)),
            ))
        }
    }
    let bytes = blocking(move || std::fs::read(&path))
        .await?
        .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let kind = match crate::scan::matching::split_ext(&name).1.as_str() {
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
    Ok(download(bytes, kind, &name))
}

/// A file answer the browser saves under `name`.
fn download(bytes: Vec<u8>, kind: &'static str, name: &str) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename*=UTF-8''{encoded}");
    let mut r = ([(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Deserialize)]
struct PdfQuery {
    #[serde(default)]
    folders: String,
    #[serde(default)]
    visit: Option<String>,
}

/// The employees a `folders=a,b` list names (each checked against the tree); empty: all.
fn chosen(app: &App, list: &str) -> Result<Option<Vec<String>>, Fail> {
    let folders: Vec<String> = list
        .split(',')
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    for f in &folders {
        employee_dir(app, f)?;
    }
    Ok((!folders.is_empty()).then_some(folders))
}

/// A `visit=` argument: its number, id or label (as `--visit`), 0-based.
fn visit_of(app: &App, visit: Option<&str>) -> Result<Option<usize>, Fail> {
    let visits: Vec<(&str, &str)> = app
        .desk
        .ctx
        .book
        .visits
        .iter()
        .map(|v| (v.id.as_str(), v.label.as_str()))
        .collect();
    visit
        .map(|v| {
            crate::copies::resolve_visit(&visits, v)
                .map_err(|e| fail(StatusCode::BAD_REQUEST, e.zh))
        })
        .transpose()
}

/// The photocopies of the chosen ready employees, as `dossier copies` makes them.
async fn copies_pdf(
    State(app): State<Shared>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, Fail> {
    let only = chosen(&app, &q.folders)?;
    let visit = visit_of(&app, q.visit.as_deref())?;
    blocking(move || {
        let mut ready = Vec::new();
        let mut left_out = Vec::new();
        for (folder, _, view) in app.desk.views(only.as_deref()) {
            match view {
                View::Done(c) if c.report.ready => {
                    ready.push(crate::copies::plan(&c.checklist, &c.report, visit))
                }
                _ => left_out.push(folder),
            }
        }
        if ready.iter().all(|c| c.sheets.is_empty()) {
            return Err(Fail(
                StatusCode::CONFLICT,
                json!({"error": if ready.is_empty() {
                    "没有就绪的员工，没有复印件可打印 (no employee is ready)"
                } else {
                    "这次窗口不收任何扫描材料的复印件 (no visit asks for a copy of a scanned item)"
                }, "left_out": left_out}),
            ));
        }
        let s = &app.desk.ctx;
        let opts = crate::render::copies::CopiesOptions {
            date: s.date,
            max_file_bytes: s.book.limits.max_file_bytes,
            max_pixels: s.book.limits.max_pixels,
        };
        let fonts = crate::render::Fonts::embedded()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let bytes = crate::render::copies::copies_pdf(&ready, &opts, &fonts)
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let mut r = download(bytes, "application/pdf", &format!("复印件-{}.pdf", s.date));
        // Who was left out (not ready), for the page to say.
        left_out_header(&mut r, &left_out);
        Ok(r)
    })
    .await?
}

/// The department folders to work on: the chosen employees' folders, or DIR for all.
fn dirs_of(app: &App, only: Option<&[String]>) -> Vec<PathBuf> {
    match only {
        None => vec![app.desk.dir.clone()],
        // In the department's order, whatever the order asked.
        Some(folders) => app
            .desk
            .employees()
            .into_iter()
            .filter(|e| folders.contains(&e.folder))
            .map(|e| e.dir)
            .collect(),
    }
}

/// Percent-encoded folder names for the `X-Left-Out` header.
fn left_out_header(r: &mut Response, folders: &[String]) {
    if folders.is_empty() {
        return;
    }
    let names = percent_encoding::utf8_percent_encode(
        &folders.join(","),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    if let Ok(v) = HeaderValue::from_str(&names) {
        r.headers_mut().insert("x-left-out", v);
    }
}

/// The counter checklist PDF of the chosen employees (`checklist --pdf`): those below the
/// standard, vetoed or broken are left out and named in `X-Left-Out`; with `visit=N`, that
/// visit only.
async fn checklist_pdf(
    State(app): State<Shared>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, Fail> {
    let only = chosen(&app, &q.folders)?;
    let visit = visit_of(&app, q.visit.as_deref())?;
    blocking(move || {
        let ctx = &app.desk.ctx;
        let dirs = dirs_of(&app, only.as_deref());
        // The scans are checked too: who is not ready is listed as not going today.
        let (listed, _) =
            crate::department::checklist_all(ctx, &dirs, true, &crate::department::Silent)
                .map_err(|e| fail(StatusCode::CONFLICT, e.render()))?;
        let left: Vec<String> = listed
            .iter()
            .filter(|(_, r)| matches!(r, crate::department::Outcome::Broken(_)))
            .map(|(e, _)| e.folder.clone())
            .collect();
        let mut left = left;
        let fonts = crate::render::Fonts::embedded()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let (bytes, _, left_out) = crate::department::counter_checklist(ctx, &listed, visit, &fonts)
            .map_err(|e| match e {
                Error::Usage(m) => Fail(
                    StatusCode::CONFLICT,
                    json!({"error": format!("没有可以提交的员工（未达标准分或未就绪），柜台清单为空 ({m})")}),
                ),
                e => fail(StatusCode::INTERNAL_SERVER_ERROR, e.render()),
            })?;
        left.extend(left_out.into_iter().map(|l| l.folder));
        let mut r = download(bytes, "application/pdf", &format!("柜台清单-{}.pdf", ctx.date));
        left_out_header(&mut r, &left);
        Ok(r)
    })
    .await?
}

#[derive(Deserialize)]
struct PackBody {
    #[serde(default)]
    folders: Vec<String>,
}

/// Pack (`pack --format json`): the chosen employees (none: all) checked and, when ready,
/// bundled into `DIR/out/` with their cover sheets. A bundle made before is replaced (the
/// clerk packs again after a fix; the file is written aside and renamed, never half-written).
async fn pack(State(app): State<Shared>, Json(body): Json<PackBody>) -> Result<Response, Fail> {
    for f in &body.folders {
        employee_dir(&app, f)?;
    }
    let only = (!body.folders.is_empty()).then_some(body.folders);
    blocking(move || {
        let ctx = &app.desk.ctx;
        let dirs = dirs_of(&app, only.as_deref());
        let opts = crate::pack::PackOptions {
            out: app.desk.dir.join("out"),
            force: true,
            ascii_names: false,
            epoch: crate::commands::epoch(ctx.date),
            date: ctx.date,
        };
        let fonts = crate::render::Fonts::embedded()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let (results, batch) = match crate::department::pack_all(
            ctx,
            &dirs,
            &opts,
            false,
            &fonts,
            &crate::department::Silent,
        ) {
            Ok(r) => r,
            // One employee that cannot be loaded, or an out/ that cannot be written.
            Err(e) => {
                let folder = only.as_ref().and_then(|o| o.first().cloned());
                return Ok(Json(json!({"folder": folder, "error": e.render()})).into_response());
            }
        };
        use crate::department::{Outcome, PackResult};
        let json: Vec<Value> = results
            .iter()
            .map(|(e, r)| match r {
                Outcome::Done(PackResult::Packed(p, applicant, findings)) => json!({
                    "folder": e.folder, "applicant": applicant, "status": "packed",
                    "zip": p.zip, "cover": p.cover, "files": p.files, "bytes": p.bytes,
                    "payload_oxum": p.payload_oxum, "fingerprint": p.fingerprint, "findings": findings}),
                Outcome::Done(PackResult::NotReady(report, c)) => json!({
                    "folder": e.folder, "applicant": c.applicant, "status": "not-ready",
                    "ready": false, "items": report.items, "findings": report.findings}),
                Outcome::Broken(err) => json!({"folder": e.folder, "error": err.render()}),
            })
            .collect();
        let v = if batch {
            Value::Array(json)
        } else {
            json.into_iter().next().unwrap_or_default()
        };
        Ok(Json(v).into_response())
    })
    .await?
}
