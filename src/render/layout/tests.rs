use super::*;
use crate::render::markup::parse;
use crate::render::Fonts;

fn face() -> std::sync::Arc<Face> {
    Fonts::embedded().unwrap().face_for("").unwrap()
}

fn layouter(face: &Face) -> Layouter<'_> {
    Layouter::new(face)
}

/// The page (0-based) each text is on.
fn page_of(laid: &Laid, needle: &str) -> Vec<usize> {
    laid.pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.draws
                .iter()
                .any(|d| matches!(d, Draw::Text { text, .. } if text == needle))
        })
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_soft_break_keeps_the_space_before_the_next_word() {
    let face = face();
    let l = layouter(&face);
    let text = "模拟积分 112 分，未达到标准分 120 分 (below the standard score)";
    for max in 20..90 {
        let lines = l.wrap_cell(text, 9.5, max as f32);
        let joined = lines.join(" ");
        assert!(!joined.contains("standardscore"), "{max}: {lines:?}");
    }
}

#[test]
fn a_keep_group_moves_whole_to_the_next_page_and_small_groups_share_a_page() {
    let face = face();
    let filler: String = (0..36).map(|i| format!("p: line {i}\n")).collect();
    let group = "keep\n### 第 3 次窗口\ntable: 10 | 10\nrow: a1 | b\nrow: a2 | b\nrow: a3 | b\nrow: a4 | b\nrow: a5 | b\nrow: a6 | b\nendtable\nendkeep\n";
    let laid = layout(&parse(&format!("{filler}{group}")).unwrap(), &face);
    // Without keep the heading and the first rows would stay on page 1.
    assert_eq!(page_of(&laid, "第 3 次窗口"), vec![1]);
    assert_eq!(page_of(&laid, "a1"), vec![1]);
    assert_eq!(page_of(&laid, "a6"), vec![1]);
    assert_eq!(page_of(&laid, "line 35"), vec![0]);
    let plain = group.replace("endkeep\n", "").replace("keep\n", "");
    let laid = layout(&parse(&format!("{filler}{plain}")).unwrap(), &face);
    assert_ne!(
        page_of(&laid, "a1"),
        page_of(&laid, "a6"),
        "the case keep is for"
    );

    // Ten small groups (one-row visits) share pages instead of taking one each.
    let small: String = (0..10)
        .map(|i| format!("keep\n### 员工 {i}\ntable: 10 | 10\nrow: x{i} | y\nendtable\nendkeep\n"))
        .collect();
    let laid = layout(&parse(&small).unwrap(), &face);
    assert_eq!(laid.pages.len(), 1);

    // A group taller than a page is not moved (it flows on where it is), and nesting works:
    // an outer group that fits moves whole, inner ones with it.
    let rows: String = (0..80).map(|i| format!("row: r{i} | y\n")).collect();
    let big = format!("p: intro\nkeep\n### big\nkeep\ntable: 10 | 10\n{rows}endtable\nendkeep\nendkeep\np: after\n");
    let laid = layout(&parse(&big).unwrap(), &face);
    assert_eq!(page_of(&laid, "intro"), vec![0]);
    assert_eq!(page_of(&laid, "big"), vec![0]);
    assert_eq!(page_of(&laid, "r0"), vec![0]);
    assert!(page_of(&laid, "r79")[0] >= 1);
    let nested = format!(
        "{filler}keep\n### outer\nkeep\n### inner\ntable: 10 | 10\nrow: a1 | b\nrow: a2 | b\nrow: a3 | b\nendtable\nendkeep\nkeep\n### second\ntable: 10 | 10\nrow: c1 | d\nrow: c2 | d\nendtable\nendkeep\nendkeep\n"
    );
    let laid = layout(&parse(&nested).unwrap(), &face);
    for t in ["outer", "inner", "a1", "a3", "second", "c2"] {
        assert_eq!(page_of(&laid, t), vec![1], "{t}");
    }
    assert!(parse("endkeep").is_err());
}

#[test]
fn wrapping_keeps_every_character_and_respects_the_width() {
    let face = face();
    let l = layouter(&face);
    let text = "原件及正反面复印件各一份（复印件须清晰），Bank card for payroll and a verylongunbreakablewordthatmustbesplit";
    for max in [15.0, 30.0, 60.0, 500.0] {
        let lines = l.wrap(text, 10.0, max);
        let joined: String = lines
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, expected, "max {max}");
        for line in &lines {
            assert!(
                l.width(line, 10.0) <= max + 1e-3,
                "{line:?} wider than {max}"
            );
        }
    }
    // UAX #14: no line starts with a closing mark or a comma; no line ends with a hyphen
    // unless a single word had to be split.
    for line in l.wrap(text, 10.0, 22.0) {
        assert!(!line.starts_with(['）', '，', '。']), "{line:?}");
    }
    // (These widths broke `06-` off before the rule.)
    for line in l.wrap(
        "06-劳动合同-p1.jpg、06-劳动合同-p2.jpg、06-劳动合同-p3.jpg",
        9.5,
        70.07,
    ) {
        assert!(!line.ends_with('-'), "{line:?}");
    }
    assert_eq!(l.wrap("", 10.0, 20.0), vec![String::new()]);
}

#[test]
fn table_cells_break_between_file_names() {
    let face = face();
    let l = layouter(&face);
    let files = "10-配偶身份证-正面.jpg、10-配偶身份证-反面.jpg";
    assert_eq!(
        l.wrap_cell(files, 9.5, 70.0),
        vec!["10-配偶身份证-正面.jpg、", "10-配偶身份证-反面.jpg"]
    );
    // Prose fills its lines instead.
    assert_eq!(l.wrap(files, 9.5, 70.0).len(), 2);
    assert_ne!(l.wrap(files, 9.5, 70.0)[0], "10-配偶身份证-正面.jpg、");
    // Not at the price of an extra line.
    let reason = "技能等级三级（高级工）加分；需在国家职业资格证书全国联网查询系统可查";
    assert_eq!(
        l.wrap_cell(reason, 9.5, 62.0).len(),
        l.wrap(reason, 9.5, 62.0).len()
    );
    for max in [12.0, 25.0, 40.0, 90.0] {
        let text = "技能等级三级（高级工）加分；需在国家职业资格证书全国联网查询系统可查, and some English words";
        let lines = l.wrap_cell(text, 9.5, max);
        assert_eq!(
            lines.concat().replace(' ', ""),
            text.replace(' ', ""),
            "max {max}"
        );
        assert!(
            lines.iter().all(|line| l.width(line, 9.5) <= max + 1e-3),
            "max {max}: {lines:?}"
        );
    }
}

#[test]
fn long_tables_repeat_their_header_and_stay_inside_the_page() {
    let face = face();
    let mut src = String::from("# 标题\ntable: 10^ | 60 | 10^\nhead: 序号 | 材料 | 核对\n");
    for i in 0..80 {
        src.push_str(&format!(
            "row: {i} | 材料名称{i}，说明文字较长需要换行的内容，Latin words too | [ ]\n"
        ));
    }
    src.push_str("endtable\n");
    let laid = layout(&parse(&src).unwrap(), &face);
    assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
    for page in &laid.pages {
        let heads = page
            .draws
            .iter()
            .filter(|d| matches!(d, Draw::Text { text, .. } if text == "序号"))
            .count();
        assert_eq!(heads, 1, "every page repeats the header once");
        for d in &page.draws {
            if let Draw::Text { x, y, .. } | Draw::Tick { x, y, .. } = d {
                assert!(
                    (LEFT..=RIGHT).contains(x) && (TOP..=BOTTOM).contains(y),
                    "{d:?}"
                );
            }
        }
    }
    let ticks = laid
        .pages
        .iter()
        .flat_map(|p| &p.draws)
        .filter(|d| matches!(d, Draw::Tick { .. }))
        .count();
    assert_eq!(ticks, 80);
}

#[test]
fn a_row_taller_than_a_page_is_split_not_cut() {
    let face = face();
    let long = "很长的说明。".repeat(400);
    let src = format!("table: 1 | 3\nhead: 项目 | 说明\nrow: A | {long}\nendtable\n");
    let laid = layout(&parse(&src).unwrap(), &face);
    assert!(laid.pages.len() >= 2);
    let drawn: String = laid
        .pages
        .iter()
        .flat_map(|p| &p.draws)
        .filter_map(|d| match d {
            Draw::Text { text, style, .. } if !style.bold && text != "A" => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(drawn, long);
}

#[test]
fn pagebreaks_never_make_blank_pages() {
    let face = face();
    let laid = layout(
        &parse("pagebreak\np: 一\npagebreak\npagebreak\np: 二\npagebreak").unwrap(),
        &face,
    );
    assert_eq!(laid.pages.len(), 2);
    assert!(laid.pages.iter().all(|p| !p.draws.is_empty()));
}

#[test]
fn headers_belong_to_the_page_they_are_set_on() {
    let face = face();
    let laid = layout(
        &parse("header: 甲\np: 一\npagebreak\nheader: 乙\np: 二").unwrap(),
        &face,
    );
    assert_eq!(laid.pages[0].header.0, "甲");
    assert_eq!(laid.pages[1].header.0, "乙");
}
