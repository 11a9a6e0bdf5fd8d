//! The one way out to the user: every line of text, every JSON document and every message on
//! stderr of a command goes through a [`Printer`].
//!
//! It knows the output format, `--quiet`, whether to colour, the language (`--lang`) and the
//! terminal's width. Text that came from inputs (names, file names, rulebook text) is escaped
//! before it is styled ([`crate::text::escape`]), so no control character of an input reaches the
//! terminal. On a terminal long lines are wrapped to its width, a CJK character counting two
//! columns; a pipe gets the lines unwrapped. A closed pipe (`| head`) ends the program quietly.

use std::io::{IsTerminal, Write};

use crate::messages::{Lang, Words};

/// Text or JSON.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// How a piece of text is shown on a colour terminal.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Ok,
    Bad,
    Warn,
    Dim,
    Bold,
}

impl Tone {
    fn code(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Ok => Some("32"),
            Tone::Bad => Some("31"),
            Tone::Warn => Some("33"),
            Tone::Dim => Some("2"),
            Tone::Bold => Some("1"),
        }
    }
}

impl From<crate::finding::Severity> for Tone {
    fn from(s: crate::finding::Severity) -> Tone {
        match s {
            crate::finding::Severity::Error => Tone::Bad,
            crate::finding::Severity::Warning => Tone::Warn,
        }
    }
}

/// Where output goes and how it looks.
pub struct Printer {
    pub format: Format,
    pub quiet: bool,
    pub color: bool,
    pub lang: Lang,
    /// The terminal's width in columns; `None` for a pipe or a file (no wrapping).
    pub width: Option<usize>,
}

impl Printer {
    /// A printer for this process: colour and wrapping only when stdout is a terminal.
    pub fn new(format: Format, quiet: bool, color: Option<bool>, lang: Lang) -> Printer {
        let tty = std::io::stdout().is_terminal();
        let color = color
            .unwrap_or_else(|| tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()));
        let width = if tty {
            terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(20))
        } else {
            None
        };
        Printer {
            format,
            quiet,
            color,
            lang,
            width,
        }
    }

    /// A printer for tests and in-process callers: no colour, no wrapping.
    pub fn plain(format: Format, lang: Lang) -> Printer {
        Printer {
            format,
            quiet: false,
            color: false,
            lang,
            width: None,
        }
    }

    /// The words of this run's language.
    pub fn words(&self) -> &'static Words {
        self.lang.words()
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// `s` in `tone` (ANSI colour on a colour terminal). `s` must already be escaped.
    pub fn paint(&self, tone: Tone, s: &str) -> String {
        match tone.code() {
            Some(code) if self.color && !s.is_empty() => format!("\x1b[{code}m{s}\x1b[0m"),
            _ => s.to_string(),
        }
    }

    /// Text from an input (a name, a file name), escaped and in `tone`.
    pub fn input(&self, tone: Tone, s: &str) -> String {
        self.paint(tone, &crate::text::escape(s))
    }

    /// Writes text to stdout: wrapped to the terminal's width when there is one.
    pub fn out(&self, text: &str) {
        // Never an ID number in full on the screen (SPEC §9).
        let text = crate::privacy::mask_text(text);
        let text = match self.width {
            Some(w) => wrap(&text, w),
            None => text.into_owned(),
        };
        write_or_exit(&mut std::io::stdout().lock(), text.as_bytes());
    }

    /// Writes one line to stdout.
    pub fn line(&self, text: &str) {
        self.out(&format!("{text}\n"));
    }

    /// Writes a JSON document to stdout.
    pub fn json(&self, v: &serde_json::Value) {
        // ID numbers masked; C1 and bidirectional controls, which JSON leaves raw, escaped.
        let text = crate::privacy::json_text(&serde_json::to_string_pretty(v).unwrap_or_default());
        write_or_exit(
            &mut std::io::stdout().lock(),
            format!("{text}\n").as_bytes(),
        );
    }

    /// The results of several employees as one JSON array (a batch), or the one object.
    pub fn json_results(&self, values: Vec<serde_json::Value>, batch: bool) {
        let v = if batch {
            serde_json::Value::Array(values)
        } else {
            values.into_iter().next().unwrap_or_default()
        };
        self.json(&v);
    }

    /// Writes a message to stderr (not wrapped: messages are short, and may be logged).
    pub fn err(&self, text: &str) {
        // A stderr that cannot be written is ignored: it must not change the exit code (a
        // closed stderr pipe would otherwise end the run with 0 whatever it found).
        let text = crate::privacy::mask_text(text);
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(format!("{text}\n").as_bytes());
        let _ = e.flush();
    }
}

/// Writes `bytes`; a closed pipe ends the program quietly (exit 0, as `head` asked for no
/// more), any other failure (a full disk) with a message and exit 2.
fn write_or_exit(w: &mut dyn Write, bytes: &[u8]) {
    if let Err(e) = w.write_all(bytes).and_then(|()| w.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
        std::process::exit(2);
    }
}

/// Terminal columns of a string: CJK and full-width characters take two, ANSI colour codes none.
pub fn width(s: &str) -> usize {
    let mut w = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // An SGR sequence we wrote: ESC [ … m.
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
            continue;
        }
        w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    w
}

/// `s` padded with spaces to `cols` terminal columns.
pub fn pad(s: &str, cols: usize) -> String {
    format!("{s}{}", " ".repeat(cols.saturating_sub(width(s))))
}

/// Wraps every line of `text` to `cols` columns, continuing under the line's indentation.
/// Breaks at a space where there is one, else between any two CJK characters.
pub fn wrap(text: &str, cols: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        wrap_line(line, cols, &mut out);
    }
    out
}

fn wrap_line(line: &str, cols: usize, out: &mut String) {
    if width(line) <= cols {
        out.push_str(line);
        return;
    }
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    let cont = format!("{indent}  ");
    let cont = if width(&cont) * 2 > cols {
        String::new()
    } else {
        cont
    };
    let mut col = 0;
    let mut word = String::new();
    let mut word_w = 0;
    let mut first = true;
    let flush = |word: &mut String,
                 word_w: &mut usize,
                 col: &mut usize,
                 out: &mut String,
                 first: &mut bool| {
        if *col + *word_w > cols && *col > width(&cont) {
            // Break before the word; the space that led it is dropped.
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
            out.push_str(&cont);
            *col = width(&cont);
            let w = word.trim_start_matches(' ');
            *word_w = width(w);
            out.push_str(w);
        } else {
            out.push_str(word);
        }
        *col += *word_w;
        word.clear();
        *word_w = 0;
        *first = false;
    };
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            word.push(c);
            for c in chars.by_ref() {
                word.push(c);
                if c == 'm' {
                    break;
                }
            }
            continue;
        }
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        // A space ends a word (it stays with the next one); a wide character is a word alone.
        if c == ' ' && !word.trim_start().is_empty() || (w == 2 && !word.is_empty()) {
            flush(&mut word, &mut word_w, &mut col, out, &mut first);
        }
        word.push(c);
        word_w += w;
        if w == 2 {
            flush(&mut word, &mut word_w, &mut col, out, &mut first);
        }
    }
    if !word.is_empty() {
        flush(&mut word, &mut word_w, &mut col, out, &mut first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_columns_and_colour_none() {
        assert_eq!(width("身份证"), 6);
        assert_eq!(width("id-card"), 7);
        assert_eq!(width("\x1b[31m✗\x1b[0m 缺"), 4);
        assert_eq!(pad("结婚证", 8), "结婚证  ");
    }

    #[test]
    fn a_pipe_gets_lines_unwrapped_a_terminal_wrapped_lines() {
        let line = "  [ ] 身份证  原件 + 复印件 1 份  扫描 2 页（正面、反面），或 1 页（正反面） · id-card · 本人";
        let p = Printer::plain(Format::Text, Lang::Zh);
        assert!(p.width.is_none());
        let wrapped = wrap(line, 40);
        for l in wrapped.lines() {
            assert!(width(l) <= 40, "{l:?} is {} columns", width(l));
        }
        assert!(wrapped.lines().count() > 1);
        // Nothing lost but the spaces at the breaks and the continuation indent.
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squash(&wrapped), squash(line));
        // Continuation lines are indented under the line's own indentation.
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("    ")));
    }

    #[test]
    fn a_short_line_is_left_alone() {
        assert_eq!(wrap("✓ 身份证 (id-card)\n", 80), "✓ 身份证 (id-card)\n");
    }

    #[test]
    fn latin_words_are_not_broken() {
        let wrapped = wrap(
            "error: scans/passport.jpg: the content is not a scan at all",
            24,
        );
        for l in wrapped.lines() {
            assert!(width(l) <= 24 || !l.trim().contains(' '), "{l:?}");
        }
        assert!(wrapped.contains("scans/passport.jpg:"));
    }

    #[test]
    fn colour_only_when_asked() {
        let mut p = Printer::plain(Format::Text, Lang::Zh);
        assert_eq!(p.paint(Tone::Bad, "✗"), "✗");
        p.color = true;
        assert_eq!(p.paint(Tone::Bad, "✗"), "\x1b[31m✗\x1b[0m");
        assert_eq!(p.paint(Tone::Plain, "x"), "x");
        assert_eq!(
            p.input(Tone::Plain, "a\x1b]0;pwned\x07b"),
            crate::text::escape("a\x1b]0;pwned\x07b")
        );
    }
}
