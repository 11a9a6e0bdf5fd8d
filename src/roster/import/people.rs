//! One person, one folder: folder names a system can create, the people already in the
//! department folder, and the folder each row goes to.

use super::*;

/// Why a 文件夹 cell cannot name a folder, if it cannot.
pub(super) fn bad_folder_name(name: &str) -> Option<Text> {
    if name == "." || name == ".." || name.starts_with('.') {
        return Some(t!("不能以 . 开头", "cannot start with a dot"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || "/\\:*?\"<>|".contains(c))
    {
        return Some(t!(
            "不能含 / \\ : * ? \" < > | 或控制字符",
            "is not a folder name on every system: no / \\ : * ? \" < > | or control characters"
        ));
    }
    if name.chars().count() > 80 {
        return Some(t!("超过 80 个字符", "longer than 80 characters"));
    }
    if name.ends_with([' ', '.']) {
        return Some(t!(
            "不能以空格或 . 结尾",
            "cannot end with a space or a dot (Windows refuses it)"
        ));
    }
    if crate::platform::is_reserved_name(name) {
        return Some(t!(
            "是 Windows 保留名（如 CON、NUL、COM1）",
            "is a device name on Windows (CON, NUL, COM1 …)"
        ));
    }
    None
}

/// Who is already in the department folder: ID number → (folder, name), read leniently from
/// each sub-folder's `applicant.toml` (a broken one is simply replaced when a row names it).
pub(super) fn existing_people(out: &Path) -> HashMap<String, (String, String)> {
    let mut people = HashMap::new();
    let Ok(entries) = std::fs::read_dir(out) else {
        return people;
    };
    for e in entries.flatten() {
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let file = e.path().join("applicant.toml");
        let Some((id, name)) = person_in(&file) else {
            continue;
        };
        people.insert(id, (e.file_name().to_string_lossy().into_owned(), name));
    }
    people
}

/// The ID number and name of an `applicant.toml`, if it is a small regular file that has them.
pub(super) fn person_in(file: &Path) -> Option<(String, String)> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() || meta.len() > 1024 * 1024 {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let a = table.get("applicant")?.as_table()?;
    let id = a.get("id_number")?.as_str()?.trim().to_ascii_uppercase();
    let name = a.get("name").and_then(|n| n.as_str()).unwrap_or("").trim();
    Some((id, name.to_string()))
}

/// One folder per person: the same ID twice in the roster, the same folder twice, or an ID
/// that already has another folder in the department are refused with both names.
pub(super) fn one_folder_per_person(
    rows: Vec<(usize, String, String, Profile)>,
    columns: &BTreeMap<usize, Column>,
    existing: &HashMap<String, (String, String)>,
    out: &Path,
    problems: &mut Vec<Problem>,
) -> Vec<PlannedRow> {
    let col_of = |header: &str| {
        columns
            .iter()
            .find(|(_, c)| c.header == header)
            .map(|(&i, _)| i)
    };
    let id_col = col_of("身份证号").unwrap_or(0);
    let folder_col = col_of("文件夹");
    let name_col = col_of("姓名").unwrap_or(0);
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_folder: HashMap<String, usize> = HashMap::new();
    let mut planned = Vec::new();
    for (row, folder, text, profile) in rows {
        let id = profile.applicant.id_number.to_ascii_uppercase();
        let masked = crate::idnum::mask(&id);
        let folder_at = cell_address(EMPLOYEE_SHEET, row, folder_col.unwrap_or(name_col));
        if let Some(first) = by_id.insert(id.clone(), row) {
            problems.push(Problem {
                at: cell_address(EMPLOYEE_SHEET, row, id_col),
                message: t!(
                    "身份证号: {masked} 与第 {} 行相同：同一身份证号出现两次，一人只能申请一次，请只保留一行",
                    "身份证号: {masked} is also in row {}: keep one row per person",
                    first + 1
                ),
            });
            continue;
        }
        // Folder names compare as Windows and macOS do: without case.
        if let Some(first) = by_folder.insert(folder.to_lowercase(), row) {
            problems.push(Problem {
                at: folder_at,
                message: t!(
                    "文件夹: “{folder}” 与第 {} 行的文件夹重名：在“文件夹”列给其中一行另起名字",
                    "文件夹: “{folder}” is also the folder of row {}: give one of them another name in 文件夹",
                    first + 1
                ),
            });
            continue;
        }
        if let Some((other, _)) = existing.get(&id) {
            if *other != folder {
                problems.push(Problem {
                    at: cell_address(EMPLOYEE_SHEET, row, id_col),
                    message: {
                        let out = out.display();
                        t!(
                            "身份证号: {masked} 此人在 {out} 中已有文件夹“{other}”，这一行却会建立“{folder}”：一人一个文件夹，在“文件夹”列写“{other}”，或改名那个文件夹",
                            "身份证号: {masked} already has the folder “{other}” in {out}, but this row would make “{folder}”: write “{other}” in 文件夹, or rename that folder"
                        )
                    },
                });
                continue;
            }
        }
        // Never through a link or onto a file: the folder is made here or is a real folder.
        if std::fs::symlink_metadata(out.join(&folder)).is_ok_and(|m| !m.is_dir()) {
            problems.push(Problem {
                at: folder_at,
                message: {
                    let out = out.display();
                    t!(
                        "文件夹: {out} 中已存在同名的文件或链接“{folder}”：在“文件夹”列给这一行另起名字",
                        "文件夹: “{folder}” exists in {out} and is not a folder (or is a link): give this row another name in 文件夹"
                    )
                },
            });
            continue;
        }
        if let Some((their_id, their_name)) = person_in(&out.join(&folder).join("applicant.toml")) {
            if their_id != id && *their_name != profile.applicant.name {
                problems.push(Problem {
                    at: folder_at,
                    message: {
                        let theirs = crate::idnum::mask(&their_id);
                        t!(
                            "文件夹: “{folder}” 已属于另一人 {their_name} {theirs}：在“文件夹”列给这一行另起名字",
                            "文件夹: “{folder}” already holds another person, {their_name} {theirs}: give this row another name in 文件夹"
                        )
                    },
                });
                continue;
            }
        }
        planned.push(PlannedRow {
            row: row + 1,
            folder,
            text,
            name: profile.applicant.name.clone(),
            id_masked: masked,
        });
    }
    planned
}
