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
mod pdf;

use pdf::check_pdf;

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
    /// A PDF's first page: width and height in points (its MediaBox).
    pub page_pt: Option<(u32, u32)>,
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
            (out.pages, out.blank_pages, out.page_pt) =
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
mod tests;
