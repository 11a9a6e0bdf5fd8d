//! Check characters of Chinese identity numbers: the 18-character resident ID (GB 11643-1999,
//! ISO 7064 MOD 11-2) and the unified social credit code (GB 32100-2015, MOD 31), plus mainland
//! mobile numbers and the masking used in every output.
//!
//! Each validator returns the first thing wrong, in words a clerk can act on.

use crate::date::Date;
use crate::messages::Text;
use crate::t;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits of a resident ID.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// A valid resident ID: its birth date is returned.
pub fn check_id(id: &str, today: Date) -> Result<Date, Text> {
    let n = id.chars().count();
    if n != 18 {
        return Err(t!(
            "身份证号应为 18 位，这里是 {n} 位",
            "an ID number has 18 characters, this has {n}"
        ));
    }
    // Checked on characters before any byte slicing: a full-width digit is 3 bytes.
    if let Some(c) = id.chars().take(17).find(|c| !c.is_ascii_digit()) {
        return Err(t!(
            "前 17 位只能是数字，发现 “{c}”",
            "the first 17 characters must be digits, found \"{c}\""
        ));
    }
    let (body, last) = id.split_at(17);
    let last = last.chars().next().unwrap_or(' ');
    if !(last.is_ascii_digit() || last == 'X' || last == 'x') {
        return Err(t!(
            "最后一位只能是数字或 X，发现 “{last}”",
            "the check character is a digit or X, found \"{last}\""
        ));
    }
    let born = Date::parse_compact(&id[6..14]).ok_or_else(|| {
        let digits = &id[6..14];
        t!(
            "出生日期 {digits} 不是有效日期",
            "the birth date in the ID, {digits}, is not a real date"
        )
    })?;
    if born > today {
        return Err(t!(
            "出生日期 {born} 晚于申请日期 {today}",
            "the birth date in the ID, {born}, is after the application date {today}"
        ));
    }
    let want = id_check_char(body).unwrap_or('?');
    if last.to_ascii_uppercase() != want {
        return Err(t!(
            "校验位错误：应为 {want}，实际为 {last}，请核对号码",
            "wrong check character: expected {want}, found {last}; re-check every digit"
        ));
    }
    Ok(born)
}

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u32)
}

/// The check character of the first 17 characters of a unified social credit code.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET[c as usize] as char)
}

/// A valid 统一社会信用代码 (upper case expected).
pub fn check_uscc(code: &str) -> Result<(), Text> {
    let n = code.chars().count();
    if n != 18 {
        return Err(t!(
            "统一社会信用代码应为 18 位，这里是 {n} 位",
            "the credit code has 18 characters, this has {n}"
        ));
    }
    if let Some(c) = code.chars().find(|&c| uscc_value(c).is_none()) {
        return Err(if c.is_ascii_lowercase() {
            t!(
                "统一社会信用代码含无效字符 “{c}”，请用大写字母",
                "invalid character \"{c}\" in the credit code: use capitals"
            )
        } else {
            t!(
                "统一社会信用代码含无效字符 “{c}”（不含 I、O、S、V、Z）",
                "invalid character \"{c}\" in the credit code (it has no I, O, S, V or Z)"
            )
        });
    }
    if let Some(c) = code.chars().skip(2).take(6).find(|c| !c.is_ascii_digit()) {
        return Err(t!(
            "第 3–8 位是行政区划代码，只能是数字，发现 “{c}”",
            "positions 3–8 are the area code, digits only; found \"{c}\""
        ));
    }
    let (body, last) = code.split_at(17);
    let want = uscc_check_char(body).unwrap_or('?');
    if !last.starts_with(want) {
        return Err(t!(
            "校验位错误：应为 {want}，实际为 {last}，请对照营业执照核对",
            "wrong check character: expected {want}, found {last}; compare with the business licence"
        ));
    }
    Ok(())
}

/// A mainland mobile number; `+86`/`0086`, spaces and hyphens are tolerated and removed.
pub fn normalize_mobile(s: &str) -> Result<String, Text> {
    let mut digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    for prefix in ["+86", "0086"] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            digits = rest.to_string();
        }
    }
    let b = digits.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(digits)
    } else {
        Err(t!(
            "“{s}” 不是有效的手机号（11 位，以 13–19 开头）",
            "\"{s}\" is not a mainland mobile number (11 digits starting 13–19)"
        ))
    }
}

/// First 4 and last 4 characters, the rest as `*` (SPEC §9).
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..4].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - 8));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// One character of an ID number as it may be typed: an ASCII or full-width digit, or the check
/// character X (either case, either width). Returns the ASCII form.
fn id_char(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        'X' | 'x' | 'Ｘ' | 'ｘ' => Some('X'),
        _ => None,
    }
}

/// A separator a clerk may type inside an ID number: space, hyphen, their full-width forms.
fn id_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{3000}' | '－' | '_')
}

/// Whether 18 ID characters (digits and X, normalised) are an ID number, or one mistyped in its
/// check character: it passes the GB 11643 check, or its first 17 are digits with a province
/// (1–8) and a birth date (1800–2099, month 01–12, day 01–31) where an ID number has them.
fn looks_like_id(s: &str) -> bool {
    if s.len() != 18 || !s.is_ascii() {
        return false;
    }
    if id_check_char(&s[..17]).is_some_and(|c| s.ends_with(c)) {
        return true;
    }
    let b = s.as_bytes();
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b'1'..=b'8').contains(&b[0]) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    (1800..=2099).contains(&num(6..10))
        && (1..=12).contains(&num(10..12))
        && (1..=31).contains(&num(12..14))
}

/// How hard [`mask_ids_in`] looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskMode {
    /// 18 characters (separators and full-width digits allowed) that pass the GB 11643 check
    /// character or hold a province and a birth date where an ID number has them (a mistyped
    /// check character), and the ID numbers given as known, wherever they appear.
    IdLike,
    /// Also any run of 15 or more ID characters, valid or not: a mistyped ID number in the line
    /// of `applicant.toml` that holds it is never shown in full.
    Mistyped,
}

/// `text` with every ID-number-like run masked: the first 4 and last 4 of its 18 characters
/// kept, the 10 between replaced by `fill` (`*` on screen, `x` in file names, which cannot hold
/// `*` on Windows). Separators inside a run are kept. `known` are ID numbers to mask wherever
/// they appear (the applicant's and the spouse's), also typed with separators or full width.
pub fn mask_ids_in<'a>(
    text: &'a str,
    fill: char,
    known: &[String],
    mode: MaskMode,
) -> std::borrow::Cow<'a, str> {
    let chars: Vec<char> = text.chars().collect();
    if !chars.iter().any(|c| id_char(*c).is_some_and(|c| c != 'X')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let known: Vec<Vec<char>> = known
        .iter()
        .filter(|k| k.chars().count() >= 15)
        .map(|k| k.chars().filter_map(id_char).collect())
        .collect();
    // Which characters to replace with `fill`.
    let mut hide = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if id_char(chars[i]).is_none_or(|c| c == 'X') {
            i += 1;
            continue;
        }
        // A run: ID characters, single separators between them.
        let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
        let mut j = i;
        while j < chars.len() {
            if id_char(chars[j]).is_some() {
                groups.last_mut().expect("one group").push(j);
                j += 1;
            } else if id_separator(chars[j])
                && j + 1 < chars.len()
                && id_char(chars[j + 1]).is_some()
                && !groups.last().expect("one group").is_empty()
            {
                groups.push(Vec::new());
                j += 1;
            } else {
                break;
            }
        }
        let all: Vec<usize> = groups.iter().flatten().copied().collect();
        let norm: Vec<char> = all.iter().filter_map(|&k| id_char(chars[k])).collect();
        let mut hide_span = |positions: &[usize]| {
            let n = positions.len();
            for &p in &positions[4.min(n)..n.saturating_sub(4).max(4.min(n))] {
                hide[p] = true;
            }
        };
        // Group-aligned windows of exactly 18 characters that pass the check character.
        for a in 0..groups.len() {
            let mut pos: Vec<usize> = Vec::new();
            for g in &groups[a..] {
                pos.extend(g);
                if pos.len() >= 18 {
                    break;
                }
            }
            if pos.len() == 18 {
                let s: String = pos.iter().filter_map(|&k| id_char(chars[k])).collect();
                if looks_like_id(&s) {
                    hide_span(&pos);
                }
            }
        }
        // Known ID numbers anywhere in the run.
        for k in &known {
            if k.len() > norm.len() {
                continue;
            }
            for start in 0..=norm.len() - k.len() {
                if norm[start..start + k.len()] == k[..] {
                    hide_span(&all[start..start + k.len()]);
                }
            }
        }
        if mode == MaskMode::Mistyped && all.len() >= 15 {
            hide_span(&all);
        }
        i = j.max(i + 1);
    }
    if !hide.iter().any(|h| *h) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        chars
            .iter()
            .zip(&hide)
            .map(|(&c, &h)| if h { fill } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 26).unwrap()
    }

    #[test]
    fn reference_id_vectors() {
        for ok in [
            "11010519491231002X",
            "440524188001010014",
            "360426199101010071",
            "120103198806018241",
        ] {
            assert!(check_id(ok, today()).is_ok(), "{ok}");
        }
        // Each in one language: the Chinese says it in Chinese, the English in English.
        for (id, zh, en) in [
            ("360426199101010072", "校验位", "wrong check character"),
            ("3604261991010100", "应为 18 位", "has 18 characters"),
            ("360426199102300071", "日期", "not a real date"),
            ("36042619910101A071", "数字", "must be digits"),
        ] {
            let e = check_id(id, today()).unwrap_err();
            assert!(e.zh.contains(zh) && !e.zh.contains(en), "{e:?}");
            assert!(e.en.contains(en) && !e.en.contains(zh), "{e:?}");
        }
    }

    #[test]
    fn reference_uscc_vectors() {
        for ok in [
            "91350100M000100Y43",
            "91110000101623741K",
            "911101066976941872",
        ] {
            assert!(check_uscc(ok).is_ok(), "{ok}");
        }
        assert!(check_uscc("91350100M000100Y4A").is_err());
        assert!(check_uscc("91310115MA1H8R7C6D").is_err());
    }

    #[test]
    fn every_single_character_change_is_caught() {
        let id = "11010519491231002X";
        let alphabet = "0123456789X";
        for pos in 0..18 {
            for c in alphabet.chars() {
                let mut v: Vec<char> = id.chars().collect();
                if v[pos] == c || (pos < 17 && c == 'X') {
                    continue;
                }
                v[pos] = c;
                let s: String = v.into_iter().collect();
                assert!(check_id(&s, today()).is_err(), "{s} should fail");
            }
        }
    }

    #[test]
    fn id_like_runs_are_masked_in_text() {
        let m = |s: &str| mask_ids_in(s, '*', &[], MaskMode::IdLike).into_owned();
        assert_eq!(
            m("身份证-310115199303071230.png"),
            "身份证-3101**********1230.png"
        );
        assert_eq!(m("310115 19930307 1230"), "3101** ******** 1230");
        assert_eq!(
            m("３１０１１５１９９３０３０７１２３０"),
            "３１０１**********１２３０"
        );
        assert_eq!(m("11010519491231002x"), "1101**********002x");
        // A mistyped check character is still somebody's ID number (SPEC §9: masked in
        // mistyped form too); 18 digits that hold no birth date where an ID number has one,
        // or no province, and a phone or a date, are left alone.
        assert_eq!(m("310115199303071231"), "3101**********1231");
        assert_eq!(m("IMG_202411301234567890"), "IMG_202411301234567890");
        assert_eq!(m("912345199303071231"), "912345199303071231");
        assert_eq!(m("310115199313071231"), "310115199313071231");
        assert_eq!(m("13812345678 2026-11-26"), "13812345678 2026-11-26");
        assert_eq!(
            m("2026-11-26 310115199303071230"),
            "2026-11-26 3101**********1230"
        );
        let known = ["310115199303071231".to_string()];
        assert_eq!(
            mask_ids_in("a-3101-1519-9303-0712-31", 'x', &known, MaskMode::IdLike),
            "a-3101-xxxx-xxxx-xx12-31"
        );
        assert_eq!(
            mask_ids_in("id = \"3101151993030712\"", '*', &[], MaskMode::Mistyped),
            "id = \"3101********0712\""
        );
    }

    #[test]
    fn masks_keep_four_and_four() {
        assert_eq!(mask("310104199003071234"), "3101**********1234");
    }

    #[test]
    fn mobiles() {
        assert_eq!(
            normalize_mobile("+86 138-1234-5678").unwrap(),
            "13812345678"
        );
        assert!(normalize_mobile("12812345678").is_err());
        assert!(normalize_mobile("1381234567").is_err());
    }
}
