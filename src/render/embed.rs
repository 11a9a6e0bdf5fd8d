//! Scans brought into a PDF as they are, for the photocopies: a JPEG's bytes become a
//! `DCTDecode` image (no decoding, no re-encoding), a PNG is decoded and stored losslessly
//! (`FlateDecode`, alpha as a soft mask), and the pages of a scanned PDF become form XObjects
//! with their own content and resources (vector and text kept).
//!
//! Invariants: the objects added to the target document depend only on the source bytes (the
//! PDF's objects are copied in a fixed traversal order), so the same scans give the same
//! output; nothing here panics on a malformed file — it is an [`EmbedError`] naming the problem.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// A scan that cannot be placed in the PDF.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EmbedError(pub String);

fn err<T>(what: impl Into<String>) -> Result<T, EmbedError> {
    Err(EmbedError(what.into()))
}

/// How the stored pixels are turned to be seen upright: the EXIF orientation (1–8) as a 2×2
/// matrix on centred, top-down coordinates (`[[xx, xy], [yx, yy]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Orient(pub [[i8; 2]; 2]);

impl Orient {
    pub(crate) const UPRIGHT: Orient = Orient([[1, 0], [0, 1]]);
    /// A quarter turn anticlockwise (what an upright portrait card needs to lie landscape).
    pub(crate) const QUARTER_LEFT: Orient = Orient([[0, 1], [-1, 0]]);

    /// The EXIF `Orientation` tag's value (anything else is upright).
    pub(crate) fn exif(v: u16) -> Orient {
        Orient(match v {
            2 => [[-1, 0], [0, 1]],
            3 => [[-1, 0], [0, -1]],
            4 => [[1, 0], [0, -1]],
            5 => [[0, 1], [1, 0]],
            6 => [[0, -1], [1, 0]],
            7 => [[0, -1], [-1, 0]],
            8 => [[0, 1], [-1, 0]],
            _ => [[1, 0], [0, 1]],
        })
    }

    /// A page's `/Rotate` (clockwise degrees).
    pub(crate) fn rotate(deg: i64) -> Orient {
        match deg.rem_euclid(360) {
            90 => Orient::exif(6),
            180 => Orient::exif(3),
            270 => Orient::exif(8),
            _ => Orient::UPRIGHT,
        }
    }

    /// Whether width and height trade places.
    pub(crate) fn swaps(self) -> bool {
        self.0[0][0] == 0
    }

    /// `self`, then `next`.
    pub(crate) fn then(self, next: Orient) -> Orient {
        let (a, b) = (next.0, self.0);
        let m = |i: usize, j: usize| a[i][0] * b[0][j] + a[i][1] * b[1][j];
        Orient([[m(0, 0), m(0, 1)], [m(1, 0), m(1, 1)]])
    }

    /// The PDF matrix (`cm`) that draws the unit square of image space upright into the
    /// rectangle `(x, y, w, h)` (points, bottom-left origin).
    pub(crate) fn matrix(self, x: f32, y: f32, w: f32, h: f32) -> [f32; 6] {
        let [[xx, xy], [yx, yy]] = self.0.map(|r| r.map(f32::from));
        [
            w * xx,
            -h * yx,
            -w * xy,
            h * yy,
            x + w / 2.0 - w * xx / 2.0 + w * xy / 2.0,
            y + h / 2.0 + h * yx / 2.0 - h * yy / 2.0,
        ]
    }
}

/// `m` then `n` (PDF row-vector convention).
pub(crate) fn concat(m: [f32; 6], n: [f32; 6]) -> [f32; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// Something drawable with one `Do`: its XObject, its size as stored, how to turn it upright,
/// and its physical size in points when known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drawable {
    pub id: ObjectId,
    /// Image: the unit square; form: its bounding box `[llx, lly, urx, ury]`.
    pub bbox: Option<[f32; 4]>,
    /// Stored width and height (pixels or points).
    pub w: f32,
    pub h: f32,
    pub orient: Orient,
    /// The stored width and height in points when the file says (scanner resolution, PDF
    /// page size); None for an image without a believable resolution.
    pub true_size: Option<(f32, f32)>,
}

impl Drawable {
    /// Width and height as seen upright, in the units of `w`/`h` or of the true size.
    pub(crate) fn upright(&self, (w, h): (f32, f32)) -> (f32, f32) {
        if self.orient.swaps() {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// The matrix drawing this object upright into `(x, y, w, h)` (points), `extra` turning
    /// it further.
    pub(crate) fn placement(&self, extra: Orient, x: f32, y: f32, w: f32, h: f32) -> [f32; 6] {
        let unit = self.orient.then(extra).matrix(x, y, w, h);
        match self.bbox {
            None => unit,
            Some([llx, lly, urx, ury]) => {
                let (bw, bh) = ((urx - llx).max(1e-3), (ury - lly).max(1e-3));
                concat([1.0 / bw, 0.0, 0.0, 1.0 / bh, -llx / bw, -lly / bh], unit)
            }
        }
    }
}

/// Pixels per inch believed as a scanner's: 100–2400. Cameras write 72 (or nothing), which
/// says nothing about the paper.
fn believable(dpi: f32) -> bool {
    (100.0..=2400.0).contains(&dpi)
}

// --- JPEG --------------------------------------------------------------------------------------

/// What a JPEG's headers say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JpegInfo {
    pub width: u16,
    pub height: u16,
    pub components: u8,
    pub precision: u8,
    pub dpi: Option<(f32, f32)>,
    pub orientation: u16,
    /// An Adobe APP14 marker: CMYK data is stored inverted.
    pub adobe: bool,
}

/// Reads the markers up to the first scan: frame size, JFIF/EXIF resolution, EXIF orientation.
pub(crate) fn jpeg_info(b: &[u8]) -> Result<JpegInfo, EmbedError> {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return err("not a JPEG (no SOI marker)");
    }
    let mut i = 2;
    let mut frame = None;
    let (mut jfif_dpi, mut exif_dpi, mut orientation, mut adobe) = (None, None, 1, false);
    loop {
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (b.get(i), b.get(i + 1)) else {
            return err("damaged JPEG headers");
        };
        i += 2;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([
            *b.get(i).unwrap_or(&0),
            *b.get(i + 1).unwrap_or(&0),
        ]));
        if len < 2 || i + len > b.len() {
            return err("damaged JPEG headers (a segment runs past the end)");
        }
        let seg = &b[i + 2..i + len];
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if seg.len() < 6 {
                    return err("damaged JPEG frame header");
                }
                frame = Some((
                    seg[0],
                    u16::from_be_bytes([seg[3], seg[4]]),
                    u16::from_be_bytes([seg[1], seg[2]]),
                    seg[5],
                    marker,
                ));
            }
            0xE0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let (x, y) = (
                    f32::from(u16::from_be_bytes([seg[8], seg[9]])),
                    f32::from(u16::from_be_bytes([seg[10], seg[11]])),
                );
                // The first JFIF segment counts (a second one is not the file's own).
                jfif_dpi = jfif_dpi.or(match seg[7] {
                    1 => Some((x, y)),
                    2 => Some((x * 2.54, y * 2.54)),
                    _ => None,
                });
            }
            0xE1 if seg.starts_with(b"Exif\0\0") => {
                let (o, dpi) = exif(&seg[6..]);
                orientation = o.unwrap_or(1);
                exif_dpi = dpi;
            }
            0xEE if seg.starts_with(b"Adobe") => adobe = true,
            0xDA => break,
            _ => {}
        }
        i += len;
    }
    let Some((precision, width, height, components, marker)) = frame else {
        return err("a JPEG without a frame header");
    };
    if precision != 8 {
        return err(format!(
            "a {precision}-bit JPEG: PDF takes 8-bit JPEG data only; save it as an ordinary 8-bit JPEG"
        ));
    }
    if marker >= 0xC9 {
        return err("an arithmetic-coded JPEG: save it as an ordinary JPEG");
    }
    if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
        return err(format!(
            "a JPEG of {width}×{height} pixels with {components} colour components"
        ));
    }
    let dpi = jfif_dpi
        .filter(|&(x, y)| believable(x) && believable(y))
        .or(exif_dpi.filter(|&(x, y)| believable(x) && believable(y)));
    Ok(JpegInfo {
        width,
        height,
        components,
        precision,
        dpi,
        orientation,
        adobe,
    })
}

/// The orientation and resolution from an EXIF block (a TIFF header and IFD0).
fn exif(t: &[u8]) -> (Option<u16>, Option<(f32, f32)>) {
    let le = match t.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return (None, None),
    };
    let u16_at = |i: usize| {
        t.get(i..i + 2)
            .map(|s| {
                let a = [s[0], s[1]];
                if le {
                    u16::from_le_bytes(a)
                } else {
                    u16::from_be_bytes(a)
                }
            })
            .unwrap_or(0)
    };
    let u32_at = |i: usize| {
        t.get(i..i + 4)
            .map(|s| {
                let a = [s[0], s[1], s[2], s[3]];
                if le {
                    u32::from_le_bytes(a)
                } else {
                    u32::from_be_bytes(a)
                }
            })
            .unwrap_or(0)
    };
    let rational = |off: u32| {
        let off = off as usize;
        let (n, d) = (u32_at(off), u32_at(off + 4));
        (d != 0).then(|| n as f32 / d as f32)
    };
    let ifd = u32_at(4) as usize;
    let count = usize::from(u16_at(ifd));
    let (mut orientation, mut xres, mut yres, mut unit) = (None, None, None, 2);
    for k in 0..count.min(512) {
        let e = ifd + 2 + 12 * k;
        if e + 12 > t.len() {
            break;
        }
        match u16_at(e) {
            0x0112 => orientation = Some(u16_at(e + 8)),
            0x011A => xres = rational(u32_at(e + 8)),
            0x011B => yres = rational(u32_at(e + 8)),
            0x0128 => unit = u16_at(e + 8),
            _ => {}
        }
    }
    let per_inch = match unit {
        2 => Some(1.0),
        3 => Some(2.54),
        _ => None,
    };
    let dpi = match (xres, yres, per_inch) {
        (Some(x), Some(y), Some(f)) => Some((x * f, y * f)),
        _ => None,
    };
    (orientation, dpi)
}

fn true_size(w: f32, h: f32, dpi: Option<(f32, f32)>) -> Option<(f32, f32)> {
    dpi.map(|(x, y)| (w / x * 72.0, h / y * 72.0))
}

/// A JPEG as an image XObject: its bytes unchanged.
/// Reads a JPEG file's headers without reading its image data: a prefix of the file, made
/// longer only when the headers run past it (big EXIF or ICC blocks), up to the whole file.
pub(crate) fn jpeg_head(path: &std::path::Path, len: u64) -> Result<JpegInfo, EmbedError> {
    use std::io::Read;
    let mut want: u64 = 64 * 1024;
    loop {
        let f = crate::input::open_regular(path)
            .map_err(|e| EmbedError(format!("cannot read: {e}")))?;
        let mut head = Vec::new();
        f.take(want.min(len))
            .read_to_end(&mut head)
            .map_err(|e| EmbedError(format!("cannot read: {e}")))?;
        match jpeg_info(&head) {
            Err(_) if want < len => want = want.saturating_mul(4),
            r => return r,
        }
    }
}

/// A JPEG as an image XObject whose bytes are `content` as they are (`DCTDecode`). The caller
/// passes the file's bytes, or nothing when they are added as the PDF is written
/// ([`super::spill`]).
pub(crate) fn jpeg(doc: &mut Document, info: &JpegInfo, content: Vec<u8>) -> Drawable {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"XObject".to_vec()));
    d.set("Subtype", Object::Name(b"Image".to_vec()));
    d.set("Width", i64::from(info.width));
    d.set("Height", i64::from(info.height));
    let space: &[u8] = match info.components {
        1 => b"DeviceGray",
        3 => b"DeviceRGB",
        _ => b"DeviceCMYK",
    };
    d.set("ColorSpace", Object::Name(space.to_vec()));
    d.set("BitsPerComponent", 8);
    d.set("Filter", Object::Name(b"DCTDecode".to_vec()));
    if info.components == 4 && info.adobe {
        d.set(
            "Decode",
            Object::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer).to_vec()),
        );
    }
    let mut s = Stream::new(d, content);
    s.allows_compression = false;
    let id = doc.add_object(Object::Stream(s));
    let (w, h) = (f32::from(info.width), f32::from(info.height));
    Drawable {
        id,
        bbox: None,
        w,
        h,
        orient: Orient::exif(info.orientation),
        true_size: true_size(w, h, info.dpi),
    }
}

// --- PNG ---------------------------------------------------------------------------------------

fn flate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::new(6),
    );
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    let mut out = e.finish().unwrap_or_default();
    // A scan compresses far below the guess: a small stream stays in the document until the
    // PDF is written, and must not keep a quarter of the decoded image's size with it (that
    // was 2.6 MB per employee of the example).
    out.shrink_to_fit();
    out
}

/// A PNG as an image XObject: every sample kept (8 or 16 bits, palette expanded), alpha as a
/// soft mask.
pub(crate) fn png(
    doc: &mut Document,
    bytes: &[u8],
    max_pixels: u64,
) -> Result<Drawable, EmbedError> {
    let bad = |e: png::DecodingError| EmbedError(format!("the PNG does not decode: {e}"));
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().map_err(bad)?;
    let (w, h) = (reader.info().width, reader.info().height);
    if u64::from(w) * u64::from(h) > max_pixels {
        return err(format!("a PNG of {w}×{h} pixels is more than a scan has"));
    }
    let dpi = reader.info().pixel_dims.and_then(|p| {
        (p.unit == png::Unit::Meter)
            .then_some((p.xppu as f32 * 0.0254, p.yppu as f32 * 0.0254))
            .filter(|&(x, y)| believable(x) && believable(y))
    });
    let (color, depth) = reader.output_color_type();
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| EmbedError("a PNG too large to decode".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(frame.buffer_size());
    let bytes_per_sample = if depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    let (colour, alpha) = match color {
        png::ColorType::GrayscaleAlpha => (1, true),
        png::ColorType::Rgba => (3, true),
        png::ColorType::Rgb => (3, false),
        _ => (1, false),
    };
    let bits = 8 * bytes_per_sample as i64;
    let image = |doc: &mut Document, data: &[u8], channels: usize, smask: Option<ObjectId>| {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Image".to_vec()));
        d.set("Width", i64::from(w));
        d.set("Height", i64::from(h));
        let space: &[u8] = if channels == 3 {
            b"DeviceRGB"
        } else {
            b"DeviceGray"
        };
        d.set("ColorSpace", Object::Name(space.to_vec()));
        d.set("BitsPerComponent", bits);
        d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        if let Some(m) = smask {
            d.set("SMask", Object::Reference(m));
        }
        let mut s = Stream::new(d, flate(data));
        s.allows_compression = false;
        doc.add_object(Object::Stream(s))
    };
    let smask = if alpha {
        let px = (colour + 1) * bytes_per_sample;
        let (mut c, mut a) = (
            Vec::with_capacity(buf.len() / (colour + 1) * colour),
            Vec::with_capacity(buf.len() / (colour + 1)),
        );
        for p in buf.chunks_exact(px) {
            c.extend_from_slice(&p[..colour * bytes_per_sample]);
            a.extend_from_slice(&p[colour * bytes_per_sample..]);
        }
        buf = c;
        Some(image(doc, &a, 1, None))
    } else {
        None
    };
    let id = image(doc, &buf, colour, smask);
    let (w, h) = (w as f32, h as f32);
    Ok(Drawable {
        id,
        bbox: None,
        w,
        h,
        orient: Orient::UPRIGHT,
        true_size: true_size(w, h, dpi),
    })
}

// --- PDF ---------------------------------------------------------------------------------------

/// The most a page's content may inflate to (a decompression bomb stops here).
const MAX_CONTENT: usize = 256 << 20;

/// Every page of a scanned PDF as a form XObject, in page order.
pub(crate) fn pdf_pages(doc: &mut Document, bytes: &[u8]) -> Result<Vec<Drawable>, EmbedError> {
    let src =
        Document::load_mem(bytes).map_err(|e| EmbedError(format!("the PDF does not load: {e}")))?;
    if src.is_encrypted() {
        return err("the PDF is encrypted");
    }
    let mut map: HashMap<ObjectId, ObjectId> = HashMap::new();
    let mut out = Vec::new();
    for (_, page_id) in src.get_pages() {
        let page = src
            .get_dictionary(page_id)
            .map_err(|e| EmbedError(format!("a page of the PDF is damaged: {e}")))?;
        let media = inherited(&src, page, b"MediaBox")
            .and_then(|o| rect(&src, o))
            .unwrap_or([0.0, 0.0, 595.0, 842.0]);
        let crop = inherited(&src, page, b"CropBox")
            .and_then(|o| rect(&src, o))
            .map_or(media, |c| intersect(c, media));
        let rotate = inherited(&src, page, b"Rotate")
            .and_then(|o| src.dereference(o).ok())
            .and_then(|(_, o)| o.as_i64().ok())
            .unwrap_or(0);
        let content = src
            .get_page_content_with_limit(page_id, MAX_CONTENT)
            .map_err(|e| EmbedError(format!("a page's content cannot be read: {e}")))?;
        let resources = match inherited(&src, page, b"Resources") {
            Some(r) => import(&src, doc, r, &mut map, 0)?,
            None => Object::Dictionary(Dictionary::new()),
        };
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Form".to_vec()));
        d.set(
            "BBox",
            Object::Array(crop.iter().map(|&v| Object::Real(v)).collect()),
        );
        d.set("Resources", resources);
        let id = doc.add_object(Object::Stream(Stream::new(d, content)));
        let (w, h) = (crop[2] - crop[0], crop[3] - crop[1]);
        out.push(Drawable {
            id,
            bbox: Some(crop),
            w,
            h,
            orient: Orient::rotate(rotate),
            true_size: Some((w, h)),
        });
    }
    if out.is_empty() {
        return err("the PDF has no pages");
    }
    Ok(out)
}

/// A page attribute, looked up through the page tree's parents as PDF inheritance says.
fn inherited<'a>(src: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return Some(v);
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = src.get_dictionary(parent).ok()?;
    }
    None
}

fn rect(src: &Document, o: &Object) -> Option<[f32; 4]> {
    let (_, o) = src.dereference(o).ok()?;
    let a = o.as_array().ok()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (slot, v) in r.iter_mut().zip(a) {
        *slot = src.dereference(v).ok()?.1.as_float().ok()?;
    }
    let [x1, y1, x2, y2] = r;
    let r = [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)];
    (r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0 && r.iter().all(|v| v.is_finite())).then_some(r)
}

fn intersect(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    if r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0 {
        r
    } else {
        b
    }
}

/// Copies `o` and everything it refers to from `src` into `dst`, each object once. Page
/// objects (reachable through annotations or links) are not followed: they become null.
fn import(
    src: &Document,
    dst: &mut Document,
    o: &Object,
    map: &mut HashMap<ObjectId, ObjectId>,
    depth: u32,
) -> Result<Object, EmbedError> {
    if depth > 256 {
        return err("the PDF's resources nest too deep");
    }
    Ok(match o {
        Object::Reference(id) => {
            if let Some(new) = map.get(id) {
                return Ok(Object::Reference(*new));
            }
            let Ok(target) = src.get_object(*id) else {
                return Ok(Object::Null);
            };
            let is_page = target
                .as_dict()
                .ok()
                .and_then(|d| d.get(b"Type").ok())
                .and_then(|t| t.as_name().ok())
                .is_some_and(|n| n == b"Page" || n == b"Pages");
            if is_page {
                return Ok(Object::Null);
            }
            let new = dst.new_object_id();
            map.insert(*id, new);
            let copied = import(src, dst, target, map, depth + 1)?;
            dst.objects.insert(new, copied);
            Object::Reference(new)
        }
        Object::Array(a) => Object::Array(
            a.iter()
                .map(|v| import(src, dst, v, map, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Object::Dictionary(d) => Object::Dictionary(import_dict(src, dst, d, map, depth)?),
        Object::Stream(s) => {
            let mut copy = Stream::new(
                import_dict(src, dst, &s.dict, map, depth)?,
                s.content.clone(),
            );
            copy.allows_compression = s.allows_compression && s.dict.get(b"Filter").is_err();
            Object::Stream(copy)
        }
        other => other.clone(),
    })
}

fn import_dict(
    src: &Document,
    dst: &mut Document,
    d: &Dictionary,
    map: &mut HashMap<ObjectId, ObjectId>,
    depth: u32,
) -> Result<Dictionary, EmbedError> {
    let mut out = Dictionary::new();
    for (k, v) in d.iter() {
        if k.as_slice() == b"Parent" {
            continue;
        }
        out.set(k.clone(), import(src, dst, v, map, depth + 1)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(m: [f32; 6], u: f32, v: f32) -> (f32, f32) {
        (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5])
    }

    #[test]
    fn exif_orientations_put_the_stored_top_left_where_it_belongs() {
        // The stored image's top-left pixel is image space (0, 1). Rect (10, 20, 30 × 40).
        let top_left = |o: u16| apply(Orient::exif(o).matrix(10.0, 20.0, 30.0, 40.0), 0.0, 1.0);
        assert_eq!(top_left(1), (10.0, 60.0)); // stays top-left
        assert_eq!(top_left(2), (40.0, 60.0)); // mirrored: top-right
        assert_eq!(top_left(3), (40.0, 20.0)); // half turn: bottom-right
        assert_eq!(top_left(4), (10.0, 20.0)); // flipped: bottom-left
        assert_eq!(top_left(6), (40.0, 60.0)); // quarter turn clockwise: top-right
        assert_eq!(top_left(8), (10.0, 20.0)); // quarter turn anticlockwise: bottom-left
        assert_eq!(top_left(5), (10.0, 60.0)); // transposed: top-left
        assert_eq!(top_left(7), (40.0, 20.0));
        for o in 1..=8 {
            // The whole unit square lands exactly on the rectangle.
            let m = Orient::exif(o).matrix(10.0, 20.0, 30.0, 40.0);
            let mut xs = vec![];
            let mut ys = vec![];
            for (u, v) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
                let (x, y) = apply(m, u, v);
                xs.push(x);
                ys.push(y);
            }
            xs.sort_by(f32::total_cmp);
            ys.sort_by(f32::total_cmp);
            assert_eq!(
                (xs[0], xs[3], ys[0], ys[3]),
                (10.0, 40.0, 20.0, 60.0),
                "{o}"
            );
        }
        assert!(Orient::exif(6).swaps() && !Orient::exif(3).swaps());
        assert_eq!(Orient::exif(6).then(Orient::exif(6)), Orient::exif(3));
        assert_eq!(Orient::exif(6).then(Orient::QUARTER_LEFT), Orient::UPRIGHT);
    }

    #[test]
    fn jpeg_headers_give_size_resolution_and_orientation() {
        let mut enc = Vec::new();
        jpeg_encoder::Encoder::new(&mut enc, 90)
            .encode(&[128u8; 40 * 20], 40, 20, jpeg_encoder::ColorType::Luma)
            .unwrap();
        let info = jpeg_info(&enc).unwrap();
        assert_eq!((info.width, info.height, info.components), (40, 20, 1));
        // jpeg-encoder writes JFIF with density 72 or none: not a scanner's resolution.
        assert_eq!(info.dpi, None);
        // A JFIF density of 300 dpi and an EXIF orientation of 6, spliced in after SOI.
        let mut app0 = vec![0xFF, 0xE0, 0, 16];
        app0.extend_from_slice(b"JFIF\0\x01\x02\x01");
        app0.extend_from_slice(&300u16.to_be_bytes());
        app0.extend_from_slice(&300u16.to_be_bytes());
        app0.extend_from_slice(&[0, 0]);
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&app0);
        j.extend_from_slice(&app1);
        j.extend_from_slice(&enc[2..]);
        let info = jpeg_info(&j).unwrap();
        assert_eq!(info.orientation, 6);
        assert!(info.dpi.is_some());
        // Damaged headers are errors, not panics.
        for cut in 0..60.min(j.len()) {
            let _ = jpeg_info(&j[..cut]);
        }
        assert!(jpeg_info(b"\xFF\xD8\xFF\xC0\x00\x02").is_err());
    }
}
