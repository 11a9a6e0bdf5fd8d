//! The one error type for failures that stop a command (exit 2): unreadable or invalid input
//! files, a bad rulebook, bad arguments. Problems with scans are not errors but findings.
//!
//! Invariant: every variant names the file it is about; located problems carry line and column
//! and render with the offending source line and a caret, like a compiler.

use std::path::PathBuf;

use crate::messages::{Lang, Text};
use crate::t;

/// One located problem inside a text file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    pub message: Text,
    /// The source line, for the caret display.
    pub source_line: String,
    /// Width of the caret underline in terminal columns (at least 1): a CJK character is two.
    pub width: usize,
    /// The column of the caret in `source_line`, which is a window of a long line.
    pub shown_column: usize,
}

impl Diagnostic {
    /// A diagnostic for a byte span of `text`.
    pub fn at(text: &str, span: std::ops::Range<usize>, message: impl Into<Text>) -> Diagnostic {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len()).max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = crate::printer::width(&text[start..end.min(line_end).max(start)]).max(1);
        // A line may be megabytes long: the diagnostic shows a window of it around the caret.
        let (source_line, shown_column) = window(
            text[line_start..line_end].trim_end_matches('\r'),
            column,
            MAX_QUOTE_CHARS,
        );
        Diagnostic {
            line,
            column,
            message: clip_text(message.into()),
            // The source line is shown under the message: never an ID number in full (SPEC §9),
            // not even a mistyped one on the line that holds it.
            source_line: mask_id_numbers(&source_line),
            width: width.min(MAX_QUOTE_CHARS),
            shown_column,
        }
    }

    /// A diagnostic with no position in the file (a missing table, say): line 0.
    pub fn whole_file(message: impl Into<Text>) -> Diagnostic {
        Diagnostic {
            line: 0,
            column: 0,
            message: clip_text(message.into()),
            source_line: String::new(),
            width: 0,
            shown_column: 0,
        }
    }
}

/// At most this many characters of an input value are quoted in a diagnostic (SPEC §9).
pub const MAX_QUOTE_CHARS: usize = 200;

/// An input value as a message quotes it: at most [`MAX_QUOTE_CHARS`] characters, the start
/// and the end of a longer one around `…`, which says how much was left out.
pub fn clip_quote(s: &str) -> String {
    clip_to(s, MAX_QUOTE_CHARS)
}

/// A message line holds some fixed words and at most one or two quoted values.
fn clip_line(s: &str, lang: Lang) -> String {
    clip_to_in(s, 3 * MAX_QUOTE_CHARS, lang)
}

/// A message in both languages, each clipped in its own words.
fn clip_text(t: Text) -> Text {
    Text {
        zh: clip_line(&t.zh, Lang::Zh),
        en: clip_line(&t.en, Lang::En),
    }
}

fn clip_to(s: &str, max: usize) -> String {
    clip_to_in(s, max, Lang::Zh)
}

fn clip_to_in(s: &str, max: usize, lang: Lang) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head = max * 2 / 3;
    let tail = max - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    let left = n - max;
    match lang {
        Lang::Zh => format!("{start}…（略去 {left} 字）…{end}"),
        Lang::En => format!("{start}…({left} characters left out)…{end}"),
    }
}

/// A window of at most `max` characters of `line` around the 1-based character `column`, and
/// the column of that character inside the window.
fn window(line: &str, column: usize, max: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= max {
        return (line.to_string(), column);
    }
    let col0 = column.saturating_sub(1).min(n);
    let start = col0.saturating_sub(max / 3).min(n - max);
    let piece: String = line.chars().skip(start).take(max).collect();
    let lead = if start > 0 { "…" } else { "" };
    let trail = if start + max < n { "…" } else { "" };
    (
        format!("{lead}{piece}{trail}"),
        col0 - start + 1 + lead.chars().count(),
    )
}

/// Masks the ID numbers in a line of an input file shown in a diagnostic, keeping the first 4
/// and last 4: every run of 18 digits (check character or not), and on a line that holds an
/// ID number (`id_number`, `身份证`) any run of 15 or more ID characters, however mistyped
/// (spaces, hyphens, full-width digits), so that error output never shows one in full.
pub fn mask_id_numbers(line: &str) -> String {
    let lower = line.to_lowercase();
    if lower.contains("id_number") || line.contains("身份证") {
        let known = crate::privacy::known_ids();
        let masked = crate::idnum::mask_ids_in(line, '*', &known, crate::idnum::MaskMode::Mistyped);
        return mask_18_digit_runs(&masked);
    }
    mask_18_digit_runs(line)
}

fn mask_18_digit_runs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let id_like = run == 18 || (run == 17 && matches!(chars.get(i + 17), Some('X' | 'x')));
        let before_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if id_like && before_ok {
            let id: String = chars[i..i + 18].iter().collect();
            out.push_str(&crate::idnum::mask(&id));
            i += 18;
        } else if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: Text },
    /// `applicant.toml` holds problems; all of them are listed.
    #[error("{path}: 申请人信息文件有 {} 处问题", diagnostics.len())]
    Applicant {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    /// The rulebook holds problems; all of them are listed.
    #[error("{path}: 规则文件有 {} 处问题", diagnostics.len())]
    Rulebook {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    /// The folder given is not an employee folder nor a batch of them.
    #[error("{path}: {message}")]
    Folder { path: PathBuf, message: Text },
    #[error("{0}")]
    Usage(Text),
    /// The Excel roster holds problems; all of them are listed, each at its cell (`员工!G5`).
    #[error("{}: 花名册有 {} 处问题", .0.path.display(), .0.problems.len())]
    Roster(crate::roster::Invalid),
    /// A rule could not be evaluated for this applicant (a rulebook bug surfacing at run time).
    /// The message starts with the rule's `path:line`.
    #[error("{message}")]
    Evaluation { path: PathBuf, message: Text },
    /// A PDF could not be made (a font without a glyph, a template that does not render).
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    /// A bundle or another output could not be written.
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    #[error("{0}")]
    Other(Text),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, err: &std::io::Error) -> Error {
        let path = path.into();
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => t!("找不到该文件或文件夹", "not found"),
            std::io::ErrorKind::PermissionDenied => t!("没有权限", "permission denied"),
            std::io::ErrorKind::AlreadyExists => t!("已存在", "already exists"),
            std::io::ErrorKind::NotADirectory => t!("不是文件夹", "not a folder"),
            std::io::ErrorKind::IsADirectory => t!("是文件夹，不是文件", "is a folder, not a file"),
            std::io::ErrorKind::StorageFull => t!("磁盘已满", "the disk is full"),
            std::io::ErrorKind::ReadOnlyFilesystem => t!("磁盘只读", "read-only file system"),
            // What the system says, in its words, with the error's own number.
            _ => Text::same(err.to_string()),
        };
        Error::Io { path, message }
    }

    /// Renders the error in Chinese, the default language (JSON output, and callers with no
    /// language of their own): [`render_in`](Error::render_in).
    pub fn render(&self) -> String {
        self.render_in(Lang::Zh)
    }

    /// Renders the error in `lang`, with every diagnostic, source line and caret.
    pub fn render_in(&self, lang: Lang) -> String {
        use std::fmt::Write;
        let (path, diags) = match self {
            Error::Applicant { path, diagnostics } | Error::Rulebook { path, diagnostics } => {
                (path, diagnostics)
            }
            Error::Roster(r) => return r.render_in(lang),
            Error::Io { path, message } | Error::Folder { path, message } => {
                return format!(
                    "{}{}: {}",
                    error_word(lang),
                    path.display(),
                    clip_line(message.get(lang), lang)
                );
            }
            Error::Usage(message) | Error::Other(message) | Error::Evaluation { message, .. } => {
                return format!("{}{}", error_word(lang), clip_line(message.get(lang), lang));
            }
            Error::Bundle(e) => {
                return format!(
                    "{}{}",
                    error_word(lang),
                    clip_line(e.text().get(lang), lang)
                )
            }
            Error::Render(e) => {
                return format!(
                    "{}{}",
                    error_word(lang),
                    clip_line(e.text().get(lang), lang)
                )
            }
        };
        let mut out = String::new();
        for d in diags {
            let message = d.message.get(lang);
            if d.line == 0 {
                let _ = writeln!(out, "{}{}: {message}", error_word(lang), path.display());
                continue;
            }
            let _ = writeln!(
                out,
                "{}{}:{}:{}: {message}",
                error_word(lang),
                path.display(),
                d.line,
                d.column,
            );
            let gutter = d.line.to_string().len();
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{} | {}", d.line, d.source_line);
            // The caret goes under the column where the problem starts: a CJK character before
            // it takes two columns, a tab stays a tab.
            let pad: String = d
                .source_line
                .chars()
                .take(d.shown_column.saturating_sub(1))
                .map(|c| {
                    if c == '\t' {
                        "\t".to_string()
                    } else {
                        " ".repeat(unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                    }
                })
                .collect();
            let _ = writeln!(out, "{:gutter$} | {pad}{}", "", "^".repeat(d.width));
        }
        let company = path
            .file_name()
            .is_some_and(|n| n == crate::profile::COMPANY_FILE);
        let (kind, zh) = if company {
            ("company file", "单位信息文件")
        } else if matches!(self, Error::Applicant { .. }) {
            ("applicant file", "申请人信息文件")
        } else {
            ("rulebook", "规则文件")
        };
        let n = diags.len();
        let path = path.display();
        let _ = match lang {
            Lang::Zh => write!(out, "{zh} {path} 共 {n} 处问题，全部改正后再运行"),
            Lang::En => write!(
                out,
                "{n} problem(s) in the {kind} {path}: correct them all, then run again"
            ),
        };
        out
    }
}

/// What starts an error line: `错误：` in Chinese (as a finding says `错误[code]`), `error: `
/// in English.
pub fn error_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "错误：",
        Lang::En => "error: ",
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_lines_up_under_cjk_text() {
        let text = "marital_status = \"已昏\"\n";
        let start = text.find('已').unwrap_or(0);
        let d = Diagnostic::at(text, start..start + "已昏".len(), "not a choice");
        let e = Error::Applicant {
            path: "applicant.toml".into(),
            diagnostics: vec![d],
        };
        let out = e.render();
        let lines: Vec<&str> = out.lines().collect();
        let src = lines
            .iter()
            .find(|l| l.contains("已昏"))
            .expect("source line");
        let caret = lines.iter().find(|l| l.contains('^')).expect("caret line");
        let col = |l: &str, at: usize| crate::printer::width(&l[..at]);
        let src_at = src.find('已').unwrap_or(0);
        let caret_at = caret.find('^').unwrap_or(0);
        assert_eq!(col(src, src_at), col(caret, caret_at), "{out}");
        // Two CJK characters: four columns of carets.
        assert_eq!(caret.matches('^').count(), 4, "{out}");
    }

    #[test]
    fn id_numbers_are_masked_in_source_lines() {
        let text = "id_number = \"31010419900307123X\"  # 310104199003071234";
        let d = Diagnostic::at(text, 0..1, "x");
        assert_eq!(
            d.source_line,
            "id_number = \"3101**********123X\"  # 3101**********1234"
        );
        assert_eq!(mask_id_numbers("phone 13812345678"), "phone 13812345678");
    }

    #[test]
    fn diagnostic_positions_count_characters() {
        let text = "a = 1\nname = \"张伟\" x\n";
        let at = text.find('x').unwrap();
        let d = Diagnostic::at(text, at..at + 1, "stray");
        assert_eq!((d.line, d.column), (2, 13));
        assert_eq!(d.source_line, "name = \"张伟\" x");
    }
}
