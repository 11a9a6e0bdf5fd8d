//! The bundle: the employer's record of what was filed, as a BagIt 1.0 bag (RFC 8493) inside
//! a ZIP, and the check that such a record is still complete and unchanged.
//!
//! Layout: one top-level folder named like the ZIP stem, holding `bagit.txt`, `data/` (the
//! payload in the caller's order, then the index CSV), `bag-info.txt` (the caller's fields plus
//! `Payload-Oxum` and `Bag-Size`), `manifest-sha256.txt` and `tagmanifest-sha256.txt`, in that
//! entry order.
//!
//! Invariants: every scan is read once here, in chunks, and written in the same pass; a file
//! changed since it was checked is refused. A scan the check has already hashed
//! ([`PayloadSource::Checked`]) is not hashed again: the CRC-32 that the ZIP entry needs anyway
//! is compared with the one the check computed over the bytes it hashed, so the manifest's
//! SHA-256 is that of the stored bytes. The same spec and epoch give the same bytes. An output
//! appears under its final name only once complete: temporary file in the same folder, its
//! write-back to disk started after each scan (so the final fsync has little left to wait for),
//! synced, then renamed. It never replaces an existing file unless forced, and is readable by
//! its owner only (0600; a created output folder is 0700). [`verify`] reads a ZIP without
//! extracting it and reports every problem rather than stopping at the first.

mod bagit;
mod verify;
pub(crate) mod zipfmt;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use verify::{verify, VerifyProblem, VerifyReport};
use zipfmt::{Method, ZipWriter};

/// Where a payload file's bytes come from.
#[derive(Debug, Clone)]
pub enum PayloadSource {
    /// A file on disk (a scan), read, hashed and stored in one pass.
    File(PathBuf),
    /// A scan the check has already read and hashed: stored with its CRC-32 compared, not
    /// hashed again.
    Checked(CheckedFile),
    /// Bytes already in memory (the cover sheet PDF).
    Bytes(Vec<u8>),
}

/// What the check learnt of a scan, for [`PayloadSource::Checked`].
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: [u8; 32],
    /// The CRC-32 of the bytes `sha256` was computed over.
    pub crc32: u32,
}

/// The index CSV row for one payload file.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// 序号
    pub no: u32,
    /// 材料: the checklist item's label.
    pub item: String,
    /// 页数
    pub pages: u32,
}

/// One file under `data/`.
#[derive(Debug, Clone)]
pub struct PayloadEntry {
    /// The path under `data/`, e.g. `01-身份证-正面.jpg`.
    pub name: String,
    pub source: PayloadSource,
    /// The SHA-256 the file had when it was checked; a different content is refused. (A
    /// [`PayloadSource::Checked`] carries its own.)
    pub expected_sha256: Option<[u8; 32]>,
    /// Its row in the index CSV, if it has one.
    pub index: Option<IndexRow>,
}

/// Everything a bundle is made of.
#[derive(Debug, Clone)]
pub struct BagSpec {
    /// The ZIP stem and the bag's top-level folder, e.g. `张伟-1234`.
    pub name: String,
    /// bag-info.txt fields in order; `Payload-Oxum` and `Bag-Size` are added here.
    pub bag_info: Vec<(String, String)>,
    pub payload: Vec<PayloadEntry>,
    /// The index CSV's name under `data/` (`目录.csv`, or `index.csv` for ASCII names).
    pub index_name: String,
    /// Unix time for every entry's timestamp (`SOURCE_DATE_EPOCH` semantics).
    pub epoch: i64,
}

/// What [`write_bag`] wrote.
#[derive(Debug, Clone)]
pub struct BagWritten {
    pub zip_path: PathBuf,
    /// `<payload bytes>.<payload file count>`, index included.
    pub payload_oxum: String,
    /// Size of the ZIP file.
    pub bytes_written: u64,
}

/// A failure that stops writing or reading a bundle. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{}: is not a folder; give the output option a folder (it is created if missing)", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{}: already exists; pass --force to replace it, or move it away first", path.display())]
    Exists { path: PathBuf },
    #[error("{}: is a folder, so the file cannot be written there; move the folder away", path.display())]
    FolderInTheWay { path: PathBuf },
    #[error("{}: is not a regular file (a link, pipe or device), so no output is written there, not even with --force; give another folder", path.display())]
    NotRegular { path: PathBuf },
    #[error(
        "{}: file changed since it was checked (it was to become data/{entry}); run `dossier check` again, then pack",
        path.display()
    )]
    FileChanged { path: PathBuf, entry: String },
    #[error("{}: {name:?} cannot be a file name in the bundle: {reason}", bundle.display())]
    BadName {
        bundle: PathBuf,
        name: String,
        reason: String,
    },
    #[error("{}: bag-info label {label:?} cannot be used: {reason}", bundle.display())]
    BadLabel {
        bundle: PathBuf,
        label: String,
        reason: &'static str,
    },
    #[error("{}: too large: {message}; split the scans over smaller files", path.display())]
    TooLarge { path: PathBuf, message: String },
    #[error("{}: cannot be read as a ZIP file ({reason}); check that it is a bundle written by `dossier pack`", path.display())]
    NotZip { path: PathBuf, reason: String },
}

impl BundleError {
    /// The message in both languages (its `Display` is the English one); the error of the
    /// operating system and the names of BagIt are not translated.
    pub fn text(&self) -> crate::messages::Text {
        let en = self.to_string();
        let zh = match self {
            BundleError::Io {
                path,
                action,
                source,
            } => {
                let action = match *action {
                    "open the bundle" => "打开材料包",
                    "read the bundle" => "读取材料包",
                    "write the bundle" | "write" => "写入",
                    "open the output folder" => "打开输出文件夹",
                    "create the output folder" => "建立输出文件夹",
                    "create a temporary file in its folder" => "在其文件夹中建立临时文件",
                    "restrict the permissions of" => "限制权限",
                    "rename into place" => "改名就位",
                    "open the scan" => "打开扫描件",
                    "read the scan" => "读取扫描件",
                    other => other,
                };
                format!("{}：无法{action}：{source}", path.display())
            }
            BundleError::NotAFolder { path } => format!(
                "{}：不是文件夹；请给输出选项一个文件夹（不存在会自动建立）",
                path.display()
            ),
            BundleError::Exists { path } => format!(
                "{}：已存在；加 --force 覆盖，或先把它移走",
                path.display()
            ),
            BundleError::FolderInTheWay { path } => format!(
                "{}：是文件夹，文件无法写到这里；请把文件夹移走",
                path.display()
            ),
            BundleError::NotRegular { path } => format!(
                "{}：不是普通文件（链接、管道或设备），即使加 --force 也不会写到这里；请换一个文件夹",
                path.display()
            ),
            BundleError::FileChanged { path, entry } => format!(
                "{}：检查之后文件被改动了（它本应成为 data/{entry}）；请重新运行 `dossier check`，再打包",
                path.display()
            ),
            BundleError::BadName {
                bundle,
                name,
                reason,
            } => format!(
                "{}：{name:?} 不能作为材料包中的文件名：{reason}",
                bundle.display()
            ),
            BundleError::BadLabel {
                bundle,
                label,
                reason,
            } => format!(
                "{}：bag-info 标签 {label:?} 不可用：{reason}",
                bundle.display()
            ),
            BundleError::TooLarge { path, message } => format!(
                "{}：过大：{message}；请把扫描件拆成较小的文件",
                path.display()
            ),
            BundleError::NotZip { path, reason } => format!(
                "{}：无法作为 ZIP 文件读取（{reason}）；请确认它是 `dossier pack` 写出的材料包",
                path.display()
            ),
        };
        crate::messages::Text::new(zh, en)
    }
}

pub(crate) fn io_err<'a>(
    path: &'a Path,
    action: &'static str,
) -> impl FnOnce(io::Error) -> BundleError + 'a {
    move |source| BundleError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Errors while writing the ZIP: a size past the ZIP limits is its own message.
fn write_err(path: &Path) -> impl Fn(io::Error) -> BundleError + '_ {
    move |source| {
        if source.kind() == io::ErrorKind::FileTooLarge {
            BundleError::TooLarge {
                path: path.to_path_buf(),
                message: source.to_string(),
            }
        } else {
            BundleError::Io {
                path: path.to_path_buf(),
                action: "write the bundle",
                source,
            }
        }
    }
}

/// Stored (not deflated) extensions: already compressed, deflating only costs time.
fn method_for(name: &str) -> Method {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("jpg" | "jpeg" | "png" | "pdf") => Method::Stored,
        _ => Method::Deflated,
    }
}

/// Creates `dir` (0700 or owner-only ACL, with parents) if missing; refuses a path that is not
/// a folder.
fn prepare_out_dir(dir: &Path) -> Result<(), BundleError> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(BundleError::NotAFolder {
            path: dir.to_path_buf(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(io_err(dir, "create the output folder"))?;
            crate::platform::restrict_new_dir(dir)
                .map_err(io_err(dir, "restrict the permissions of"))
        }
        Err(e) => Err(BundleError::Io {
            path: dir.to_path_buf(),
            action: "open the output folder",
            source: e,
        }),
    }
}

fn refuse_existing(path: &Path, force: bool) -> Result<(), BundleError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(BundleError::FolderInTheWay {
            path: path.to_path_buf(),
        }),
        // A FIFO, a device, a link: never replaced, not even with --force (SPEC §9).
        Ok(m) if !m.is_file() => Err(BundleError::NotRegular {
            path: path.to_path_buf(),
        }),
        Ok(_) if !force => Err(BundleError::Exists {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// An exclusive lock on a folder, held until dropped (std's `File::lock` on the folder itself —
/// `flock` on Unix — so no lock file is left behind). On Windows a folder cannot be opened as a
/// file to lock, and when the folder cannot be locked it is a no-op: the renames still never
/// replace a file without --force.
struct DirLock(#[allow(dead_code)] Option<File>);

impl DirLock {
    fn new(dir: &Path) -> DirLock {
        #[cfg(unix)]
        if let Ok(f) = File::open(dir) {
            // std retries an interrupted flock itself.
            if f.lock().is_ok() {
                return DirLock(Some(f));
            }
        }
        let _ = dir;
        DirLock(None)
    }
}

/// Takes an exclusive lock on `f` without waiting; whether it was taken. A temporary file is
/// locked by the run writing it for as long as it is open, so another run can tell a live
/// temporary file from one left by a killed run (std's `File::try_lock`: `flock` on Unix,
/// `LockFileEx` on Windows).
fn try_lock(f: &File) -> bool {
    f.try_lock().is_ok()
}

/// A temporary file left by another run is removed only once it is this old and nobody holds
/// its lock (the few moments between its creation and its lock are covered by the age).
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// A temporary file beside `final_path`, private to its owner, locked while it is open.
///
/// The temporary name carries the final name (`.dossier-张伟-1230.zip-XXXXXX.part`). The
/// leftovers of killed earlier runs for the same output are removed first, so they do not pile
/// up; a temporary file that another live run is writing (it holds the lock) is never touched.
fn temp_in(dir: &Path, final_path: &Path) -> Result<tempfile::NamedTempFile, BundleError> {
    let prefix = format!(
        ".dossier-{}-",
        final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let stale = || {
                e.metadata().is_ok_and(|m| {
                    m.is_file()
                        && m.modified()
                            .ok()
                            .and_then(|t| t.elapsed().ok())
                            .is_some_and(|age| age >= STALE_AFTER)
                }) && File::open(e.path()).is_ok_and(|f| try_lock(&f))
            };
            if name.starts_with(&prefix) && name.ends_with(".part") && stale() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(io_err(final_path, "create a temporary file in its folder"))?;
    try_lock(tmp.as_file());
    crate::platform::restrict_file(tmp.as_file(), tmp.path())
        .map_err(io_err(final_path, "restrict the permissions of"))?;
    Ok(tmp)
}

/// Asks the kernel to start writing `f`'s dirty pages to disk now, without waiting: the
/// fsync before the rename then finds most of the file already written.
fn start_writeback(f: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain syscall on a file descriptor we own; no memory is passed. A failure
        // only means no head start, so it is ignored.
        unsafe {
            libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
}

/// Renames the synced temporary file to `final_path` (refusing an existing one unless
/// `force`, without a window in which a file created meanwhile would be replaced).
fn rename_into_place(
    tmp: tempfile::NamedTempFile,
    final_path: &Path,
    force: bool,
) -> Result<(), BundleError> {
    let result = if force {
        tmp.persist(final_path)
    } else {
        tmp.persist_noclobber(final_path)
    };
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(BundleError::Exists {
            path: final_path.to_path_buf(),
        }),
        Err(e) => Err(BundleError::Io {
            path: final_path.to_path_buf(),
            action: "rename into place",
            source: e.error,
        }),
    }
}

/// Writes `bytes` to `out_dir/file_name` the way bundles are written (temporary file, rename,
/// 0600, no overwrite without `force`).
pub fn write_atomic(
    out_dir: &Path,
    file_name: &str,
    bytes: &[u8],
    force: bool,
) -> Result<PathBuf, BundleError> {
    stage(out_dir, file_name, bytes, force)?.persist()
}

/// A file written and synced under a temporary name in its final folder, not yet renamed
/// into place; dropped without [`Staged::persist`], it is removed. The cover sheet waits so,
/// beside the ZIP being written, and goes into place only when the ZIP is complete.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    final_path: PathBuf,
    force: bool,
}

impl Staged {
    /// Renames the file to its final name.
    pub fn persist(self) -> Result<PathBuf, BundleError> {
        let force = self.force;
        self.persist_as(force)
    }

    /// [`Staged::persist`], replacing an existing file only with `force`.
    pub fn persist_as(self, force: bool) -> Result<PathBuf, BundleError> {
        rename_into_place(self.tmp, &self.final_path, force)?;
        Ok(self.final_path)
    }
}

/// Writes `bytes` under a temporary name beside `out_dir/file_name`; see [`Staged`].
pub fn stage(
    out_dir: &Path,
    file_name: &str,
    bytes: &[u8],
    force: bool,
) -> Result<Staged, BundleError> {
    let final_path = out_dir.join(file_name);
    stage_with(out_dir, file_name, force, |w| {
        w.write_all(bytes).map_err(io_err(&final_path, "write"))
    })
}

/// [`stage`] for a file written piece by piece: `write` gets the temporary file (a big output
/// never needs to be in memory whole); its error ends the staging and removes the file.
pub fn stage_with<E: From<BundleError>>(
    out_dir: &Path,
    file_name: &str,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<Staged, E> {
    let final_path = out_dir.join(file_name);
    if let Some(reason) =
        bagit::unsafe_name(file_name).or(file_name.contains('/').then_some("it holds '/'"))
    {
        return Err(BundleError::BadName {
            bundle: final_path,
            name: file_name.to_string(),
            reason: reason.into(),
        }
        .into());
    }
    prepare_out_dir(out_dir)?;
    refuse_existing(&final_path, force)?;
    let mut tmp = temp_in(out_dir, &final_path)?;
    {
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        write(&mut w)?;
        w.flush().map_err(io_err(&final_path, "write"))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(io_err(&final_path, "write"))?;
    Ok(Staged {
        tmp,
        final_path,
        force,
    })
}

/// The payload fingerprint printed on the cover sheet: SHA-256 (hex) over the manifest lines
/// `<hex>  data/<name>\n` of `entries`, in order, names encoded as in the manifest. It equals
/// `sha256sum` of those lines cut from `manifest-sha256.txt`.
pub fn fingerprint(entries: &[(String, [u8; 32])]) -> String {
    let mut h = Sha256::new();
    for (name, digest) in entries {
        h.update(bagit::manifest_line(digest, &format!("data/{name}")));
    }
    bagit::hex(&h.finalize().into())
}

/// Checks the names of a spec before anything is written.
fn check_spec(spec: &BagSpec, zip_path: &Path) -> Result<(), BundleError> {
    let bad = |name: &str, reason: &str| BundleError::BadName {
        bundle: zip_path.to_path_buf(),
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if let Some(r) = bagit::unsafe_name(&spec.name) {
        return Err(bad(&spec.name, r));
    }
    if spec.name.contains('/') || spec.name.chars().any(char::is_control) {
        return Err(bad(
            &spec.name,
            "the bundle name must be one plain file name",
        ));
    }
    let mut seen = HashSet::new();
    let names = spec
        .payload
        .iter()
        .map(|e| e.name.as_str())
        .chain([spec.index_name.as_str()]);
    for name in names {
        if let Some(r) = bagit::unsafe_name(name) {
            return Err(bad(name, r));
        }
        // The employer most likely opens the bundle on Windows, which cannot create these.
        if name.contains(['<', '>', '"', '|', '?', '*']) {
            return Err(bad(
                name,
                "it holds one of < > \" | ? *, which Windows cannot put in a file name",
            ));
        }
        // Case-insensitive: two names differing only in case collide on Windows and macOS.
        if !seen.insert(name.to_lowercase()) {
            return Err(bad(name, "two files in data/ would have this name"));
        }
    }
    for (label, _) in &spec.bag_info {
        let reason = bagit::bad_label(label).or_else(|| {
            ["payload-oxum", "bag-size"]
                .contains(&label.to_ascii_lowercase().as_str())
                .then_some("it is computed by the bundle writer")
        });
        if let Some(reason) = reason {
            return Err(BundleError::BadLabel {
                bundle: zip_path.to_path_buf(),
                label: label.clone(),
                reason,
            });
        }
    }
    Ok(())
}

const CHUNK: usize = 256 * 1024;

/// Adds one payload entry at `path` (under the bag's top folder). Returns its size and SHA-256.
/// A scan that differs from what was checked is [`BundleError::FileChanged`].
fn add_payload<W: Write + io::Seek>(
    zw: &mut ZipWriter<W>,
    entry: &PayloadEntry,
    path: &str,
    buf: &mut [u8],
    zip_path: &Path,
    werr: &impl Fn(io::Error) -> BundleError,
) -> Result<(u64, [u8; 32]), BundleError> {
    let method = method_for(&entry.name);
    let changed = |src: &Path| BundleError::FileChanged {
        path: src.to_path_buf(),
        entry: entry.name.clone(),
    };
    let (src, checked) = match &entry.source {
        PayloadSource::Bytes(bytes) => {
            zw.add(path, method, bytes).map_err(werr)?;
            let digest = bagit::sha256(bytes);
            if entry.expected_sha256.is_some_and(|want| want != digest) {
                return Err(changed(zip_path));
            }
            return Ok((bytes.len() as u64, digest));
        }
        PayloadSource::File(src) => (src, None),
        PayloadSource::Checked(c) => (&c.path, Some(c)),
    };
    let mut f = crate::input::open_regular(src).map_err(io_err(src, "open the scan"))?;
    let mut ze = zw.start(path, method).map_err(werr)?;
    // SHA-256 only when the check has not computed it.
    let mut hasher = checked.is_none().then(Sha256::new);
    loop {
        let n = match f.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(src, "read the scan")(e)),
        };
        if let Some(h) = hasher.as_mut() {
            h.update(&buf[..n]);
        }
        zw.write(&mut ze, &buf[..n]).map_err(werr)?;
    }
    let (size, crc) = zw.finish_entry(ze).map_err(werr)?;
    let (size, digest) = match (checked, hasher) {
        (Some(c), _) if (size, crc) == (c.bytes, c.crc32) => (size, c.sha256),
        (None, Some(h)) => (size, h.finalize().into()),
        _ => return Err(changed(src)),
    };
    if entry.expected_sha256.is_some_and(|want| want != digest) {
        return Err(changed(src));
    }
    Ok((size, digest))
}

/// Writes the bundle `out_dir/<spec.name>.zip`. See the module documentation for the layout
/// and the guarantees.
pub fn write_bag(spec: &BagSpec, out_dir: &Path, force: bool) -> Result<BagWritten, BundleError> {
    write_bag_then(spec, out_dir, force, || Ok(()))
}

/// [`write_bag`], calling `before_rename` once the ZIP is complete and synced, just before it
/// is renamed into place (to put a [`Staged`] cover sheet in place with it). Nothing is called
/// when writing fails.
pub fn write_bag_then(
    spec: &BagSpec,
    out_dir: &Path,
    force: bool,
    before_rename: impl FnOnce() -> Result<(), BundleError>,
) -> Result<BagWritten, BundleError> {
    let zip_path = out_dir.join(format!("{}.zip", spec.name));
    check_spec(spec, &zip_path)?;
    prepare_out_dir(out_dir)?;
    refuse_existing(&zip_path, force)?;
    let tmp = temp_in(out_dir, &zip_path)?;
    let werr = write_err(&zip_path);
    let top = &spec.name;

    let mut zw = ZipWriter::new(BufWriter::with_capacity(CHUNK, tmp.as_file()), spec.epoch);
    zw.add(
        &format!("{top}/bagit.txt"),
        Method::Deflated,
        bagit::BAGIT_TXT.as_bytes(),
    )
    .map_err(&werr)?;

    // Payload, in the caller's order: (path under the bag, size, sha256).
    let mut written: Vec<(String, u64, [u8; 32])> = Vec::with_capacity(spec.payload.len() + 1);
    let mut buf = vec![0u8; CHUNK];
    for entry in &spec.payload {
        let path = format!("data/{}", entry.name);
        let (size, digest) = add_payload(
            &mut zw,
            entry,
            &format!("{top}/{path}"),
            &mut buf,
            &zip_path,
            &werr,
        )?;
        written.push((path, size, digest));
        zw.flush().map_err(&werr)?;
        start_writeback(tmp.as_file());
    }

    let rows: Vec<bagit::IndexLine<'_>> = spec
        .payload
        .iter()
        .zip(&written)
        .filter_map(|(e, (_, bytes, digest))| {
            e.index.as_ref().map(|row| bagit::IndexLine {
                no: row.no,
                item: &row.item,
                file: &e.name,
                pages: row.pages,
                bytes: *bytes,
                sha256: *digest,
            })
        })
        .collect();
    let index = bagit::index_csv(&rows);
    let index_path = format!("data/{}", spec.index_name);
    zw.add(
        &format!("{top}/{index_path}"),
        method_for(&spec.index_name),
        &index,
    )
    .map_err(&werr)?;
    written.push((index_path, index.len() as u64, bagit::sha256(&index)));

    let payload_bytes: u64 = written.iter().map(|(_, n, _)| n).sum();
    let payload_oxum = format!("{payload_bytes}.{}", written.len());
    let mut fields = spec.bag_info.clone();
    fields.push(("Payload-Oxum".into(), payload_oxum.clone()));
    fields.push(("Bag-Size".into(), bagit::human_size(payload_bytes)));
    let bag_info = bagit::bag_info_text(&fields);
    let manifest: String = written
        .iter()
        .map(|(p, _, d)| bagit::manifest_line(d, p))
        .collect();

    let mut tagmanifest = String::new();
    for (name, text) in [
        ("bagit.txt", bagit::BAGIT_TXT),
        ("bag-info.txt", bag_info.as_str()),
        ("manifest-sha256.txt", manifest.as_str()),
    ] {
        if name != "bagit.txt" {
            zw.add(&format!("{top}/{name}"), Method::Deflated, text.as_bytes())
                .map_err(&werr)?;
        }
        tagmanifest.push_str(&bagit::manifest_line(&bagit::sha256(text.as_bytes()), name));
    }
    zw.add(
        &format!("{top}/tagmanifest-sha256.txt"),
        Method::Deflated,
        tagmanifest.as_bytes(),
    )
    .map_err(&werr)?;

    let out = zw.finish().map_err(&werr)?;
    out.into_inner().map_err(|e| werr(e.into_error()))?;
    let bytes_written = tmp
        .as_file()
        .metadata()
        .map_err(io_err(&zip_path, "write"))?
        .len();
    tmp.as_file()
        .sync_all()
        .map_err(io_err(&zip_path, "write"))?;
    // Two runs packing into the same folder take turns from here to the renames: the second
    // finds the first one's ZIP and refuses (or replaces it with --force), never half of it.
    let _lock = DirLock::new(out_dir);
    refuse_existing(&zip_path, force)?;
    before_rename()?;
    rename_into_place(tmp, &zip_path, force)?;
    Ok(BagWritten {
        zip_path: zip_path.clone(),
        payload_oxum,
        bytes_written,
    })
}
