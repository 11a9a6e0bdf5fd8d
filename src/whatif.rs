//! The road to the standard score (`to_standard`, SPEC §5): for an applicant below it, the
//! nearest ways to reach it, each alone enough.
//!
//! Every way is found by changing the profile (or the date) and scoring it again with the same
//! rules ([`crate::score::points`]): there is no second formula that could disagree with the
//! score. Time alone moves the application date forward month by month (and to each marriage
//! anniversary), with the insurance record extended as long as the applicant keeps paying; the
//! first date whose total reaches the standard is the way's `on`. An act (a certificate, a
//! degree) is a changed profile on today's date; it has no `on`. Invariant: a listed way's
//! what-if total reaches the standard; `points` is that total minus today's.

use crate::date::{Date, Month};
use crate::messages::Text;
use crate::profile::{CertLevel, Certificate, Profile};
use crate::rules::{Env, Rulebook};
use crate::score::{points, Way};
use crate::t;

/// How far ahead time is tried: ten years.
const HORIZON_MONTHS: i64 = 120;
/// At most this many acts are listed (the nearest).
const MAX_ACTS: usize = 4;

/// The ways for a profile whose total on `on` is `total`, nearest first: time (by date), then
/// acts (fewest points first).
pub fn ways(book: &Rulebook, p: &Profile, on: Date, total: i64) -> Result<Vec<Way>, String> {
    let mut out = Vec::new();
    if let Some(w) = by_time(book, p, on, total)? {
        out.push(w);
    }
    let mut acts = Vec::new();
    for (what, q) in acts_for(p) {
        let env = Env::new(book, &q, on).map_err(|e| e.en)?;
        let sc = points(book, &q, &env)?;
        if sc.total >= book.standard_score {
            acts.push(Way {
                what,
                points: sc.total - total,
                on: None,
            });
        }
    }
    acts.sort_by_key(|w| w.points);
    out.extend(acts.into_iter().take(MAX_ACTS));
    Ok(out)
}

/// The profile `months` months later, with the insurance record extended while paying: the
/// shorthand gains the months; an open-ended last period runs on by itself.
pub fn later(p: &Profile, on: Date, months: i64) -> Profile {
    let mut q = p.clone();
    let ins = &mut q.insurance;
    if !ins.contributing || months <= 0 {
        return q;
    }
    if ins.periods.is_empty() {
        ins.months += months;
    } else {
        let application = Month::of(on);
        if let Some(last) = ins.periods.last_mut() {
            // A period written to end in the application month goes on as the open one would.
            if last.end(application) == application {
                last.to = None;
            }
        }
        let total: i64 = ins
            .periods
            .iter()
            .map(|p| p.end(application.plus(months)).index() - p.from.index() + 1)
            .sum();
        ins.months = total;
    }
    ins.years = ins.months / 12;
    q
}

/// The first date within the horizon on which time alone reaches the standard. The total only
/// changes on the first of a month (the insurance record grows, a window moves), on a birthday
/// (age) and on a wedding anniversary (the spouse bonus), so those are the dates tried, in
/// order: every one of them, since a total can reach the standard for a few months only (a
/// year of insurance in January, two age points lost at a birthday in March).
fn by_time(book: &Rulebook, p: &Profile, on: Date, total: i64) -> Result<Option<Way>, String> {
    let start = Month::of(on);
    let last = start.plus(HORIZON_MONTHS).first_day();
    let mut dates: Vec<Date> = (1..=HORIZON_MONTHS)
        .map(|k| start.plus(k).first_day())
        .collect();
    let yearly = |m: Date, dates: &mut Vec<Date>| {
        for y in on.year..=last.year {
            let day = Date::new(y, m.month, m.day).or_else(|| Date::new(y, m.month, 28));
            if let Some(d) = day.filter(|d| *d > on && *d <= last) {
                dates.push(d);
            }
        }
    };
    yearly(p.applicant.birth_date, &mut dates);
    if let Some(m) = p.family.married_on {
        yearly(m, &mut dates);
    }
    dates.sort();
    dates.dedup();
    let reaches = |d: Date| -> Result<Option<crate::score::Score>, String> {
        let q = later(p, on, Month::of(d).index() - start.index());
        let sc = points(book, &q, &Env::new(book, &q, d).map_err(|e| e.en)?)?;
        Ok((sc.total >= book.standard_score).then_some(sc))
    };
    for hit in dates {
        let Some(then) = reaches(hit)? else {
            continue;
        };
        let now = points(book, p, &Env::new(book, p, on).map_err(|e| e.en)?)?;
        let changes: Vec<String> = then
            .items
            .iter()
            .zip(&now.items)
            .filter(|(t, n)| t.points != n.points)
            .map(|(t, n)| format!("{} {:+}", t.label, t.points - n.points))
            .collect();
        let (zh, en) = (changes.join("、"), changes.join(", "));
        let what = if p.insurance.contributing {
            t!(
                "继续在本市缴纳社保（{zh}）",
                "keep paying Shanghai social insurance ({en})"
            )
        } else {
            t!("时间（{zh}）", "time ({en})")
        };
        return Ok(Some(Way {
            what,
            points: then.total - total,
            on: Some(hit),
        }));
    }
    Ok(None)
}

/// The acts tried, each as a changed profile: the next title and skill levels, the missing
/// degree, the next education level with its degree.
fn acts_for(p: &Profile) -> Vec<(Text, Profile)> {
    let mut out = Vec::new();
    let with_cert = |kind: &str, level: CertLevel, name: &str| {
        let mut q = p.clone();
        q.certificates.push(Certificate {
            kind: kind.into(),
            level,
            name: name.into(),
        });
        q
    };
    let title = p.best_title();
    if title != "intermediate" && title != "senior" {
        out.push((
            t!(
                "取得中级专业技术职称（须近 12 个月中 6 个月社保基数不低于 1 倍）",
                "an intermediate professional title (with an insurance base of at least 1× in 6 of the last 12 months)"
            ),
            with_cert("title", CertLevel::Title("intermediate".into()), "中级职称"),
        ));
    }
    if title != "senior" {
        out.push((
            t!(
                "取得高级专业技术职称（须近 12 个月中 6 个月社保基数不低于 1 倍）",
                "a senior professional title (with an insurance base of at least 1× in 6 of the last 12 months)"
            ),
            with_cert("title", CertLevel::Title("senior".into()), "高级职称"),
        ));
    }
    let skills = p.skill_levels();
    for (level, words) in [(3, "三级"), (2, "二级"), (1, "一级")] {
        if !skills.iter().any(|s| *s <= level) {
            let (cond_zh, cond_en) = if level <= 2 {
                (
                    "（须近 12 个月中 6 个月社保基数不低于 1 倍）",
                    " (with an insurance base of at least 1× in 6 of the last 12 months)",
                )
            } else {
                ("", "")
            };
            out.push((
                t!(
                    "取得技能等级{words}证书{cond_zh}",
                    "a skill certificate of level {level}{cond_en}"
                ),
                with_cert("skill", CertLevel::Skill(level), "技能"),
            ));
        }
    }
    let e = &p.education;
    if !e.degree && ["bachelor", "master", "doctorate"].contains(&e.level.as_str()) {
        let mut q = p.clone();
        q.education.degree = true;
        out.push((
            t!(
                "取得相应学位证书",
                "the degree of the education already held"
            ),
            q,
        ));
    }
    let next = match e.level.as_str() {
        "none" | "associate" => Some((
            "bachelor",
            t!(
                "取得本科学历和学士学位",
                "a bachelor's education and degree"
            ),
        )),
        "bachelor" => Some((
            "master",
            t!(
                "取得硕士研究生学历和学位",
                "a master's education and degree"
            ),
        )),
        "master" => Some((
            "doctorate",
            t!(
                "取得博士研究生学历和学位",
                "a doctoral education and degree"
            ),
        )),
        _ => None,
    };
    if let Some((level, what)) = next {
        let mut q = p.clone();
        q.education.level = level.into();
        q.education.degree = true;
        out.push((what, q));
    }
    out
}
