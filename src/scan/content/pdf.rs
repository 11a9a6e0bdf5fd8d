//! A scanned PDF: it opens (not encrypted), its pages are counted, and each page examined
//! (at most a few hundred) is checked for size and blankness, from its content stream and its
//! embedded images.

use super::*;

/// PDF structure: parses, has pages, is not encrypted, is not cut off; then each scanned page
/// (one image, no text): its resolution, and whether it is blank. Returns the page count, the
/// blank pages when only some are blank, and the first page's size in points.
pub(super) fn check_pdf<R: Read>(
    reader: &mut R,
    size: u64,
    expect: &Expect<'_>,
    limits: &ScanLimits,
    problems: &mut Vec<Problem>,
) -> (u32, Vec<u32>, Option<(u32, u32)>) {
    // Bounded by the size limit, checked before any byte was read.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = reader.read_to_end(&mut data) {
        problems.push(unreadable(&e));
        return (0, Vec::new(), None);
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
            let first = doc
                .page_iter()
                .next()
                .and_then(|p| media_box(&doc, p))
                .map(|(w, h)| (w.round() as u32, h.round() as u32));
            (encrypted, pages, scanned, first)
        })
    }));
    let encrypted_marker = || sniff::find(&data, b"/Encrypt").is_some();
    match loaded {
        Ok(Ok((encrypted, pages, scanned, first))) => {
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
                (pages, Vec::new(), first)
            } else {
                (pages, blank, first)
            }
        }
        Ok(Err(_)) | Err(_) if encrypted_marker() => {
            problems.push(pdf_encrypted());
            (0, Vec::new(), None)
        }
        Ok(Err(_)) | Err(_) if !complete => {
            problems.push(truncated(FileKind::Pdf));
            (0, Vec::new(), None)
        }
        Ok(Err(e)) => {
            problems.push(corrupt(FileKind::Pdf, &e.to_string()));
            (0, Vec::new(), None)
        }
        Err(_) => {
            problems.push(corrupt(FileKind::Pdf, "parser failed"));
            (0, Vec::new(), None)
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
pub(super) fn unfilter_png_row(kind: u8, row: &mut [u8], prev: &[u8], bpp: usize) -> bool {
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
