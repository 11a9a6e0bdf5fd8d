//! What the page downloads: files of `DIR/out/`, the copies and counter-checklist PDFs, and
//! pack.

use super::*;

pub(super) async fn out_file(
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
    let file = blocking(move || std::fs::File::open(&path))
        .await?
        .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let kind = match crate::scan::matching::split_ext(&name).1.as_str() {
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
    Ok(download_file(file, kind, &name))
}

/// [`download`] of an open file, streamed a chunk at a time: a bundle or a department's
/// copies can be a gigabyte, and the server holds at most a few chunks of it.
pub(super) fn download_file(file: std::fs::File, kind: &'static str, name: &str) -> Response {
    use std::io::Read;
    let len = file.metadata().map(|m| m.len()).ok();
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<axum::body::Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        loop {
            let mut buf = vec![0u8; 256 * 1024];
            let sent = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    tx.blocking_send(Ok(buf.into()))
                }
                Err(e) => tx.blocking_send(Err(e)),
            };
            // The browser went away, or the file could not be read: stop.
            if sent.is_err() {
                break;
            }
        }
    });
    let mut r = with_name(
        (
            [(header::CONTENT_TYPE, kind)],
            Body::from_stream(Chunks(rx)),
        )
            .into_response(),
        name,
    );
    if let Some(len) = len {
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    r
}

/// The chunks a reading thread sends, as the body's stream.
struct Chunks(tokio::sync::mpsc::Receiver<std::io::Result<axum::body::Bytes>>);

impl futures_core::Stream for Chunks {
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// A file answer the browser saves under `name`.
pub(super) fn download(bytes: Vec<u8>, kind: &'static str, name: &str) -> Response {
    with_name(
        ([(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response(),
        name,
    )
}

/// The answer, saved by the browser under `name`.
fn with_name(mut r: Response, name: &str) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename*=UTF-8''{encoded}");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Deserialize)]
pub(super) struct PdfQuery {
    #[serde(default)]
    folders: String,
    #[serde(default)]
    visit: Option<String>,
}

/// The employees a `folders=a,b` list names (each checked against the tree); empty: all.
pub(super) fn chosen(app: &App, list: &str) -> Result<Option<Vec<String>>, Fail> {
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
pub(super) fn visit_of(app: &App, visit: Option<&str>) -> Result<Option<usize>, Fail> {
    crate::department::visit_arg(&app.desk.ctx, visit).map_err(|e| match e {
        Error::Usage(t) => fail(StatusCode::BAD_REQUEST, t.zh),
        e => fail(StatusCode::BAD_REQUEST, e.render()),
    })
}

/// The photocopies of the chosen ready employees, as `dossier copies` makes them.
pub(super) async fn copies_pdf(
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
        let opts = crate::department::copies_options(s);
        let fonts = crate::render::Fonts::embedded()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        // Written to an anonymous file in out/ (gone when the answer is sent) and streamed
        // from it: the copies of a department do not fit in memory.
        let out = app.desk.dir.join("out");
        let internal = |e: String| fail(StatusCode::INTERNAL_SERVER_ERROR, e);
        crate::platform::create_private_dir(&out).map_err(|e| internal(e.to_string()))?;
        let mut file = tempfile::tempfile_in(&out).map_err(|e| internal(e.to_string()))?;
        {
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, &mut file);
            crate::render::copies::copies_pdf(&ready, &opts, &fonts, &out, &mut w)
                .map_err(|e| internal(e.to_string()))?;
            std::io::Write::flush(&mut w).map_err(|e| internal(e.to_string()))?;
        }
        std::io::Seek::rewind(&mut file).map_err(|e| internal(e.to_string()))?;
        let mut r = download_file(file, "application/pdf", &format!("复印件-{}.pdf", s.date));
        // Who was left out (not ready), for the page to say.
        left_out_header(&mut r, &left_out);
        Ok(r)
    })
    .await?
}

/// The department folders to work on: the chosen employees' folders, or DIR for all.
pub(super) fn dirs_of(app: &App, only: Option<&[String]>) -> Vec<PathBuf> {
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
pub(super) fn left_out_header(r: &mut Response, folders: &[String]) {
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
pub(super) async fn checklist_pdf(
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
        let crate::department::CounterPdf {
            bytes, left_out, ..
        } = crate::department::counter_checklist(ctx, &listed, visit, &fonts)
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.render()))?;
        left.extend(left_out.into_iter().map(|l| l.folder));
        let Some(bytes) = bytes else {
            return Err(Fail(
                StatusCode::CONFLICT,
                json!({"error": "没有可以提交的员工（未达标准分或未就绪），柜台清单为空 (no employee can be filed)", "left_out": left}),
            ));
        };
        let mut r = download(bytes, "application/pdf", &format!("柜台清单-{}.pdf", ctx.date));
        left_out_header(&mut r, &left);
        Ok(r)
    })
    .await?
}

#[derive(Deserialize)]
pub(super) struct PackBody {
    #[serde(default)]
    folders: Vec<String>,
}

/// Pack (`pack --format json`): the chosen employees (none: all) checked and, when ready,
/// bundled into `DIR/out/` with their cover sheets. A bundle made before is replaced (the
/// clerk packs again after a fix; the file is written aside and renamed, never half-written).
pub(super) async fn pack(
    State(app): State<Shared>,
    Json(body): Json<PackBody>,
) -> Result<Response, Fail> {
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
