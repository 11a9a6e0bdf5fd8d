//! A baseline JPEG checked at the speed of reading it: every marker segment is parsed and
//! validated, the entropy-coded data is scanned for legal byte sequences (stuffed `FF 00`, fill
//! bytes, restart markers in order) up to the final EOI, and the luma DC coefficients — the
//! 8×8 block averages that blankness is judged on — are Huffman-decoded only until the page is
//! proven not blank.
//!
//! The proof: a page is blank when fewer than 1 in 1000 block averages lie more than 24 grey
//! levels from their median ([`super::is_blank`]). The median is not known until the last block,
//! but if, for *every* possible median `m`, the blocks decoded so far already hold enough values
//! more than 24 levels from `m`, then the whole page does too, whatever its median. A page of
//! text proves itself within its first lines; a blank (or nearly blank) page never does, so it
//! is decoded to the end and judged exactly as before. Decoded data is checked as it goes
//! (valid Huffman codes, coefficients inside the block, restart markers where the interval says,
//! no block reading past the end of its data); the rest is checked by its byte sequence only.
//!
//! What this does not see: damage that leaves legal bytes behind (a flipped bit, a run of zeros)
//! past the point where decoding stopped — a Huffman decode would not reliably see most of that
//! either. Truncation always shows (there is no EOI), and so does garbage of more than a few
//! hundred bytes (it holds an illegal `FF xx` pair with near certainty).
//!
//! Anything but 8-bit baseline/extended Huffman JPEG with one (grey) or three (YCbCr)
//! components — progressive, arithmetic, lossless, 12-bit, CMYK, Adobe RGB — is handed back
//! as [`Verdict::Unsupported`] with the bytes read so far, for the full decoder.
//!
//! Invariant: reads front to back through `BufRead`, never seeks, never allocates more than
//! one marker segment (at most 64 KB) beyond the replay of the headers before the frame.

use std::io::{self, BufRead};

/// What the fast check concluded.
pub(crate) enum Verdict {
    /// Well-formed to its EOI; whether the page is blank.
    Sound {
        blank: bool,
    },
    /// The frame header was refused by the caller (e.g. too many pixels); nothing more read.
    Stopped,
    Truncated,
    Corrupt(String),
    Io(io::Error),
    /// A kind of JPEG this checker does not decode; the bytes read so far, to replay before
    /// the rest of the stream to a full decoder.
    Unsupported(Vec<u8>),
}

/// Why checking stopped early (internal).
enum Stop {
    Truncated,
    Corrupt(String),
    Io(io::Error),
    Unsupported,
    Refused,
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Stop::Truncated
        } else {
            Stop::Io(e)
        }
    }
}

fn corrupt<T>(what: &str) -> Result<T, Stop> {
    Err(Stop::Corrupt(what.to_string()))
}

/// Checks the JPEG that `reader` is positioned at the start of. `frame(width, height)` is
/// called once with the frame size; returning `false` stops there ([`Verdict::Stopped`]).
pub(crate) fn check<R: BufRead>(reader: &mut R, frame: impl FnMut(u64, u64) -> bool) -> Verdict {
    let mut src = Src {
        r: reader,
        record: Some(Vec::new()),
    };
    match run(&mut src, frame) {
        Ok(blank) => Verdict::Sound { blank },
        Err(Stop::Truncated) => Verdict::Truncated,
        Err(Stop::Corrupt(d)) => Verdict::Corrupt(d),
        Err(Stop::Io(e)) => Verdict::Io(e),
        Err(Stop::Refused) => Verdict::Stopped,
        Err(Stop::Unsupported) => Verdict::Unsupported(src.record.take().unwrap_or_default()),
    }
}

/// The byte source: a `BufRead`, optionally recording what it hands out (for the replay).
struct Src<'r, R> {
    r: &'r mut R,
    record: Option<Vec<u8>>,
}

impl<R: BufRead> Src<'_, R> {
    #[inline]
    fn byte(&mut self) -> Result<u8, Stop> {
        let buf = self.r.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Err(Stop::Truncated);
        };
        self.r.consume(1);
        if let Some(rec) = self.record.as_mut() {
            rec.push(b);
        }
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, Stop> {
        let mut out = vec![0; n];
        self.r.read_exact(&mut out)?;
        if let Some(rec) = self.record.as_mut() {
            rec.extend_from_slice(&out);
        }
        Ok(out)
    }

    /// The byte after one or more `FF`s (fill bytes may repeat the `FF`).
    fn after_ff(&mut self) -> Result<u8, Stop> {
        loop {
            let b = self.byte()?;
            if b != 0xFF {
                return Ok(b);
            }
        }
    }

    /// The next byte of entropy-coded data (`Ok`), or the marker that ends it (`Err`).
    #[inline]
    fn data_byte(&mut self) -> Result<Result<u8, u8>, Stop> {
        let b = self.byte()?;
        if b != 0xFF {
            return Ok(Ok(b));
        }
        Ok(match self.after_ff()? {
            0x00 => Ok(0xFF),
            m => Err(m),
        })
    }

    /// Skips entropy-coded data up to the first marker that is not a restart marker, checking
    /// every `FF` on the way; restart markers are passed to `rst`. Runs at memory speed.
    fn skip_entropy(&mut self, rst: &mut Restarts) -> Result<u8, Stop> {
        debug_assert!(self.record.is_none());
        loop {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Err(Stop::Truncated);
            }
            match find_ff(buf) {
                None => {
                    let n = buf.len();
                    self.r.consume(n);
                }
                Some(i) => {
                    self.r.consume(i + 1);
                    match self.after_ff()? {
                        0x00 => {}
                        m @ 0xD0..=0xD7 => rst.seen(m)?,
                        m => return Ok(m),
                    }
                }
            }
        }
    }
}

/// The position of the first `FF` byte, eight bytes at a time.
fn find_ff(buf: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = buf.chunks_exact(8);
    let mut at = 0;
    for c in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        // Bytes equal to FF are the zero bytes of !x.
        let v = !u64::from_le_bytes(w);
        if (v.wrapping_sub(LO) & !v & HI) != 0 {
            return c.iter().position(|&b| b == 0xFF).map(|i| at + i);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0xFF)
        .map(|i| at + i)
}

/// The restart markers of one scan: with a restart interval they must come in order.
struct Restarts {
    interval: u16,
    next: u8,
}

impl Restarts {
    fn seen(&mut self, marker: u8) -> Result<(), Stop> {
        if self.interval == 0 {
            return corrupt("restart marker without a restart interval");
        }
        if marker != 0xD0 + self.next {
            return corrupt("restart markers out of order");
        }
        self.next = (self.next + 1) & 7;
        Ok(())
    }
}

/// A Huffman table: a 9-bit lookup for short codes, canonical limits for the rest.
struct Huff {
    /// `len << 8 | symbol` for codes of at most 9 bits, 0 where a longer code starts.
    lookup: Vec<u16>,
    /// For skipping AC coefficients in one step: `len << 8 | symbol`, where `len` counts the
    /// code and the value bits after it, when both fit in 11 bits (else 0).
    skip: Vec<u16>,
    maxcode: [i32; 17],
    mincode: [i32; 17],
    valptr: [usize; 17],
    vals: Vec<u8>,
}

const LOOKUP_BITS: u32 = 9;
const SKIP_BITS: u32 = 11;

impl Huff {
    fn new(counts: &[u8; 16], vals: Vec<u8>) -> Result<Huff, Stop> {
        let mut h = Huff {
            lookup: vec![0; 1 << LOOKUP_BITS],
            skip: vec![0; 1 << SKIP_BITS],
            maxcode: [-1; 17],
            mincode: [0; 17],
            valptr: [0; 17],
            vals,
        };
        let (mut code, mut k) = (0i32, 0usize);
        for len in 1..=16usize {
            let n = usize::from(counts[len - 1]);
            h.valptr[len] = k;
            h.mincode[len] = code;
            if code + n as i32 > 1 << len {
                return corrupt("Huffman table with too many codes");
            }
            for i in 0..n {
                let c = code + i as i32;
                if len as u32 <= LOOKUP_BITS {
                    let shift = LOOKUP_BITS - len as u32;
                    let first = (c as usize) << shift;
                    let entry = (len as u16) << 8 | u16::from(h.vals[k + i]);
                    h.lookup[first..first + (1 << shift)].fill(entry);
                }
                let sym = h.vals[k + i];
                let total = len as u32 + u32::from(sym & 15);
                if total <= SKIP_BITS {
                    let shift = SKIP_BITS - len as u32;
                    let first = (c as usize) << shift;
                    h.skip[first..first + (1 << shift)].fill((total as u16) << 8 | u16::from(sym));
                }
            }
            code += n as i32;
            k += n;
            if n > 0 {
                h.maxcode[len] = code - 1;
            }
            code <<= 1;
        }
        Ok(h)
    }
}

/// Reads bits of entropy-coded data, most significant first.
struct Bits {
    /// Valid bits are the top `n` of `acc`.
    acc: u64,
    n: u32,
    /// Zero bits appended after the data ended at `marker`; consuming any is an overrun.
    pad: u32,
    marker: Option<u8>,
}

impl Bits {
    fn new() -> Bits {
        Bits {
            acc: 0,
            n: 0,
            pad: 0,
            marker: None,
        }
    }

    fn refill<R: BufRead>(&mut self, src: &mut Src<'_, R>) -> Result<(), Stop> {
        // Fast path: plain data bytes straight from the buffer, up to the first FF.
        if self.marker.is_none() && src.record.is_none() {
            let buf = src.r.fill_buf()?;
            let mut i = 0;
            while self.n <= 56 {
                match buf.get(i) {
                    Some(&b) if b != 0xFF => {
                        self.acc |= u64::from(b) << (56 - self.n);
                        self.n += 8;
                        i += 1;
                    }
                    _ => break,
                }
            }
            src.r.consume(i);
        }
        while self.n <= 56 {
            let b = match self.marker {
                Some(_) => {
                    self.pad += 8;
                    0
                }
                None => match src.data_byte()? {
                    Ok(b) => b,
                    Err(m) => {
                        self.marker = Some(m);
                        self.pad += 8;
                        0
                    }
                },
            };
            self.acc |= u64::from(b) << (56 - self.n);
            self.n += 8;
        }
        Ok(())
    }

    #[inline]
    fn consume(&mut self, len: u32) -> Result<(), Stop> {
        self.acc <<= len;
        self.n -= len;
        if self.n < self.pad {
            return corrupt("image data ends before the last block");
        }
        Ok(())
    }

    #[inline]
    fn decode<R: BufRead>(&mut self, h: &Huff, src: &mut Src<'_, R>) -> Result<u8, Stop> {
        if self.n < 16 {
            self.refill(src)?;
        }
        let e = h.lookup[(self.acc >> (64 - LOOKUP_BITS)) as usize];
        if e != 0 {
            self.consume(u32::from(e >> 8))?;
            return Ok(e as u8);
        }
        for len in LOOKUP_BITS as usize + 1..=16 {
            let code = (self.acc >> (64 - len)) as i32;
            if code <= h.maxcode[len] {
                self.consume(len as u32)?;
                let i = usize::try_from(code - h.mincode[len])
                    .ok()
                    .and_then(|d| d.checked_add(h.valptr[len]));
                return match i.and_then(|i| h.vals.get(i)) {
                    Some(&v) => Ok(v),
                    None => corrupt("invalid Huffman code"),
                };
            }
        }
        corrupt("invalid Huffman code")
    }

    #[inline]
    fn receive<R: BufRead>(&mut self, s: u32, src: &mut Src<'_, R>) -> Result<i32, Stop> {
        if s == 0 {
            return Ok(0);
        }
        if self.n < s {
            self.refill(src)?;
        }
        let v = (self.acc >> (64 - s)) as i32;
        self.consume(s)?;
        Ok(v)
    }

    /// At a restart marker: the rest of the byte is padding, the marker must be the next one.
    fn restart<R: BufRead>(
        &mut self,
        src: &mut Src<'_, R>,
        rst: &mut Restarts,
    ) -> Result<(), Stop> {
        let marker = match self.marker.take() {
            Some(m) => m,
            None => loop {
                // Bytes past the interval's last block (tolerated, as decoders do).
                if let Err(m) = src.data_byte()? {
                    break m;
                }
            },
        };
        if !(0xD0..=0xD7).contains(&marker) {
            return corrupt("image data ends before the last block");
        }
        rst.seen(marker)?;
        *self = Bits::new();
        Ok(())
    }
}

fn extend(v: i32, s: u32) -> i32 {
    if s > 0 && v < 1 << (s - 1) {
        v - (1 << s) + 1
    } else {
        v
    }
}

/// One frame component.
#[derive(Clone, Copy)]
struct Comp {
    id: u8,
    h: u32,
    v: u32,
    tq: usize,
}

/// The luma DC samples seen so far, as a histogram.
struct Luma {
    /// Blocks of the image (the sample count once all are decoded).
    total: u64,
    hist: [u64; 256],
    seen: u64,
    q0: i64,
    /// Proven not blank: decoding has stopped.
    inked: bool,
    /// Every block decoded.
    complete: bool,
}

impl Luma {
    #[inline]
    fn push(&mut self, dc: i32) {
        // As the 1/8-scale inverse DCT computes it (level shift, truncating division).
        let v = ((i64::from(dc) * self.q0 + 1024) / 8).clamp(0, 255);
        self.hist[v as usize] += 1;
        self.seen += 1;
        if self.seen.is_multiple_of(256) {
            self.inked = proven_not_blank(&self.hist, self.total);
        }
    }
}

/// Whether, for every possible median, the samples counted in `hist` already hold enough
/// values more than 24 levels away to make a page of `total` samples not blank.
pub(crate) fn proven_not_blank(hist: &[u64; 256], total: u64) -> bool {
    let mut cum = [0u64; 257];
    for v in 0..256 {
        cum[v + 1] = cum[v] + hist[v];
    }
    let seen = cum[256];
    (0..256usize).all(|m| {
        let below = cum[m.saturating_sub(24)];
        let above = seen - cum[(m + 25).min(256)];
        (below + above) * 1000 >= total
    })
}

/// Blankness from a histogram of samples: see [`super::is_blank`].
pub(crate) fn hist_is_blank(hist: &[u64; 256]) -> bool {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return false;
    }
    let mut seen = 0;
    let median = hist
        .iter()
        .position(|&c| {
            seen += c;
            seen * 2 >= n
        })
        .unwrap_or(0);
    let ink: u64 = hist
        .iter()
        .enumerate()
        .filter(|(v, _)| v.abs_diff(median) > 24)
        .map(|(_, c)| c)
        .sum();
    ink * 1000 < n
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

fn run<R: BufRead>(
    src: &mut Src<'_, R>,
    mut on_frame: impl FnMut(u64, u64) -> bool,
) -> Result<bool, Stop> {
    if src.byte()? != 0xFF || src.byte()? != 0xD8 {
        return corrupt("no start-of-image marker");
    }
    let mut hd = Headers::default();
    let mut scans = 0u32;
    let mut luma: Option<Luma> = None;
    let mut pending: Option<u8> = None;
    loop {
        let m = match pending.take() {
            Some(m) => m,
            None => {
                if src.byte()? != 0xFF {
                    return corrupt("bytes where a marker should be");
                }
                src.after_ff()?
            }
        };
        match m {
            0xD9 => {
                if scans == 0 {
                    return corrupt("no image data");
                }
                let blank = luma
                    .as_ref()
                    .is_some_and(|l| l.complete && !l.inked && hist_is_blank(&l.hist));
                return Ok(blank);
            }
            0xD8 => return corrupt("a second start-of-image marker"),
            0x00..=0xBF | 0xD0..=0xD7 => return corrupt("an invalid marker"),
            _ => {}
        }
        let len = usize::from(u16_at(&[src.byte()?, src.byte()?], 0));
        if len < 2 {
            return corrupt("a marker segment shorter than its length field");
        }
        let seg = src.bytes(len - 2)?;
        match m {
            0xC0 | 0xC1 => {
                hd.frame(&seg)?;
                src.record = None;
                if !on_frame(u64::from(hd.width), u64::from(hd.height)) {
                    return Err(Stop::Refused);
                }
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC8..=0xCB | 0xCC..=0xCF => return Err(Stop::Unsupported),
            0xC4 => hd.huffman_tables(&seg)?,
            0xDB => hd.quantisation_tables(&seg)?,
            0xDD => {
                if seg.len() != 2 {
                    return corrupt("a bad restart interval");
                }
                hd.interval = u16_at(&seg, 0);
            }
            0xDA => {
                let members = hd.scan_members(&seg)?;
                scans += 1;
                pending = Some(scan(src, &hd, &members, &mut luma)?);
            }
            0xEE if seg.starts_with(b"Adobe") => hd.adobe = true,
            // Other APPn, DNL, COM, JPGn: nothing to check.
            _ => {}
        }
    }
}

/// What the marker segments before a scan have declared.
#[derive(Default)]
struct Headers {
    /// The frame's components; empty before the frame header.
    comps: Vec<Comp>,
    width: u32,
    height: u32,
    dc: [Option<Huff>; 4],
    ac: [Option<Huff>; 4],
    /// The DC entry of each quantisation table.
    q0: [Option<i64>; 4],
    /// Restart interval in MCUs (0: none).
    interval: u16,
    /// An Adobe APP14 segment was seen (its three components may not be YCbCr).
    adobe: bool,
}

impl Headers {
    /// A baseline or extended frame header (SOF0, SOF1).
    fn frame(&mut self, seg: &[u8]) -> Result<(), Stop> {
        if !self.comps.is_empty() {
            return corrupt("a second frame header");
        }
        if seg.len() < 6 {
            return corrupt("a short frame header");
        }
        let nf = usize::from(seg[5]);
        if seg.len() != 6 + 3 * nf {
            return corrupt("a frame header of the wrong length");
        }
        // Three components are luma and chroma unless marked otherwise (Adobe, or the ids R,
        // G, B): then the first is not the grey level, so the full decoder judges.
        let rgb_ids = nf == 3 && seg[6] == b'R' && seg[9] == b'G' && seg[12] == b'B';
        let luma_first = nf == 1 || (nf == 3 && !self.adobe && !rgb_ids);
        if seg[0] != 8 || height_zero(seg) || !luma_first {
            return Err(Stop::Unsupported);
        }
        self.height = u32::from(u16_at(seg, 1));
        self.width = u32::from(u16_at(seg, 3));
        if self.width == 0 {
            return corrupt("zero width");
        }
        for c in seg[6..].chunks_exact(3) {
            let (h, v, tq) = (u32::from(c[1] >> 4), u32::from(c[1] & 15), c[2]);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) || tq > 3 {
                return corrupt("bad component sampling or table in the frame header");
            }
            self.comps.push(Comp {
                id: c[0],
                h,
                v,
                tq: usize::from(tq),
            });
        }
        Ok(())
    }

    /// A DHT segment: one or more Huffman tables.
    fn huffman_tables(&mut self, seg: &[u8]) -> Result<(), Stop> {
        let mut rest = seg;
        while !rest.is_empty() {
            if rest.len() < 17 {
                return corrupt("a short Huffman table");
            }
            let (class, id) = (rest[0] >> 4, usize::from(rest[0] & 15));
            let mut counts = [0u8; 16];
            counts.copy_from_slice(&rest[1..17]);
            let n: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if class > 1 || id > 3 || n > 256 || rest.len() < 17 + n {
                return corrupt("a bad Huffman table");
            }
            let table = Huff::new(&counts, rest[17..17 + n].to_vec())?;
            if class == 0 {
                self.dc[id] = Some(table);
            } else {
                self.ac[id] = Some(table);
            }
            rest = &rest[17 + n..];
        }
        Ok(())
    }

    /// A DQT segment: one or more quantisation tables, of which only the DC entry is kept.
    fn quantisation_tables(&mut self, seg: &[u8]) -> Result<(), Stop> {
        let mut rest = seg;
        while !rest.is_empty() {
            let (p, id) = (rest[0] >> 4, usize::from(rest[0] & 15));
            let size = if p == 0 { 64 } else { 128 };
            if p > 1 || id > 3 || rest.len() < 1 + size {
                return corrupt("a bad quantisation table");
            }
            self.q0[id] = Some(if p == 0 {
                i64::from(rest[1])
            } else {
                i64::from(u16_at(rest, 1))
            });
            rest = &rest[1 + size..];
        }
        Ok(())
    }

    /// A scan header's components, as (component index, DC table, AC table), each checked
    /// against the tables declared so far.
    fn scan_members(&self, seg: &[u8]) -> Result<Vec<(usize, usize, usize)>, Stop> {
        if self.comps.is_empty() {
            return corrupt("image data before the frame header");
        }
        let ns = seg.first().map_or(0, |&n| usize::from(n));
        if !(1..=4).contains(&ns) || seg.len() != 1 + 2 * ns + 3 {
            return corrupt("a bad scan header");
        }
        let mut members = Vec::with_capacity(ns);
        for s in seg[1..1 + 2 * ns].chunks_exact(2) {
            let Some(ci) = self.comps.iter().position(|c| c.id == s[0]) else {
                return corrupt("a scan of a component the frame does not have");
            };
            let (td, ta) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
            if td > 3 || ta > 3 || self.dc[td].is_none() || self.ac[ta].is_none() {
                return corrupt("a scan that uses a missing Huffman table");
            }
            if self.q0[self.comps[ci].tq].is_none() {
                return corrupt("a component with a missing quantisation table");
            }
            members.push((ci, td, ta));
        }
        Ok(members)
    }
}

/// One scan's entropy-coded data: the luma DC samples decoded (the first scan that holds the
/// luma component) until the page is proven not blank, the rest checked byte by byte to the
/// end of the scan. Returns the marker that ends it.
fn scan<R: BufRead>(
    src: &mut Src<'_, R>,
    hd: &Headers,
    members: &[(usize, usize, usize)],
    luma: &mut Option<Luma>,
) -> Result<u8, Stop> {
    let mut rst = Restarts {
        interval: hd.interval,
        next: 0,
    };
    let mut bits = Bits::new();
    if luma.is_none() && members.iter().any(|&(ci, _, _)| ci == 0) {
        let q = hd.q0[hd.comps[0].tq].unwrap_or(1);
        *luma = Some(decode_luma(src, &mut bits, &mut rst, hd, members, q)?);
    }
    Ok(match bits.marker.take() {
        Some(m @ 0xD0..=0xD7) => {
            rst.seen(m)?;
            src.skip_entropy(&mut rst)?
        }
        Some(m) => m,
        None => src.skip_entropy(&mut rst)?,
    })
}

/// A frame whose height comes later (DNL): left to the full decoder.
fn height_zero(seg: &[u8]) -> bool {
    u16_at(seg, 1) == 0
}

/// Decodes the scan's blocks, keeping the luma DC samples, until the page is proven not blank
/// or every block is decoded.
fn decode_luma<R: BufRead>(
    src: &mut Src<'_, R>,
    bits: &mut Bits,
    rst: &mut Restarts,
    hd: &Headers,
    members: &[(usize, usize, usize)],
    q0: i64,
) -> Result<Luma, Stop> {
    let (comps, width, height, dc, ac) = (&hd.comps, hd.width, hd.height, &hd.dc, &hd.ac);
    let hmax = comps.iter().map(|c| c.h).max().unwrap_or(1);
    let vmax = comps.iter().map(|c| c.v).max().unwrap_or(1);
    // A component's size in blocks.
    let blocks = |c: &Comp| {
        let w = (u64::from(width) * u64::from(c.h)).div_ceil(u64::from(hmax));
        let h = (u64::from(height) * u64::from(c.v)).div_ceil(u64::from(vmax));
        (w.div_ceil(8), h.div_ceil(8))
    };
    let (bw, bh) = blocks(&comps[0]);
    let mut luma = Luma {
        total: bw * bh,
        hist: [0; 256],
        seen: 0,
        q0,
        inked: false,
        complete: false,
    };
    let tables: Vec<(&Huff, &Huff)> = members
        .iter()
        .filter_map(|&(_, td, ta)| Some((dc[td].as_ref()?, ac[ta].as_ref()?)))
        .collect();
    let mut pred = vec![0i32; members.len()];
    // Non-interleaved: one block per MCU, in the component's own raster. Interleaved: H×V
    // blocks of each component per MCU, over the frame's MCU grid.
    let (mcux, mcuy) = if members.len() == 1 {
        blocks(&comps[members[0].0])
    } else {
        (
            u64::from(width).div_ceil(8 * u64::from(hmax)),
            u64::from(height).div_ceil(8 * u64::from(vmax)),
        )
    };
    let interval = u64::from(rst.interval);
    let mut mcu = 0u64;
    for my in 0..mcuy {
        for mx in 0..mcux {
            if interval > 0 && mcu > 0 && mcu.is_multiple_of(interval) {
                bits.restart(src, rst)?;
                pred.iter_mut().for_each(|p| *p = 0);
            }
            mcu += 1;
            for (k, (&(ci, _, _), &(dct, act))) in members.iter().zip(&tables).enumerate() {
                let (h, v) = if members.len() == 1 {
                    (1, 1)
                } else {
                    (u64::from(comps[ci].h), u64::from(comps[ci].v))
                };
                for by in 0..v {
                    for bx in 0..h {
                        let value = block(bits, src, dct, act, &mut pred[k])?;
                        if ci == 0 && mx * h + bx < bw && my * v + by < bh {
                            luma.push(value);
                            if luma.inked {
                                return Ok(luma);
                            }
                        }
                    }
                }
            }
        }
    }
    luma.complete = true;
    Ok(luma)
}

/// Decodes one block's coefficients; returns its DC value.
#[inline]
fn block<R: BufRead>(
    bits: &mut Bits,
    src: &mut Src<'_, R>,
    dc: &Huff,
    ac: &Huff,
    pred: &mut i32,
) -> Result<i32, Stop> {
    let s = u32::from(bits.decode(dc, src)?);
    if s > 11 {
        return corrupt("a DC difference out of range");
    }
    *pred = pred.wrapping_add(extend(bits.receive(s, src)?, s));
    let mut k = 1;
    while k < 64 {
        if bits.n < 32 {
            bits.refill(src)?;
        }
        let e = ac.skip[(bits.acc >> (64 - SKIP_BITS)) as usize];
        let (rs, skipped) = if e != 0 {
            bits.consume(u32::from(e >> 8))?;
            (e as u8, true)
        } else {
            (bits.decode(ac, src)?, false)
        };
        let (r, s) = (u32::from(rs >> 4), u32::from(rs & 15));
        if s == 0 {
            if r != 15 {
                break;
            }
            k += 16;
            continue;
        }
        k += r;
        if k > 63 || s > 10 {
            return corrupt("a coefficient outside its block");
        }
        if !skipped {
            bits.receive(s, src)?;
        }
        k += 1;
    }
    if k > 64 {
        return corrupt("a coefficient outside its block");
    }
    Ok(*pred)
}

#[cfg(test)]
mod tests;
