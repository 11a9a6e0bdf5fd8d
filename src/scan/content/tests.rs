use super::pdf::unfilter_png_row;
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
