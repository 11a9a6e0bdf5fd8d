//! The typed values of a table: strings, names, ID and mobile numbers, choices (codes or the
//! Chinese words for them), numbers, dates; and the helpers their messages use.

use super::*;

impl<'a> Parser<'a> {
    pub(in crate::profile) fn full(&self, t: &Tbl, key: &str) -> String {
        if t.name.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", t.name)
        }
    }

    pub(in crate::profile) fn missing(
        &mut self,
        t: &Tbl,
        key: &str,
        what: impl Into<crate::messages::Text>,
    ) {
        let what = what.into();
        let (what_zh, what_en) = (&what.zh, &what.en);
        let msg = if t.name.is_empty() {
            t!(
                "文件中缺少 `{key}`（{what_zh}）",
                "missing key `{key}` in the file ({what_en})"
            )
        } else {
            let table = &t.name;
            t!(
                "[{table}] 中缺少 `{key}`（{what_zh}）",
                "missing key `{key}` in [{table}] ({what_en})"
            )
        };
        if t.span.is_empty() {
            self.diags.push(Diagnostic::whole_file(msg));
        } else {
            let span = t.span.clone();
            self.err(span.start..span.start + 1, msg);
        }
    }

    pub(in crate::profile) fn unknown_keys(&mut self, t: &Tbl, known: &[&str]) {
        for (k, _) in t.table.iter() {
            let key: &str = k.get_ref();
            if known.contains(&key) {
                continue;
            }
            let near = suggest(key, known.iter().copied());
            let (hint_zh, hint_en) = crate::messages::did_you_mean_code(near);
            let (table_zh, table_en) = if t.name.is_empty() {
                ("顶层".to_string(), "at the top level".to_string())
            } else {
                (format!("[{}] 中", t.name), format!("in [{}]", t.name))
            };
            let known = known.join(", ");
            self.err(
                k.span(),
                t!(
                    "{table_zh}有未知字段 `{key}`{hint_zh}（已知字段：{known}）",
                    "unknown key `{key}` {table_en}{hint_en} (known: {known})"
                ),
            );
        }
    }

    pub(in crate::profile) fn sub_table<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<Tbl<'t, 'i>> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => {
                if required {
                    let m = t!(
                        "缺少 [{full}] 部分：模板见 `dossier init`",
                        "missing table [{full}]: see `dossier init` for a template"
                    );
                    self.diags.push(Diagnostic::whole_file(m));
                }
                None
            }
            Some(v) => self.as_table(v, &full),
        }
    }

    pub(in crate::profile) fn as_table<'t, 'i>(
        &mut self,
        v: &'t Val<'i>,
        name: &str,
    ) -> Option<Tbl<'t, 'i>> {
        match v.get_ref() {
            DeValue::Table(table) => Some(Tbl {
                name: name.to_string(),
                table,
                span: v.span(),
            }),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "`{name}` 须是表，这里是{zh}",
                        "`{name}` must be a table, found {en}"
                    ),
                );
                None
            }
        }
    }

    /// `Some(None)` when an optional string is absent; `None` on error.
    #[allow(clippy::option_option)]
    pub(in crate::profile) fn string(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
    ) -> Option<Option<(String, Range<usize>)>> {
        match t.table.get(key) {
            None if required => {
                self.missing(t, key, t!("带引号的文字", "a text value in quotes"));
                None
            }
            None => Some(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(Some((s.trim().to_string(), v.span()))),
                other => {
                    let full = self.full(t, key);
                    let (zh, en) = (type_zh(other), type_name(other));
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是带引号的文字，这里是{zh}",
                            "{full} must be text in quotes, found {en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    pub(in crate::profile) fn name(&mut self, t: &Tbl, key: &str) -> Option<String> {
        let (s, span) = self.string(t, key, true)??;
        let full = self.full(t, key);
        if s.is_empty() {
            self.err(span, t!("{full} 不能为空", "{full} is empty"));
            return None;
        }
        // Names become file and folder names of the bundle: nothing a file system refuses.
        if let Some(c) = s
            .chars()
            .find(|&c| c.is_control() || "/\\:*?\"<>|%".contains(c))
        {
            let c = c.escape_debug();
            self.err(span, t!(
                "{full}：姓名/名称不能含“{c}”（不能含 / \\ : * ? \" < > | % 或控制字符）",
                "{full}: “{c}” cannot be part of a name (no / \\ : * ? \" < > | % or control characters)"
            ));
            return None;
        }
        if s.chars().count() > 60 {
            self.err(
                span,
                t!(
                    "{full}：姓名/名称过长，超过 60 个字符",
                    "{full}: longer than 60 characters"
                ),
            );
            return None;
        }
        Some(s)
    }

    pub(in crate::profile) fn id_number(&mut self, t: &Tbl, key: &str) -> Option<(String, Date)> {
        let (s, span) = self.string(t, key, true)??;
        let full = self.full(t, key);
        if s.is_empty() {
            self.err(
                span,
                t!(
                    "{full} 不能为空：填写 18 位身份证号",
                    "{full} is empty: the 18-character 身份证号"
                ),
            );
            return None;
        }
        let s = s.to_ascii_uppercase();
        match idnum::check_id(&s, self.today) {
            Ok(born) => Some((s, born)),
            Err(m) => {
                self.err(span, prefixed(&full, m));
                None
            }
        }
    }

    #[allow(clippy::option_option)]
    pub(in crate::profile) fn mobile(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
    ) -> Option<Option<String>> {
        let Some((s, span)) = self.string(t, key, required)? else {
            return Some(None);
        };
        // The template ships `phone = ""`: an empty optional number is simply not given.
        if s.is_empty() && !required {
            return Some(None);
        }
        match idnum::normalize_mobile(&s) {
            Ok(m) => Some(Some(m)),
            Err(m) => {
                let full = self.full(t, key);
                self.err(span, prefixed(&full, m));
                None
            }
        }
    }

    pub(in crate::profile) fn choice(
        &mut self,
        t: &Tbl,
        key: &str,
        allowed: &[&str],
        default: Option<&str>,
    ) -> Option<String> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d.to_string()),
                None => {
                    let (zh, en) = list_choices(allowed);
                    self.missing(t, key, t!("可选：{zh}", "one of: {en}"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::String(s) if code_for(s, allowed).is_some() => {
                    code_for(s, allowed).map(str::to_string)
                }
                other => {
                    let got = display_value(other);
                    let words = WORDS
                        .iter()
                        .filter(|(_, c)| allowed.contains(c))
                        .map(|(w, _)| *w);
                    let near = suggest(&got, allowed.iter().copied().chain(words));
                    let (hint_zh, hint_en) = did_you_mean(near);
                    let (zh, en) = list_choices(allowed);
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是 {zh} 之一，不是 {got}{hint_zh}",
                            "{full} must be one of {en}, not {got}{hint_en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    pub(in crate::profile) fn bool(
        &mut self,
        t: &Tbl,
        key: &str,
        default: Option<bool>,
    ) -> Option<bool> {
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d),
                None => {
                    self.missing(t, key, t!("true 或 false", "true or false"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                // SPEC §3: booleans also as 是/否, as a clerk would type them.
                DeValue::String(s) if s.trim() == "是" => Some(true),
                DeValue::String(s) if s.trim() == "否" => Some(false),
                other => {
                    let full = self.full(t, key);
                    let got = display_value(other);
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是 true 或 false（不加引号），或 \"是\" / \"否\"，这里是 {got}",
                            "{full} must be true or false (without quotes), or \"是\" / \"否\", found {got}"
                        ),
                    );
                    None
                }
            },
        }
    }

    pub(in crate::profile) fn int(
        &mut self,
        t: &Tbl,
        key: &str,
        default: Option<i64>,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d),
                None => {
                    self.missing(t, key, t!("整数", "a whole number"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => match parse_int(i.as_str(), i.radix()) {
                    Some(n) if range.contains(&n) => Some(n),
                    _ => {
                        let (lo, hi) = (range.start(), range.end());
                        self.err(
                            v.span(),
                            t!(
                                "{full} 超出范围：须是 {lo} 到 {hi} 之间的整数",
                                "{full} must be a whole number from {lo} to {hi}"
                            ),
                        );
                        None
                    }
                },
                other => {
                    let (zh, en) = (type_zh(other), type_name(other));
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是整数，这里是{zh}",
                            "{full} must be a whole number, found {en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    pub(in crate::profile) fn float(
        &mut self,
        t: &Tbl,
        key: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<f64> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            self.missing(t, key, t!("数字，如 1.0", "a number such as 1.0"));
            return None;
        };
        let n = match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|n| n as f64),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "{full} 须是数字，如 1.0，这里是{zh}",
                        "{full} must be a number such as 1.0, found {en}"
                    ),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() && range.contains(&n) => Some(n),
            _ => {
                let (lo, hi) = (range.start(), range.end());
                self.err(
                    v.span(),
                    t!(
                        "{full} 超出范围：须是 {lo} 到 {hi} 之间的数字",
                        "{full} must be a number from {lo} to {hi}"
                    ),
                );
                None
            }
        }
    }

    /// A `YYYY-MM-DD` date, quoted or as a TOML local date. `Some(None)` when absent and optional.
    #[allow(clippy::option_option)]
    pub(in crate::profile) fn date(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
        not_future: bool,
    ) -> Option<Option<Date>> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            if required {
                self.missing(t, key, t!("日期 \"YYYY-MM-DD\"", "a date \"YYYY-MM-DD\""));
                return None;
            }
            return Some(None);
        };
        let raw = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "{full} 须是日期 \"YYYY-MM-DD\"，这里是{zh}",
                        "{full} must be a date \"YYYY-MM-DD\", found {en}"
                    ),
                );
                return None;
            }
        };
        let Some(d) = Date::parse_written(&raw) else {
            self.err(v.span(), t!(
                "{full}：“{raw}”不是有效日期：格式为 2016-10-01，也可写 2016.10.01、2016/10/1 或 2016年10月1日",
                "{full}: \"{raw}\" is not a real date in the form YYYY-MM-DD (also 2016.10.01, 2016/10/1 or 2016年10月1日)"
            ));
            return None;
        };
        if not_future && d > self.today {
            self.err(v.span(), {
                let today = self.today;
                t!(
                    "{full}：{d} 晚于申请日期 {today}",
                    "{full}: {d} is after the application date {today}"
                )
            });
            return None;
        }
        if d.year < 1900 {
            self.err(
                v.span(),
                t!(
                    "{full}：{d} 早于 1900 年，日期有误",
                    "{full}: {d} is before 1900"
                ),
            );
            return None;
        }
        Some(Some(d))
    }
}

pub(in crate::profile) fn parse_int(s: &str, radix: u32) -> Option<i64> {
    let s = s.replace('_', "");
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s.trim_start_matches('+').to_string()),
    };
    let digits = digits
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    let n = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

pub(in crate::profile) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// [`type_name`] in Chinese.
pub(in crate::profile) fn type_zh(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "文字",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => " true/false",
        DeValue::Datetime(_) => "日期",
        DeValue::Array(_) => "列表",
        DeValue::Table(_) => "表",
    }
}

/// A message about a key, after the key: `key：…` in Chinese, `key: …` in English.
pub(in crate::profile) fn prefixed(key: &str, m: crate::messages::Text) -> crate::messages::Text {
    m.map(|lang, m| match lang {
        crate::messages::Lang::Zh => format!("{key}：{m}"),
        crate::messages::Lang::En => format!("{key}: {m}"),
    })
}

/// A "did you mean" hint in both languages, or none.
pub(in crate::profile) fn did_you_mean(near: Option<&str>) -> (String, String) {
    match near {
        Some(s) => (
            format!("；是不是“{s}”？"),
            format!("; did you mean \"{s}\"?"),
        ),
        None => (String::new(), String::new()),
    }
}

pub(in crate::profile) fn display_value(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

/// The closest candidate by edit distance, when close enough to be a likely typo. A candidate
/// the word abbreviates (`浦东` → `浦东新区`) comes before any other at the same or a greater
/// distance: a short name is far more often a shortening than a typo of a different word.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word = word.trim_matches('"').to_lowercase();
    let mut best: Option<((bool, usize), &str)> = None;
    for c in candidates {
        let lower = c.to_lowercase();
        let key = (!lower.starts_with(&word), levenshtein(&word, &lower));
        if best.is_none_or(|(bk, _)| key < bk) {
            best = Some((key, c));
        }
    }
    let ((_, d), c) = best?;
    let len = word.chars().count().max(c.chars().count());
    (d <= (len / 3).max(1)
        || (len <= 4 && d <= 2 && d < len)
        || c.contains(&word)
        || word.contains(c))
    .then_some(c)
}

/// Edit distance over characters (not bytes, so Chinese names compare fairly), counting a swap
/// of two neighbours as one edit (optimal string alignment): `hukuo` is one edit from `hukou`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}
