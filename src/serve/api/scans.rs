//! Scans: an upload saved under the item's canonical name, an unmatched file assigned to an
//! item, thumbnails.

use super::*;

#[derive(Deserialize)]
pub(super) struct ItemQuery {
    item: String,
    #[serde(default)]
    part: Option<String>,
}

/// The checked employee behind FOLDER, or the answer why there is none.
pub(super) fn checked(
    app: &App,
    folder: &str,
) -> Result<(PathBuf, std::sync::Arc<desk::Checked>), Fail> {
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
pub(super) fn target_name(
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
pub(super) fn scan_kind(
    head: &[u8],
    c: &desk::Checked,
    slug: &str,
) -> Result<crate::scan::FileKind, Fail> {
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

pub(super) async fn upload_scan(
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

pub(super) fn too_large(app: &App) -> Fail {
    fail(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "文件超过 {} MB，未保存 (over the size limit; nothing saved)",
            app.max_upload / 1_000_000
        ),
    )
}

pub(super) async fn assign(
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
pub(super) fn rename_new(from: &Path, to: &Path) -> Result<(), Fail> {
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
pub(super) struct ThumbQuery {
    file: String,
}

pub(super) async fn thumb(
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
