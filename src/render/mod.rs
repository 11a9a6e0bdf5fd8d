//! The PDFs a clerk prints: the cover sheet of an applicant's bundle and the counter checklist
//! for a day at the talent service center (SPEC §8). A4, Simplified Chinese, text extractable,
//! the font embedded and subset so that any viewer shows the same page.
//!
//! The path: a JSON context → a tera template in `templates/` (wording and structure, editable
//! without Rust) → line-based page markup ([`markup`], documented in `docs/templates.md`) →
//! our own layout engine ([`layout`]) → printpdf operators → PDF bytes.
//!
//! Invariants: the output depends only on the context, the templates and the font — the PDF
//! dates come from `ctx["date"]`, and the font resource name, the subset tag and the trailer
//! `/ID` are derived from the content rather than from printpdf's process-global counter, so the
//! same input gives the same bytes in any process, however many documents it made before. No
//! character is ever drawn without a glyph ([`font`]). The library never prints.

pub mod context;
pub mod copies;
mod embed;
mod font;
mod layout;
mod markup;
mod spill;

use std::path::PathBuf;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

pub use font::Fonts;

const COVER: &str = "cover.tera";
const CHECKLIST: &str = "checklist.tera";

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A font file that cannot be read or parsed.
    #[error("{}: {}", path.display(), message.en)]
    Font {
        path: PathBuf,
        message: crate::messages::Text,
    },
    /// The font lacks glyphs for some characters of the document.
    #[error(
        "{font} has no glyph for {}{}; pass --font with a font that covers them (for example a Noto Sans CJK or \
         Source Han Sans .ttc/.otf)",
        char_list(chars),
        if *fallback_tried { ", nor does any installed Chinese system font" } else { "" }
    )]
    MissingGlyphs {
        font: String,
        fallback_tried: bool,
        chars: Vec<char>,
    },
    /// The template does not parse or does not render with this context.
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
    /// The template rendered to markup the layout engine does not understand.
    #[error("template {template}: line {line} of its output (`{text}`): {message}")]
    Markup {
        template: String,
        line: usize,
        text: String,
        message: String,
    },
    /// A scan that cannot be placed in the photocopies.
    #[error("{}: {message}", path.display())]
    Scan { path: PathBuf, message: String },
    /// The context lacks something the renderer itself needs.
    #[error("render context: {0}")]
    Context(String),
}

impl RenderError {
    /// The message in both languages (its `Display` is the English one). Only what a clerk
    /// can meet is translated (a font that cannot be used, characters it cannot print); a
    /// template's own errors are for whoever edits the templates, in English.
    pub fn text(&self) -> crate::messages::Text {
        let en = self.to_string();
        let zh = match self {
            RenderError::Font { path, message } => format!("{}：{}", path.display(), message.zh),
            RenderError::MissingGlyphs {
                font,
                fallback_tried,
                chars,
            } => format!(
                "{} 中没有 {} 的字形{}；请用 --font 给出包含这些字的字体（例如 Noto Sans CJK 或思源黑体 .ttc/.otf）",
                if font.starts_with("the embedded font") {
                    "内置字体（Noto Sans CJK SC 子集）"
                } else {
                    font.as_str()
                },
                char_list(chars),
                if *fallback_tried {
                    "，系统中安装的中文字体也没有"
                } else {
                    ""
                }
            ),
            _ => en.clone(),
        };
        crate::messages::Text::new(zh, en)
    }
}

fn char_list(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A PDF made by the renderer, with the number of pages it laid out (no parsing it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

impl std::ops::Deref for Rendered {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// The cover sheet of one applicant's bundle (context: see `docs/templates.md`).
pub fn cover_sheet(ctx: &serde_json::Value, fonts: &Fonts) -> Result<Rendered, RenderError> {
    render(COVER, ctx, fonts)
}

/// The counter checklist for one or many employees on one day (context: see
/// `docs/templates.md`).
pub fn counter_checklist(ctx: &serde_json::Value, fonts: &Fonts) -> Result<Rendered, RenderError> {
    render(CHECKLIST, ctx, fonts)
}

/// The built-in templates, parsed once, with every `{{ value }}` escaped for the markup.
fn templates() -> Result<&'static tera::Tera, RenderError> {
    static TERA: OnceLock<Result<tera::Tera, String>> = OnceLock::new();
    TERA.get_or_init(|| {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates([
            (COVER, include_str!("../../templates/cover.tera")),
            (CHECKLIST, include_str!("../../templates/checklist.tera")),
        ])
        .map_err(|e| chain(&e))?;
        tera.autoescape_on(vec![".tera"]);
        tera.set_escape_fn(markup::escape);
        Ok(tera)
    })
    .as_ref()
    .map_err(|message| RenderError::Template {
        template: "templates/".into(),
        message: message.clone(),
    })
}

/// A tera error with its causes (the line and column of a template problem are in a cause).
fn chain(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// The page markup a template renders to for `ctx`.
fn markup_for(template: &str, ctx: &serde_json::Value) -> Result<String, RenderError> {
    let context = tera::Context::from_serialize(ctx).map_err(|e| {
        RenderError::Context(format!("the context must be a JSON object ({})", chain(&e)))
    })?;
    templates()?
        .render(template, &context)
        .map_err(|e| RenderError::Template {
            template: format!("templates/{template}"),
            message: chain(&e),
        })
}

fn render(template: &str, ctx: &serde_json::Value, fonts: &Fonts) -> Result<Rendered, RenderError> {
    let date_text = ctx.get("date").and_then(|d| d.as_str()).unwrap_or_default();
    let date = crate::date::Date::parse(date_text).ok_or_else(|| {
        RenderError::Context(format!(
            "`date` must be a YYYY-MM-DD date, got {:?}",
            ctx.get("date")
        ))
    })?;
    let source = markup_for(template, ctx)?;
    let blocks = markup::parse(&source).map_err(|e| RenderError::Markup {
        template: format!("templates/{template}"),
        line: e.line,
        text: e.text,
        message: e.message,
    })?;
    let face = fonts.face_for(&layout::all_text(&blocks))?;
    let laid = layout::layout(&blocks, &face);
    Ok(Rendered {
        bytes: pdf(&laid, &face, date.unix(), &source)?,
        pages: laid.pages.len(),
    })
}

/// Serialises the laid-out pages. `seed` (the markup) decides the subset tag and the trailer
/// `/ID`, so both are stable for the same content and differ between documents.
fn pdf(
    laid: &layout::Laid,
    face: &font::Face,
    unix: i64,
    seed: &str,
) -> Result<Vec<u8>, RenderError> {
    use printpdf::{Mm, PdfPage};
    let doc = Pdf::new(laid.title.as_deref().unwrap_or("dossier"), face, unix, seed)?;
    let pages = (0..laid.pages.len())
        .map(|i| {
            PdfPage::new(
                Mm(layout::PAGE_W),
                Mm(layout::PAGE_H),
                layout::page_ops(laid, i, &doc.font_id, face),
            )
        })
        .collect();
    save(doc.into_lopdf(pages))
}

/// A printpdf document with our metadata and the face registered under a content-derived
/// name, before its pages are added.
pub(crate) struct Pdf {
    doc: printpdf::PdfDocument,
    pub(crate) font_id: printpdf::FontId,
    digest: [u8; 32],
}

impl Pdf {
    pub(crate) fn new(
        title: &str,
        face: &font::Face,
        unix: i64,
        seed: &str,
    ) -> Result<Pdf, RenderError> {
        use printpdf::{FontId, PdfDocument, PdfFont};
        let digest = digest(seed, face);
        let mut doc = PdfDocument::new(title);
        let when = printpdf::OffsetDateTime::from_unix_timestamp(unix)
            .map_err(|e| RenderError::Context(format!("`date` is out of range for a PDF ({e})")))?;
        let info = &mut doc.metadata.info;
        (
            info.creation_date,
            info.modification_date,
            info.metadata_date,
        ) = (when, when, when);
        info.creator = "dossier".into();
        info.producer = "dossier (printpdf 0.12.8)".into();
        // Six capital letters: the subset tag of ISO 32000-1 §9.6.4, which printpdf takes from the
        // start of the font's resource name.
        let tag: String = digest[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let font_id = FontId(tag);
        doc.resources
            .fonts
            .map
            .insert(font_id.clone(), PdfFont::new(face.font.clone()));
        Ok(Pdf {
            doc,
            font_id,
            digest,
        })
    }

    /// The document with `pages`, as a lopdf document (the font subset on the way), with a
    /// trailer `/ID` derived from the seed (not from printpdf's process-global counter).
    pub(crate) fn into_lopdf(mut self, pages: Vec<printpdf::PdfPage>) -> lopdf::Document {
        self.doc.with_pages(pages);
        let mut warnings = Vec::new();
        let mut lo = self
            .doc
            .to_lopdf_document(&printpdf::PdfSaveOptions::default(), &mut warnings);
        let id: String = self.digest[16..32]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let id = lopdf::Object::String(id.into_bytes(), lopdf::StringFormat::Literal);
        lo.trailer
            .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
        lo
    }
}

fn digest(seed: &str, face: &font::Face) -> [u8; 32] {
    Sha256::new()
        .chain_update(seed)
        .chain_update(face.origin.as_bytes())
        .finalize()
        .into()
}

/// The PDF's bytes.
pub(crate) fn save(mut lo: lopdf::Document) -> Result<Vec<u8>, RenderError> {
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| RenderError::Context(format!("writing the PDF failed: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests;
