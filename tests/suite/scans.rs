//! Scan fixtures made in code: pages of fake text, blank paper, JPEG/PNG/PDF bytes and a
//! hand-built checklist. Never a real person's document. Shared by `tests/scan.rs` and
//! `benches/check.rs`.
#![allow(dead_code)]

use dossier::checklist::{ApplicantSummary, Checklist, DocSize, Holder, Item, RulebookRef, Visit};

/// A small deterministic generator (xorshift), so fixtures are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A grey page of fake text: paper with a little noise, and lines of dark "glyphs" whose
/// layout depends on `seed` (different seeds, different bytes).
pub fn text_page(w: usize, h: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let line = (h / 40).max(6);
    let glyph = (line * 2 / 3).max(3);
    let mut px = vec![0u8; w * h];
    // Which glyph cells are inked, decided per cell so the page looks like words.
    let cols = w / glyph + 1;
    let rows = h / line + 1;
    let cells: Vec<bool> = (0..cols * rows).map(|_| rng.below(10) < 6).collect();
    for y in 0..h {
        let (row, in_line) = (y / line, y % line);
        for x in 0..w {
            let margin = x < w / 10 || x > w - w / 10 || y < h / 12 || y > h - h / 12;
            let inked = !margin
                && in_line < glyph
                && cells[row * cols + x / glyph]
                && (x % glyph) < glyph - 1
                && rng.below(3) > 0;
            px[y * w + x] = if inked {
                20 + rng.below(40) as u8
            } else {
                236 + rng.below(12) as u8
            };
        }
    }
    px
}

/// Blank paper: light grey with scanner noise.
pub fn blank_page(w: usize, h: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..w * h).map(|_| 240 + rng.below(8) as u8).collect()
}

/// Grey pixels as a JPEG.
pub fn jpeg(w: usize, h: usize, pixels: &[u8], quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(pixels, w as u16, h as u16, jpeg_encoder::ColorType::Luma)
        .expect("encode jpeg");
    out
}

/// A page of fake text as a JPEG.
pub fn text_jpeg(w: usize, h: usize, seed: u64) -> Vec<u8> {
    jpeg(w, h, &text_page(w, h, seed), 85)
}

/// Grey pixels as a PNG.
pub fn png(w: usize, h: usize, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("png header");
        writer.write_image_data(pixels).expect("png data");
    }
    out
}

/// A page of fake text as a PNG.
pub fn text_png(w: usize, h: usize, seed: u64) -> Vec<u8> {
    png(w, h, &text_page(w, h, seed))
}

/// The start of a PNG whose header claims `w`×`h` pixels, followed by a token IDAT and IEND:
/// what a decompression bomb looks like from outside.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let chunk = png_chunk;
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0x00, 0x00],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Appends one PNG chunk: length, type, data, CRC-32 of type and data.
pub fn png_chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut c = crc32fast::Hasher::new();
    c.update(kind);
    c.update(data);
    out.extend_from_slice(&c.finalize().to_be_bytes());
}

/// One page of a hand-built PDF.
pub enum Page {
    /// A vector page drawing one line (differs by the number).
    Line(u64),
    /// A page with an empty content stream: blank.
    Empty,
    /// A scanned page: one grey JPEG of `w`×`h` pixels filling the page.
    Jpeg(Vec<u8>, usize, usize),
    /// A scanned page: one image of `w`×`h` pixels filling the page, its stream dictionary
    /// entries (colour space, bits, filter …) and data given.
    Image {
        dict: String,
        data: Vec<u8>,
        w: usize,
        h: usize,
    },
}

/// Grey pixels as a FlateDecode image for [`Page::Image`]: 8-bit, with every row PNG-filtered
/// ("Up", predictor 12) when `predicted`; or 1-bit when `one_bit` (a pixel is white at 128+).
pub fn flate_image(w: usize, h: usize, pixels: &[u8], predicted: bool, one_bit: bool) -> Page {
    use std::io::Write;
    let rows: Vec<Vec<u8>> = pixels
        .chunks_exact(w)
        .map(|r| {
            if one_bit {
                let mut b = vec![0u8; w.div_ceil(8)];
                for (x, &v) in r.iter().enumerate() {
                    if v >= 128 {
                        b[x / 8] |= 0x80 >> (x % 8);
                    }
                }
                b
            } else {
                r.to_vec()
            }
        })
        .collect();
    let mut raw = Vec::new();
    let mut prev = vec![0u8; rows[0].len()];
    for r in &rows {
        if predicted {
            raw.push(2);
            raw.extend(r.iter().zip(&prev).map(|(&v, &p)| v.wrapping_sub(p)));
            prev.clone_from(r);
        } else {
            raw.extend_from_slice(r);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&raw).unwrap();
    let bits = if one_bit { 1 } else { 8 };
    let parms = if predicted {
        format!(" /DecodeParms << /Predictor 12 /Colors 1 /BitsPerComponent 8 /Columns {w} >>")
    } else {
        String::new()
    };
    Page::Image {
        dict: format!(
            "/ColorSpace /DeviceGray /BitsPerComponent {bits} /Filter /FlateDecode{parms}"
        ),
        data: z.finish().unwrap(),
        w,
        h,
    }
}

/// A minimal valid PDF with `pages` A4 pages, each drawing one line (so pages differ by `seed`).
pub fn pdf(pages: usize, seed: u64) -> Vec<u8> {
    let pages: Vec<Page> = (0..pages)
        .map(|i| Page::Line(seed * 100 + i as u64))
        .collect();
    pdf_of(&pages, (595.0, 842.0), None)
}

/// A PDF whose trailer declares standard encryption (RC4 40-bit, as old scanners wrote them).
pub fn encrypted_pdf() -> Vec<u8> {
    let o = "4D4F4E4B4559204F574E4552205041535357524420484153482048455245203132";
    let u = "55534552205041535357524420484153482048455245203132333435363738393A";
    let dict = format!(
        "<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -44 >>",
        &o[..64],
        &u[..64]
    );
    pdf_of(&[Page::Line(7)], (595.0, 842.0), Some(dict))
}

/// A PDF of the given pages, all of `size` points (A4 is 595 × 842).
pub fn pdf_of(pages: &[Page], size: (f64, f64), encrypt: Option<String>) -> Vec<u8> {
    fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        o.extend_from_slice(data);
        o.extend_from_slice(b"\nendstream");
        o
    }
    let mut objects: Vec<Vec<u8>> = vec![Vec::new(), Vec::new()]; // catalog and page tree, below
    let mut kids = Vec::new();
    for page in pages {
        let page_id = objects.len() + 1;
        kids.push(format!("{page_id} 0 R"));
        let (resources, content, extra): (String, Vec<u8>, Option<Vec<u8>>) = match page {
            Page::Line(n) => (String::new(), format!("{} 100 m 500 {} l S", 50 + n % 400, 200 + n % 500).into_bytes(), None),
            Page::Empty => (String::new(), Vec::new(), None),
            Page::Jpeg(bytes, w, h) => (
                format!("/Resources << /XObject << /Im0 {} 0 R >> >>", page_id + 2),
                format!("q {} 0 0 {} 0 0 cm /Im0 Do Q", size.0, size.1).into_bytes(),
                Some(stream(
                    &format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"),
                    bytes,
                )),
            ),
            Page::Image { dict, data, w, h } => (
                format!("/Resources << /XObject << /Im0 {} 0 R >> >>", page_id + 2),
                format!("q {} 0 0 {} 0 0 cm /Im0 Do Q", size.0, size.1).into_bytes(),
                Some(stream(
                    &format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} {dict}"),
                    data,
                )),
            ),
        };
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] {resources} /Contents {} 0 R >>",
                size.0,
                size.1,
                page_id + 1
            )
            .into_bytes(),
        );
        objects.push(stream("", &content));
        objects.extend(extra);
    }
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    )
    .into_bytes();
    let encrypt_id = encrypt.map(|dict| {
        objects.push(dict.into_bytes());
        objects.len()
    });
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    let extra = match encrypt_id {
        Some(id) => format!(" /Encrypt {id} 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]"),
        None => String::new(),
    };
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub fn item(slug: &str, label: &str, min_parts: u32, size: DocSize) -> Item {
    Item {
        slug: slug.into(),
        label: label.into(),
        aliases: Vec::new(),
        visits: vec!["submission".into()],
        required: true,
        original: true,
        copies: 1,
        min_parts,
        parts: vec![],
        combined: vec![],
        copies_at: Default::default(),
        reason: "测试".into(),
        basis: "测试".into(),
        group: "basic".into(),
        holder: Holder::Applicant,
        accept: vec!["pdf".into(), "jpg".into(), "png".into()],
        size,
        rule_slug: slug.into(),
    }
}

pub fn checklist_of(items: Vec<Item>) -> Checklist {
    Checklist {
        applicant: ApplicantSummary {
            name: "测试员".into(),
            id_masked: "3101**********1234".into(),
        },
        rulebook: RulebookRef {
            id: "test".into(),
            version: "1".into(),
        },
        center: "浦东新区人才服务中心".into(),
        center_address: None,
        visits: vec![Visit {
            id: "submission".into(),
            label: "积分申请材料提交".into(),
            note: String::new(),
            originals_only: false,
        }],
        items,
        not_needed: Vec::new(),
    }
}

/// The checklist of the tests: an ID card in two parts, a hukou booklet in two pages, a labour
/// contract, a child's birth certificate, the spouse's ID card, an optional tax certificate and
/// an HR document that is never scanned.
pub fn family_checklist() -> Checklist {
    let mut id = item("id-card", "身份证", 2, DocSize::Card);
    id.parts = vec!["正面".into(), "反面".into()];
    let mut hukou = item("hukou-booklet", "户口簿", 2, DocSize::Booklet);
    hukou.parts = vec!["首页".into(), "本人页".into()];
    let contract = item("labour-contract", "劳动合同", 1, DocSize::A4);
    let child = item(
        "child-1-birth-certificate",
        "子女出生医学证明（1）",
        1,
        DocSize::Booklet,
    );
    let spouse = item("spouse-id-card", "配偶身份证", 2, DocSize::Card);
    let mut tax = item("tax-certificate", "个人所得税纳税证明", 1, DocSize::A4);
    tax.required = false;
    let mut hr = item("hr-id-card", "经办人身份证", 1, DocSize::Card);
    hr.holder = Holder::Hr;
    checklist_of(vec![id, hukou, contract, child, spouse, tax, hr])
}

/// Card, booklet-page and A4 sizes at about 150 dpi.
pub const CARD: (usize, usize) = (520, 330);
pub const BOOKLET: (usize, usize) = (640, 900);
pub const A4: (usize, usize) = (1240, 1754);
