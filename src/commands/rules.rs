//! `dossier rules`: the effective rulebook, as its TOML text (to copy and edit) or as JSON.

use super::{ExitStatus, Session};
use crate::error::Error;

pub(super) fn run(s: &Session<'_>) -> Result<ExitStatus, Error> {
    let book = &s.ctx.book;
    if s.p.is_json() {
        // The same rulebook as data; the TOML text (with its comments) is what to edit.
        let table: toml::Table = toml::from_str(&book.source).map_err(|e| {
            Error::Other(format!("{}: {}", book.path.display(), e.message()).into())
        })?;
        s.p.json(&serde_json::to_value(&table).unwrap_or_default());
    } else {
        s.p.out(&crate::text::escape(&book.source));
    }
    Ok(ExitStatus::Success)
}
