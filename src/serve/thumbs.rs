//! Small thumbnails of scans for the page, made on the server (the browser never decodes a
//! 20 MB scan) and kept in memory by path, size and modification time.
//!
//! JPEG is decoded at 1/8 scale by the DCT itself; PNG row by row (its header's pixel count
//! is checked against the rulebook's limit first); a PDF gives the first page's image when it
//! is one JPEG (a scanned page). Anything else has no thumbnail (the page shows the file type).
//! Output: an 8-bit grey or RGB PNG at most [`MAX`] pixels on its longer side.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The longer side of a thumbnail, in pixels.
pub const MAX: u32 = 160;
/// Thumbnails kept; beyond that the cache starts again (a department rarely shows more).
const KEEP: usize = 4000;

type Key = (PathBuf, u64, Option<SystemTime>);

#[derive(Default)]
pub struct Thumbs {
    cache: Mutex<HashMap<Key, Option<Vec<u8>>>>,
}

impl Thumbs {
    /// The thumbnail of `path` as PNG bytes, or None when it cannot have one.
    pub fn get(&self, path: &Path, max_pixels: u64) -> Option<Vec<u8>> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let key = (path.to_path_buf(), meta.len(), meta.modified().ok());
        if let Some(hit) = self.cache.lock().ok()?.get(&key) {
            return hit.clone();
        }
        let made = make(path, max_pixels);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= KEEP {
                c.clear();
            }
            c.insert(key, made.clone());
        }
        made
    }
}

/// Pixels: width, height, channels (1 or 3), rows of bytes.
struct Image {
    w: u32,
    h: u32,
    channels: usize,
    data: Vec<u8>,
}

fn make(path: &Path, max_pixels: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let img = match crate::scan::sniff::sniff(&head[..n]) {
        crate::scan::sniff::Sniffed::Scan { kind, .. } => match kind {
            crate::scan::FileKind::Jpeg => jpeg(&std::fs::read(path).ok()?, max_pixels)?,
            crate::scan::FileKind::Png => png_image(path, max_pixels)?,
            crate::scan::FileKind::Pdf => pdf(path, max_pixels)?,
        },
        crate::scan::sniff::Sniffed::Other { .. } => return None,
    };
    encode(&shrink(&img))
}

fn jpeg(bytes: &[u8], max_pixels: u64) -> Option<Image> {
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.read_info().ok()?;
    let info = d.info()?;
    if u64::from(info.width) * u64::from(info.height) > max_pixels {
        return None;
    }
    let (w, h) = d.scale(MAX as u16, MAX as u16).ok()?;
    let px = d.decode().ok()?;
    let info = d.info()?;
    let (channels, data) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (1, px),
        jpeg_decoder::PixelFormat::L16 => (1, px.chunks(2).map(|c| c[0]).collect()),
        jpeg_decoder::PixelFormat::RGB24 => (3, px),
        jpeg_decoder::PixelFormat::CMYK32 => (
            3,
            px.chunks(4)
                .flat_map(|c| {
                    let k = 255 - u32::from(c[3]);
                    [c[0], c[1], c[2]].map(|v| ((255 - u32::from(v)) * k / 255) as u8)
                })
                .collect(),
        ),
    };
    Some(Image {
        w: u32::from(w),
        h: u32::from(h),
        channels,
        data,
    })
}

fn png_image(path: &Path, max_pixels: u64) -> Option<Image> {
    let file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (w, h) = (reader.info().width, reader.info().height);
    if u64::from(w) * u64::from(h) > max_pixels || w == 0 || h == 0 {
        return None;
    }
    let (color, _) = reader.output_color_type();
    let src_channels = color.samples();
    // Keep every `step`-th row and column while reading: memory stays at one row.
    let step = (w.max(h) / MAX).max(1) as usize;
    let (tw, th) = ((w as usize).div_ceil(step), (h as usize).div_ceil(step));
    let channels = if src_channels >= 3 { 3 } else { 1 };
    let mut data = Vec::with_capacity(tw * th * channels);
    let mut y = 0usize;
    while let Ok(Some(row)) = reader.next_row() {
        if y.is_multiple_of(step) {
            let row = row.data();
            for x in (0..w as usize).step_by(step) {
                let p = &row[x * src_channels..];
                if channels == 3 {
                    data.extend_from_slice(&p[..3]);
                } else {
                    data.push(p[0]);
                }
            }
        }
        y += 1;
    }
    let rows = data.len() / (tw * channels);
    if rows == 0 {
        return None;
    }
    data.truncate(rows * tw * channels);
    Some(Image {
        w: tw as u32,
        h: rows as u32,
        channels,
        data,
    })
}

fn pdf(path: &Path, max_pixels: u64) -> Option<Image> {
    let data = std::fs::read(path).ok()?;
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(64 << 20),
        ..Default::default()
    };
    // lopdf may panic on hostile input (the check guards it the same way).
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let doc = lopdf::Document::load_mem_with_options(&data, options).ok()?;
        let page = doc.page_iter().next()?;
        let images = doc.get_page_images(page).ok()?;
        let image = images.first()?;
        match image.filters.as_deref() {
            Some([f]) if f == "DCTDecode" => jpeg(image.content, max_pixels),
            _ => None,
        }
    }))
    .ok()
    .flatten()
}

/// Box-averages down to at most [`MAX`] on the longer side.
fn shrink(img: &Image) -> Image {
    let long = img.w.max(img.h);
    if long <= MAX {
        return Image {
            w: img.w,
            h: img.h,
            channels: img.channels,
            data: img.data.clone(),
        };
    }
    let (tw, th) = (
        (img.w * MAX / long).max(1) as usize,
        (img.h * MAX / long).max(1) as usize,
    );
    let (w, h, c) = (img.w as usize, img.h as usize, img.channels);
    let mut out = vec![0u8; tw * th * c];
    for ty in 0..th {
        let (y0, y1) = (ty * h / th, ((ty + 1) * h / th).max(ty * h / th + 1));
        for tx in 0..tw {
            let (x0, x1) = (tx * w / tw, ((tx + 1) * w / tw).max(tx * w / tw + 1));
            for ch in 0..c {
                let mut sum = 0u64;
                for y in y0..y1.min(h) {
                    for x in x0..x1.min(w) {
                        sum += u64::from(img.data[(y * w + x) * c + ch]);
                    }
                }
                let n = ((y1.min(h) - y0) * (x1.min(w) - x0)).max(1) as u64;
                out[(ty * tw + tx) * c + ch] = (sum / n) as u8;
            }
        }
    }
    Image {
        w: tw as u32,
        h: th as u32,
        channels: c,
        data: out,
    }
}

fn encode(img: &Image) -> Option<Vec<u8>> {
    if img.data.len() != img.w as usize * img.h as usize * img.channels {
        return None;
    }
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, img.w, img.h);
        e.set_color(if img.channels == 3 {
            png::ColorType::Rgb
        } else {
            png::ColorType::Grayscale
        });
        e.set_depth(png::BitDepth::Eight);
        let mut w = e.write_header().ok()?;
        w.write_image_data(&img.data).ok()?;
    }
    Some(out)
}
