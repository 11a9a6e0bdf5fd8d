//! The employees: the department list, one employee, a new one, and `applicant.toml` read
//! and saved through the same validation as the command line.

use super::*;

pub(super) async fn list(State(app): State<Shared>) -> Result<Response, Fail> {
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

pub(super) async fn one(
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

pub(super) fn employee_json(folder: &str, view: &View) -> Value {
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
pub(super) fn check_after(app: &App, folder: &str) -> Value {
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
pub(super) struct NewEmployee {
    folder: String,
}

pub(super) async fn create(
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
pub(super) struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

pub(super) async fn applicant_text(
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

pub(super) async fn applicant_save(
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
pub(super) fn toml_json(v: toml::Value) -> Value {
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
