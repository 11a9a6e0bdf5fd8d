//! Property tests with a small hand-rolled generator (the xorshift `Rng` of tests/support, fixed
//! seeds, so every run checks the same cases and a failure names its seed) rather than proptest,
//! whose build would cost more than these few laws need:
//! - generated valid ID numbers and credit codes pass; any one-character change fails (and never
//!   panics, whatever the character);
//! - NFC and NFD spellings of a label (Latin with accents, kana with voicing marks, Hangul) match
//!   the same item with the same part;
//! - text escaped for the terminal holds no control character whatever the input, and JSON
//!   filtered for the terminal is the same JSON (SPEC §9);
//! - a valid ID number inside any text, plain, spaced, hyphenated or full-width, is masked;
//! - pack is deterministic (same folder + SOURCE_DATE_EPOCH → same ZIP and PDF bytes, also from a
//!   copy of the folder elsewhere), and verify(pack(x)) passes, for generated employee folders.

use crate::{common, scans};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scans::{checklist_of, item, Rng};
use dossier::checklist::DocSize;
use dossier::date::Date;
use dossier::idnum::{check_id, check_uscc, id_check_char, uscc_check_char};
use dossier::scan::matching::{fold_key, Match, Matcher};
use unicode_normalization::UnicodeNormalization;

const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Characters a one-character change may bring in: digits, letters, the check characters of both
/// schemes in both cases, full-width digits (an IME's), CJK, spaces and punctuation.
const REPLACEMENTS: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X', 'x', 'A', 'I', 'O', 'Y', 'a', 'z', ' ',
    '-', '０', '１', '９', 'Ｘ', '一', '零', 'é', '\u{301}', '\0',
];

fn pick<T: Copy>(r: &mut Rng, xs: &[T]) -> T {
    xs[r.below(xs.len() as u64) as usize]
}

fn valid_id(r: &mut Rng) -> (String, Date) {
    let region: String = (0..6).map(|_| (b'0' + r.below(10) as u8) as char).collect();
    let born = Date::new(
        1940 + r.below(68) as i32,
        1 + r.below(12) as u32,
        1 + r.below(28) as u32,
    )
    .expect("date");
    let seq: String = (0..3).map(|_| (b'0' + r.below(10) as u8) as char).collect();
    let body = format!("{region}{}{seq}", born.to_string().replace('-', ""));
    let c = id_check_char(&body).expect("17 digits");
    (format!("{body}{c}"), born)
}

fn valid_uscc(r: &mut Rng) -> String {
    let mut body = String::new();
    for i in 0..17 {
        let c = if (2..8).contains(&i) {
            (b'0' + r.below(10) as u8) as char
        } else {
            pick(r, USCC_ALPHABET) as char
        };
        body.push(c);
    }
    let c = uscc_check_char(&body).expect("17 characters of the alphabet");
    format!("{body}{c}")
}

/// `s` with the character at `at` replaced by `c`.
fn replace_at(s: &str, at: usize, c: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, o)| if i == at { c } else { o })
        .collect()
}

#[test]
fn generated_id_numbers_pass_and_any_one_character_change_fails() {
    let today = Date::new(2026, 11, 26).expect("date");
    let mut r = Rng::new(11643);
    for case in 0..3000 {
        let (id, born) = valid_id(&mut r);
        assert_eq!(check_id(&id, today), Ok(born), "case {case}: {id}");
        for at in 0..18 {
            let c = pick(&mut r, REPLACEMENTS);
            let orig = id.chars().nth(at).expect("18 characters");
            // The check character X may be written x: the same number, not a change.
            if c == orig || (at == 17 && c.eq_ignore_ascii_case(&orig)) {
                continue;
            }
            let changed = replace_at(&id, at, c);
            assert!(
                check_id(&changed, today).is_err(),
                "case {case}: {changed:?} (from {id}, position {at}) was accepted"
            );
        }
    }
}

#[test]
fn generated_credit_codes_pass_and_any_one_character_change_fails() {
    let mut r = Rng::new(32100);
    for case in 0..3000 {
        let code = valid_uscc(&mut r);
        assert_eq!(check_uscc(&code), Ok(()), "case {case}: {code}");
        for at in 0..18 {
            let c = pick(&mut r, REPLACEMENTS);
            if code.chars().nth(at) == Some(c) {
                continue;
            }
            let changed = replace_at(&code, at, c);
            assert!(
                check_uscc(&changed).is_err(),
                "case {case}: {changed:?} (from {code}, position {at}) was accepted"
            );
        }
    }
}

/// Pieces of labels whose NFD differs from their NFC (accents, kana voicing, Hangul syllables)
/// and pieces that have no decomposition.
const PIECES: &[&str] = &[
    "é", "Ü", "Å", "ñ", "ç", "ô", "が", "パ", "ぷ", "ド", "한", "글", "각", "학", "位", "证", "书",
    "户", "口", "簿", "ab", "Kd", "Ω", "ő",
];
const SUFFIXES: &[(&str, &str)] = &[
    ("", ""),
    ("-正面", "正面"),
    ("_2", "2"),
    (" p10", "p10"),
    ("（反面）", "反面"),
    ("-pàge", "pàge"),
];

fn label(r: &mut Rng) -> String {
    let n = 2 + r.below(4);
    (0..n).map(|_| pick(r, PIECES)).collect()
}

#[test]
fn nfc_and_nfd_spellings_of_a_label_match_the_same_item() {
    let mut r = Rng::new(0x004E_4644);
    for case in 0..400 {
        let mut labels: Vec<String> = Vec::new();
        while labels.len() < 4 {
            let l = label(&mut r);
            // Distinct after folding, and none a prefix of another (else the longest wins and
            // a suffix could spell a different item).
            let k = fold_key(&l);
            if labels.iter().all(|o| {
                let ok = fold_key(o);
                !ok.starts_with(&k) && !k.starts_with(&ok)
            }) {
                labels.push(l);
            }
        }
        let items = labels
            .iter()
            .enumerate()
            .map(|(i, l)| item(&format!("item-{i}"), l, 1, DocSize::A4))
            .collect();
        let cl = checklist_of(items);
        let m = Matcher::new(&cl);
        for (i, l) in labels.iter().enumerate() {
            let (suffix, part) = pick(&mut r, SUFFIXES);
            let name = format!("{l}{suffix}");
            let nfc: String = name.nfc().collect();
            let nfd: String = name.nfd().collect();
            let folder_nfd: String = l.nfd().collect();
            let part_nfc: String = part.nfc().collect();
            let want = Some((i, fold_key(part)));
            let got = |comps: &[&str]| match m.match_path(comps) {
                Match::Item { item, part } => Some((item, fold_key(&part))),
                Match::Unmatched { .. } => None,
            };
            assert_eq!(got(&[&nfc]), want, "case {case}: NFC {nfc:?}");
            assert_eq!(got(&[&nfd]), want, "case {case}: NFD {nfd:?}");
            if !part.is_empty() {
                // macOS folder (NFD) holding a file named on Windows (NFC).
                assert_eq!(
                    got(&[&folder_nfd, &part_nfc]),
                    want,
                    "case {case}: {folder_nfd:?}/{part_nfc:?}"
                );
            }
        }
    }
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A PNG with a tEXt chunk after IHDR: the same image, other bytes.
fn png_with_text(png: &[u8], text: &str) -> Vec<u8> {
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text.as_bytes());
    let mut chunk = Vec::new();
    scans::png_chunk(&mut chunk, b"tEXt", &data);
    let mut out = png[..ihdr_end].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

/// A variation of examples/zhang-wei under `root/name`: each scan perhaps given other bytes
/// (a PNG text chunk), an upper-case extension, an NFD name, or moved into a folder named by
/// its item (`身份证-正面.png` → `身份证/正面.png`); perhaps an extra page for one item.
fn generated_folder(r: &mut Rng, root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei");
    std::fs::create_dir_all(dir.join("scans")).unwrap();
    std::fs::copy(src.join("applicant.toml"), dir.join("applicant.toml")).unwrap();
    let scans = src.join("scans");
    for f in files(&scans) {
        let rel = f
            .strip_prefix(&scans)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let mut bytes = std::fs::read(&f).unwrap();
        let is_png = rel.ends_with(".png");
        if is_png && r.below(2) == 0 {
            bytes = png_with_text(&bytes, &format!("scanner {}", r.next()));
        }
        let (stem, ext) = rel.rsplit_once('.').unwrap();
        let ext = if r.below(4) == 0 {
            ext.to_uppercase()
        } else {
            ext.to_string()
        };
        let mut stem = stem.to_string();
        if !stem.contains('/') && r.below(4) == 0 {
            if let Some((label, part)) = stem.split_once('-') {
                stem = format!("{label}/{part}");
            }
        }
        if r.below(4) == 0 {
            stem = stem.nfd().collect();
        }
        let to = dir.join("scans").join(format!("{stem}.{ext}"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    if r.below(2) == 0 {
        let extra = png_with_text(
            &std::fs::read(scans.join("营业执照.png")).unwrap(),
            &format!("page 2 {}", r.next()),
        );
        std::fs::write(dir.join("scans/营业执照-p2.png"), extra).unwrap();
    }
    dir
}

fn pack(dir: &Path, out: &Path, ascii: bool) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dossier"));
    c.args(["--color", "never", "pack", dir.to_str().unwrap()])
        .args(["-o", out.to_str().unwrap()]);
    if ascii {
        c.arg("--ascii-names");
    }
    c.env("SOURCE_DATE_EPOCH", "1764115200")
        .env("NO_COLOR", "1");
    c.output().expect("run dossier")
}

#[test]
fn pack_is_deterministic_and_verifies_for_generated_folders() {
    let mut r = Rng::new(8493);
    for case in 0..5 {
        let env = common::Env::new();
        let dir = generated_folder(&mut r, env.path(), "e");
        let ascii = r.below(2) == 0;
        let outs = [env.path().join("out1"), env.path().join("out2")];
        for out in &outs {
            let o = pack(&dir, out, ascii);
            assert_eq!(
                common::code(&o),
                0,
                "case {case}: {}{}",
                common::stdout(&o),
                common::stderr(&o)
            );
        }
        // The same folder copied elsewhere packs to the same bytes too.
        let copy = env.path().join("elsewhere/e");
        common::copy_dir(&dir, &copy);
        let out3 = env.path().join("out3");
        assert_eq!(common::code(&pack(&copy, &out3, ascii)), 0, "case {case}");
        let a = files(&outs[0]);
        assert_eq!(a.len(), 2, "case {case}: {a:?}");
        for f in &a {
            let name = f.file_name().unwrap();
            let bytes = std::fs::read(f).unwrap();
            for other in [&outs[1], &out3] {
                assert!(
                    std::fs::read(other.join(name)).unwrap() == bytes,
                    "case {case}: {name:?} differs between runs"
                );
            }
        }
        let zip = a
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "zip"))
            .expect("a zip");
        let report = dossier::bundle::verify(zip).expect("readable bundle");
        assert!(report.ok, "case {case}: {:?}", report.problems);
        let v = common::dossier(&["verify", zip.to_str().unwrap()]);
        assert_eq!(common::code(&v), 0, "case {case}: {}", common::stdout(&v));
    }
}

/// SPEC §9: whatever characters an input holds, the escaped text holds none a terminal obeys
/// (C0 but tab, DEL, C1, bidirectional marks, overrides and isolates), escaping twice changes
/// nothing more, and a JSON document filtered for the terminal is still the same JSON.
#[test]
fn escaped_text_holds_nothing_a_terminal_obeys_whatever_the_input() {
    const POOL: &[char] = &[
        'a', '张', ' ', '\x1b', '\x07', '\u{9b}', '\u{85}', '\u{202e}', '\u{2066}', '\u{200f}',
        '\n', '\r', '\t', '\\', '[', ']', '0', '😀', '\u{7f}', '\0', '\u{301}', 'm',
    ];
    let obeyed = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    let mut r = Rng::new(0x1b);
    for case in 0..5000 {
        let n = r.below(40) as usize;
        let s: String = (0..n).map(|_| pick(&mut r, POOL)).collect();
        let e = dossier::text::escape_name(&s);
        assert!(!e.chars().any(obeyed), "case {case}: {s:?} -> {e:?}");
        assert_eq!(dossier::text::escape_name(&e), e, "case {case}: {s:?}");
        let block = dossier::text::escape(&s);
        assert!(
            !block.chars().any(|c| c != '\n' && obeyed(c)),
            "case {case}: {s:?}"
        );
        let json = serde_json::to_string_pretty(&serde_json::json!({ "name": s })).unwrap();
        let shown = dossier::privacy::json_text(&json);
        assert!(
            !shown.chars().any(|c| c != '\n' && obeyed(c)),
            "case {case}: {shown:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            back["name"],
            *dossier::privacy::mask_text(&s),
            "case {case}"
        );
    }
}

/// SPEC §7, §9: a valid ID number inside any text, typed plain, with spaces or hyphens between
/// its groups, or in full-width digits, is masked (its middle ten never shown), masking twice
/// changes nothing more, and the rest of the text is kept.
#[test]
fn id_numbers_are_masked_however_they_are_typed() {
    use dossier::idnum::{mask_ids_in, MaskMode};
    const AROUND: &[&str] = &[
        "",
        "身份证-",
        "scans/",
        "a b ",
        "2026-11-26 ",
        "_",
        "（",
        ".png",
        "-正面",
    ];
    let mut r = Rng::new(11643);
    for case in 0..3000 {
        let (id, _) = valid_id(&mut r);
        let typed: String = match r.below(4) {
            0 => id.clone(),
            1 => format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
            2 => format!("{}-{}-{}", &id[..6], &id[6..14], &id[14..]),
            _ => id
                .chars()
                .map(|c| {
                    c.to_digit(10)
                        .map_or(c, |d| char::from_u32('０' as u32 + d).unwrap())
                })
                .collect(),
        };
        let before = pick(&mut r, AROUND);
        // (An ID glued to more digits is one longer number, not an ID number.)
        let after = pick(&mut r, &["", ".png", "-正面", " ", "）", "_p1"]);
        let text = format!("{before}{typed}{after}");
        for fill in ['*', 'x'] {
            let m = mask_ids_in(&text, fill, &[], MaskMode::IdLike).into_owned();
            let plain: String = m
                .chars()
                .filter_map(|c| match c {
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                    ' ' | '-' => None,
                    c => Some(c),
                })
                .collect();
            assert!(!plain.contains(&id[4..14]), "case {case}: {text} -> {m}");
            assert!(m.starts_with(before), "case {case}: {text} -> {m}");
            assert_eq!(
                mask_ids_in(&m, fill, &[], MaskMode::IdLike),
                m,
                "case {case}"
            );
        }
    }
}
