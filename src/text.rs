//! Text from inputs made safe to show: control characters escaped (long quotes are clipped
//! where messages are made, [`crate::error::clip_quote`]).
//!
//! A file name, a ZIP entry name, an applicant's name or a rulebook's text can hold anything,
//! ESC sequences included, which a terminal would obey (retitle, clear, recolour). Everything
//! that came from an input passes through [`escape`] before the printer styles it.

/// `s` with every control character (C0 but tab, DEL, C1) and every bidirectional override or
/// isolate (U+202A–U+202E, U+2066–U+2069, which reorder what the clerk reads) shown as `\u{…}`.
/// Line breaks are kept only when `s` is a block of text: a name never holds one, so in a name
/// `\n` is escaped too ([`escape_name`]).
pub fn escape(s: &str) -> String {
    escape_with(s, true)
}

/// [`escape`] for a single-line value (a name, a path): line breaks are escaped too.
pub fn escape_name(s: &str) -> String {
    escape_with(s, false)
}

fn escape_with(s: &str, keep_newlines: bool) -> String {
    if !s.chars().any(|c| needs_escape(c, keep_newlines)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c, keep_newlines) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' => !keep_newlines,
        '\t' => false,
        c if c.is_control() => true,
        c => invisible_format(c),
    }
}

/// A character that changes how the text around it reads without being seen: the bidirectional
/// marks, overrides and isolates (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), the line and
/// paragraph separators (U+2028/9, a line break to some terminals), and the invisible ones
/// that make two names look alike (zero-width space and joiners U+200B–U+200D, word joiner
/// U+2060, BOM U+FEFF, soft hyphen U+00AD, Mongolian vowel separator U+180E). JSON output
/// escapes them too ([`crate::privacy::json_text`]).
pub fn invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_reordering_characters_are_shown() {
        for c in [
            '\u{061C}', '\u{2028}', '\u{2029}', '\u{FEFF}', '\u{200B}', '\u{00AD}', '\u{2060}',
        ] {
            let shown = escape_name(&format!("结婚证-{c}.png"));
            assert_eq!(shown, format!("结婚证-\\u{{{:x}}}.png", c as u32));
        }
        // Ordinary CJK punctuation and spaces are not touched.
        assert_eq!(escape_name("张 伟（正面）·１"), "张 伟（正面）·１");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(escape("a\x1b]0;x\x07b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape("身份证\u{202E}gpj.exe"), "身份证\\u{202e}gpj.exe");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(escape_name("two\nlines"), "two\\u{a}lines");
        assert_eq!(escape("张伟-正面.jpg"), "张伟-正面.jpg");
    }

    #[test]
    fn nothing_escaped_holds_a_control_character() {
        // Every code point below 0x100 and the bidi controls, each alone and in company.
        let all: String = (0u32..0x100)
            .chain(0x2000..0x2070)
            .filter_map(char::from_u32)
            .collect();
        for s in [all.as_str(), "\x1b[2J\x1b[H", "\u{7f}\u{85}"] {
            let e = escape_name(s);
            assert!(
                !e.chars().any(|c| needs_escape(c, false)),
                "{e:?} still holds a control character"
            );
        }
    }
}
