//! Which checklist item a scan file belongs to, by its name.
//!
//! A file belongs to an item when its path under `scans/` — the file name, or a chain of
//! sub-folders and the file name — begins with the item's slug or label. Both sides are compared
//! folded: Unicode NFC, lower case, full-width ASCII forms as ASCII (`（１）` = `(1)`), and
//! separators and brackets skipped (`id_card`, `id card` and `id-card` are one key; so are
//! `子女出生医学证明（1）`, `子女出生医学证明(1)` and `子女出生医学证明-1`). The longest key wins,
//! the names of the rulebook's materials that are not on this checklist taking part: a file
//! named after one of them belongs to no item (`学历证书电子注册备案表` is not a part of
//! `学历证书` for a diploma that needs no such record).
//! What follows the key, separators trimmed, is the part name (`-正面` → `正面`).
//!
//! A key does not claim a name that merely continues it into another word: a digit run is never
//! split (`…（1）` does not claim `…12`), and a key whose name continues, with no separator,
//! into a longer prefix of another item's key (`身份证` before `身份证明…` when another item's label
//! begins `身份证明`) is not a match; such a file is reported as unmatched, with a suggestion.
//!
//! Invariants: matching is a pure function of the checklist and the path; ties break by
//! outermost folder, then checklist order, so results never depend on walk order.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;

use crate::checklist::Checklist;

/// OS junk that is skipped silently: Windows thumbnails and folder settings, macOS folder state
/// and AppleDouble files, Office lock files.
pub fn is_junk(name: &str) -> bool {
    name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
        || name.eq_ignore_ascii_case("ehthumbs.db")
        || name == ".DS_Store"
        || name.starts_with("._")
        || name.starts_with("~$")
}

/// Splits `身份证-正面.JPG` into (`身份证-正面`, `jpg`). Only a short alphanumeric tail after the
/// last dot counts as an extension; a leading dot does not (`.jpg` has no extension).
pub fn split_ext(name: &str) -> (&str, String) {
    if let Some(i) = name.rfind('.') {
        let ext = &name[i + 1..];
        if i > 0 && (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return (&name[..i], ext.to_ascii_lowercase());
        }
    }
    (name, String::new())
}

/// Characters that separate words in a file name; skipped when comparing, trimmed from parts.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '.'
                | '/'
                | '\\'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '【'
                | '】'
                | '〔'
                | '〕'
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '「'
                | '」'
                | '『'
                | '』'
                | '·'
                | '・'
                | '、'
                | ','
                | '，'
                | ';'
                | '；'
                | ':'
                | '：'
                | '—'
                | '–'
                | '~'
                | '+'
                | '&'
                | '#'
                | '。'
        )
}

/// Full-width ASCII forms and the ideographic space as their ASCII selves.
fn narrow(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// One character folded for comparison, or `None` for a separator.
fn fold_char(c: char) -> Option<char> {
    let c = narrow(c);
    if is_separator(c) {
        return None;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => Some(c),
    }
}

/// The folded characters of a key (slug or label).
pub fn fold_key(s: &str) -> Vec<char> {
    s.nfc().filter_map(fold_char).collect()
}

/// A name folded for comparison, remembering where each significant character ends in the NFC
/// text and whether a separator stood right before it.
struct Folded {
    text: String,
    chars: Vec<char>,
    ends: Vec<usize>,
    sep_before: Vec<bool>,
}

impl Folded {
    fn new(s: &str) -> Folded {
        let text: String = s.nfc().collect();
        let mut f = Folded {
            chars: Vec::new(),
            ends: Vec::new(),
            sep_before: Vec::new(),
            text: String::new(),
        };
        let mut sep = false;
        for (i, c) in text.char_indices() {
            match fold_char(c) {
                Some(k) => {
                    f.chars.push(k);
                    f.ends.push(i + c.len_utf8());
                    f.sep_before.push(sep);
                    sep = false;
                }
                None => sep = true,
            }
        }
        f.text = text;
        f
    }
}

struct Key {
    /// The index in `checklist.items`, or [`NOT_NEEDED`].
    item: usize,
    chars: Vec<char>,
}

/// The item of a key naming a material that is not on the checklist: it claims its files for
/// no item, so that a shorter label does not.
const NOT_NEEDED: usize = usize::MAX;

/// Where a path under `scans/` belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The item at this index of `checklist.items`, and the part name (may be empty).
    Item { item: usize, part: String },
    /// No item; the closest item by edit distance, when one is close enough to suggest.
    Unmatched { closest: Option<usize> },
}

/// The slugs, labels and aliases of the scanned items, folded once.
pub struct Matcher {
    keys: Vec<Key>,
}

impl Matcher {
    pub fn new(checklist: &Checklist) -> Matcher {
        let mut keys: Vec<Key> = Vec::new();
        let scanned = || checklist.scanned_indexed();
        // Linear in the items (3,000 children's items once took seconds here): how many
        // items each per-person rule made, and the keys seen, in hash tables.
        let mut per_rule: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (_, it) in scanned() {
            *per_rule.entry(it.rule_slug.as_str()).or_default() += 1;
        }
        let mut seen: std::collections::HashSet<(usize, Vec<char>)> =
            std::collections::HashSet::new();
        let mut seen_chars: std::collections::HashSet<Vec<char>> = std::collections::HashSet::new();
        for (item, it) in scanned() {
            let mut names: Vec<String> = [&it.slug, &it.label]
                .into_iter()
                .chain(&it.aliases)
                .cloned()
                .collect();
            // A per-person item that occurs once (the only child) also answers to its plain
            // names: 子女出生医学证明.jpg is child 1's when there is no child 2.
            let per_person = it.rule_slug != it.slug && !it.rule_slug.is_empty();
            if per_person && per_rule.get(it.rule_slug.as_str()) == Some(&1) {
                names.push(it.rule_slug.clone());
                names.extend(
                    [&it.label]
                        .into_iter()
                        .chain(&it.aliases)
                        .map(|n| strip_number(n).to_string()),
                );
            }
            for name in names {
                let chars = fold_key(&name);
                if !chars.is_empty() && seen.insert((item, chars.clone())) {
                    seen_chars.insert(chars.clone());
                    keys.push(Key { item, chars });
                }
            }
        }
        for name in &checklist.not_needed {
            let chars = fold_key(name);
            if !chars.is_empty() && seen_chars.insert(chars.clone()) {
                keys.push(Key {
                    item: NOT_NEEDED,
                    chars,
                });
            }
        }
        Matcher { keys }
    }

    /// Matches the components of a path under `scans/` (folders, then the file name without its
    /// extension).
    pub fn match_path(&self, components: &[&str]) -> Match {
        // (key length, start component, key index, part)
        let mut best: Option<(usize, usize, usize, String)> = None;
        for start in 0..components.len() {
            let folded = Folded::new(&components[start..].join("/"));
            for (ki, key) in self.keys.iter().enumerate() {
                let k = key.chars.len();
                if !folded.chars.starts_with(&key.chars) || !self.ends_cleanly(&folded, ki) {
                    continue;
                }
                let better = match &best {
                    None => true,
                    Some((bk, bs, bi, _)) => {
                        (k, std::cmp::Reverse(start), std::cmp::Reverse(ki))
                            > (*bk, std::cmp::Reverse(*bs), std::cmp::Reverse(*bi))
                    }
                };
                if better {
                    let part = clean_part(&folded.text[folded.ends[k - 1]..]);
                    best = Some((k, start, ki, part));
                }
            }
        }
        match best {
            Some((_, _, ki, _)) if self.keys[ki].item == NOT_NEEDED => {
                Match::Unmatched { closest: None }
            }
            Some((_, _, ki, part)) => Match::Item {
                item: self.keys[ki].item,
                part,
            },
            None => Match::Unmatched {
                closest: components.last().and_then(|stem| self.closest(stem)),
            },
        }
    }

    /// Whether key `ki`, a prefix of `name`, ends where a word of the name ends.
    fn ends_cleanly(&self, name: &Folded, ki: usize) -> bool {
        let key = &self.keys[ki];
        let k = key.chars.len();
        if k >= name.chars.len() || name.sep_before[k] {
            return true;
        }
        let (last, next) = (key.chars[k - 1], name.chars[k]);
        if last.is_ascii_digit() && next.is_ascii_digit() {
            return false;
        }
        if next.is_alphabetic() {
            let longer = self.keys.iter().any(|other| {
                other.item != key.item && common_prefix(&name.chars, &other.chars) > k
            });
            return !longer;
        }
        true
    }

    /// The item whose slug or label is closest to a file stem, if close enough to be a likely
    /// misspelling (at most half the key's length in edits, and at least one edit allowed).
    fn closest(&self, stem: &str) -> Option<usize> {
        let name = Folded::new(stem).chars;
        if name.is_empty() {
            return None;
        }
        let mut best: Option<(usize, usize)> = None; // (distance, item)
        for key in self.keys.iter().filter(|k| k.item != NOT_NEEDED) {
            let head = &name[..name.len().min(key.chars.len())];
            let d = strsim::generic_levenshtein(&key.chars, &name.to_vec())
                .min(strsim::generic_levenshtein(&key.chars, &head.to_vec()));
            if d * 2 <= key.chars.len().max(2) && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, key.item));
            }
        }
        best.map(|(_, item)| item)
    }
}

/// `子女出生医学证明（1）` → `子女出生医学证明`: a per-person label without its number.
fn strip_number(label: &str) -> &str {
    let t = label.trim_end();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = t.strip_suffix(close) {
            if let Some(i) = inner.rfind(open) {
                let n = &inner[i + open.len_utf8()..];
                if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                    return inner[..i].trim_end();
                }
            }
        }
    }
    label
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The part name: what follows the key, separators and brackets trimmed, full-width ASCII forms
/// narrowed (so `１０` sorts as the number 10 and names the bundle file like `10`). Folder
/// separators and characters no Windows file name may hold become `-`, so the part can name a
/// bundle file.
fn clean_part(rest: &str) -> String {
    // `身份证-反面.jpg.jpg`: Windows hid the extension and the clerk typed it again.
    let rest = [".jpeg", ".jpg", ".png", ".pdf"]
        .iter()
        .find(|ext| {
            rest.len() >= ext.len()
                && rest.as_bytes()[rest.len() - ext.len()..].eq_ignore_ascii_case(ext.as_bytes())
        })
        .map_or(rest, |ext| &rest[..rest.len() - ext.len()]);
    let trimmed = rest.trim_matches(|c: char| is_separator(narrow(c)));
    trimmed
        .chars()
        .map(narrow)
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// Compares names the way people number pages: `p2` before `p10`. Digit runs compare by value;
/// equal values fall back to plain order so the result is total and deterministic.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.next_if(|c| c.is_ascii_digit()) {
                        s.push(c);
                    }
                    s
                };
                let (rx, ry) = (run(&mut x), run(&mut y));
                let (tx, ty) = (rx.trim_start_matches('0'), ry.trim_start_matches('0'));
                match tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty)) {
                    Ordering::Equal => {}
                    other => return other,
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::{ApplicantSummary, DocSize, Holder, Item, RulebookRef};

    fn item(slug: &str, label: &str) -> Item {
        Item {
            slug: slug.into(),
            label: label.into(),
            aliases: Vec::new(),
            visits: vec!["submission".into()],
            required: true,
            original: true,
            copies: 1,
            min_parts: 1,
            parts: vec![],
            combined: vec![],
            copies_at: Default::default(),
            reason: String::new(),
            basis: String::new(),
            group: "basic".into(),
            holder: Holder::Applicant,
            accept: vec![],
            size: DocSize::A4,
            rule_slug: slug.into(),
        }
    }

    fn checklist(items: &[(&str, &str)]) -> Checklist {
        Checklist {
            applicant: ApplicantSummary {
                name: "测试".into(),
                id_masked: "3101**********1234".into(),
            },
            rulebook: RulebookRef {
                id: "t".into(),
                version: "1".into(),
            },
            center: String::new(),
            center_address: None,
            visits: vec![],
            items: items.iter().map(|(s, l)| item(s, l)).collect(),
            not_needed: vec![],
        }
    }

    fn family() -> Checklist {
        checklist(&[
            ("id-card", "身份证"),
            ("spouse-id-card", "配偶身份证"),
            ("child-1-birth-certificate", "子女出生医学证明（1）"),
            ("child-2-birth-certificate", "子女出生医学证明（2）"),
            ("identity-proof", "身份证明材料"),
            ("hukou-booklet", "户口簿"),
        ])
    }

    fn m(c: &Checklist, path: &str) -> Option<(String, String)> {
        let parts: Vec<&str> = path.split('/').collect();
        match Matcher::new(c).match_path(&parts) {
            Match::Item { item, part } => Some((c.items[item].slug.clone(), part)),
            Match::Unmatched { .. } => None,
        }
    }

    fn is(slug: &str, part: &str) -> Option<(String, String)> {
        Some((slug.to_string(), part.to_string()))
    }

    #[test]
    fn slug_or_label_with_any_part_suffix() {
        let c = family();
        assert_eq!(m(&c, "id-card"), is("id-card", ""));
        assert_eq!(m(&c, "ID_Card p1"), is("id-card", "p1"));
        assert_eq!(m(&c, "身份证-正面"), is("id-card", "正面"));
        assert_eq!(m(&c, "身份证_2"), is("id-card", "2"));
        assert_eq!(m(&c, "身份证（反面）"), is("id-card", "反面"));
        assert_eq!(m(&c, "身份证(2)"), is("id-card", "2"));
        assert_eq!(m(&c, "身份证正面"), is("id-card", "正面"));
        assert_eq!(m(&c, "户口簿 首页"), is("hukou-booklet", "首页"));
    }

    #[test]
    fn longest_key_wins_over_a_shorter_prefix() {
        let c = family();
        assert_eq!(m(&c, "配偶身份证-正面"), is("spouse-id-card", "正面"));
        assert_eq!(m(&c, "spouse-id-card"), is("spouse-id-card", ""));
        assert_eq!(m(&c, "身份证明材料"), is("identity-proof", ""));
        assert_eq!(m(&c, "身份证明材料-2"), is("identity-proof", "2"));
    }

    #[test]
    fn a_label_does_not_claim_the_start_of_another_items_label() {
        let c = family();
        // 身份证明… continues into 身份证明材料, another item: neither item may claim it.
        assert_eq!(m(&c, "身份证明"), None);
        assert_eq!(m(&c, "身份证明书"), None);
        // With a separator the clerk has said where the label ends.
        assert_eq!(m(&c, "身份证-明细"), is("id-card", "明细"));
        // Without a competing item, a name after the label is just a part.
        let only = checklist(&[("id-card", "身份证")]);
        assert_eq!(m(&only, "身份证张伟"), is("id-card", "张伟"));
    }

    /// Names that overlap in the built-in rulebook: the permit and the points application form,
    /// the diploma and its online registration record.
    #[test]
    fn overlapping_names_of_the_shipped_rulebook() {
        let mut c = checklist(&[
            ("application-form", "积分申请表"),
            ("residence-permit", "上海市居住证"),
            ("diploma", "学历证书"),
            ("chsi-record", "学历证书电子注册备案表"),
        ]);
        c.items[0].aliases = vec!["上海市居住证积分申请表".into(), "居住证积分申请表".into()];
        c.items[1].aliases = vec!["居住证".into()];
        c.items[2].aliases = vec!["毕业证书".into(), "毕业证".into()];
        assert_eq!(m(&c, "居住证-正面"), is("residence-permit", "正面"));
        assert_eq!(m(&c, "上海市居住证反面"), is("residence-permit", "反面"));
        assert_eq!(m(&c, "居住证积分申请表"), is("application-form", ""));
        assert_eq!(
            m(&c, "上海市居住证积分申请表-p2"),
            is("application-form", "p2")
        );
        // Runs on into the form's name: neither the permit nor the form.
        assert_eq!(m(&c, "居住证积分表"), None);
        assert_eq!(m(&c, "学历证书电子注册备案表"), is("chsi-record", ""));
        assert_eq!(m(&c, "学历证书-电子注册备案表"), is("chsi-record", ""));
        assert_eq!(m(&c, "学历证书-正本"), is("diploma", "正本"));
        assert_eq!(m(&c, "毕业证书"), is("diploma", ""));
    }

    #[test]
    fn per_person_items_are_kept_apart() {
        let c = family();
        assert_eq!(
            m(&c, "子女出生医学证明（1）"),
            is("child-1-birth-certificate", "")
        );
        assert_eq!(
            m(&c, "子女出生医学证明(2)-p1"),
            is("child-2-birth-certificate", "p1")
        );
        assert_eq!(
            m(&c, "子女出生医学证明2"),
            is("child-2-birth-certificate", "")
        );
        assert_eq!(
            m(&c, "child-2-birth-certificate_1"),
            is("child-2-birth-certificate", "1")
        );
        // A digit run is never split: 12 is not child 1, part 2.
        assert_eq!(m(&c, "子女出生医学证明12"), None);
        assert_eq!(
            m(&c, "子女出生医学证明（1）2"),
            is("child-1-birth-certificate", "2")
        );
        assert_eq!(m(&c, "子女出生医学证明"), None);
    }

    #[test]
    fn an_only_child_answers_to_the_plain_label_and_aliases() {
        let child = |n: usize| {
            let mut it = item(
                &format!("child-{n}-birth-certificate"),
                &format!("子女出生医学证明（{n}）"),
            );
            it.rule_slug = "birth-certificate".into();
            it.aliases = vec![format!("出生证明（{n}）")];
            it
        };
        let mut one = checklist(&[("id-card", "身份证")]);
        one.items.push(child(1));
        assert_eq!(
            m(&one, "子女出生医学证明"),
            is("child-1-birth-certificate", "")
        );
        assert_eq!(
            m(&one, "出生证明-正面"),
            is("child-1-birth-certificate", "正面")
        );
        assert_eq!(
            m(&one, "birth-certificate_2"),
            is("child-1-birth-certificate", "2")
        );
        assert_eq!(
            m(&one, "出生证明（1）"),
            is("child-1-birth-certificate", "")
        );
        // With two children the plain name says nothing about whose it is.
        let mut two = one.clone();
        two.items.push(child(2));
        assert_eq!(m(&two, "子女出生医学证明"), None);
        assert_eq!(m(&two, "出生证明"), None);
        assert_eq!(m(&two, "出生证明(2)"), is("child-2-birth-certificate", ""));
        assert_eq!(strip_number("子女出生医学证明（12）"), "子女出生医学证明");
        assert_eq!(strip_number("国(境)外学历"), "国(境)外学历");
    }

    #[test]
    fn sub_folders_name_the_item_and_the_part() {
        let c = family();
        assert_eq!(m(&c, "身份证/正面"), is("id-card", "正面"));
        assert_eq!(m(&c, "id-card/p2/back"), is("id-card", "p2-back"));
        assert_eq!(m(&c, "身份证 正面?<旧>"), is("id-card", "正面--旧"));
        assert_eq!(m(&c, "2024-11/身份证"), is("id-card", ""));
        // The folder says whose: 配偶/身份证 is the spouse's ID card, not the applicant's.
        assert_eq!(m(&c, "配偶/身份证"), is("spouse-id-card", ""));
        assert_eq!(m(&c, "张伟/配偶身份证"), is("spouse-id-card", ""));
        assert_eq!(m(&c, "杂项/扫描"), None);
    }

    #[test]
    fn nfc_nfd_case_and_width_fold() {
        let c = checklist(&[("resume", "Résumé 简历")]);
        let nfd: String = "Résumé 简历-1".nfd().collect();
        assert_ne!(nfd, "Résumé 简历-1");
        assert_eq!(m(&c, &nfd), is("resume", "1"));
        assert_eq!(m(&c, "RÉSUMÉ简历"), is("resume", ""));
        let c = family();
        assert_eq!(
            m(&c, "子女出生医学证明（２）　ｐ１"),
            is("child-2-birth-certificate", "p1")
        );
    }

    /// The law behind matching: however a name is spelt — NFC or NFD, upper or lower case,
    /// full-width or not, whichever separator — it lands on the same item with the same part.
    #[test]
    fn every_spelling_of_every_key_lands_on_the_same_item_and_part() {
        let c = family();
        let width = |s: &str| -> String {
            s.chars()
                .map(|ch| match ch {
                    '!'..='~' => char::from_u32(ch as u32 + 0xFEE0).unwrap_or(ch),
                    _ => ch,
                })
                .collect()
        };
        for (i, it) in c.items.iter().enumerate() {
            for key in [&it.slug, &it.label] {
                for (suffix, part) in [
                    ("", ""),
                    ("-正面", "正面"),
                    ("_2", "2"),
                    (" p10", "p10"),
                    ("（反面）", "反面"),
                ] {
                    let name = format!("{key}{suffix}");
                    let spellings = [
                        name.nfc().collect::<String>(),
                        name.nfd().collect::<String>(),
                        name.to_uppercase(),
                        width(&name),
                        name.replace('-', "_"),
                        name.replace('-', " "),
                    ];
                    for spelling in spellings {
                        let got = match Matcher::new(&c).match_path(&[spelling.as_str()]) {
                            Match::Item { item, part } => Some((item, fold_key(&part))),
                            Match::Unmatched { .. } => None,
                        };
                        assert_eq!(got, Some((i, fold_key(part))), "{spelling:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn unmatched_names_suggest_the_closest_item() {
        let c = family();
        let matcher = Matcher::new(&c);
        let closest = |s: &str| match matcher.match_path(&[s]) {
            Match::Unmatched { closest } => closest.map(|i| c.items[i].slug.clone()),
            Match::Item { .. } => panic!("{s} should not match"),
        };
        assert_eq!(closest("身分证-正面").as_deref(), Some("id-card"));
        assert_eq!(closest("hukou-boklet").as_deref(), Some("hukou-booklet"));
        assert_eq!(closest("IMG_20240101_123456"), None);
    }

    #[test]
    fn junk_and_extensions() {
        for j in [
            "Thumbs.db",
            "thumbs.db",
            "desktop.ini",
            ".DS_Store",
            "._身份证.jpg",
            "~$合同.docx",
        ] {
            assert!(is_junk(j), "{j}");
        }
        assert!(!is_junk("身份证.jpg"));
        assert_eq!(
            split_ext("身份证-正面.JPG"),
            ("身份证-正面", "jpg".to_string())
        );
        assert_eq!(
            split_ext("身份证.正面.jpeg"),
            ("身份证.正面", "jpeg".to_string())
        );
        assert_eq!(split_ext("身份证"), ("身份证", String::new()));
        assert_eq!(split_ext(".jpg"), (".jpg", String::new()));
    }

    /// A doubled extension used to end up in the part (`[反面.png]`, `01-身份证-反面.png.png`).
    #[test]
    fn a_doubled_extension_is_not_part_of_the_part() {
        let c = family();
        assert_eq!(m(&c, "身份证-反面.png"), is("id-card", "反面"));
        assert_eq!(m(&c, "身份证.JPG"), is("id-card", ""));
        assert_eq!(m(&c, "身份证-p1.pdf"), is("id-card", "p1"));
        assert_eq!(m(&c, "身份证-正面.jpeg"), is("id-card", "正面"));
    }

    #[test]
    fn natural_order_of_parts() {
        let mut v = vec!["p10", "p2", "p1", "", "反面", "正面", "p02"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["", "p1", "p02", "p2", "p10", "反面", "正面"]);
    }
}
