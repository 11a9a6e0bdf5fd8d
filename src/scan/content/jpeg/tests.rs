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
