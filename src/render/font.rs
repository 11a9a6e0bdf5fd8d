//! The font the PDFs are set in: the embedded Noto Sans CJK SC subset, a font file the user
//! names (`--font PATH`, with a face index for `.ttc` collections), or — only when the embedded
//! font lacks a character — an installed system CJK font.
//!
//! Invariant: no text is ever drawn with a font that lacks one of its characters. A missing
//! glyph would print as a blank (or a box) and vanish from the text layer, so [`Fonts::face_for`]
//! checks coverage of every character first and fails with a [`RenderError::MissingGlyphs`]
//! that names each character and its code point.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use printpdf::ParsedFont;

use super::RenderError;

/// The vendored font: Noto Sans CJK SC Regular (OFL-1.1) subset by `scripts/make-font` to the
/// CJK Unified Ideographs U+4E00–9FA5, ASCII, Latin-1, punctuation and symbols.
static EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf");

/// System families tried, in order, when the embedded font lacks a character.
const SYSTEM_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimSun",
    "PingFang SC",
];

/// One parsed font face and where it came from (for messages).
#[derive(Clone)]
pub(crate) struct Face {
    pub(crate) font: ParsedFont,
    pub(crate) origin: String,
    units_per_em: f32,
}

/// Only the origin: the parsed tables would fill pages.
impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Face {
    fn parse(bytes: &[u8], index: u32, origin: String) -> Option<Face> {
        let font = ParsedFont::from_bytes(bytes, index as usize, &mut Vec::new())?;
        let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
        Some(Face {
            font,
            origin,
            units_per_em,
        })
    }

    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.font
            .lookup_glyph_index(c as u32)
            .is_some_and(|g| g != 0)
    }

    /// The advance of `c` in ems (hmtx, no shaping: the PDF text operators do not shape either).
    pub(crate) fn advance(&self, c: char) -> f32 {
        let glyph = self.font.lookup_glyph_index(c as u32).unwrap_or(0);
        f32::from(self.font.get_horizontal_advance(glyph)) / self.units_per_em
    }

    /// The characters of `text` this face cannot draw, sorted and without repeats. Whitespace
    /// other than the plain and ideographic spaces is never drawn, so it is not asked for.
    pub(crate) fn missing(&self, text: impl IntoIterator<Item = char>) -> Vec<char> {
        let mut missing: Vec<char> = text
            .into_iter()
            .filter(|&c| !c.is_control() && (!c.is_whitespace() || c == ' ' || c == '\u{3000}'))
            .filter(|&c| !self.has_glyph(c))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }
}

/// The largest font file `--font` reads (Noto Sans CJK's .ttc is about 20 MB).
pub const MAX_FONT_BYTES: u64 = 64 << 20;

/// The fonts a document may be set in: the chosen face, and whether a system font may stand in
/// for it when it lacks a character (only for the embedded font: a font the user named is used
/// as given).
#[derive(Debug, Clone)]
pub struct Fonts {
    face: Arc<Face>,
    allow_system_fallback: bool,
}

impl Fonts {
    /// The embedded Noto Sans CJK SC subset. Parsed once per process (about 20 ms); later calls
    /// share it.
    pub fn embedded() -> Result<Fonts, RenderError> {
        static FACE: OnceLock<Option<Arc<Face>>> = OnceLock::new();
        let face = FACE
            .get_or_init(|| {
                Face::parse(
                    EMBEDDED,
                    0,
                    "the embedded font (Noto Sans CJK SC subset)".into(),
                )
                .map(Arc::new)
            })
            .clone()
            .ok_or_else(|| RenderError::Font {
                path: PathBuf::from("<embedded>"),
                message: crate::t!(
                    "内置字体无法解析（构建问题：请重新运行 scripts/make-font）",
                    "the embedded font does not parse (a build problem: rerun scripts/make-font)"
                ),
            })?;
        Ok(Fonts {
            face,
            allow_system_fallback: true,
        })
    }

    /// A font file (`.ttf`, `.otf`, or a `.ttc`/`.otc` collection with `face_index`).
    pub fn from_file(path: &Path, face_index: u32) -> Result<Fonts, RenderError> {
        // A regular file of a sane size only: `--font /dev/zero` is an error, not a hang.
        let bytes = crate::input::read_bounded(path, MAX_FONT_BYTES, "font").map_err(|e| {
            RenderError::Font {
                path: path.to_path_buf(),
                message: match e {
                    crate::Error::Io { message, .. } => message,
                    other => crate::messages::Text::new(
                        other.render_in(crate::messages::Lang::Zh),
                        other.render_in(crate::messages::Lang::En),
                    ),
                },
            }
        })?;
        let origin = format!("{} (face {face_index})", path.display());
        let face = Face::parse(&bytes, face_index, origin).ok_or_else(|| RenderError::Font {
            path: path.to_path_buf(),
            message: crate::t!(
                "第 {face_index} 个字面不是可读取的 TrueType/OpenType 字体（.ttc 字体集须给出正确的字面序号：Noto Sans CJK 的简体中文字面是 2）",
                "face {face_index} is not a readable TrueType/OpenType font (a .ttc collection needs the right \
                 face index: Noto Sans CJK's SC face is 2)"
            ),
        })?;
        Ok(Fonts {
            face: Arc::new(face),
            allow_system_fallback: false,
        })
    }

    /// The characters of `text` that no face these fonts may use can print (none: `text`
    /// can be set). What `check` asks of a scan's name before `pack` prints it.
    pub fn unprintable(&self, text: &str) -> Vec<char> {
        match self.face_for(text) {
            Err(RenderError::MissingGlyphs { chars, .. }) => chars,
            _ => Vec::new(),
        }
    }

    /// The face to set `text` in: this one when it covers every character, else (embedded
    /// font only) the first system CJK font that covers them all.
    pub(crate) fn face_for(&self, text: &str) -> Result<Arc<Face>, RenderError> {
        let missing = self.face.missing(text.chars());
        if missing.is_empty() {
            return Ok(Arc::clone(&self.face));
        }
        if self.allow_system_fallback {
            if let Some(face) = system_face(text) {
                return Ok(Arc::new(face));
            }
        }
        Err(RenderError::MissingGlyphs {
            font: self.face.origin.clone(),
            fallback_tried: self.allow_system_fallback,
            chars: missing,
        })
    }
}

/// The first of [`SYSTEM_FAMILIES`] installed here that covers every character of `text`.
fn system_face(text: &str) -> Option<Face> {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    let db = DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db
    });
    SYSTEM_FAMILIES.iter().find_map(|family| {
        let query = fontdb::Query {
            families: &[fontdb::Family::Name(family)],
            ..fontdb::Query::default()
        };
        let id = db.query(&query)?;
        let path = match &db.face(id)?.source {
            fontdb::Source::File(p) => p.display().to_string(),
            fontdb::Source::SharedFile(p, _) => p.display().to_string(),
            fontdb::Source::Binary(_) => "memory".to_string(),
        };
        let face = db
            .with_face_data(id, |data, index| {
                Face::parse(
                    data,
                    index,
                    format!("the system font {family} ({path}, face {index})"),
                )
            })
            .flatten()?;
        face.missing(text.chars()).is_empty().then_some(face)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Fonts>();
    }

    #[test]
    fn embedded_font_covers_names_outside_gb2312() {
        let fonts = Fonts::embedded().unwrap();
        assert!(fonts
            .face
            .missing(
                "王喆堃玥珺昇旻燚垚祎彧翀 ABC abc 0-9 ，。（）【】“”—·✓ ①②③ 第 1 / 2 页".chars()
            )
            .is_empty());
        // Noto Sans CJK has no ballot boxes: tick boxes are drawn as rectangles instead.
        assert_eq!(fonts.face.missing("☐☑".chars()), vec!['☐', '☑']);
        let face = fonts.face_for("张伟 3101**********1234").unwrap();
        assert!(face.origin.contains("embedded"));
        // Ideographs are one em wide; Latin is proportional and narrower.
        assert!((face.advance('张') - 1.0).abs() < 1e-6);
        assert!(face.advance('i') < 0.5);
    }

    #[test]
    fn a_named_font_missing_a_character_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("font.otf");
        std::fs::write(&path, EMBEDDED).unwrap();
        let fonts = Fonts::from_file(&path, 0).unwrap();
        let err = fonts.face_for("王𠀀明𪚥").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("𠀀 (U+20000)"), "{message}");
        assert!(message.contains("𪚥 (U+2A6A5)"), "{message}");
        assert!(message.contains("font.otf"), "{message}");
        assert!(!message.contains("王"), "{message}");
    }

    #[test]
    fn the_embedded_font_fails_loudly_when_no_font_anywhere_has_the_character() {
        // A private-use character: no system font maps it either.
        let err = Fonts::embedded()
            .unwrap()
            .face_for("张\u{F0001}")
            .unwrap_err();
        assert!(err.to_string().contains("U+F0001"), "{err}");
    }

    #[test]
    fn unreadable_font_files_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.ttf");
        assert!(Fonts::from_file(&missing, 0)
            .unwrap_err()
            .to_string()
            .contains("nope.ttf"));
        let junk = dir.path().join("junk.ttf");
        std::fs::write(&junk, b"not a font").unwrap();
        let err = Fonts::from_file(&junk, 0).unwrap_err().to_string();
        assert!(err.contains("junk.ttf") && err.contains("face 0"), "{err}");
    }
}
