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
    let mut comps: Vec<Comp> = Vec::new();
    let (mut width, mut height) = (0u32, 0u32);
    let mut dc: [Option<Huff>; 4] = Default::default();
    let mut ac: [Option<Huff>; 4] = Default::default();
    let mut q0: [Option<i64>; 4] = [None; 4];
    let mut interval = 0u16;
    let mut adobe = false;
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
                if !comps.is_empty() {
                    return corrupt("a second frame header");
                }
                if seg.len() < 6 {
                    return corrupt("a short frame header");
                }
                let nf = usize::from(seg[5]);
                if seg.len() != 6 + 3 * nf {
                    return corrupt("a frame header of the wrong length");
                }
                // Three components are luma and chroma unless marked otherwise (Adobe, or the
                // ids R, G, B): then the first is not the grey level, so the full decoder judges.
                let rgb_ids = nf == 3 && seg[6] == b'R' && seg[9] == b'G' && seg[12] == b'B';
                let luma_first = nf == 1 || (nf == 3 && !adobe && !rgb_ids);
                if seg[0] != 8 || height_zero(&seg) || !luma_first {
                    return Err(Stop::Unsupported);
                }
                height = u32::from(u16_at(&seg, 1));
                width = u32::from(u16_at(&seg, 3));
                if width == 0 {
                    return corrupt("zero width");
                }
                for c in seg[6..].chunks_exact(3) {
                    let (h, v, tq) = (u32::from(c[1] >> 4), u32::from(c[1] & 15), c[2]);
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) || tq > 3 {
                        return corrupt("bad component sampling or table in the frame header");
                    }
                    comps.push(Comp {
                        id: c[0],
                        h,
                        v,
                        tq: usize::from(tq),
                    });
                }
                src.record = None;
                if !on_frame(u64::from(width), u64::from(height)) {
                    return Err(Stop::Refused);
                }
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC8..=0xCB | 0xCC..=0xCF => return Err(Stop::Unsupported),
            0xC4 => {
                let mut rest = &seg[..];
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
                        dc[id] = Some(table);
                    } else {
                        ac[id] = Some(table);
                    }
                    rest = &rest[17 + n..];
                }
            }
            0xDB => {
                let mut rest = &seg[..];
                while !rest.is_empty() {
                    let (p, id) = (rest[0] >> 4, usize::from(rest[0] & 15));
                    let size = if p == 0 { 64 } else { 128 };
                    if p > 1 || id > 3 || rest.len() < 1 + size {
                        return corrupt("a bad quantisation table");
                    }
                    q0[id] = Some(if p == 0 {
                        i64::from(rest[1])
                    } else {
                        i64::from(u16_at(rest, 1))
                    });
                    rest = &rest[1 + size..];
                }
            }
            0xDD => {
                if seg.len() != 2 {
                    return corrupt("a bad restart interval");
                }
                interval = u16_at(&seg, 0);
            }
            0xDA => {
                if comps.is_empty() {
                    return corrupt("image data before the frame header");
                }
                let ns = seg.first().map_or(0, |&n| usize::from(n));
                if !(1..=4).contains(&ns) || seg.len() != 1 + 2 * ns + 3 {
                    return corrupt("a bad scan header");
                }
                let mut members = Vec::with_capacity(ns);
                for s in seg[1..1 + 2 * ns].chunks_exact(2) {
                    let Some(ci) = comps.iter().position(|c| c.id == s[0]) else {
                        return corrupt("a scan of a component the frame does not have");
                    };
                    let (td, ta) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
                    if td > 3 || ta > 3 || dc[td].is_none() || ac[ta].is_none() {
                        return corrupt("a scan that uses a missing Huffman table");
                    }
                    if q0[comps[ci].tq].is_none() {
                        return corrupt("a component with a missing quantisation table");
                    }
                    members.push((ci, td, ta));
                }
                scans += 1;
                let mut rst = Restarts { interval, next: 0 };
                let mut bits = Bits::new();
                if luma.is_none() && members.iter().any(|&(ci, _, _)| ci == 0) {
                    let q = q0[comps[0].tq].unwrap_or(1);
                    let l = decode_luma(
                        src,
                        &mut bits,
                        &mut rst,
                        &comps,
                        &members,
                        (width, height),
                        &dc,
                        &ac,
                        q,
                    )?;
                    luma = Some(l);
                }
                // Whatever decoding did not need: checked byte by byte to the end of the scan.
                pending = Some(match bits.marker.take() {
                    Some(m @ 0xD0..=0xD7) => {
                        rst.seen(m)?;
                        src.skip_entropy(&mut rst)?
                    }
                    Some(m) => m,
                    None => src.skip_entropy(&mut rst)?,
                });
            }
            0xEE if seg.starts_with(b"Adobe") => adobe = true,
            // Other APPn, DNL, COM, JPGn: nothing to check.
            _ => {}
        }
    }
}

/// A frame whose height comes later (DNL): left to the full decoder.
fn height_zero(seg: &[u8]) -> bool {
    u16_at(seg, 1) == 0
}

/// Decodes the scan's blocks, keeping the luma DC samples, until the page is proven not blank
/// or every block is decoded.
#[allow(clippy::too_many_arguments)]
fn decode_luma<R: BufRead>(
    src: &mut Src<'_, R>,
    bits: &mut Bits,
    rst: &mut Restarts,
    comps: &[Comp],
    members: &[(usize, usize, usize)],
    (width, height): (u32, u32),
    dc: &[Option<Huff>; 4],
    ac: &[Option<Huff>; 4],
    q0: i64,
) -> Result<Luma, Stop> {
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
mod tests {
    use super::*;

    /// A deterministic xorshift, so fixtures are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Paper at 240±4 with noise; `ink(x, y)` gives a darker grey where something is printed.
    fn page(w: usize, h: usize, ink: impl Fn(usize, usize) -> Option<u8>) -> Vec<u8> {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                px.push(ink(x, y).unwrap_or(236 + rng.below(9) as u8));
            }
        }
        px
    }

    /// Lines of "words" of the given grey over the middle of the page (strokes: a third of the
    /// pixels; a faint photocopy's toner: solid but light).
    fn text(w: usize, h: usize, grey: u8) -> Vec<u8> {
        let solid = grey > 128;
        page(w, h, |x, y| {
            let line = h / 30;
            let inked = y > h / 10
                && y < h * 9 / 10
                && y % line < line / 2
                && x > w / 10
                && x < w * 9 / 10
                && (x / (line * 2)) % 3 != 2
                && (solid || (x + y) % 3 == 0);
            inked.then_some(grey)
        })
    }

    fn encode(
        px: &[u8],
        w: usize,
        h: usize,
        set: impl Fn(&mut jpeg_encoder::Encoder<&mut Vec<u8>>),
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = jpeg_encoder::Encoder::new(&mut out, 85);
        set(&mut e);
        e.encode(px, w as u16, h as u16, jpeg_encoder::ColorType::Luma)
            .expect("encode");
        out
    }

    fn grey(px: &[u8], w: usize, h: usize) -> Vec<u8> {
        encode(px, w, h, |_| {})
    }

    fn rgb(px: &[u8], w: usize, h: usize) -> Vec<u8> {
        let rgb: Vec<u8> = px
            .iter()
            .flat_map(|&v| [v, v, v.saturating_sub(10)])
            .collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 85)
            .encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
            .expect("encode");
        out
    }

    fn verdict(bytes: &[u8]) -> Verdict {
        let mut r = bytes;
        check(&mut r, |_, _| true)
    }

    fn blank(bytes: &[u8]) -> Option<bool> {
        match verdict(bytes) {
            Verdict::Sound { blank } => Some(blank),
            _ => None,
        }
    }

    /// The reference: the full decoder at 1/8 scale and the same blankness rule.
    fn decoded_blank(bytes: &[u8]) -> bool {
        let mut d = jpeg_decoder::Decoder::new(bytes);
        d.read_info().expect("info");
        d.scale(1, 1).expect("scale");
        let px = d.decode().expect("decode");
        let info = d.info().expect("info");
        let luma: Vec<u8> = match info.pixel_format.pixel_bytes() {
            3 => px
                .chunks_exact(3)
                .map(|p| super::super::rgb_luma(p[0], p[1], p[2]))
                .collect(),
            _ => px,
        };
        super::super::is_blank(&luma)
    }

    const A4: (usize, usize) = (1240, 1754);

    #[test]
    fn text_is_not_blank_and_paper_is_blank_as_the_full_decoder_says() {
        let (w, h) = A4;
        let cases = [
            ("text", text(w, h, 40), false),
            ("faint photocopy", text(w, h, 205), false),
            ("paper", page(w, h, |_, _| None), true),
            (
                "page number only",
                page(w, h, |x, y| {
                    (x > w / 2 && x < w / 2 + 16 && y > h - 60 && y < h - 44).then_some(30)
                }),
                true,
            ),
            ("black", page(w, h, |_, _| Some(5)), true),
        ];
        for (name, px, want) in cases {
            for (kind, bytes) in [("grey", grey(&px, w, h)), ("colour 4:2:0", rgb(&px, w, h))] {
                assert_eq!(blank(&bytes), Some(want), "{name} ({kind})");
                assert_eq!(
                    decoded_blank(&bytes),
                    want,
                    "{name} ({kind}): the reference disagrees"
                );
            }
        }
    }

    #[test]
    fn the_proof_of_ink_needs_every_median() {
        // All samples at one grey: a blank page whatever the median.
        let mut hist = [0u64; 256];
        hist[240] = 1000;
        assert!(!proven_not_blank(&hist, 1000));
        // Half dark, half light: not blank whatever the median turns out to be.
        hist[40] = 1000;
        assert!(proven_not_blank(&hist, 2000));
        // The same 2000 samples as the first of 3 million: 1000 away from either median is
        // fewer than the 3000 (1 in 1000) needed, so nothing is proven yet.
        assert!(!proven_not_blank(&hist, 3_000_000));
        // Few samples seen, far from the end: no proof yet.
        let mut few = [0u64; 256];
        few[40] = 10;
        few[240] = 10;
        assert!(!proven_not_blank(&few, 1_000_000));
    }

    #[test]
    fn garbage_inside_the_image_data_is_corrupt() {
        let (w, h) = A4;
        let good = grey(&text(w, h, 40), w, h);
        let mut rng = Rng(7);
        for at in [good.len() / 3, good.len() * 2 / 3, good.len() - 2000] {
            let mut bad = good.clone();
            for b in &mut bad[at..at + 1024] {
                *b = rng.below(256) as u8;
            }
            assert!(
                matches!(verdict(&bad), Verdict::Corrupt(_)),
                "1 KB of garbage at {at} of {} passed",
                good.len()
            );
        }
    }

    #[test]
    fn a_cut_file_never_passes() {
        let (w, h) = (640, 480);
        for bytes in [grey(&text(w, h, 40), w, h), rgb(&text(w, h, 40), w, h)] {
            let mut rng = Rng(11);
            for _ in 0..200 {
                let cut = rng.below(bytes.len() as u64 - 1) as usize;
                assert!(
                    matches!(
                        verdict(&bytes[..cut]),
                        Verdict::Truncated | Verdict::Corrupt(_)
                    ),
                    "cut at {cut} of {} passed",
                    bytes.len()
                );
            }
        }
    }

    #[test]
    fn restart_markers_are_followed_and_must_come_in_order() {
        let (w, h) = (800, 600);
        for px in [page(w, h, |_, _| None), text(w, h, 40)] {
            let bytes = encode(&px, w, h, |e| e.set_restart_interval(4));
            assert_eq!(blank(&bytes), Some(decoded_blank(&bytes)));
            // Swap two restart markers: out of order.
            let rst: Vec<usize> = (0..bytes.len() - 1)
                .filter(|&i| bytes[i] == 0xFF && (0xD0..=0xD7).contains(&bytes[i + 1]))
                .collect();
            assert!(rst.len() > 8);
            let mut bad = bytes.clone();
            bad.swap(rst[3] + 1, rst[4] + 1);
            assert!(matches!(verdict(&bad), Verdict::Corrupt(_)));
        }
    }

    #[test]
    fn a_blank_page_with_a_damaged_block_is_caught_by_decoding() {
        // Blank pages are decoded to the end, so damage that keeps legal bytes shows there too:
        // here the image data is cut short (bytes removed, EOI kept).
        let (w, h) = (800, 600);
        let bytes = grey(&page(w, h, |_, _| None), w, h);
        let mut bad = bytes[..bytes.len() * 2 / 3].to_vec();
        bad.extend_from_slice(&[0xFF, 0xD9]);
        assert!(matches!(verdict(&bad), Verdict::Corrupt(_)));
    }

    #[test]
    fn progressive_and_headers_are_handed_back_for_replay() {
        let (w, h) = (320, 240);
        let bytes = encode(&text(w, h, 40), w, h, |e| e.set_progressive(true));
        let Verdict::Unsupported(head) = verdict(&bytes) else {
            panic!("progressive JPEG not handed back");
        };
        assert!(
            head.len() > 2 && bytes.starts_with(&head),
            "{} bytes",
            head.len()
        );
    }

    #[test]
    fn the_frame_callback_can_refuse_before_any_image_data() {
        let (w, h) = (320, 240);
        let bytes = grey(&text(w, h, 40), w, h);
        let mut seen = None;
        let mut r = &bytes[..];
        let v = check(&mut r, |w, h| {
            seen = Some((w, h));
            false
        });
        assert!(matches!(v, Verdict::Stopped));
        assert_eq!(seen, Some((320, 240)));
    }

    #[test]
    fn a_huffman_table_with_too_many_codes_is_corrupt_not_a_panic() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes
        assert!(matches!(
            Huff::new(&counts, vec![1, 2, 3]),
            Err(Stop::Corrupt(_))
        ));
        counts = [0; 16];
        counts[7] = 250; // 250 of the 256 8-bit codes leave 12 9-bit ones
        counts[8] = 13;
        assert!(Huff::new(&counts, vec![0; 263]).is_err());
        counts[8] = 12;
        assert!(Huff::new(&counts, vec![0; 262]).is_ok());
    }

    #[test]
    fn damaged_headers_never_panic() {
        let (w, h) = (64, 48);
        let good = grey(&text(w, h, 40), w, h);
        let sos = (0..good.len() - 1)
            .find(|&i| good[i] == 0xFF && good[i + 1] == 0xDA)
            .expect("SOS");
        let mut rng = Rng(5);
        for _ in 0..3000 {
            let mut bad = good.clone();
            for _ in 0..1 + rng.below(4) {
                // Headers mostly; every fourth file anywhere.
                let span = if rng.below(4) == 0 {
                    bad.len()
                } else {
                    sos + 20
                };
                let i = rng.below(span as u64) as usize;
                bad[i] = rng.below(256) as u8;
            }
            let _ = verdict(&bad);
        }
    }

    #[test]
    fn ff_search_finds_the_first_ff_in_any_position() {
        for len in 0..40 {
            for at in 0..len {
                let mut b = vec![0x12u8; len];
                b[at] = 0xFF;
                if at + 1 < len {
                    b[len - 1] = 0xFF;
                }
                assert_eq!(find_ff(&b), Some(at));
            }
            assert_eq!(find_ff(&vec![0xFEu8; len]), None);
        }
    }
}
