//! The words of the text output, one catalogue per language (`--lang zh|en`, `DOSSIER_LANG`).
//!
//! Every word the commands print of their own is here, once per language, so a line is never
//! printed twice in two languages and a translation is one place to edit. Findings and errors
//! carry their own words in both languages ([`Text`], built with [`t!`](crate::t)); the printer
//! shows the run's one. JSON output and finding codes never depend on the language: a [`Text`]
//! serialises as its Chinese.

/// The language of the text output.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en` (also `zh-CN`, `en_US.UTF-8` …, as a locale variable would say it).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language `DOSSIER_LANG` names; Chinese when it is unset or names neither.
    pub fn from_env() -> Lang {
        std::env::var("DOSSIER_LANG")
            .ok()
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// A message in both languages: findings and errors carry one, the printer shows
/// [`get`](Text::get)`(lang)`. Shown (`Display`) and serialised in Chinese, the default language,
/// so JSON never depends on `--lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same words in both languages: text that is not ours to translate (a message of a
    /// parser, a rulebook's own text, a file name).
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            zh: s.clone(),
            en: s,
        }
    }

    /// No words in either language.
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }

    /// The words in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Both languages changed the same way (a prefix added, say).
    pub fn map(self, f: impl Fn(Lang, String) -> String) -> Text {
        Text {
            zh: f(Lang::Zh, self.zh),
            en: f(Lang::En, self.en),
        }
    }
}

/// Words that are not ours to translate (a parser's message, a file name, a message not yet
/// translated): the same in both languages.
impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::same(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::same(s)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.zh)
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.zh)
    }
}

/// A [`Text`] from a Chinese and an English format string with the same arguments:
/// `t!("缺少「{label}」", "no scan of {label}")`, `t!("第 {} 页", "page {}", n)`.
/// Explicit arguments are evaluated once per language: pass plain values.
#[macro_export]
macro_rules! t {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::messages::Text::new(format!($zh), format!($en))
    };
    ($zh:literal, $en:literal, $($arg:tt)+) => {
        $crate::messages::Text::new(format!($zh, $($arg)+), format!($en, $($arg)+))
    };
}

/// A "did you mean `name`" hint after a message, in both languages (zh, en), or two empty
/// strings: for a key or name of a file's own syntax (applicant.toml keys, rulebook names).
pub fn did_you_mean_code(near: Option<&str>) -> (String, String) {
    match near {
        Some(s) => (
            format!("；是不是 `{s}`？"),
            format!("; did you mean `{s}`?"),
        ),
        None => (String::new(), String::new()),
    }
}

/// The catalogue: fixed words, and functions for the words that carry figures.
pub struct Words {
    pub ready: &'static str,
    pub not_ready: &'static str,
    pub packed: &'static str,
    pub broken: &'static str,
    pub error: &'static str,
    pub warning: &'static str,
    pub counter: &'static str,
    pub rulebook: &'static str,
    pub visit: fn(usize, &str) -> String,
    pub scan_pages: fn(u32) -> String,
    pub or_one_page: fn(&str) -> String,
    pub original: &'static str,
    pub original_and_copies: fn(u32) -> String,
    pub copies: fn(u32) -> String,
    pub hr_brings: &'static str,
    pub list_sep: &'static str,
    /// The unit of the batch progress bar (`3/10 人`).
    pub people: &'static str,
    /// Between a label and what follows it (`社保年限：…`, `Insurance: …`).
    pub colon: &'static str,
    /// Between two parts of one sentence.
    pub comma: &'static str,
    /// Words in parentheses after others (`身份证（正面、反面）`, `ID card (front, back)`).
    pub paren: fn(&str) -> String,
    pub simulated_score: &'static str,
    pub raw_not_counted: fn(i64) -> String,
    pub veto: &'static str,
    pub reaches_standard: &'static str,
    pub vetoed: &'static str,
    pub below_by: fn(i64) -> String,
    /// The standard is reached but an eligibility gate fails.
    pub not_eligible: &'static str,
    /// The heading of the road to the standard, and how a way is reached.
    pub to_standard: &'static str,
    pub way_points: fn(i64) -> String,
    pub way_from: fn(&str) -> String,
    pub total: &'static str,
    pub standard: &'static str,
    pub optional_missing: &'static str,
    pub missing: &'static str,
    pub pages: fn(u32) -> String,
    pub other_files: &'static str,
    pub errors_warnings: fn(usize, usize) -> String,
    pub not_packed: &'static str,
    pub packed_detail: fn(usize, f64, &str) -> String,
    pub verified: fn(usize, u64) -> String,
    pub does_not_verify: fn(usize) -> String,
    pub pack_again: &'static str,
    pub summary: &'static str,
    pub total_people: fn(usize, &str) -> String,
    pub left_out: &'static str,
    pub counter_written: fn(&str, usize, usize) -> String,
    pub counter_nobody: &'static str,
    pub copies_left_out: &'static str,
    pub no_copies_nobody_ready: &'static str,
    pub no_copies_no_item: &'static str,
    pub copies_written: fn(&str, usize, usize, f64) -> String,
    pub created: fn(&str, &str) -> String,
    pub next_step: fn(&str) -> String,
    pub roster_written: fn(&str) -> String,
    pub roster_next: fn(&str) -> String,
    pub roster_row: fn(usize) -> String,
    pub roster_created: &'static str,
    pub roster_updated: &'static str,
    pub roster_unchanged: &'static str,
    /// Employees, the department folder, created, updated, unchanged, empty rows skipped.
    pub roster_imported: fn(usize, &str, usize, usize, usize, usize) -> String,
    /// The workbook, employees, ready.
    pub roster_exported: fn(&str, usize, usize) -> String,
}

pub static ZH: Words = Words {
    ready: "就绪",
    not_ready: "未就绪",
    packed: "已打包",
    broken: "出错",
    error: "错误",
    warning: "警告",
    counter: "受理点",
    rulebook: "规则",
    visit: |n, label| format!("第 {n} 次 · {label}"),
    scan_pages: |n| format!("扫描 {n} 页"),
    or_one_page: |c| format!("，或 1 页（{c}）"),
    original: "原件",
    original_and_copies: |n| format!("原件 + 复印件 {n} 份"),
    copies: |n| format!("复印件 {n} 份"),
    hr_brings: "经办人带",
    list_sep: "、",
    people: "人",
    colon: "：",
    comma: "，",
    paren: |s| format!("（{s}）"),
    simulated_score: "模拟积分",
    raw_not_counted: |raw| format!("本项 {raw} 分不计："),
    veto: "一票否决",
    reaches_standard: "✓ 达到标准分",
    vetoed: "✗ 一票否决，不能申请",
    below_by: |n| format!("✗ 未达到标准分，还差 {n} 分"),
    not_eligible: "✗ 达到标准分，但不符合申请条件（见上）",
    to_standard: "达标途径（任一即可）：",
    way_points: |n| format!("+{n} 分"),
    way_from: |d| format!("{d} 起"),
    total: "合计",
    standard: "标准分",
    optional_missing: "可选，未提供",
    missing: "缺少",
    pages: |n| format!("{n} 页"),
    other_files: "其他文件",
    errors_warnings: |e, w| format!("{e} 个错误，{w} 个警告"),
    not_packed: "未就绪，未打包",
    packed_detail: |files, mb, fp| format!("{files} 个文件，{mb:.1} MB，指纹 {fp}…"),
    verified: |files, bytes| format!("{files} 个文件，{bytes} 字节，校验通过"),
    does_not_verify: |n| format!("{n} 处问题，校验未通过"),
    pack_again: "→ 材料包与打包时不一致（文件被改动、删除或添加），不要提交；用 `dossier pack --force` 重新打包",
    summary: "汇总",
    total_people: |n, parts| format!("共 {n} 人：{parts}"),
    left_out: "今天不办理，列在柜台清单首页",
    counter_written: |path, n, kb| format!("柜台清单：{path}（{n} 人，{kb} KB）"),
    counter_nobody: "没有可以办理的员工（都未就绪或未达到标准分）：柜台清单会是空的，未写入文件",
    copies_left_out: "未就绪，未打印复印件",
    no_copies_nobody_ready: "没有需要打印的复印件：没有就绪的员工；未写入文件",
    no_copies_no_item: "没有需要打印的复印件：柜台不收所选材料的复印件；未写入文件",
    copies_written: |path, n, pages, mb| format!("复印件：{path}（{n} 人，{pages} 页，{mb:.1} MB）"),
    created: |file, scans| format!("已创建 {file} 和 {scans}/"),
    next_step: |cmd| format!("下一步：填写 applicant.toml，把扫描件放进 scans/，然后运行 `{cmd}`"),
    roster_written: |path| format!("已写入 {path}"),
    roster_next: |path| {
        format!("下一步：在“员工”表每行填写一名员工，在“单位”表填写单位信息，然后运行 `dossier roster import {path} -o 文件夹`")
    },
    roster_row: |n| format!("第 {n} 行"),
    roster_created: "新建",
    roster_updated: "更新",
    roster_unchanged: "未改变",
    roster_imported: |n, dir, c, u, k, skipped| {
        let skipped = if skipped > 0 {
            format!("；跳过空行 {skipped} 行")
        } else {
            String::new()
        };
        format!("{n} 名员工 → {dir}：新建 {c}，更新 {u}，未改变 {k}{skipped}")
    },
    roster_exported: |path, n, ready| {
        format!("已写入 {path}：{n} 名员工，就绪 {ready}，未就绪 {}", n - ready)
    },
};

pub static EN: Words = Words {
    ready: "ready",
    not_ready: "not ready",
    packed: "packed",
    broken: "error",
    error: "error",
    warning: "warning",
    counter: "Counter",
    rulebook: "Rulebook",
    visit: |n, label| format!("Visit {n} · {label}"),
    scan_pages: |n| format!("scan {n} page(s)"),
    or_one_page: |c| format!(", or 1 page ({c})"),
    original: "original",
    original_and_copies: |n| format!("original + {n} copy(ies)"),
    copies: |n| format!("{n} copy(ies)"),
    hr_brings: "The HR clerk brings",
    list_sep: ", ",
    people: "people",
    colon: ": ",
    comma: ", ",
    paren: |s| format!(" ({s})"),
    simulated_score: "simulated score",
    raw_not_counted: |raw| format!("this item's {raw} points do not count: "),
    veto: "veto",
    reaches_standard: "✓ reaches the standard score",
    vetoed: "✗ vetoed: cannot apply",
    below_by: |n| format!("✗ below the standard score by {n}"),
    not_eligible: "✗ reaches the standard score, but not eligible: see the conditions above",
    to_standard: "Ways to the standard (any one is enough):",
    way_points: |n| format!("+{n} points"),
    way_from: |d| format!("from {d}"),
    total: "Total",
    standard: "standard",
    optional_missing: "optional, not provided",
    missing: "missing",
    pages: |n| format!("{n} pages"),
    other_files: "Other files",
    errors_warnings: |e, w| format!("{e} error(s), {w} warning(s)"),
    not_packed: "not ready: no bundle written",
    packed_detail: |files, mb, fp| format!("{files} files, {mb:.1} MB, fingerprint {fp}…"),
    verified: |files, bytes| format!("{files} files, {bytes} bytes, verified"),
    does_not_verify: |n| format!("{n} problem(s): does not verify"),
    pack_again: "→ the bundle differs from what was packed (files changed, removed or added): do not submit it; pack again with `dossier pack --force`",
    summary: "Summary",
    total_people: |n, parts| format!("total {n}: {parts}"),
    left_out: "not for today: listed on the counter checklist's first page",
    counter_written: |path, n, kb| format!("counter checklist: {path} ({n} people, {kb} KB)"),
    counter_nobody: "no employee can be filed (none is ready and at the standard): the counter checklist would be empty; nothing written",
    copies_left_out: "not ready: left out of the copies",
    no_copies_nobody_ready: "no copies to print: no employee is ready; nothing written",
    no_copies_no_item: "no copies to print: no visit asks for a copy of a scanned item; nothing written",
    copies_written: |path, n, pages, mb| {
        format!("copies: {path} ({n} people, {pages} pages, {mb:.1} MB)")
    },
    created: |file, scans| format!("created {file} and {scans}/"),
    next_step: |cmd| {
        format!("next: fill in applicant.toml, put the scans in scans/, then run `{cmd}`")
    },
    roster_written: |path| format!("written {path}"),
    roster_next: |path| {
        format!("next: one employee per row of the first sheet, the employer in the second, then run `dossier roster import {path} -o DIR`")
    },
    roster_row: |n| format!("row {n}"),
    roster_created: "created",
    roster_updated: "updated",
    roster_unchanged: "unchanged",
    roster_imported: |n, dir, c, u, k, skipped| {
        let skipped = if skipped > 0 {
            format!("; {skipped} empty row(s) skipped")
        } else {
            String::new()
        };
        format!("{n} employee(s) → {dir}: {c} created, {u} updated, {k} unchanged{skipped}")
    },
    roster_exported: |path, n, ready| {
        format!("written {path}: {n} employee(s), {ready} ready, {} not ready", n - ready)
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_reads_codes_and_locales() {
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn each_language_speaks_only_itself() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let en = [
            EN.ready,
            EN.not_ready,
            EN.missing,
            EN.summary,
            &(EN.visit)(1, "x"),
            &(EN.below_by)(3),
            &(EN.errors_warnings)(1, 2),
        ];
        assert!(en.iter().all(|s| !cjk(s)), "{en:?}");
        let zh = [ZH.ready, ZH.missing, ZH.summary, &(ZH.below_by)(3)];
        assert!(zh.iter().all(|s| cjk(s) && !s.contains('(')), "{zh:?}");
    }

    #[test]
    fn text_shows_one_language_and_serialises_as_chinese() {
        let label = "身份证";
        let n = 2;
        let t = crate::t!("缺少「{label}」第 {} 页", "no scan of {label}, page {}", n);
        assert_eq!(t.get(Lang::Zh), "缺少「身份证」第 2 页");
        assert_eq!(t.get(Lang::En), "no scan of 身份证, page 2");
        assert_eq!(t.to_string(), t.zh);
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!("缺少「身份证」第 2 页")
        );
        let plain = crate::t!("空文件", "empty file");
        assert_eq!(
            (plain.zh.as_str(), plain.en.as_str()),
            ("空文件", "empty file")
        );
        let same = Text::same("x.toml");
        assert_eq!(same.get(Lang::En), same.get(Lang::Zh));
    }
}
