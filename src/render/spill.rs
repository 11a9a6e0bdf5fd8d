//! The photocopies PDF written without holding the scans in memory. A department's copies run
//! to a gigabyte and more (20 employees: 1.2 GB); built whole in memory, `copies` peaked at
//! 2.3 GB of RAM. Here the document in memory holds only the small objects (pages, fonts,
//! headers, a scanned PDF's structure); each big stream waits outside it until the PDF is
//! written, streamed from where it waits:
//!
//! - a JPEG's bytes stay in the scan file and are copied from it (DCT passthrough: they are the
//!   file's bytes), compared as they go with the length and CRC-32 the check recorded, so a scan
//!   changed since the check is an error naming it, not a silent mismatch;
//! - any other stream brought in from a scan above [`SPOOL_MIN`] bytes (a PNG's samples, a
//!   scanned PDF's images) is moved into one anonymous spool file, created in the folder the
//!   PDF is written to (nothing is written outside it) and gone when the run ends.
//!
//! [`Spill::write`] serialises the document as lopdf's classic writer does — header, objects in
//! id order, a cross-reference table, the trailer — with a parked stream's bytes copied in where
//! its content goes (lopdf's writer cannot do that: it writes a stream's content from memory).
//!
//! Invariants: the output depends only on the objects and the parked bytes, never on where
//! they waited (same inputs, same bytes); a parked stream's `/Length` is its real length;
//! memory stays bounded by the biggest single scan, not by the sum of them.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use lopdf::{Document, Object, ObjectId};

/// Streams up to this size stay in memory; bigger ones are parked.
pub(crate) const SPOOL_MIN: usize = 64 * 1024;

/// Where a parked stream's bytes are.
#[derive(Debug)]
enum Parked {
    /// The whole scan file, as the check saw it.
    Scan { path: PathBuf, len: u64, crc32: u32 },
    /// A range of the spool file.
    Spool { offset: u64, len: u64 },
}

/// The streams parked outside the document, and the spool file.
pub(crate) struct Spill {
    dir: PathBuf,
    spool: Option<File>,
    spool_len: u64,
    parked: HashMap<ObjectId, Parked>,
}

/// Why the PDF could not be written: the text names the file.
#[derive(Debug)]
pub(crate) enum SpillError {
    /// A scan is not what the check saw (or cannot be read any more).
    Scan { path: PathBuf, message: String },
    /// The spool or the output.
    Io(io::Error),
}

impl From<io::Error> for SpillError {
    fn from(e: io::Error) -> Self {
        SpillError::Io(e)
    }
}

impl Spill {
    /// A spill whose spool file, when one is needed, is made in `dir`.
    pub(crate) fn new(dir: &Path) -> Spill {
        Spill {
            dir: dir.to_path_buf(),
            spool: None,
            spool_len: 0,
            parked: HashMap::new(),
        }
    }

    /// Stream `id` (whose content is left empty) is the whole file at `path`, `len` bytes with
    /// CRC-32 `crc32`.
    pub(crate) fn scan(&mut self, id: ObjectId, path: &Path, len: u64, crc32: u32) {
        self.parked.insert(
            id,
            Parked::Scan {
                path: path.to_path_buf(),
                len,
                crc32,
            },
        );
    }

    /// Moves the content of every stream of `doc` numbered `from` or above that is bigger
    /// than [`SPOOL_MIN`] into the spool, compressed first where the PDF writer would have
    /// compressed it.
    pub(crate) fn park_from(&mut self, doc: &mut Document, from: u32) -> io::Result<()> {
        for (&id, obj) in doc.objects.range_mut((from, 0)..) {
            let Object::Stream(s) = obj else { continue };
            if s.content.len() <= SPOOL_MIN || self.parked.contains_key(&id) {
                continue;
            }
            if s.allows_compression {
                // What `Document::compress` would do at the end; afterwards it must not touch
                // the emptied stream.
                let _ = s.compress();
            }
            s.allows_compression = false;
            let content = std::mem::take(&mut s.content);
            let spool = match &mut self.spool {
                Some(f) => f,
                None => self.spool.insert(tempfile::tempfile_in(&self.dir)?),
            };
            spool.write_all(&content)?;
            let len = content.len() as u64;
            self.parked.insert(
                id,
                Parked::Spool {
                    offset: self.spool_len,
                    len,
                },
            );
            self.spool_len += len;
        }
        Ok(())
    }

    /// Writes `doc` to `out` (see the module doc); returns the bytes written.
    pub(crate) fn write(
        mut self,
        mut doc: Document,
        out: &mut dyn Write,
    ) -> Result<u64, SpillError> {
        doc.compress();
        let mut w = Counting { inner: out, n: 0 };
        writeln!(w, "%PDF-{}", doc.version)?;
        w.write_all(b"%")?;
        w.write_all(&doc.binary_mark)?;
        w.write_all(b"\n")?;
        let size = doc.max_id + 1;
        let mut offsets: Vec<Option<(u64, u16)>> = vec![None; size as usize];
        for (&(id, generation), object) in &doc.objects {
            if let Some(slot) = offsets.get_mut(id as usize) {
                *slot = Some((w.n, generation));
            }
            match (object, self.parked.remove(&(id, generation))) {
                (Object::Stream(s), Some(parked)) => {
                    let len = match parked {
                        Parked::Scan { len, .. } | Parked::Spool { len, .. } => len,
                    };
                    let mut dict = s.dict.clone();
                    dict.set("Length", len as i64);
                    writeln!(w, "{id} {generation} obj")?;
                    write_object(&mut w, &Object::Dictionary(dict))?;
                    w.write_all(b"\nstream\n")?;
                    self.copy(&parked, &mut w)?;
                    w.write_all(b"\nendstream\nendobj\n")?;
                }
                _ => {
                    writeln!(w, "{id} {generation} obj")?;
                    write_object(&mut w, object)?;
                    w.write_all(b"\nendobj\n")?;
                }
            }
        }
        let xref = w.n;
        write!(w, "xref\n0 {size}\n")?;
        w.write_all(b"0000000000 65535 f \n")?;
        for slot in offsets.iter().skip(1) {
            match slot {
                Some((offset, generation)) => writeln!(w, "{offset:010} {generation:05} n ")?,
                None => w.write_all(b"0000000000 65535 f \n")?,
            }
        }
        doc.trailer.set("Size", i64::from(size));
        w.write_all(b"trailer\n")?;
        write_object(&mut w, &Object::Dictionary(doc.trailer.clone()))?;
        write!(w, "\nstartxref\n{xref}\n%%EOF")?;
        w.flush()?;
        Ok(w.n)
    }

    /// Copies a parked stream's bytes into `w`.
    fn copy(&mut self, parked: &Parked, w: &mut dyn Write) -> Result<(), SpillError> {
        match parked {
            Parked::Spool { offset, len } => {
                let spool = self
                    .spool
                    .as_mut()
                    .ok_or_else(|| SpillError::Io(io::Error::other("the spool file is missing")))?;
                spool.seek(SeekFrom::Start(*offset))?;
                let copied = io::copy(&mut Read::by_ref(spool).take(*len), w)?;
                if copied != *len {
                    return Err(SpillError::Io(io::Error::other("the spool file is short")));
                }
                Ok(())
            }
            Parked::Scan { path, len, crc32 } => {
                let changed = |message: &str| SpillError::Scan {
                    path: path.clone(),
                    message: message.into(),
                };
                // Never blocking: a scan swapped for a FIFO since the check is refused, not
                // waited on (SPEC §9).
                let mut f = crate::input::open_regular(path).map_err(|e| SpillError::Scan {
                    path: path.clone(),
                    message: format!("cannot be read any more: {e}"),
                })?;
                let mut h = crc32fast::Hasher::new();
                let mut buf = vec![0u8; 256 * 1024];
                let mut left = *len;
                while left > 0 {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = f.read(&mut buf[..want]).map_err(|e| SpillError::Scan {
                        path: path.clone(),
                        message: format!("cannot be read any more: {e}"),
                    })?;
                    if n == 0 {
                        return Err(changed("changed since it was checked (it is shorter now)"));
                    }
                    h.update(&buf[..n]);
                    w.write_all(&buf[..n])?;
                    left -= n as u64;
                }
                if f.read(&mut [0u8; 1]).map_err(SpillError::Io)? != 0 {
                    return Err(changed("changed since it was checked (it is longer now)"));
                }
                if h.finalize() != *crc32 {
                    return Err(changed("changed since it was checked"));
                }
                Ok(())
            }
        }
    }
}

/// One object in PDF syntax (ISO 32000-1 §7.3). lopdf's own writer is private to it; this is
/// the same syntax, written out: every token followed by what separates it from the next.
fn write_object(w: &mut dyn Write, o: &Object) -> io::Result<()> {
    match o {
        Object::Null => w.write_all(b"null"),
        Object::Boolean(b) => w.write_all(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => write!(w, "{i}"),
        Object::Real(r) => {
            // Display never uses an exponent; a PDF reader takes no NaN or infinity.
            let r = if r.is_finite() { *r } else { 0.0 };
            write!(w, "{r}")
        }
        Object::Name(n) => write_name(w, n),
        Object::String(bytes, lopdf::StringFormat::Hexadecimal) => {
            w.write_all(b"<")?;
            for b in bytes {
                write!(w, "{b:02X}")?;
            }
            w.write_all(b">")
        }
        Object::String(bytes, lopdf::StringFormat::Literal) => {
            w.write_all(b"(")?;
            for &b in bytes {
                match b {
                    b'(' | b')' | b'\\' => w.write_all(&[b'\\', b])?,
                    b'\r' => w.write_all(b"\\r")?,
                    _ => w.write_all(&[b])?,
                }
            }
            w.write_all(b")")
        }
        Object::Array(items) => {
            w.write_all(b"[")?;
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    w.write_all(b" ")?;
                }
                write_object(w, item)?;
            }
            w.write_all(b"]")
        }
        Object::Dictionary(d) => {
            w.write_all(b"<<")?;
            for (k, v) in d.iter() {
                write_name(w, k)?;
                w.write_all(b" ")?;
                write_object(w, v)?;
                w.write_all(b"\n")?;
            }
            w.write_all(b">>")
        }
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set("Length", s.content.len() as i64);
            write_object(w, &Object::Dictionary(dict))?;
            w.write_all(b"\nstream\n")?;
            w.write_all(&s.content)?;
            w.write_all(b"\nendstream")
        }
        Object::Reference((id, generation)) => write!(w, "{id} {generation} R"),
    }
}

/// A name, its delimiters, white space and bytes outside `!`…`~` as `#XX`.
fn write_name(w: &mut dyn Write, name: &[u8]) -> io::Result<()> {
    w.write_all(b"/")?;
    for &b in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            write!(w, "#{b:02X}")?;
        } else {
            w.write_all(&[b])?;
        }
    }
    Ok(())
}

/// A writer that counts the bytes, for the cross-reference offsets.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    n: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Dictionary, Stream};

    fn doc_with(content: Vec<u8>) -> (Document, ObjectId) {
        let mut doc = Document::with_version("1.7");
        let mut s = Stream::new(Dictionary::new(), content);
        s.allows_compression = false;
        let id = doc.add_object(Object::Stream(s));
        let catalog = doc.add_object(lopdf::dictionary! { "Type" => "Catalog" });
        doc.trailer.set("Root", Object::Reference(catalog));
        (doc, id)
    }

    /// Every object of `doc` as lopdf reads it back from `bytes`.
    fn same_objects(doc: &Document, bytes: &[u8]) {
        let back = Document::load_mem(bytes).expect("parses");
        for (id, o) in &doc.objects {
            let b = back.get_object(*id).expect("object");
            match (o, b) {
                (Object::Stream(x), Object::Stream(y)) => {
                    assert_eq!(x.content, y.content, "{id:?}");
                    for (k, v) in x.dict.iter() {
                        if k != b"Length" {
                            assert_eq!(Some(v), y.dict.get(k).ok(), "{id:?}");
                        }
                    }
                }
                _ => assert_eq!(o, b, "{id:?}"),
            }
        }
    }

    #[test]
    fn every_kind_of_object_reads_back_the_same() {
        let (mut doc, _) = doc_with(b"hello".to_vec());
        doc.add_object(Object::Array(vec![
            Object::Null,
            true.into(),
            Object::Integer(-7),
            Object::Real(0.125),
            Object::Name(b"A B#/(x)".to_vec()),
            Object::String(b"a(b)c\\d\re".to_vec(), lopdf::StringFormat::Literal),
            Object::String(vec![0, 0xFF, 0x4E], lopdf::StringFormat::Hexadecimal),
            Object::Reference((1, 0)),
            Object::Dictionary(lopdf::dictionary! { "K" => Object::Array(vec![]), "N" => 3 }),
        ]));
        let t = tempfile::tempdir().expect("tempdir");
        let mut ours = Vec::new();
        Spill::new(t.path())
            .write(doc.clone(), &mut ours)
            .expect("write");
        same_objects(&doc, &ours);
    }

    #[test]
    fn parked_streams_come_back_byte_for_byte_and_the_result_parses() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (mut doc, id) = doc_with(big.clone());
        let whole = doc.clone();
        let t = tempfile::tempdir().expect("tempdir");
        let mut spill = Spill::new(t.path());
        spill.park_from(&mut doc, 0).expect("park");
        assert!(
            doc.get_object(id)
                .and_then(Object::as_stream)
                .expect("stream")
                .content
                .is_empty(),
            "the content left memory"
        );
        let mut ours = Vec::new();
        spill.write(doc, &mut ours).expect("write");
        same_objects(&whole, &ours);
    }

    #[test]
    fn a_scan_changed_since_the_check_is_an_error_naming_it() {
        let t = tempfile::tempdir().expect("tempdir");
        let path = t.path().join("身份证-正面.jpg");
        std::fs::write(&path, b"0123456789").expect("write");
        let crc = crc32fast::hash(b"0123456789");
        for (now, ok) in [
            (&b"0123456789"[..], true),
            (b"0123456788", false),
            (b"012345678", false),
            (b"0123456789a", false),
        ] {
            std::fs::write(&path, now).expect("write");
            let (doc, id) = doc_with(Vec::new());
            let mut spill = Spill::new(t.path());
            spill.scan(id, &path, 10, crc);
            let r = spill.write(doc, &mut Vec::new());
            match r {
                Ok(_) => assert!(ok, "{now:?} passed"),
                Err(SpillError::Scan { path: p, message }) => {
                    assert!(!ok, "{now:?}: {message}");
                    assert_eq!(p, path);
                    assert!(message.contains("changed"), "{message}");
                }
                Err(SpillError::Io(e)) => panic!("{e}"),
            }
        }
    }
}
