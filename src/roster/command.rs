//! The `dossier roster` command: parses its arguments, calls [`super`] and prints what comes
//! back, as text or JSON. (It moves to `src/commands/` with the other commands.)

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::cli::{Format, Session, EXIT_FINDINGS, EXIT_OK};
use crate::error::Error;

#[derive(Subcommand, Debug)]
pub enum RosterCommand {
    /// Write the blank roster: sheet 员工 (one row per employee) and 单位 (the employer).
    New {
        /// The workbook to write (.xlsx).
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Create or update one employee folder per row of 员工, and company.toml from 单位.
    Import {
        /// The filled-in roster (.xlsx).
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
        /// The department folder the employee folders go in.
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Write the department's status: sheet 汇总 (one row per employee), 材料 (employees × items).
    Export {
        /// Employee folders, or batch folders holding them.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// The workbook to write (.xlsx).
        #[arg(short, long, value_name = "FILE.xlsx")]
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(s: &Session, cmd: &RosterCommand) -> Result<i32, Error> {
    match cmd {
        RosterCommand::New { file, force } => {
            let bytes =
                super::template::template(&s.book.district_names()).map_err(Error::Other)?;
            let path = write_file(file, &bytes, *force)?;
            if s.format == Format::Json {
                println!("{}", serde_json::json!({ "file": path }));
            } else if !s.quiet {
                println!("已创建 (created) {}", path.display());
                println!(
                    "下一步：在“员工”表每行填写一名员工，在“单位”表填写单位信息，然后运行 (next: fill in the sheets 员工 and 单位, then run) `dossier roster import {} -o DIR`",
                    path.display()
                );
            }
            Ok(EXIT_OK)
        }
        RosterCommand::Import { file, out } => {
            let done = super::import::import(file, out, &s.book.district_names(), s.date)?;
            if s.format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&done).unwrap_or_default()
                );
                return Ok(EXIT_OK);
            }
            print!("{}", import_text(&done, s.quiet));
            Ok(EXIT_OK)
        }
        RosterCommand::Export { dirs, out, force } => {
            let (bytes, summary) = super::export::export(s, dirs)?;
            let path = write_file(out, &bytes, *force)?;
            if s.format == Format::Json {
                println!(
                    "{}",
                    serde_json::json!({"file": path, "employees": summary.employees, "ready": summary.ready, "broken": summary.broken})
                );
            } else if !s.quiet {
                println!(
                    "已写入 (written) {}：{} 名员工，就绪 {}，未就绪 {} (employees, ready, not ready)",
                    path.display(),
                    summary.employees,
                    summary.ready,
                    summary.employees - summary.ready
                );
            }
            Ok(if summary.ready == summary.employees {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            })
        }
    }
}

/// What the import did, one line per folder created or changed, then the counts.
pub fn import_text(done: &super::import::Imported, quiet: bool) -> String {
    use super::import::Written;
    let mut out = String::new();
    let word = |w: Written| match w {
        Written::Created => "已创建 (created)",
        Written::Updated => "已更新 (updated)",
        Written::Unchanged => "未改变 (unchanged)",
    };
    if !quiet {
        if let Some(c) = done.company {
            if c != Written::Unchanged {
                out.push_str(&format!(
                    "{} {}\n",
                    word(c),
                    done.out.join("company.toml").display()
                ));
            }
        }
        for e in &done.employees {
            if e.status != Written::Unchanged {
                out.push_str(&format!(
                    "{}  第 {} 行 (row {})  {}  {} {}\n",
                    word(e.status),
                    e.row,
                    e.row,
                    printable(&e.folder),
                    printable(&e.name),
                    e.id_masked
                ));
            }
        }
    }
    let count = |w: Written| done.employees.iter().filter(|e| e.status == w).count();
    out.push_str(&format!(
        "{} 名员工 (employees) → {}：新建 {}，更新 {}，未改变 {}{}\n",
        done.employees.len(),
        done.out.display(),
        count(Written::Created),
        count(Written::Updated),
        count(Written::Unchanged),
        if done.skipped_rows.is_empty() {
            String::new()
        } else {
            format!(
                "；跳过空行 {} 行 (empty rows skipped)",
                done.skipped_rows.len()
            )
        }
    ));
    out
}

/// Writes a workbook the user named: atomically, private, never over a file without `--force`.
fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<PathBuf, Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(Error::Usage(format!(
                "{}: exists and is not a regular file (不是普通文件): choose another name",
                path.display()
            )))
        }
        Ok(_) if !force => {
            return Err(Error::Usage(format!(
                "{} already exists (已存在，不会覆盖): add --force to replace it",
                path.display()
            )))
        }
        _ => {}
    }
    crate::bundle::write_atomic(&dir, &name, bytes, force).map_err(crate::pack::bundle_error)?;
    Ok(path.to_path_buf())
}

/// Text from the roster as the terminal gets it: control characters shown escaped.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_debug().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
