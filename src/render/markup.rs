//! The line-based page markup that the templates produce and the layout engine reads.
//!
//! A template renders (through tera) to plain text, one directive per line; [`parse`] turns that
//! text into [`Block`]s. The markup is documented for template editors in `docs/templates.md`
//! and at the top of each template; this module is its one definition.
//!
//! Invariants: parsing never panics and never guesses — an unknown directive, a table row with
//! the wrong number of cells or a `row:` outside a table is an error naming the line. Text
//! fields are unescaped exactly once here (`\|` → `|`, `\\` → `\`, `\{` → `{`), which mirrors
//! the escape function that tera applies to every `{{ value }}` (see [`escape`]), so data can
//! never inject a directive, a cell separator or a page-number placeholder.

/// Stands for the current page number in `header:` and `footer:` text (`{page}` in the markup).
pub const PAGE: char = '\u{E000}';
/// Stands for the page count in `header:` and `footer:` text (`{pages}` in the markup).
pub const PAGES: char = '\u{E001}';

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One table column: its share of the text width and its alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub weight: f32,
    pub align: Align,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A tick box to tick by hand (`[ ]`), or already ticked (`[x]`).
    Tick(bool),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Header rows, repeated at the top of every page the table spans.
    pub head: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
}

/// One block of the page, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The PDF document title (metadata only).
    DocTitle(String),
    /// Running header from this page on: left and right text.
    Header(String, String),
    /// Running footer for the whole document: left and right text.
    Footer(String, String),
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    /// Small grey print.
    Note(String),
    /// Consecutive `kv:` lines, one row each: one or two label and value pairs per row.
    KeyValues(Vec<Vec<(String, String)>>),
    Table(Table),
    /// Signature fields side by side: each label gets a line to write on.
    Signatures(Vec<String>),
    Rule,
    /// Vertical space in millimetres.
    Space(f32),
    PageBreak,
    /// `keep` … `endkeep`: what lies between stays on one page when it fits on one (it moves
    /// to the next page rather than being split).
    KeepStart,
    KeepEnd,
}

/// A markup problem: the 1-based line of the rendered markup, that line, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkupError {
    pub line: usize,
    pub text: String,
    pub message: String,
}

/// The escape function tera applies to every `{{ value }}` in a template: data cannot break a
/// line, split a cell or name a placeholder. Control characters become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Parses rendered markup into blocks.
pub fn parse(src: &str) -> Result<Vec<Block>, MarkupError> {
    let mut blocks = Vec::new();
    let mut table: Option<(usize, Table)> = None;
    let mut keeps = 0usize;
    for (i, raw) in src.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let err = |message: String| MarkupError {
            line: line_no,
            text: line.to_string(),
            message,
        };
        let (directive, rest) = split_directive(line);
        if let Some((_, t)) = table.as_mut() {
            match directive {
                "head" | "row" => {
                    let cells = split_cells(rest).into_iter().map(cell).collect::<Vec<_>>();
                    if cells.len() != t.columns.len() {
                        return Err(err(format!(
                            "this row has {} cell(s) but the table has {} column(s)",
                            cells.len(),
                            t.columns.len()
                        )));
                    }
                    if directive == "head" {
                        if !t.rows.is_empty() {
                            return Err(err(
                                "`head:` rows must come before the first `row:`".into()
                            ));
                        }
                        t.head.push(cells);
                    } else {
                        t.rows.push(cells);
                    }
                    continue;
                }
                "endtable" => {
                    if let Some((_, t)) = table.take() {
                        blocks.push(Block::Table(t));
                    }
                    continue;
                }
                _ => {
                    return Err(err(format!(
                        "`{directive}` inside a table (close it with `endtable` first)"
                    )))
                }
            }
        }
        let block = match directive {
            "#" => Block::Title(text(rest)),
            "##" => Block::Heading(text(rest)),
            "###" => Block::Subheading(text(rest)),
            "p" => Block::Paragraph(text(rest)),
            "note" => Block::Note(text(rest)),
            "doctitle" => Block::DocTitle(text(rest)),
            "header" | "footer" => {
                let mut parts = split_cells(rest).into_iter().map(placeholders);
                let left = parts.next().unwrap_or_default();
                let right = parts.next().unwrap_or_default();
                if parts.next().is_some() {
                    return Err(err(format!(
                        "`{directive}:` takes at most two parts: left | right"
                    )));
                }
                if directive == "header" {
                    Block::Header(left, right)
                } else {
                    Block::Footer(left, right)
                }
            }
            "kv" => {
                let parts = split_cells(rest);
                if parts.len() != 2 && parts.len() != 4 {
                    return Err(err(
                        "`kv:` takes two parts (label | value) or four (label | value | label | value)".into(),
                    ));
                }
                let texts: Vec<String> = parts.iter().map(|p| text(p)).collect();
                let row: Vec<(String, String)> = texts
                    .chunks(2)
                    .map(|p| (p[0].clone(), p[1].clone()))
                    .collect();
                if let Some(Block::KeyValues(rows)) = blocks.last_mut() {
                    rows.push(row);
                    continue;
                }
                Block::KeyValues(vec![row])
            }
            "sign" => Block::Signatures(split_cells(rest).iter().map(|p| text(p)).collect()),
            "table" => {
                let columns = split_cells(rest)
                    .iter()
                    .map(|c| column(c))
                    .collect::<Option<Vec<_>>>()
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        err("`table:` needs column widths such as `8^ | 40 | 12>` (a number, then ^ centre or > right)"
                            .into())
                    })?;
                table = Some((
                    line_no,
                    Table {
                        columns,
                        ..Table::default()
                    },
                ));
                continue;
            }
            "head" | "row" | "endtable" => {
                return Err(err(format!("`{directive}` outside a table")))
            }
            "hr" => Block::Rule,
            "pagebreak" => Block::PageBreak,
            "keep" => {
                keeps += 1;
                Block::KeepStart
            }
            "endkeep" => {
                if keeps == 0 {
                    return Err(err("`endkeep` without a `keep` before it".into()));
                }
                keeps -= 1;
                Block::KeepEnd
            }
            "space" => match rest.trim().parse::<f32>() {
                Ok(mm) if mm.is_finite() && (0.0..=200.0).contains(&mm) => Block::Space(mm),
                _ => {
                    return Err(err(
                        "`space:` takes a height in millimetres, 0 to 200".into()
                    ))
                }
            },
            other => {
                return Err(err(format!(
                    "unknown directive `{other}`; see docs/templates.md"
                )))
            }
        };
        blocks.push(block);
    }
    if let Some((line, _)) = table {
        let text = src
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .trim()
            .to_string();
        return Err(MarkupError {
            line,
            text,
            message: "this table has no `endtable`".into(),
        });
    }
    Ok(blocks)
}

/// Splits `directive: rest`, or the heading forms `# text`, or a bare word (`hr`).
fn split_directive(line: &str) -> (&str, &str) {
    if line.starts_with('#') {
        let hashes = line.len() - line.trim_start_matches('#').len();
        return (&line[..hashes], line[hashes..].trim());
    }
    match line.split_once(':') {
        Some((d, rest)) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_lowercase()) => {
            (d, rest.trim())
        }
        _ => (line, ""),
    }
}

/// Splits on unescaped `|`, keeping escapes for [`text`] to resolve.
fn split_cells(s: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
            }
            '|' => cells.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Resolves escapes; tabs and other control characters become spaces.
fn text(s: &str) -> String {
    unescape(s, false)
}

/// Like [`text`], but unescaped `{page}` and `{pages}` become [`PAGE`] and [`PAGES`].
fn placeholders(s: String) -> String {
    unescape(&s, true)
}

fn unescape(s: &str, placeholders: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if placeholders && rest.starts_with("{page}") {
            out.push(PAGE);
            rest = &rest["{page}".len()..];
            continue;
        }
        if placeholders && rest.starts_with("{pages}") {
            out.push(PAGES);
            rest = &rest["{pages}".len()..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        let c = if c == '\\' {
            match rest.chars().next() {
                Some(next) => {
                    rest = &rest[next.len_utf8()..];
                    next
                }
                None => c,
            }
        } else {
            c
        };
        out.push(if c.is_control() || c == PAGE || c == PAGES {
            ' '
        } else {
            c
        });
    }
    out
}

fn cell(s: String) -> Cell {
    match s.as_str() {
        "[ ]" | "[]" => Cell::Tick(false),
        "[x]" | "[X]" => Cell::Tick(true),
        _ => Cell::Text(text(&s)),
    }
}

/// `30`, `8^` (centred), `12>` (right-aligned), `40<` (left, the default).
fn column(s: &str) -> Option<Column> {
    let (num, align) = match s.chars().last()? {
        '^' => (&s[..s.len() - 1], Align::Center),
        '>' => (&s[..s.len() - 1], Align::Right),
        '<' => (&s[..s.len() - 1], Align::Left),
        _ => (s, Align::Left),
    };
    let weight: f32 = num.trim().parse().ok()?;
    (weight.is_finite() && weight > 0.0).then_some(Column { weight, align })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_directive() {
        let src = "doctitle: 封面\nheader: 左 | 右\nfooter: 版本 | 第 {page} / {pages} 页\n# 标题\n## 小标题\n\
                   ### 三级\np: 段落\nnote: 小字\nkv: 姓名 | 张伟\nkv: 单位 | 上海 | 区 | 浦东\n\
                   table: 8^ | 40 | 12>\nhead: 序号 | 材料 | 份数\nrow: 1 | 身份证 | [ ]\nrow: 2 | 户口簿 | [x]\nendtable\n\
                   sign: 经办人 | 日期\nhr\nspace: 4\npagebreak\n";
        let blocks = parse(src).unwrap();
        assert_eq!(blocks[0], Block::DocTitle("封面".into()));
        assert_eq!(blocks[1], Block::Header("左".into(), "右".into()));
        assert_eq!(
            blocks[2],
            Block::Footer("版本".into(), format!("第 {PAGE} / {PAGES} 页"))
        );
        assert_eq!(blocks[3], Block::Title("标题".into()));
        assert_eq!(blocks[4], Block::Heading("小标题".into()));
        assert_eq!(blocks[5], Block::Subheading("三级".into()));
        assert_eq!(blocks[6], Block::Paragraph("段落".into()));
        assert_eq!(blocks[7], Block::Note("小字".into()));
        assert_eq!(
            blocks[8],
            Block::KeyValues(vec![
                vec![("姓名".into(), "张伟".into())],
                vec![("单位".into(), "上海".into()), ("区".into(), "浦东".into())]
            ])
        );
        let Block::Table(t) = &blocks[9] else {
            panic!("not a table: {:?}", blocks[9])
        };
        assert_eq!(
            t.columns[0],
            Column {
                weight: 8.0,
                align: Align::Center
            }
        );
        assert_eq!(t.columns[2].align, Align::Right);
        assert_eq!(t.head.len(), 1);
        assert_eq!(t.rows[0][2], Cell::Tick(false));
        assert_eq!(t.rows[1][2], Cell::Tick(true));
        assert_eq!(
            blocks[10],
            Block::Signatures(vec!["经办人".into(), "日期".into()])
        );
        assert_eq!(
            &blocks[11..],
            &[Block::Rule, Block::Space(4.0), Block::PageBreak]
        );
    }

    #[test]
    fn escaped_data_stays_data() {
        let name = escape("A|B\\C {page}\n# 标题");
        let blocks = parse(&format!(
            "table: 1 | 1\nrow: {name} | x\nendtable\nfooter: {name}"
        ))
        .unwrap();
        let Block::Table(t) = &blocks[0] else {
            panic!()
        };
        assert_eq!(t.rows[0][0], Cell::Text("A|B\\C {page} # 标题".into()));
        assert_eq!(
            blocks[1],
            Block::Footer("A|B\\C {page} # 标题".into(), String::new())
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("p: ok\ntable: 1 | 1\nrow: a | b | c\nendtable").unwrap_err();
        assert_eq!((e.line, e.text.as_str()), (3, "row: a | b | c"));
        assert!(e.message.contains("3 cell(s)"), "{}", e.message);
        assert_eq!(parse("p: a\nfrobnicate: x").unwrap_err().line, 2);
        assert_eq!(
            parse("row: a").unwrap_err().message,
            "`row` outside a table"
        );
        assert_eq!(parse("table: 1\nrow: a").unwrap_err().line, 1);
        assert!(parse("table: 0 | x").is_err());
        assert!(parse("space: -3").is_err());
        assert!(parse("kv: a | b | c").is_err());
        assert!(parse("table: 1\np: x\nendtable").is_err());
    }
}
