//! Reading the input files: their text (UTF-8, or GB 18030 with a warning) and the batch's
//! `company.toml`, whose employer keys every employee inherits.

use super::parse::Tbl;
use super::*;

/// The text of an input file: UTF-8, or else GB 18030 (what Notepad saves as "ANSI" on a
/// Chinese Windows, a superset of GBK and GB 2312) with a warning to save it as UTF-8. Bytes
/// that are neither are an error located at the first byte that is not UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<(String, Option<crate::messages::Text>), Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(t) => Ok((t, None)),
        Err(e) => {
            let bytes = e.as_bytes();
            if let Some(text) =
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            {
                // GB 18030 decodes almost any byte string; text with control characters in it
                // is not a TOML file saved by an editor but something else.
                if !text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    let w = t!(
                        "文件为 GBK 编码，已按 GB 18030 读取：请另存为 UTF-8（记事本：另存为 → 编码 UTF-8）",
                        "the file is saved as GB 18030/GBK (\"ANSI\"), not UTF-8: save it as UTF-8 (Notepad: Save as → Encoding UTF-8)"
                    );
                    return Ok((text.into_owned(), Some(w)));
                }
            }
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            Err(Diagnostic::at(
                &lossy,
                at..at + 1,
                t!(
                    "文件不是 UTF-8 编码：请另存为 UTF-8，或从 `dossier init` 重新开始",
                    "the file is not UTF-8 text: save it as UTF-8, or start again from `dossier init`"
                ),
            ))
        }
    }
}

/// The `company.toml` that an employee folder inherits: the one in the folder holding it (the
/// batch root), found also when the employee folder is given alone.
pub fn company_path(applicant_toml: &Path) -> Option<PathBuf> {
    let dir = match applicant_toml.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let root = std::fs::canonicalize(dir)
        .ok()?
        .parent()?
        .join(COMPANY_FILE);
    root.exists().then_some(root)
}

/// The file name of a batch's employer data.
pub const COMPANY_FILE: &str = "company.toml";

/// The employer data of a batch (`company.toml`, an `[employer]` table with the keys of
/// `applicant.toml`'s, each optional): what every employee of the batch inherits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Company {
    pub path: PathBuf,
    pub employer: PartialEmployer,
    pub warnings: Vec<crate::messages::Text>,
}

/// Employer keys as far as they are given; each validated like in `applicant.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartialEmployer {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub district: Option<String>,
    pub kind: Option<String>,
    pub dispatched: Option<bool>,
    pub hr_name: Option<String>,
    pub hr_phone: Option<String>,
}

impl Company {
    /// Reads and validates a `company.toml`.
    pub fn load(path: &Path, districts: &[String], today: Date) -> Result<Company, Error> {
        let (text, warning) = read_text(path)?;
        let employer =
            Company::parse(&text, districts, today).map_err(|diagnostics| Error::Applicant {
                path: path.into(),
                diagnostics,
            })?;
        Ok(Company {
            path: path.to_path_buf(),
            employer,
            warnings: warning.into_iter().collect(),
        })
    }

    /// Parses the text of a `company.toml`: its `[employer]` table, every key optional.
    pub fn parse(
        text: &str,
        districts: &[String],
        today: Date,
    ) -> Result<PartialEmployer, Vec<Diagnostic>> {
        parse_toml(text, None, districts, today, |p, root| {
            let top = Tbl {
                name: String::new(),
                table: root,
                span: 0..0,
            };
            p.unknown_keys(&top, &["employer"]);
            let t = p.sub_table(&top, "employer", true)?;
            Some(p.employer_keys(&t))
        })
    }
}

/// An input file's text (see [`decode`]), with the warning decoding gave, if any.
pub(super) fn read_text(path: &Path) -> Result<(String, Option<crate::messages::Text>), Error> {
    // Regular files under 1 MB only: a FIFO or a device is an error, never a hang (SPEC §9).
    let what = if path.ends_with("company.toml") {
        "company file"
    } else {
        "applicant file"
    };
    let bytes = crate::input::read_bounded(path, crate::input::MAX_TEXT_INPUT, what)?;
    decode(bytes).map_err(|d| Error::Applicant {
        path: path.into(),
        diagnostics: vec![d],
    })
}
