//! A PNG's chunk structure, followed as its bytes pass: every chunk's CRC-32 is checked and the
//! file must reach a complete IEND. It sits between the file and the PNG decoder, so that the
//! decoder may stop early (a page already proven not blank) and the rest of the file is still
//! checked, from exactly where the decoder left it, without inflating it: a CRC catches any
//! damage inside a chunk, and a missing IEND catches a cut file.
//!
//! Invariant: a transparent `BufRead` — the decoder sees the same bytes in the same order; it
//! never seeks and holds no more than a chunk header.

use std::io::{self, BufRead, Read, Seek, SeekFrom};

/// What the chunk walk found wrong.
pub(crate) enum ChunkError {
    Truncated,
    Corrupt(&'static str),
    Io(io::Error),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Signature,
    Header,
    Data,
    Crc,
    End,
}

struct State {
    phase: Phase,
    acc: [u8; 8],
    filled: usize,
    remaining: u64,
    crc: crc32fast::Hasher,
    iend: bool,
    bad: Option<&'static str>,
}

impl State {
    /// Takes bytes into the fixed-size field being read; true when it holds `len`.
    fn take(&mut self, b: &mut &[u8], len: usize) -> bool {
        let n = (len - self.filled).min(b.len());
        self.acc[self.filled..self.filled + n].copy_from_slice(&b[..n]);
        self.filled += n;
        *b = &b[n..];
        self.filled == len
    }

    fn feed(&mut self, mut b: &[u8]) {
        while !b.is_empty() && self.bad.is_none() {
            match self.phase {
                Phase::Signature => {
                    if self.take(&mut b, 8) {
                        if &self.acc != b"\x89PNG\r\n\x1a\n" {
                            self.bad = Some("not a PNG signature");
                        }
                        (self.phase, self.filled) = (Phase::Header, 0);
                    }
                }
                Phase::Header => {
                    if self.take(&mut b, 8) {
                        let len = u32::from_be_bytes([
                            self.acc[0],
                            self.acc[1],
                            self.acc[2],
                            self.acc[3],
                        ]);
                        if len > i32::MAX as u32 {
                            self.bad = Some("a chunk length out of range");
                        }
                        self.crc = crc32fast::Hasher::new();
                        self.crc.update(&self.acc[4..8]);
                        self.iend = &self.acc[4..8] == b"IEND";
                        self.remaining = u64::from(len);
                        (self.phase, self.filled) = (Phase::Data, 0);
                    }
                }
                Phase::Data => {
                    let n = usize::try_from(self.remaining)
                        .unwrap_or(usize::MAX)
                        .min(b.len());
                    self.crc.update(&b[..n]);
                    self.remaining -= n as u64;
                    b = &b[n..];
                    if self.remaining == 0 {
                        (self.phase, self.filled) = (Phase::Crc, 0);
                    }
                }
                Phase::Crc => {
                    if self.take(&mut b, 4) {
                        let want = u32::from_be_bytes([
                            self.acc[0],
                            self.acc[1],
                            self.acc[2],
                            self.acc[3],
                        ]);
                        let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new());
                        if crc.finalize() != want {
                            self.bad = Some("a chunk fails its CRC check (damaged data)");
                        }
                        self.phase = if self.iend { Phase::End } else { Phase::Header };
                        self.filled = 0;
                    }
                }
                // Bytes after IEND are not part of the image.
                Phase::End => return,
            }
        }
    }
}

/// A reader that follows the chunks of the PNG read through it.
pub(crate) struct Walker<R> {
    inner: R,
    state: State,
}

impl<R: BufRead> Walker<R> {
    pub(crate) fn new(inner: R) -> Walker<R> {
        Walker {
            inner,
            state: State {
                phase: Phase::Signature,
                acc: [0; 8],
                filled: 0,
                remaining: 0,
                crc: crc32fast::Hasher::new(),
                iend: false,
                bad: None,
            },
        }
    }

    /// Walks the rest of the file (what the decoder did not read) to the end of IEND.
    pub(crate) fn finish(mut self) -> Result<(), ChunkError> {
        while self.state.phase != Phase::End && self.state.bad.is_none() {
            let n = {
                let buf = self.inner.fill_buf().map_err(ChunkError::Io)?;
                if buf.is_empty() {
                    break;
                }
                self.state.feed(buf);
                buf.len()
            };
            self.inner.consume(n);
        }
        match (self.state.bad, self.state.phase) {
            (Some(what), _) => Err(ChunkError::Corrupt(what)),
            (None, Phase::End) => Ok(()),
            (None, _) => Err(ChunkError::Truncated),
        }
    }
}

impl<R: BufRead> BufRead for Walker<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            if let Ok(buf) = self.inner.fill_buf() {
                let n = amt.min(buf.len());
                self.state.feed(&buf[..n]);
            }
        }
        self.inner.consume(amt);
    }
}

impl<R: BufRead> Read for Walker<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.inner.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

/// Refused, as by the stream under it: scan files are read once, front to back.
impl<R> Seek for Walker<R> {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "scan files are read once, front to back",
        ))
    }
}
