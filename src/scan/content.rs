//! The content checks of one scan file: judged on its bytes, never on its name.
//!
//! Each file is opened once and read once, front to back: every byte passes through a SHA-256
//! and a CRC-32 hasher on its way to the sniffer and the decoder, and whatever the decoder leaves is drained
//! into the hasher at the end. Images are never held whole in memory: a baseline JPEG is checked
//! by its markers and entropy-coded byte sequence to its EOI, its luma DC coefficients (the 8×8
//! block averages) decoded only until the page is proven not blank ([`jpeg`]); other JPEGs are
//! decoded through the DCT at 1/8 scale; a PNG is inflated row by row into 8×8 block averages,
//! until the page is proven not blank, and its remaining chunks are then checked by CRC to the
//! IEND without inflating them ([`chunks`]). A scanned PDF page is judged by its image: a JPEG
//! as above, a Flate image inflated row by row. Only a PDF is read into memory, and only
//! when it is under the size limit. Headers are judged before any decoding: an image claiming
//! more pixels than `max_pixels` is refused undecoded.
//!
//! Invariant: no input makes this module panic or allocate beyond the limits; the decoders run
//! behind `catch_unwind` as a last line of defence, and a decoder panic becomes a `corrupt`
//! finding.

use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::sniff::{self, FileKind, Sniffed};
use super::ScanLimits;
use crate::checklist::DocSize;
use crate::finding::Code;
use crate::messages::Text;
use crate::t;

mod chunks;
mod jpeg;

/// One thing wrong with a file, before it is tied to an item and a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub message: Text,
    pub hint: Text,
}

impl Problem {
    fn new(code: Code, message: Text, hint: Text) -> Problem {
        Problem {
            code,
            message,
            hint,
        }
    }
}

/// What the checks learnt about one file.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// The file's size (from its metadata; the bytes read when it was read whole).
    pub bytes: u64,
    /// The SHA-256 of the whole file, when it was read.
    pub sha256: Option<[u8; 32]>,
    /// The CRC-32 of the whole file (the ZIP's checksum), when it was read.
    pub crc32: Option<u32>,
    /// The content type, when the bytes are a JPEG, PNG or PDF.
    pub kind: Option<FileKind>,
    /// Pages: 1 for an image, the page count for a PDF (0 when unknown).
    pub pages: u32,
    /// The blank pages of a PDF, 1-based, when some but not all are blank (they do not count
    /// towards the item's parts; a wholly blank file is a `blank-page` problem instead).
    pub blank_pages: Vec<u32>,
    pub problems: Vec<Problem>,
}

/// What the item expects of the file.
pub struct Expect<'a> {
    /// The file's extension, lower case, without the dot (may be empty).
    pub ext: &'a str,
    /// The item's accepted extensions (empty: any scan type).
    pub accept: &'a [String],
    pub size: DocSize,
    pub label: &'a str,
}

/// Reads the file at `path` once and checks its content.
pub fn inspect(path: &Path, expect: &Expect<'_>, limits: &ScanLimits) -> Inspection {
    let mut out = Inspection::default();
    // Never a blocking open: a FIFO in scans/ is a special file, not a hang.
    let file = match crate::input::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            out.problems.push(Problem::new(
                Code::SpecialFile,
                t!("不是普通文件", "not a regular file"),
                t!("只在 scans/ 中放扫描文件", "keep only scan files in scans/"),
            ));
            return out;
        }
        Err(e) => {
            out.problems.push(unreadable(&e));
            return out;
        }
    };
    match file.metadata() {
        Ok(m) if !m.is_file() => {
            out.problems.push(Problem::new(
                Code::SpecialFile,
                t!("不是普通文件", "not a regular file"),
                t!("只在 scans/ 中放扫描文件", "keep only scan files in scans/"),
            ));
            return out;
        }
        Ok(m) => out.bytes = m.len(),
        Err(e) => {
            out.problems.push(unreadable(&e));
            return out;
        }
    }
    if out.bytes == 0 {
        out.problems.push(Problem::new(
            Code::EmptyFile,
            t!("文件是空的，0 字节", "empty file: 0 bytes"),
            t!(
                "重新扫描，或从原始位置重新复制这个文件",
                "scan it again, or copy the file again from where it came from"
            ),
        ));
        return out;
    }
    if out.bytes > limits.max_file_bytes {
        out.problems.push(Problem::new(
            Code::FileTooLarge,
            t!(
                "文件有 {}，超过上限 {}",
                "the file has {}, over the limit of {}",
                human_bytes(out.bytes),
                human_bytes(limits.max_file_bytes)
            ),
            t!(
                "用 150–300 dpi 重新扫描，或压缩后另存；多页 PDF 可拆成几个文件（如 -p1、-p2）",
                "scan again at 150–300 dpi, or save it compressed; a long PDF can be split into several files (-p1, -p2 …)"
            ),
        ));
        return out;
    }

    let mut reader = Stream::new(file);
    let sniffed = match reader.fill_buf() {
        Ok(head) => sniff::sniff(head),
        Err(e) => {
            out.problems.push(unreadable(&e));
            return out;
        }
    };
    let (kind, dims) = match sniffed {
        Sniffed::Scan { kind, dims } => (kind, dims),
        Sniffed::Other { zh, en } => {
            out.problems.push(Problem::new(
                Code::UnsupportedType,
                t!(
                    "内容是 {zh}，不是 PDF、JPG 或 PNG",
                    "the content is {en}, not PDF, JPEG or PNG"
                ),
                // The phone-photo advice only where it applies: it puzzles a clerk with a GIF.
                if en.starts_with("HEIC") {
                    t!(
                        "另存为 PDF、JPG 或 PNG 后放回 scans/（手机的 HEIC 照片可在相册中导出为 JPG）",
                        "save it as PDF, JPG or PNG and put it back in scans/ (a phone's HEIC photo can be exported as JPG from the photo album)"
                    )
                } else if en.contains("Office") {
                    t!(
                        "用 Word 或 WPS「另存为 PDF」后放回 scans/，或扫描打印件为 PDF、JPG 或 PNG",
                        "in Word or WPS use \"Save as PDF\" and put it back in scans/, or scan a printout as PDF, JPG or PNG"
                    )
                } else {
                    t!(
                        "另存为 PDF、JPG 或 PNG 后放回 scans/",
                        "save it as PDF, JPG or PNG and put it back in scans/"
                    )
                },
            ));
            return out;
        }
    };
    out.kind = Some(kind);
    check_type(kind, expect, &mut out.problems);

    match kind {
        FileKind::Jpeg => {
            out.pages = 1;
            check_jpeg(&mut reader, expect, limits, &mut out.problems);
        }
        FileKind::Png => {
            out.pages = 1;
            check_png(&mut reader, dims, expect, limits, &mut out.problems);
        }
        FileKind::Pdf => {
            (out.pages, out.blank_pages) =
                check_pdf(&mut reader, out.bytes, expect, limits, &mut out.problems)
        }
    }

    // Whatever the decoder did not need still goes through the hasher.
    match reader.finish() {
        Ok(Digests {
            sha256,
            crc32,
            count,
        }) => {
            out.sha256 = Some(sha256);
            out.crc32 = Some(crc32);
            out.bytes = count;
        }
        Err(e) => out.problems.push(unreadable(&e)),
    }
    out
}

/// What the one pass over a file computed.
struct Digests {
    sha256: [u8; 32],
    crc32: u32,
    count: u64,
}

/// The one pass over a file: a buffered reader that hashes every byte (SHA-256 for the manifest,
/// CRC-32 for the ZIP) as it enters the buffer. Its `read_exact` has an inlined fast path because
/// the JPEG decoder reads a byte at a time.
struct Stream<R> {
    inner: R,
    hasher: Sha256,
    crc: crc32fast::Hasher,
    count: u64,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
}

impl<R: Read> Stream<R> {
    fn new(inner: R) -> Stream<R> {
        Stream {
            inner,
            hasher: Sha256::new(),
            crc: crc32fast::Hasher::new(),
            count: 0,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            end: 0,
        }
    }

    /// Reads the rest of the file (into the hashes) and returns the digests and the byte count.
    fn finish(mut self) -> io::Result<Digests> {
        self.pos = self.end;
        while !self.fill_buf()?.is_empty() {
            self.pos = self.end;
        }
        Ok(Digests {
            sha256: self.hasher.finalize().into(),
            crc32: self.crc.finalize(),
            count: self.count,
        })
    }
}

impl<R: Read> BufRead for Stream<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.hasher.update(&self.buf[..n]);
            self.crc.update(&self.buf[..n]);
            self.count += n as u64;
            (self.pos, self.end) = (0, n);
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.end);
    }
}

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }

    #[inline]
    fn read_exact(&mut self, out: &mut [u8]) -> io::Result<()> {
        if let Some(avail) = self
            .buf
            .get(self.pos..self.end)
            .filter(|a| a.len() >= out.len())
        {
            out.copy_from_slice(&avail[..out.len()]);
            self.pos += out.len();
            return Ok(());
        }
        let mut rest = out;
        while !rest.is_empty() {
            let n = self.read(rest)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            rest = &mut rest[n..];
        }
        Ok(())
    }
}

/// The `png` crate asks for `Seek` in its bounds but reads front to back; a seek here would
/// break the hash, so it is refused rather than honoured.
impl<R> Seek for Stream<R> {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "scan files are read once, front to back",
        ))
    }
}

fn unreadable(e: &io::Error) -> Problem {
    Problem::new(
        Code::Unreadable,
        t!("无法读取：{e}", "cannot read the file: {e}"),
        t!(
            "检查文件权限，或把文件重新复制到 scans/",
            "check the file's permissions, or copy the file into scans/ again"
        ),
    )
}

/// The extension against the content, and the content against what the item accepts.
fn check_type(kind: FileKind, expect: &Expect<'_>, problems: &mut Vec<Problem>) {
    if FileKind::from_ext(expect.ext) != Some(kind) {
        let kind_name = kind.name();
        let ext = &expect.ext;
        let message = if ext.is_empty() {
            t!(
                "文件没有扩展名，内容却是 {kind_name}",
                "the file has no extension; the content is {kind_name}"
            )
        } else {
            t!(
                "扩展名是 .{ext}，内容却是 {kind_name}",
                "the extension says .{ext}, the content is {kind_name}"
            )
        };
        let right = kind.ext();
        problems.push(Problem::new(
            Code::TypeMismatch,
            message,
            t!(
                "把文件改名为以 .{right} 结尾，或用扫描软件重新导出为正确的格式",
                "rename the file to end in .{right}, or export it again in the right format from the scanning software"
            ),
        ));
    }
    let accepted = expect.accept.is_empty()
        || expect
            .accept
            .iter()
            .any(|a| FileKind::from_ext(a) == Some(kind) || a.eq_ignore_ascii_case(kind.ext()));
    if !accepted {
        let (zh_list, en_list) = (expect.accept.join("、"), expect.accept.join(", "));
        let (label, name) = (expect.label, kind.name());
        problems.push(Problem::new(
            Code::TypeNotAccepted,
            t!(
                "「{label}」只接受 {zh_list}，这个文件是 {name}",
                "「{label}」 accepts only {en_list}; this file is {name}"
            ),
            t!(
                "另存为 {zh_list} 格式后放回 scans/",
                "save it as {en_list} and put it back in scans/"
            ),
        ));
    }
}

fn truncated(kind: FileKind) -> Problem {
    Problem::new(
        Code::Truncated,
        t!(
            "{} 文件不完整，数据在结尾之前就断了",
            "the {} file ends early: truncated",
            kind.name()
        ),
        t!(
            "从原始位置重新复制这个文件，或重新扫描",
            "copy the file again from where it came from, or scan it again"
        ),
    )
}

/// A file that cannot be decoded; `detail` is the decoder's own word (English, as decoders
/// write it).
fn corrupt(kind: FileKind, detail: &str) -> Problem {
    corrupt_text(kind, &Text::same(detail))
}

fn corrupt_text(kind: FileKind, detail: &Text) -> Problem {
    let name = kind.name();
    let (zh, en) = (&detail.zh, &detail.en);
    Problem::new(
        Code::Corrupt,
        t!(
            "{name} 无法解码：{zh}",
            "the {name} cannot be decoded: {en}"
        ),
        t!(
            "重新扫描，或用扫描软件重新导出这个文件",
            "scan it again, or export the file again from the scanning software"
        ),
    )
}

fn too_many_pixels(w: u64, h: u64, limits: &ScanLimits) -> Problem {
    Problem::new(
        Code::TooManyPixels,
        t!(
            "图像文件头声称有 {w}×{h} 像素（{:.0} 百万像素），超过上限 {:.0} 百万像素，未解码",
            "the image header claims {w}×{h} pixels ({:.0} megapixels), over the limit of {:.0} megapixels: refused without decoding",
            (w * h) as f64 / 1e6,
            limits.max_pixels as f64 / 1e6
        ),
        t!(
            "这不是正常的扫描件：请重新扫描（A4 纸 300 dpi 约 870 万像素）",
            "this is no ordinary scan: scan it again (an A4 page at 300 dpi has about 8.7 megapixels)"
        ),
    )
}

/// The nominal (short, long) sides of a document, in millimetres.
/// With the document's name in Chinese and in English.
fn doc_mm(size: DocSize) -> (f64, f64, (&'static str, &'static str)) {
    match size {
        DocSize::Card => (54.0, 85.6, ("卡片", "a card")),
        DocSize::Booklet => (105.0, 148.0, ("证书或簿册页", "a booklet page")),
        DocSize::A4 => (210.0, 297.0, ("A4", "an A4 page")),
    }
}

/// The resolution a `w`×`h` image has if it shows the whole document of this size.
fn doc_dpi(w: u64, h: u64, size: DocSize) -> f64 {
    let (short_mm, long_mm, _) = doc_mm(size);
    let (s, l) = (w.min(h) as f64, w.max(h) as f64);
    (s / (short_mm / 25.4)).min(l / (long_mm / 25.4))
}

/// Whether a resolution is too low to read: under `min_dpi`, with 10 % slack for tight cropping.
fn too_low(dpi: f64, min_dpi: u32) -> bool {
    dpi < f64::from(min_dpi) * 0.9
}

fn low_resolution_hint(size: DocSize, min_dpi: u32) -> Text {
    let (short_mm, long_mm, (zh, en)) = doc_mm(size);
    let need = |mm: f64| (mm / 25.4 * f64::from(min_dpi)).ceil();
    t!(
        "重新扫描，分辨率至少 {min_dpi} dpi（{zh}约需 {}×{} 像素）",
        "scan it again at {min_dpi} dpi or more ({en} needs about {}×{} pixels)",
        need(short_mm),
        need(long_mm)
    )
}

/// Whether a `w`×`h` image can hold the document at `min_dpi`.
fn check_resolution(w: u64, h: u64, size: DocSize, min_dpi: u32, problems: &mut Vec<Problem>) {
    let dpi = doc_dpi(w, h, size);
    if too_low(dpi, min_dpi) {
        let (zh, en) = doc_mm(size).2;
        problems.push(Problem::new(
            Code::LowResolution,
            t!(
                "图像只有 {w}×{h} 像素，按{zh}大小约 {dpi:.0} dpi，看不清",
                "the image has only {w}×{h} pixels: about {dpi:.0} dpi at the size of {en}, {min_dpi} needed"
            ),
            low_resolution_hint(size, min_dpi),
        ));
    }
}

/// A page is blank when almost no block differs from the paper: fewer than 1 in 1000 samples
/// more than 24 grey levels from the median. Samples are 8×8 block averages, which dilute thin
/// strokes (faint photocopied text may average only 20–30 levels off the paper), so the margin
/// is kept low: a false "blank" costs the clerk's trust, a missed one only a rescan. Inverted or
/// tinted paper changes nothing (the test is about spread, not whiteness); a single line of
/// text or a signature is far above the threshold.
pub fn is_blank(samples: &[u8]) -> bool {
    let mut hist = [0u64; 256];
    for &v in samples {
        hist[usize::from(v)] += 1;
    }
    jpeg::hist_is_blank(&hist)
}

fn blank_page() -> Problem {
    Problem::new(
        Code::BlankPage,
        t!("页面空白或几乎空白", "blank or nearly blank page"),
        t!(
            "检查是否扫错了面、纸放反了或扫描仪盖板没盖好，重新扫描有内容的一面",
            "check for the wrong side, paper upside down or an open scanner lid; scan the side with the content again"
        ),
    )
}

/// A baseline JPEG goes through the fast check ([`jpeg`]); any other kind is decoded whole at
/// 1/8 scale, its headers replayed from what the fast check read.
fn check_jpeg<R: BufRead>(
    reader: &mut R,
    expect: &Expect<'_>,
    limits: &ScanLimits,
    problems: &mut Vec<Problem>,
) {
    let verdict = catch_unwind(AssertUnwindSafe(|| {
        jpeg::check(&mut *reader, |w, h| {
            if w * h > limits.max_pixels {
                problems.push(too_many_pixels(w, h, limits));
                return false;
            }
            check_resolution(w, h, expect.size, limits.min_dpi, problems);
            true
        })
    }))
    .unwrap_or_else(|_| jpeg::Verdict::Corrupt("decoder failed".into()));
    match verdict {
        jpeg::Verdict::Sound { blank } => {
            if blank {
                problems.push(blank_page());
            }
        }
        jpeg::Verdict::Stopped => {}
        jpeg::Verdict::Truncated => problems.push(truncated(FileKind::Jpeg)),
        jpeg::Verdict::Corrupt(detail) => problems.push(corrupt(FileKind::Jpeg, &detail)),
        jpeg::Verdict::Io(e) => problems.push(unreadable(&e)),
        jpeg::Verdict::Unsupported(head) => decode_jpeg(
            io::Cursor::new(head).chain(reader),
            expect,
            limits,
            problems,
        ),
    }
}

/// The full decoder (at the smallest DCT scale, 1/8), for the JPEGs the fast check leaves.
fn decode_jpeg<R: Read>(
    reader: R,
    expect: &Expect<'_>,
    limits: &ScanLimits,
    problems: &mut Vec<Problem>,
) {
    let result = catch_unwind(AssertUnwindSafe(
        || -> Result<Option<Vec<u8>>, jpeg_decoder::Error> {
            let mut decoder = jpeg_decoder::Decoder::new(reader);
            decoder.read_info()?;
            let Some(info) = decoder.info() else {
                return Ok(None);
            };
            let (w, h) = (u64::from(info.width), u64::from(info.height));
            if w * h > limits.max_pixels {
                problems.push(too_many_pixels(w, h, limits));
                return Ok(None);
            }
            check_resolution(w, h, expect.size, limits.min_dpi, problems);
            // The smallest DCT scale (1/8): every entropy-coded byte is still decoded, so truncation
            // and damage show, at a fraction of the cost of a full decode.
            decoder.scale(1, 1)?;
            let pixels = decoder.decode()?;
            let channels = info.pixel_format.pixel_bytes();
            Ok(Some(luma(
                &pixels,
                channels,
                info.pixel_format == jpeg_decoder::PixelFormat::L16,
            )))
        },
    ));
    match result {
        Ok(Ok(Some(samples))) => {
            if is_blank(&samples) {
                problems.push(blank_page());
            }
        }
        Ok(Ok(None)) => {}
        Ok(Err(jpeg_decoder::Error::Io(e))) if e.kind() == io::ErrorKind::UnexpectedEof => {
            problems.push(truncated(FileKind::Jpeg))
        }
        Ok(Err(jpeg_decoder::Error::Io(e))) => problems.push(unreadable(&e)),
        Ok(Err(e)) => problems.push(corrupt(FileKind::Jpeg, &e.to_string())),
        Err(_) => problems.push(corrupt(FileKind::Jpeg, "decoder failed")),
    }
}

/// Grey levels of decoded JPEG pixels (L8, L16 big-endian, RGB24 or CMYK32).
fn luma(pixels: &[u8], channels: usize, l16: bool) -> Vec<u8> {
    match (channels, l16) {
        (2, true) => pixels.chunks_exact(2).map(|p| p[0]).collect(),
        (3, _) => pixels
            .chunks_exact(3)
            .map(|p| rgb_luma(p[0], p[1], p[2]))
            .collect(),
        // CMYK may come inverted (Adobe); blankness is about spread, so the plain mean will do.
        (4, _) => pixels
            .chunks_exact(4)
            .map(|p| {
                ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2]) + u16::from(p[3])) / 4) as u8
            })
            .collect(),
        _ => pixels.to_vec(),
    }
}

fn rgb_luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8) as u8
}

fn check_png<R: BufRead>(
    reader: &mut R,
    dims: Option<(u32, u32)>,
    expect: &Expect<'_>,
    limits: &ScanLimits,
    problems: &mut Vec<Problem>,
) {
    if let Some((w, h)) = dims {
        let (w, h) = (u64::from(w), u64::from(h));
        if w * h > limits.max_pixels {
            problems.push(too_many_pixels(w, h, limits));
            return;
        }
    }
    // The decoder may stop once the page is proven not blank; the walker then checks the rest.
    let mut walker = chunks::Walker::new(reader);
    let result = catch_unwind(AssertUnwindSafe(
        || -> Result<Option<(Vec<u8>, bool)>, png::DecodingError> {
            let mut decoder = png::Decoder::new(&mut walker);
            decoder
                .set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
            let mut png = decoder.read_info()?;
            let (w, h, interlaced) = (png.info().width, png.info().height, png.info().interlaced);
            if u64::from(w) * u64::from(h) > limits.max_pixels {
                problems.push(too_many_pixels(u64::from(w), u64::from(h), limits));
                return Ok(None);
            }
            check_resolution(
                u64::from(w),
                u64::from(h),
                expect.size,
                limits.min_dpi,
                problems,
            );
            let channels = png.output_color_type().0.samples();
            // Interlaced rows arrive pass by pass, out of place: they are checked, not sampled.
            let mut blocks = (!interlaced).then(|| Blocks::new(w as usize, h as usize, 8));
            let mut row_luma = Vec::with_capacity(w as usize);
            while let Some(row) = png.next_row()? {
                if let Some(blocks) = blocks.as_mut() {
                    row_luma.clear();
                    row_luma.extend(row.data().chunks_exact(channels).map(pixel_luma));
                    if blocks.push_row_inked(&row_luma) {
                        return Ok(Some((Vec::new(), true)));
                    }
                }
            }
            png.finish()?;
            Ok(blocks.map(|b| (b.finish(), false)))
        },
    ));
    match result {
        Ok(Ok(Some((_, true)))) => match walker.finish() {
            Ok(()) => {}
            Err(chunks::ChunkError::Truncated) => problems.push(truncated(FileKind::Png)),
            Err(chunks::ChunkError::Corrupt(what)) => problems.push(corrupt(FileKind::Png, what)),
            Err(chunks::ChunkError::Io(e)) => problems.push(unreadable(&e)),
        },
        Ok(Ok(Some((samples, false)))) => {
            if is_blank(&samples) {
                problems.push(blank_page());
            }
        }
        Ok(Ok(None)) => {}
        Ok(Err(png::DecodingError::IoError(e))) if e.kind() == io::ErrorKind::UnexpectedEof => {
            problems.push(truncated(FileKind::Png))
        }
        Ok(Err(png::DecodingError::IoError(e))) => problems.push(unreadable(&e)),
        Ok(Err(e)) => problems.push(corrupt(FileKind::Png, &e.to_string())),
        Err(_) => problems.push(corrupt(FileKind::Png, "decoder failed")),
    }
}

/// Grey level of one 8-bit PNG pixel (grey, grey+alpha, RGB or RGBA), alpha over white paper.
fn pixel_luma(p: &[u8]) -> u8 {
    let (l, a) = match *p {
        [g] => (g, 255),
        [g, a] => (g, a),
        [r, g, b] => (rgb_luma(r, g, b), 255),
        [r, g, b, a, ..] => (rgb_luma(r, g, b), a),
        [] => (255, 255),
    };
    ((u32::from(l) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8
}

/// Averages rows of grey levels into `factor`×`factor` blocks, one band of rows at a time, and
/// tells when the blocks so far prove the page not blank.
struct Blocks {
    width: usize,
    factor: usize,
    sums: Vec<u32>,
    rows: usize,
    out: Vec<u8>,
    /// Histogram of the first `counted` blocks of `out`, and the page's block count.
    hist: [u64; 256],
    counted: usize,
    total: u64,
}

impl Blocks {
    fn new(width: usize, height: usize, factor: usize) -> Blocks {
        Blocks {
            width,
            factor,
            sums: vec![0; width.div_ceil(factor)],
            rows: 0,
            out: Vec::new(),
            hist: [0; 256],
            counted: 0,
            total: (width.div_ceil(factor) * height.div_ceil(factor)) as u64,
        }
    }

    /// [`Self::push_row`], then whether the page is already proven not blank (judged every
    /// 256 new blocks; see [`jpeg::proven_not_blank`]).
    fn push_row_inked(&mut self, row: &[u8]) -> bool {
        self.push_row(row);
        if self.out.len() - self.counted < 256 {
            return false;
        }
        for &v in &self.out[self.counted..] {
            self.hist[usize::from(v)] += 1;
        }
        self.counted = self.out.len();
        jpeg::proven_not_blank(&self.hist, self.total)
    }

    fn push_row(&mut self, row: &[u8]) {
        for (x, &v) in row.iter().take(self.width).enumerate() {
            self.sums[x / self.factor] += u32::from(v);
        }
        self.rows += 1;
        if self.rows == self.factor {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.rows == 0 {
            return;
        }
        for (bx, sum) in self.sums.iter_mut().enumerate() {
            let cols = (self.width - bx * self.factor).min(self.factor);
            let n = (cols * self.rows) as u32;
            self.out.push((*sum / n.max(1)) as u8);
            *sum = 0;
        }
        self.rows = 0;
    }

    fn finish(mut self) -> Vec<u8> {
        self.flush();
        self.out
    }
}

/// PDF structure: parses, has pages, is not encrypted, is not cut off; then each scanned page
/// (one image, no text): its resolution, and whether it is blank. Returns the page count and
/// the blank pages when only some are blank.
fn check_pdf<R: Read>(
    reader: &mut R,
    size: u64,
    expect: &Expect<'_>,
    limits: &ScanLimits,
    problems: &mut Vec<Problem>,
) -> (u32, Vec<u32>) {
    // Bounded by the size limit, checked before any byte was read.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = reader.read_to_end(&mut data) {
        problems.push(unreadable(&e));
        return (0, Vec::new());
    }
    let tail = &data[data.len().saturating_sub(2048)..];
    let complete = sniff::find(tail, b"%%EOF").is_some();
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(64 << 20),
        ..Default::default()
    };
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(&data, options).map(|doc| {
            let encrypted =
                doc.was_encrypted() || doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok();
            let pages = doc.page_iter().count();
            let scanned = if encrypted {
                PageScan::default()
            } else {
                scan_pages(&doc, expect, limits)
            };
            (encrypted, pages, scanned)
        })
    }));
    let encrypted_marker = || sniff::find(&data, b"/Encrypt").is_some();
    match loaded {
        Ok(Ok((encrypted, pages, scanned))) => {
            let pages = u32::try_from(pages).unwrap_or(u32::MAX);
            if encrypted {
                problems.push(pdf_encrypted());
            }
            if !complete {
                problems.push(truncated(FileKind::Pdf));
            } else if pages == 0 && !encrypted {
                problems.push(corrupt_text(FileKind::Pdf, &t!("没有页面", "no pages")));
            }
            if !scanned.low.is_empty() {
                let zh: Vec<String> = scanned
                    .low
                    .iter()
                    .map(|(n, dpi)| format!("第 {n} 页约 {dpi:.0} dpi"))
                    .collect();
                let en: Vec<String> = scanned
                    .low
                    .iter()
                    .map(|(n, dpi)| format!("page {n} about {dpi:.0} dpi"))
                    .collect();
                let (zh, en, min_dpi) = (zh.join("，"), en.join(", "), limits.min_dpi);
                problems.push(Problem::new(
                    Code::LowResolution,
                    t!(
                        "PDF 中的扫描图像分辨率太低，看不清：{zh}（至少需要 {min_dpi} dpi）",
                        "the scanned pages of the PDF are below {min_dpi} dpi: {en}"
                    ),
                    low_resolution_hint(expect.size, limits.min_dpi),
                ));
            }
            let blank = scanned.blank;
            if pages > 0 && blank.len() as u32 == pages {
                problems.push(blank_page());
                (pages, Vec::new())
            } else {
                (pages, blank)
            }
        }
        Ok(Err(_)) | Err(_) if encrypted_marker() => {
            problems.push(pdf_encrypted());
            (0, Vec::new())
        }
        Ok(Err(_)) | Err(_) if !complete => {
            problems.push(truncated(FileKind::Pdf));
            (0, Vec::new())
        }
        Ok(Err(e)) => {
            problems.push(corrupt(FileKind::Pdf, &e.to_string()));
            (0, Vec::new())
        }
        Err(_) => {
            problems.push(corrupt(FileKind::Pdf, "parser failed"));
            (0, Vec::new())
        }
    }
}

/// What the pages of a PDF showed: pages scanned below the least resolution (page, dpi) and
/// blank pages (1-based).
#[derive(Default)]
struct PageScan {
    low: Vec<(u32, f64)>,
    blank: Vec<u32>,
}

/// Pages past this are not examined one by one (their structure is still checked).
const MAX_PAGES_EXAMINED: usize = 200;

/// Looks at each page that is a scan — one image and no text — and at pages with nothing at
/// all. Pages with text (fonts) are documents made on a computer: never blank, never low-res.
fn scan_pages(doc: &lopdf::Document, expect: &Expect<'_>, limits: &ScanLimits) -> PageScan {
    let mut out = PageScan::default();
    for (i, page_id) in doc.page_iter().enumerate().take(MAX_PAGES_EXAMINED) {
        let n = i as u32 + 1;
        if doc
            .get_page_fonts(page_id)
            .map(|f| !f.is_empty())
            .unwrap_or(true)
        {
            continue;
        }
        let images = doc.get_page_images(page_id).unwrap_or_default();
        match images.as_slice() {
            [] if page_is_empty(doc, page_id) => out.blank.push(n),
            [image] => {
                let (w, h) = (image.width.max(0) as u64, image.height.max(0) as u64);
                if w * h > limits.max_pixels {
                    continue;
                }
                // The page size is the scanned area, so pixels per inch of page is the scan
                // resolution; a page larger than A3 is an app that set 1 pt per pixel, so the
                // image is judged against the document's size instead.
                let dpi = match media_box(doc, page_id) {
                    Some((pw, ph)) if pw.max(ph) <= 1200.0 && pw.min(ph) > 0.0 => {
                        let (s, l) = (w.min(h) as f64, w.max(h) as f64);
                        (s / (pw.min(ph) / 72.0)).min(l / (pw.max(ph) / 72.0))
                    }
                    _ => doc_dpi(w, h, expect.size),
                };
                if too_low(dpi, limits.min_dpi) {
                    out.low.push((n, dpi));
                }
                let blank = match image.filters.as_deref() {
                    Some([f]) if f == "DCTDecode" => embedded_jpeg_is_blank(image.content, limits),
                    Some([f]) if f == "FlateDecode" => embedded_flate_is_blank(doc, image),
                    _ => false,
                };
                if blank {
                    out.blank.push(n);
                }
            }
            _ => {}
        }
    }
    out
}

/// A page with no content stream, or only empty ones, and no images.
fn page_is_empty(doc: &lopdf::Document, page_id: lopdf::ObjectId) -> bool {
    let Ok(page) = doc.get_dictionary(page_id) else {
        return false;
    };
    let Ok(contents) = page.get(b"Contents") else {
        return true;
    };
    let refs: Vec<lopdf::ObjectId> = match contents {
        lopdf::Object::Reference(id) => vec![*id],
        lopdf::Object::Array(items) => items.iter().filter_map(|o| o.as_reference().ok()).collect(),
        _ => return false,
    };
    refs.iter().all(|id| match doc.get_object(*id) {
        Ok(lopdf::Object::Stream(s)) => s.content.iter().all(u8::is_ascii_whitespace),
        _ => false,
    })
}

/// The page's MediaBox (width, height in points), inherited from the page tree if need be.
fn media_box(doc: &lopdf::Document, page_id: lopdf::ObjectId) -> Option<(f64, f64)> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    for _ in 0..32 {
        if let Ok(lopdf::Object::Array(b)) = node
            .get(b"MediaBox")
            .and_then(|o| doc.dereference(o))
            .map(|(_, o)| o)
        {
            let v: Vec<f64> = b
                .iter()
                .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                .map(f64::from)
                .collect();
            return match v[..] {
                [x1, y1, x2, y2] => Some(((x2 - x1).abs(), (y2 - y1).abs())),
                _ => None,
            };
        }
        node = node
            .get(b"Parent")
            .and_then(lopdf::Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .ok()?;
    }
    None
}

/// Decodes a JPEG embedded in a PDF at 1/8 scale and judges it blank; damage is not judged here
/// (viewers differ on embedded streams), so an undecodable image is simply not blank.
fn embedded_jpeg_is_blank(bytes: &[u8], limits: &ScanLimits) -> bool {
    let mut fast = bytes;
    let verdict = catch_unwind(AssertUnwindSafe(|| {
        jpeg::check(&mut fast, |w, h| w * h <= limits.max_pixels)
    }));
    match verdict.unwrap_or(jpeg::Verdict::Stopped) {
        jpeg::Verdict::Sound { blank } => return blank,
        jpeg::Verdict::Unsupported(_) => {}
        _ => return false,
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    if decoder.read_info().is_err() {
        return false;
    }
    let Some(info) = decoder.info() else {
        return false;
    };
    if u64::from(info.width) * u64::from(info.height) > limits.max_pixels
        || decoder.scale(1, 1).is_err()
    {
        return false;
    }
    match decoder.decode() {
        Ok(pixels) => is_blank(&luma(
            &pixels,
            info.pixel_format.pixel_bytes(),
            info.pixel_format == jpeg_decoder::PixelFormat::L16,
        )),
        Err(_) => false,
    }
}

/// Inflates a Flate-compressed scan image row by row into 8×8 block averages, until the page is
/// proven not blank, and judges it. Understood: 8-bit grey or RGB (device, calibrated or ICC
/// based) and 1-bit grey, without a predictor or with PNG predictors. Anything else, and any
/// damage, is not judged (not blank); the caller has checked the pixel count.
fn embedded_flate_is_blank(doc: &lopdf::Document, image: &lopdf::xobject::PdfImage<'_>) -> bool {
    let dict = image.origin_dict;
    let int = |d: &lopdf::Dictionary, key: &[u8]| {
        d.get(key)
            .and_then(|o| doc.dereference(o))
            .ok()
            .and_then(|(_, o)| o.as_i64().ok())
    };
    if dict
        .get(b"ImageMask")
        .and_then(lopdf::Object::as_bool)
        .is_ok_and(|m| m)
    {
        return false;
    }
    let comps: usize = match image.color_space.as_deref() {
        Some("DeviceGray" | "CalGray") => 1,
        Some("DeviceRGB" | "CalRGB") => 3,
        // [/ICCBased stream]: the stream's /N says how many components.
        Some("ICCBased") => {
            let n = dict
                .get(b"ColorSpace")
                .and_then(lopdf::Object::as_array)
                .ok()
                .and_then(|a| a.get(1))
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_stream().ok())
                .and_then(|st| int(&st.dict, b"N"));
            match n {
                Some(1) => 1,
                Some(3) => 3,
                _ => return false,
            }
        }
        _ => return false,
    };
    let bpc = image.bits_per_component.unwrap_or(8);
    if !(bpc == 8 || (bpc == 1 && comps == 1)) {
        return false;
    }
    let predictor = dict
        .get(b"DecodeParms")
        .and_then(|o| doc.dereference(o))
        .ok()
        .and_then(|(_, o)| o.as_dict().ok())
        .and_then(|d| int(d, b"Predictor"))
        .unwrap_or(1);
    let png_rows = match predictor {
        1 => false,
        10..=15 => true,
        _ => return false,
    };
    let (Ok(w), Ok(h)) = (usize::try_from(image.width), usize::try_from(image.height)) else {
        return false;
    };
    if w == 0 || h == 0 {
        return false;
    }
    let row_bytes = (w * comps * bpc as usize).div_ceil(8);
    let bpp = (comps * bpc as usize / 8).max(1);
    let mut inflate = flate2::read::ZlibDecoder::new(image.content);
    let mut row = vec![0u8; row_bytes + usize::from(png_rows)];
    let mut prev = vec![0u8; row_bytes];
    let mut luma = Vec::with_capacity(w);
    let mut blocks = Blocks::new(w, h, 8);
    for _ in 0..h {
        if inflate.read_exact(&mut row).is_err() {
            return false;
        }
        let data = if png_rows {
            let (kind, data) = row.split_at_mut(1);
            if !unfilter_png_row(kind[0], data, &prev, bpp) {
                return false;
            }
            prev.copy_from_slice(data);
            &row[1..]
        } else {
            &row[..]
        };
        luma.clear();
        if bpc == 1 {
            luma.extend((0..w).map(|x| {
                if data[x / 8] >> (7 - x % 8) & 1 == 1 {
                    255
                } else {
                    0
                }
            }));
        } else {
            luma.extend(data.chunks_exact(comps).map(pixel_luma));
        }
        if blocks.push_row_inked(&luma) {
            return false;
        }
    }
    is_blank(&blocks.finish())
}

/// Undoes one PNG filter (RFC 2083 §6) in place; `false` for an unknown filter type.
fn unfilter_png_row(kind: u8, row: &mut [u8], prev: &[u8], bpp: usize) -> bool {
    match kind {
        0 => {}
        1 => {
            for i in bpp..row.len() {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        2 => {
            for (r, &p) in row.iter_mut().zip(prev) {
                *r = r.wrapping_add(p);
            }
        }
        3 => {
            for i in 0..row.len() {
                let left = if i >= bpp { u16::from(row[i - bpp]) } else { 0 };
                row[i] = row[i].wrapping_add(((left + u16::from(prev[i])) / 2) as u8);
            }
        }
        4 => {
            for i in 0..row.len() {
                let (a, c) = if i >= bpp {
                    (i16::from(row[i - bpp]), i16::from(prev[i - bpp]))
                } else {
                    (0, 0)
                };
                let b = i16::from(prev[i]);
                let p = a + b - c;
                let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                let pred = if pa <= pb && pa <= pc {
                    a
                } else if pb <= pc {
                    b
                } else {
                    c
                };
                row[i] = row[i].wrapping_add(pred as u8);
            }
        }
        _ => return false,
    }
    true
}

fn pdf_encrypted() -> Problem {
    Problem::new(
        Code::PdfEncrypted,
        t!("PDF 已加密（有打开密码或权限保护）", "encrypted PDF (a password or permissions)"),
        t!(
            "去掉密码后另存一份（如用阅读器“打印为 PDF”），或直接扫描纸质件",
            "save a copy without the password (\"Print to PDF\" in a reader, say), or scan the paper"
        ),
    )
}

/// `1.2 MB`, `340 KB`: sizes as the clerk's file manager shows them (decimal units).
pub fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{} KB", n / 1_000)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_row_filters_are_undone_exactly() {
        // Forward filters (RFC 2083 §6) over the original bytes; unfiltering must invert them.
        fn paeth(a: u8, b: u8, c: u8) -> u8 {
            let p = i16::from(a) + i16::from(b) - i16::from(c);
            let (pa, pb, pc) = (
                (p - i16::from(a)).abs(),
                (p - i16::from(b)).abs(),
                (p - i16::from(c)).abs(),
            );
            if pa <= pb && pa <= pc {
                a
            } else if pb <= pc {
                b
            } else {
                c
            }
        }
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        };
        for bpp in [1usize, 3] {
            let prev: Vec<u8> = (0..30).map(|_| next()).collect();
            let row: Vec<u8> = (0..30).map(|_| next()).collect();
            for kind in 0..=4u8 {
                let mut filtered: Vec<u8> = (0..row.len())
                    .map(|i| {
                        let a = if i >= bpp { row[i - bpp] } else { 0 };
                        let c = if i >= bpp { prev[i - bpp] } else { 0 };
                        let pred = match kind {
                            0 => 0,
                            1 => a,
                            2 => prev[i],
                            3 => ((u16::from(a) + u16::from(prev[i])) / 2) as u8,
                            _ => paeth(a, prev[i], c),
                        };
                        row[i].wrapping_sub(pred)
                    })
                    .collect();
                assert!(unfilter_png_row(kind, &mut filtered, &prev, bpp));
                assert_eq!(filtered, row, "filter {kind}, {bpp} bytes per pixel");
            }
        }
        assert!(!unfilter_png_row(5, &mut [0u8; 4], &[0u8; 4], 1));
    }

    #[test]
    fn blankness_is_about_spread() {
        let paper: Vec<u8> = (0..40_000).map(|i| 240 + (i % 7) as u8).collect();
        assert!(is_blank(&paper));
        let black = vec![3u8; 10_000];
        assert!(
            is_blank(&black),
            "an all-black page (lid open, wrong side) is blank too"
        );
        // One short line of text on an A4 page at 1/8 scale: about 0.5 % of blocks.
        let mut line = paper.clone();
        for v in line.iter_mut().skip(20_000).take(200) {
            *v = 150;
        }
        assert!(!is_blank(&line));
        // Faint photocopied text: strokes diluted to ~30 levels off the paper by block averaging.
        let mut faint = paper.clone();
        for v in faint.iter_mut().skip(10_000).take(400).step_by(2) {
            *v = 214;
        }
        assert!(!is_blank(&faint));
        // A page number alone (a handful of blocks) is still blank.
        let mut number = paper;
        for v in number.iter_mut().skip(39_000).take(6) {
            *v = 60;
        }
        assert!(is_blank(&number));
        assert!(!is_blank(&[]));
    }

    #[test]
    fn resolution_against_document_size() {
        let low = |w, h, size| {
            let mut p = Vec::new();
            check_resolution(w, h, size, 150, &mut p);
            !p.is_empty()
        };
        for size in [DocSize::Card, DocSize::Booklet, DocSize::A4] {
            assert!(low(200, 280, size), "200×280 is too small for {size:?}");
        }
        assert!(!low(506, 319, DocSize::Card), "a card cropped at 150 dpi");
        assert!(!low(319, 506, DocSize::Card), "either orientation");
        assert!(low(506, 319, DocSize::A4));
        assert!(!low(1240, 1754, DocSize::A4));
        assert!(low(827, 1169, DocSize::A4), "A4 at 100 dpi");
        assert!(!low(4000, 3000, DocSize::Booklet), "a phone photo");
    }

    #[test]
    fn blocks_average_bands_and_ragged_edges() {
        let mut b = Blocks::new(10, 4, 4);
        for _ in 0..5 {
            b.push_row(&[0, 0, 0, 0, 100, 100, 100, 100, 200, 200]);
        }
        assert_eq!(b.finish(), vec![0, 100, 200, 0, 100, 200]);
    }

    #[test]
    fn a_progressive_jpeg_is_replayed_to_the_full_decoder() {
        let (w, h) = (1240u16, 1754u16);
        let px: Vec<u8> = (0..usize::from(w) * usize::from(h))
            .map(|i| if (i / 997) % 5 == 0 { 30 } else { 240 })
            .collect();
        let mut bytes = Vec::new();
        let mut e = jpeg_encoder::Encoder::new(&mut bytes, 85);
        e.set_progressive(true);
        e.encode(&px, w, h, jpeg_encoder::ColorType::Luma)
            .expect("encode");
        let dir = tempfile::tempdir().expect("tempdir");
        let expect = Expect {
            ext: "jpg",
            accept: &[],
            size: DocSize::A4,
            label: "test",
        };
        let inspect_bytes = |b: &[u8]| {
            let path = dir.path().join("p.jpg");
            std::fs::write(&path, b).expect("write");
            inspect(&path, &expect, &ScanLimits::default())
        };
        let whole = inspect_bytes(&bytes);
        assert!(whole.problems.is_empty(), "{:?}", whole.problems);
        assert_eq!(whole.sha256, Some(Sha256::digest(&bytes).into()));
        assert_eq!(
            whole.crc32,
            Some(crc32fast::hash(&bytes)),
            "the ZIP's CRC too"
        );
        let cut = inspect_bytes(&bytes[..bytes.len() / 2]);
        let codes: Vec<Code> = cut.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, vec![Code::Truncated]);
    }

    fn png_bytes(w: u32, h: u32, px: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("header");
        writer.write_image_data(px).expect("data");
        writer.finish().expect("finish");
        out
    }

    fn inspect_png(bytes: &[u8]) -> Vec<Code> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.png");
        std::fs::write(&path, bytes).expect("write");
        let expect = Expect {
            ext: "png",
            accept: &[],
            size: DocSize::A4,
            label: "test",
        };
        let got = inspect(&path, &expect, &ScanLimits::default());
        assert_eq!(
            got.sha256,
            Some(Sha256::digest(bytes).into()),
            "hashed whole"
        );
        assert_eq!(
            got.crc32,
            Some(crc32fast::hash(bytes)),
            "CRC over the whole file"
        );
        got.problems.iter().map(|p| p.code).collect()
    }

    /// Text in the top third of an A4 page at 150 dpi, so the decoder stops early.
    fn png_page(ink: u8) -> (u32, u32, Vec<u8>) {
        let (w, h) = (1240u32, 1754u32);
        let px = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let text = y > 100 && y < 500 && y % 40 < 20 && x > 100 && x < 1100 && x % 30 < 20;
                if text {
                    ink
                } else {
                    238 + (i % 5) as u8
                }
            })
            .collect();
        (w, h, px)
    }

    #[test]
    fn a_png_stopped_early_still_has_every_chunk_checked() {
        let (w, h, px) = png_page(40);
        let good = png_bytes(w, h, &px);
        assert_eq!(inspect_png(&good), vec![]);
        // Damage near the end, far past where decoding stopped: the chunk CRC shows it.
        let mut bad = good.clone();
        let at = bad.len() - 200;
        bad[at] ^= 0x55;
        assert_eq!(inspect_png(&bad), vec![Code::Corrupt]);
        // Cut near the end: no IEND.
        assert_eq!(
            inspect_png(&good[..good.len() - 100]),
            vec![Code::Truncated]
        );
        assert_eq!(inspect_png(&good[..good.len() - 5]), vec![Code::Truncated]);
    }

    #[test]
    fn png_blankness_is_judged_on_the_whole_page() {
        let (w, h, paper) = png_page(240);
        assert_eq!(inspect_png(&png_bytes(w, h, &paper)), vec![Code::BlankPage]);
        // Faint photocopied text (35 levels off the paper) is not blank.
        let (w, h, faint) = png_page(205);
        assert_eq!(inspect_png(&png_bytes(w, h, &faint)), vec![]);
    }

    #[test]
    fn alpha_is_laid_on_white_paper() {
        assert_eq!(pixel_luma(&[0, 0]), 255);
        assert_eq!(pixel_luma(&[0, 255]), 0);
        assert_eq!(pixel_luma(&[255, 255, 255]), 255);
    }
}
