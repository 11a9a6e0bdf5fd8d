//! Walking `scans/`: every entry once, in name order, never following a link.
//!
//! Symbolic links are reported, not followed — not even when `scans/` itself is one. Names that
//! are not UTF-8 are reported (and shown lossily), never a crash; a folder with such a name is
//! not entered. Pipes, sockets and devices are reported and never opened (opening a pipe would
//! block). OS junk (`Thumbs.db`, `.DS_Store` …) is skipped silently. A missing `scans/` is one
//! finding; the items are then simply missing.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::matching::{is_junk, split_ext};
use crate::finding::{Code, Finding};
use crate::messages::Text;
use crate::t;

/// What an entry in `scans/` turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file with a UTF-8 name: to be matched and checked.
    File,
    /// A symbolic link (not followed), with its target for display.
    Symlink { target: String },
    /// A file whose name is not valid UTF-8.
    NonUtf8,
    /// A pipe, socket or device.
    Special,
}

/// One non-directory entry under `scans/`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// Relative to the employee folder, `/`-separated (lossy for non-UTF-8 names).
    pub rel: String,
    /// The folders under `scans/`, then the file name without its extension.
    pub components: Vec<String>,
    /// The extension, lower case, without the dot (may be empty).
    pub ext: String,
    pub found: Found,
}

/// The entries of `employee_dir/scans` in name order; folder-level problems go to `findings`.
pub fn walk(employee_dir: &Path, findings: &mut Vec<Finding>) -> Vec<Entry> {
    let scans = employee_dir.join("scans");
    match std::fs::symlink_metadata(&scans) {
        Ok(m) if m.file_type().is_symlink() => {
            findings.push(
                Finding::new(
                    Code::Symlink,
                    t!(
                        "scans/ 是指向 {} 的符号链接，不会被读取",
                        "scans/ is a symbolic link to {}: never followed",
                        target(&scans)
                    ),
                    t!(
                        "把扫描件放进员工文件夹里真实的 scans/ 文件夹",
                        "put the scans in a real scans/ folder inside the employee folder"
                    ),
                )
                .with_path("scans"),
            );
            return Vec::new();
        }
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            findings.push(folder_missing(t!(
                "scans 是一个文件，不是文件夹",
                "scans is a file, not a folder"
            )));
            return Vec::new();
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let message = match near_scans_folder(employee_dir) {
                Some(near) => t!(
                    "员工文件夹中没有 scans/ 文件夹，但有 {near}/：请把它改名为 scans",
                    "the employee folder has no scans/ folder, but it has {near}/: rename it to scans"
                ),
                None => t!(
                    "员工文件夹中没有 scans/ 文件夹",
                    "the employee folder has no scans/ folder"
                ),
            };
            findings.push(folder_missing(message));
            return Vec::new();
        }
        Err(e) => {
            findings.push(unreadable("scans".into(), &e.to_string()));
            return Vec::new();
        }
    }

    let mut entries = Vec::new();
    let mut it = WalkDir::new(&scans)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(e) => e,
            Err(err) => {
                let rel = err
                    .path()
                    .map(|p| rel_of(employee_dir, p))
                    .unwrap_or_else(|| "scans".into());
                findings.push(unreadable(rel, &err.to_string()));
                continue;
            }
        };
        let name = entry.file_name().to_str();
        let ft = entry.file_type();
        let rel = rel_of(employee_dir, entry.path());
        if ft.is_dir() {
            if name.is_none() {
                findings.push(
                    Finding::new(
                        Code::NonUtf8Name,
                        t!(
                            "文件夹名不是有效的 UTF-8 编码，其中的文件未检查",
                            "the folder name is not valid UTF-8: its files were not checked"
                        ),
                        t!(
                            "用中文或英文重新命名这个文件夹",
                            "rename the folder in Chinese or English"
                        ),
                    )
                    .with_path(rel),
                );
                it.skip_current_dir();
            }
            continue;
        }
        if name.is_some_and(is_junk) {
            continue;
        }
        let found = if ft.is_symlink() {
            Found::Symlink {
                target: target(entry.path()),
            }
        } else if name.is_none() {
            Found::NonUtf8
        } else if ft.is_file() {
            Found::File
        } else {
            Found::Special
        };
        let under = entry.path().strip_prefix(&scans).unwrap_or(entry.path());
        let mut components: Vec<String> = under
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let file_name = components.pop().unwrap_or_default();
        let (stem, ext) = split_ext(&file_name);
        components.push(stem.to_string());
        entries.push(Entry {
            path: entry.path().to_path_buf(),
            rel,
            components,
            ext,
            found,
        });
    }
    entries
}

/// `scans/a/b.jpg` for a path under the employee folder.
fn rel_of(employee_dir: &Path, path: &Path) -> String {
    let under = path.strip_prefix(employee_dir).unwrap_or(path);
    let parts: Vec<String> = under
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A folder of the employee folder that is meant as `scans/` under another name a clerk would
/// give it (`Scans`, `scan`, `扫描件`, `扫描`, `扫描文件`, `附件`).
fn near_scans_folder(employee_dir: &Path) -> Option<String> {
    const NAMES: [&str; 6] = ["scans", "scan", "扫描件", "扫描", "扫描文件", "附件"];
    let mut found: Vec<String> = std::fs::read_dir(employee_dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| NAMES.contains(&n.trim().to_lowercase().as_str()))
        .collect();
    found.sort();
    found.into_iter().next()
}

fn target(link: &Path) -> String {
    std::fs::read_link(link)
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "?".into())
}

fn folder_missing(message: Text) -> Finding {
    Finding::new(
        Code::ScansFolderMissing,
        message,
        t!(
            "在员工文件夹中建一个 scans/ 文件夹，把扫描件放进去（dossier init 会建好）",
            "make a scans/ folder in the employee folder and put the scans in it (dossier init makes it)"
        ),
    )
}

fn unreadable(rel: String, err: &str) -> Finding {
    Finding::new(
        Code::Unreadable,
        t!("无法读取：{err}", "cannot read: {err}"),
        t!(
            "检查文件夹权限，或把文件重新复制到 scans/",
            "check the folder's permissions, or copy the files into scans/ again"
        ),
    )
    .with_path(rel)
}
