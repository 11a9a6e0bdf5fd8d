//! Just enough of the ZIP format (PKWARE APPNOTE 6.3) for a bundle: a streaming writer and a
//! defensive reader, both for stored and deflated entries only.
//!
//! The writer is ours rather than the `zip` crate's (which the tests use as an independent
//! reader) for two reasons, checked against zip 8.6.0: SPEC §7 wants the UTF-8 name flag
//! (general purpose bit 11) on every entry, and that crate sets it only for names that are not
//! ASCII (`ZipFileData::flags`: `if self.is_utf8() && !self.is_ascii()`), so `bagit.txt`, the
//! manifests and every `--ascii-names` entry would lack it; and a scan is stored with the CRC-32
//! the check computed while it read the file (see `bundle::write`: the bytes are compared
//! with what was checked as they are copied, so an edited scan is refused), where the crate
//! computes its own CRC inside `write` and offers no way to compare before the entry is final.
//! Invariants of what it writes: entries in call order; no extra fields, no
//! comments, no data descriptors (sizes and CRC-32 are patched into the local header, so the
//! output must be seekable); every timestamp the same DOS time; every file `-rw-r--r--`;
//! no ZIP64 (an entry, the archive or the entry count past the classic limits is an error of
//! kind `FileTooLarge`). Same calls, same bytes.
//!
//! The reader never trusts a header: every size and offset is checked against the file, the
//! central directory is read with a cap on its size and entry count, and entry data is only
//! ever streamed (the caller supplies the sink), so memory stays bounded on hostile input.

use std::io::{self, Read, Seek, SeekFrom, Write};

use flate2::write::DeflateEncoder;
use flate2::Compression;

/// General purpose bit 11: the entry name (and comment) are UTF-8.
pub(crate) const FLAG_UTF8: u16 = 1 << 11;
const FLAG_ENCRYPTED: u16 = 1;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;

/// "Version needed to extract" 2.0 (deflate); "made by" Unix (3) so readers apply the mode.
const VERSION_NEEDED: u16 = 20;
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
/// `-rw-r--r--` regular file, in the high half of the external attributes.
const FILE_MODE: u32 = 0o100_644;

/// How an entry's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Method 0: already-compressed scans (JPEG, PNG, PDF).
    Stored,
    /// Method 8: text (tag files, manifests, the index).
    Deflated,
}

impl Method {
    fn code(self) -> u16 {
        match self {
            Method::Stored => 0,
            Method::Deflated => 8,
        }
    }
}

/// The MS-DOS (time, date) pair for a Unix timestamp, read as UTC and clamped to the range a
/// DOS date can hold (1980-01-01 to 2107-12-31); seconds are rounded down to even.
pub(crate) fn dos_time(epoch: i64) -> (u16, u16) {
    const MIN: i64 = 315_532_800; // 1980-01-01T00:00:00Z
    const MAX: i64 = 4_354_819_198; // 2107-12-31T23:59:58Z
    let t = epoch.clamp(MIN, MAX);
    let d = crate::date::Date::from_unix(t);
    let secs = t.rem_euclid(86_400);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let time = ((h as u16) << 11) | ((m as u16) << 5) | ((s / 2) as u16);
    let date = (((d.year - 1980) as u16) << 9) | ((d.month as u16) << 5) | (d.day as u16);
    (time, date)
}

fn too_large(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("{what} exceeds what a ZIP without ZIP64 can hold"),
    )
}

struct CentralRecord {
    name: Vec<u8>,
    method: Method,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// A ZIP being written to a seekable sink.
pub(crate) struct ZipWriter<W: Write + Seek> {
    out: W,
    pos: u64,
    records: Vec<CentralRecord>,
    time: u16,
    date: u16,
}

/// One entry in progress: feed it with [`ZipWriter::write`], close it with
/// [`ZipWriter::finish_entry`].
pub(crate) struct Entry {
    name: Vec<u8>,
    method: Method,
    header_offset: u64,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
    deflater: Option<DeflateEncoder<Vec<u8>>>,
}

impl<W: Write + Seek> ZipWriter<W> {
    /// A writer whose entries all carry the DOS time of `epoch`. `out` must be positioned at 0.
    pub(crate) fn new(out: W, epoch: i64) -> ZipWriter<W> {
        let (time, date) = dos_time(epoch);
        ZipWriter {
            out,
            pos: 0,
            records: Vec::new(),
            time,
            date,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Writes the local header (CRC and sizes zero until [`Self::finish_entry`]).
    pub(crate) fn start(&mut self, name: &str, method: Method) -> io::Result<Entry> {
        let name = name.as_bytes().to_vec();
        if name.len() > usize::from(u16::MAX) {
            return Err(too_large("an entry name"));
        }
        if self.records.len() >= usize::from(u16::MAX) {
            return Err(too_large("the number of entries"));
        }
        let header_offset = self.pos;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        h.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
        h.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        h.extend_from_slice(&method.code().to_le_bytes());
        h.extend_from_slice(&self.time.to_le_bytes());
        h.extend_from_slice(&self.date.to_le_bytes());
        h.extend_from_slice(&[0; 12]); // crc, compressed size, size: patched later
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        h.extend_from_slice(&name);
        self.put(&h)?;
        let deflater = match method {
            Method::Stored => None,
            Method::Deflated => Some(DeflateEncoder::new(Vec::new(), Compression::default())),
        };
        Ok(Entry {
            name,
            method,
            header_offset,
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            deflater,
        })
    }

    /// Appends `buf` to the entry's data.
    pub(crate) fn write(&mut self, entry: &mut Entry, buf: &[u8]) -> io::Result<()> {
        entry.crc.update(buf);
        entry.size += buf.len() as u64;
        match entry.deflater.as_mut() {
            None => {
                entry.compressed += buf.len() as u64;
                self.put(buf)
            }
            Some(enc) => {
                enc.write_all(buf)?;
                let chunk = std::mem::take(enc.get_mut());
                entry.compressed += chunk.len() as u64;
                self.put(&chunk)
            }
        }
    }

    /// Flushes the entry's data and patches its CRC and sizes into the local header. Returns
    /// the entry's (uncompressed) size and CRC-32.
    pub(crate) fn finish_entry(&mut self, mut entry: Entry) -> io::Result<(u64, u32)> {
        if let Some(enc) = entry.deflater.take() {
            let rest = enc.finish()?;
            entry.compressed += rest.len() as u64;
            self.put(&rest)?;
        }
        let limit = u64::from(u32::MAX);
        if entry.size >= limit || entry.compressed >= limit {
            return Err(too_large("an entry"));
        }
        if entry.header_offset >= limit || self.pos >= limit {
            return Err(too_large("the archive"));
        }
        let crc = entry.crc.finalize();
        let (compressed, size) = (entry.compressed as u32, entry.size as u32);
        let mut patch = [0u8; 12];
        patch[0..4].copy_from_slice(&crc.to_le_bytes());
        patch[4..8].copy_from_slice(&compressed.to_le_bytes());
        patch[8..12].copy_from_slice(&size.to_le_bytes());
        self.out.seek(SeekFrom::Start(entry.header_offset + 14))?;
        self.out.write_all(&patch)?;
        self.out.seek(SeekFrom::Start(self.pos))?;
        self.records.push(CentralRecord {
            name: entry.name,
            method: entry.method,
            crc,
            compressed,
            size,
            offset: entry.header_offset as u32,
        });
        Ok((entry.size, crc))
    }

    /// Pushes buffered bytes to the sink.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// A whole entry from memory.
    pub(crate) fn add(&mut self, name: &str, method: Method, bytes: &[u8]) -> io::Result<()> {
        let mut entry = self.start(name, method)?;
        self.write(&mut entry, bytes)?;
        self.finish_entry(entry).map(|_| ())
    }

    /// Writes the central directory and its end record; returns the sink.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let cd_start = self.pos;
        let records = std::mem::take(&mut self.records);
        for r in &records {
            let mut h = Vec::with_capacity(46 + r.name.len());
            h.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            h.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
            h.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
            h.extend_from_slice(&FLAG_UTF8.to_le_bytes());
            h.extend_from_slice(&r.method.code().to_le_bytes());
            h.extend_from_slice(&self.time.to_le_bytes());
            h.extend_from_slice(&self.date.to_le_bytes());
            h.extend_from_slice(&r.crc.to_le_bytes());
            h.extend_from_slice(&r.compressed.to_le_bytes());
            h.extend_from_slice(&r.size.to_le_bytes());
            h.extend_from_slice(&(r.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 8]); // extra len, comment len, disk number, internal attrs
            h.extend_from_slice(&(FILE_MODE << 16).to_le_bytes());
            h.extend_from_slice(&r.offset.to_le_bytes());
            h.extend_from_slice(&r.name);
            self.put(&h)?;
        }
        let cd_size = self.pos - cd_start;
        if self.pos >= u64::from(u32::MAX) {
            return Err(too_large("the archive"));
        }
        let count = records.len() as u16;
        let mut e = Vec::with_capacity(22);
        e.extend_from_slice(&EOCD_SIG.to_le_bytes());
        e.extend_from_slice(&[0; 4]); // this disk, disk with the central directory
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&(cd_size as u32).to_le_bytes());
        e.extend_from_slice(&(cd_start as u32).to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes()); // no comment
        self.put(&e)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One entry as the central directory describes it.
#[derive(Debug, Clone)]
pub(crate) struct CentralEntry {
    pub(crate) name: Vec<u8>,
    pub(crate) made_by: u16,
    pub(crate) flags: u16,
    pub(crate) method: u16,
    pub(crate) crc: u32,
    pub(crate) compressed: u64,
    pub(crate) size: u64,
    pub(crate) offset: u64,
    pub(crate) external: u32,
}

impl CentralEntry {
    /// Whether the entry is a Unix symbolic link.
    pub(crate) fn is_symlink(&self) -> bool {
        self.made_by >> 8 == 3 && (self.external >> 16) & 0o170_000 == 0o120_000
    }
}

/// Why the central directory could not be used.
#[derive(Debug)]
pub(crate) enum DirectoryError {
    /// Not a ZIP, or one too damaged to list.
    NotZip(String),
    /// A ZIP, but too big to check within the reader's limits.
    Refused(String),
    Io(io::Error),
}

impl From<io::Error> for DirectoryError {
    fn from(e: io::Error) -> Self {
        DirectoryError::Io(e)
    }
}

/// Caps that keep a hostile archive from exhausting memory.
pub(crate) const MAX_ENTRIES: u64 = 100_000;
const MAX_CENTRAL_DIRECTORY: u64 = 64 << 20;

fn u16_at(b: &[u8], i: usize) -> u16 {
    b.get(i..i + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> io::Result<Vec<u8>> {
    r.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// Lists the entries of the ZIP in `r` (`len` bytes long), in central directory order.
pub(crate) fn read_directory<R: Read + Seek>(
    r: &mut R,
    len: u64,
) -> Result<Vec<CentralEntry>, DirectoryError> {
    let not_zip = |m: &str| DirectoryError::NotZip(m.to_string());
    if len < 22 {
        return Err(not_zip("too short to be a ZIP file"));
    }
    // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
    let tail_len = len.min(22 + 65_535);
    let tail = read_at(r, len - tail_len, tail_len as usize)?;
    let eocd = (0..=tail.len() - 22)
        .rev()
        .find(|&i| {
            u32_at(&tail, i) == EOCD_SIG
                && i + 22 + usize::from(u16_at(&tail, i + 20)) == tail.len()
        })
        .or_else(|| {
            (0..=tail.len() - 22)
                .rev()
                .find(|&i| u32_at(&tail, i) == EOCD_SIG)
        })
        .ok_or_else(|| not_zip("no end of central directory record"))?;
    let eocd_pos = len - tail_len + eocd as u64;
    let mut count = u64::from(u16_at(&tail, eocd + 10));
    let mut cd_size = u64::from(u32_at(&tail, eocd + 12));
    let mut cd_offset = u64::from(u32_at(&tail, eocd + 16));
    if u16_at(&tail, eocd + 4) != 0 || u16_at(&tail, eocd + 6) != 0 {
        return Err(not_zip("a multi-disk (split) archive"));
    }
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // ZIP64: the locator sits just before the classic end record.
        if eocd_pos >= 20 {
            let loc = read_at(r, eocd_pos - 20, 20)?;
            if u32_at(&loc, 0) == ZIP64_LOCATOR_SIG {
                let at = u64_at(&loc, 8);
                if at.checked_add(56).is_none_or(|end| end > eocd_pos) {
                    return Err(not_zip("ZIP64 end record out of bounds"));
                }
                let z = read_at(r, at, 56)?;
                if u32_at(&z, 0) != ZIP64_EOCD_SIG {
                    return Err(not_zip("bad ZIP64 end record"));
                }
                count = u64_at(&z, 32);
                cd_size = u64_at(&z, 40);
                cd_offset = u64_at(&z, 48);
            }
        }
    }
    if count > MAX_ENTRIES {
        return Err(DirectoryError::Refused(format!(
            "the archive claims {count} entries; a bundle never has more than {MAX_ENTRIES}"
        )));
    }
    if cd_size > MAX_CENTRAL_DIRECTORY {
        return Err(DirectoryError::Refused(format!(
            "the central directory is {cd_size} bytes; a bundle's is far smaller"
        )));
    }
    if cd_offset
        .checked_add(cd_size)
        .is_none_or(|end| end > eocd_pos)
    {
        return Err(not_zip("central directory out of bounds"));
    }
    let cd = read_at(r, cd_offset, cd_size as usize)?;
    let mut entries = Vec::with_capacity(count as usize);
    let mut i = 0usize;
    while entries.len() < count as usize {
        if i + 46 > cd.len() || u32_at(&cd, i) != CENTRAL_SIG {
            return Err(not_zip("central directory damaged"));
        }
        let name_len = usize::from(u16_at(&cd, i + 28));
        let extra_len = usize::from(u16_at(&cd, i + 30));
        let comment_len = usize::from(u16_at(&cd, i + 32));
        let end = i + 46 + name_len + extra_len + comment_len;
        if end > cd.len() {
            return Err(not_zip("central directory damaged"));
        }
        let name = cd[i + 46..i + 46 + name_len].to_vec();
        let extra = &cd[i + 46 + name_len..i + 46 + name_len + extra_len];
        let mut e = CentralEntry {
            name,
            made_by: u16_at(&cd, i + 4),
            flags: u16_at(&cd, i + 8),
            method: u16_at(&cd, i + 10),
            crc: u32_at(&cd, i + 16),
            compressed: u64::from(u32_at(&cd, i + 20)),
            size: u64::from(u32_at(&cd, i + 24)),
            offset: u64::from(u32_at(&cd, i + 42)),
            external: u32_at(&cd, i + 38),
        };
        apply_zip64_extra(&mut e, extra);
        entries.push(e);
        i = end;
    }
    Ok(entries)
}

/// Replaces saturated 32-bit fields with the values of a ZIP64 extended information field.
fn apply_zip64_extra(e: &mut CentralEntry, extra: &[u8]) {
    let mut j = 0usize;
    while j + 4 <= extra.len() {
        let id = u16_at(extra, j);
        let len = usize::from(u16_at(extra, j + 2));
        let Some(data) = extra.get(j + 4..j + 4 + len) else {
            return;
        };
        if id == 0x0001 {
            let mut k = 0usize;
            for field in [&mut e.size, &mut e.compressed, &mut e.offset] {
                if *field == 0xFFFF_FFFF && k + 8 <= data.len() {
                    *field = u64_at(data, k);
                    k += 8;
                }
            }
            return;
        }
        j += 4 + len;
    }
}

/// Streams the uncompressed bytes of `e` into `sink`, refusing more than `limit` bytes, and
/// checks them against the central directory (size, CRC-32) and the local header (name).
/// Returns the number of bytes; an `Err` is a one-line description of what is wrong.
pub(crate) fn read_entry<R: Read + Seek>(
    r: &mut R,
    len: u64,
    e: &CentralEntry,
    limit: u64,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u64, String> {
    if e.flags & FLAG_ENCRYPTED != 0 {
        return Err("is encrypted; a bundle never is".into());
    }
    if e.method != 0 && e.method != 8 {
        return Err(format!(
            "uses compression method {}; a bundle only stores or deflates",
            e.method
        ));
    }
    if e.size > limit {
        return Err(format!(
            "is {} bytes, more than this check reads ({limit})",
            e.size
        ));
    }
    let io = |err: io::Error| format!("cannot be read: {err}");
    if e.offset.checked_add(30).is_none_or(|end| end > len) {
        return Err("points outside the ZIP file (truncated or damaged)".into());
    }
    let local = read_at(r, e.offset, 30).map_err(io)?;
    if u32_at(&local, 0) != LOCAL_SIG {
        return Err("has no local header where the directory says (damaged ZIP)".into());
    }
    let name_len = u64::from(u16_at(&local, 26));
    let extra_len = u64::from(u16_at(&local, 28));
    let data_start = e.offset + 30 + name_len + extra_len;
    if data_start
        .checked_add(e.compressed)
        .is_none_or(|end| end > len)
    {
        return Err("is truncated: its data runs past the end of the ZIP file".into());
    }
    let local_name = read_at(r, e.offset + 30, name_len as usize).map_err(io)?;
    if local_name != e.name {
        return Err(format!(
            "has a different name in its local header ({:?}); the ZIP was tampered with",
            String::from_utf8_lossy(&local_name)
        ));
    }
    if e.method == 0 && e.compressed != e.size {
        return Err("is stored but its sizes disagree (damaged ZIP)".into());
    }
    r.seek(SeekFrom::Start(data_start)).map_err(io)?;
    let raw = (&mut *r).take(e.compressed);
    let mut reader: Box<dyn Read + '_> = if e.method == 8 {
        Box::new(flate2::read::DeflateDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let mut crc = crc32fast::Hasher::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(format!("cannot be decompressed: {err}")),
        };
        total += n as u64;
        if total > e.size {
            return Err(format!(
                "holds more data than its header says ({} bytes)",
                e.size
            ));
        }
        crc.update(&buf[..n]);
        sink(&buf[..n]);
    }
    if total != e.size {
        return Err(format!(
            "holds {total} bytes but its header says {}",
            e.size
        ));
    }
    if crc.finalize() != e.crc {
        return Err("is corrupt: its CRC-32 does not match".into());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_time_of_a_known_instant() {
        // 2024-03-05T13:14:16Z
        let (time, date) = dos_time(1_709_644_456);
        assert_eq!(time, (13 << 11) | (14 << 5) | 8);
        assert_eq!(date, (44 << 9) | (3 << 5) | 5);
    }

    #[test]
    fn dos_time_clamps_before_1980() {
        assert_eq!(dos_time(0), (0, (1 << 5) | 1));
        assert_eq!(dos_time(i64::MIN), (0, (1 << 5) | 1));
    }

    #[test]
    fn write_then_read_round_trip() {
        let mut w = ZipWriter::new(io::Cursor::new(Vec::new()), 1_700_000_000);
        w.add("a/one.txt", Method::Deflated, b"hello hello hello")
            .unwrap();
        w.add("a/two.jpg", Method::Stored, b"\xff\xd8binary")
            .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let mut r = io::Cursor::new(&bytes);
        let dir = read_directory(&mut r, bytes.len() as u64).unwrap();
        assert_eq!(dir.len(), 2);
        assert!(dir.iter().all(|e| e.flags & FLAG_UTF8 != 0));
        let mut got = Vec::new();
        let n = read_entry(&mut r, bytes.len() as u64, &dir[0], 1 << 20, &mut |b| {
            got.extend_from_slice(b)
        })
        .unwrap();
        assert_eq!((n, got.as_slice()), (17, &b"hello hello hello"[..]));
        assert!(read_entry(&mut r, bytes.len() as u64, &dir[1], 3, &mut |_| {}).is_err());
    }

    #[test]
    fn garbage_is_not_a_zip() {
        let junk = vec![0x50u8; 1000];
        let r = read_directory(&mut io::Cursor::new(&junk), junk.len() as u64);
        assert!(matches!(r, Err(DirectoryError::NotZip(_))));
    }
}
