//! `[insurance]`: the record as a shorthand or as periods of contribution bases, month by month.

use super::*;

impl<'a> Parser<'a> {
    /// The social-insurance record: `months` (or the shorthand `years`) at one `base_ratio`, or
    /// `[[insurance.periods]]` with their bases (SPEC §3).
    pub(in crate::profile) fn insurance(
        &mut self,
        t: &Tbl,
        applicant: Option<&Applicant>,
    ) -> Option<Insurance> {
        self.unknown_keys(t, INSURANCE_KEYS);
        let has = |key: &str| t.table.get(key).is_some();
        let contributing = self.bool(t, "contributing", Some(true))?;
        let application = Month::of(self.today);
        // Nobody is insured as an employee before 16 (the legal working age): more than that is
        // a typo, and each year is 3 points, enough to pass the standard score on its own.
        let most_years = applicant.map(|a| (a.birth_date.full_years_until(self.today) - 16).max(0));
        if has("years") && has("months") {
            let span = t.span_of("years");
            self.err(span, t!(
                "insurance：`months` 与 `years` 只填一项：months 是已缴月数，years 是整年数的简写",
                "insurance: give `months` or `years`, not both: months counts the paid months, years is the shorthand for full years"
            ));
            return None;
        }
        let months_given = if has("months") {
            Some(self.int(t, "months", None, 0..=720)?)
        } else {
            None
        };
        let years_given = if has("years") {
            Some(self.int(t, "years", None, 0..=60)?)
        } else {
            None
        };
        if let (Some(y), Some(most)) = (years_given, most_years) {
            if y > most {
                let span = t.span_of("years");
                self.err(span, t!(
                    "insurance.years 为 {y}，超过申请人 16 周岁以来的 {most} 个整年：请填写上海职工社保的整年数",
                    "insurance.years is {y}, more than the {most} full years since the applicant turned 16: count the full years of Shanghai employee social insurance"
                ));
                return None;
            }
        }
        if let (Some(m), Some(most)) = (months_given, most_years) {
            if m > most * 12 + 11 {
                let span = t.span_of("months");
                self.err(span, t!(
                    "insurance.months 为 {m}，超过申请人 16 周岁以来的月数：请按社保缴费记录数已缴月数",
                    "insurance.months is {m}, more than the months since the applicant turned 16: count the paid months on the 社保缴费记录"
                ));
                return None;
            }
        }
        let periods = match t.table.get("periods") {
            None => Vec::new(),
            Some(v) => self.periods(v, application)?,
        };
        if periods.is_empty() {
            let months = match (months_given, years_given) {
                (Some(m), _) => m,
                (None, Some(y)) => y * 12,
                (None, None) => {
                    self.missing(
                        t,
                        "months",
                        t!(
                            "已缴社保月数，整数；或 [[insurance.periods]]",
                            "the months of insurance paid, a whole number; or [[insurance.periods]]"
                        ),
                    );
                    return None;
                }
            };
            let base_ratio = self.float(t, "base_ratio", 0.0..=20.0)?;
            return Some(Insurance {
                months,
                years: months / 12,
                base_ratio: Some(base_ratio),
                contributing,
                periods,
            });
        }
        if has("base_ratio") || has("years") {
            let key = if has("years") { "years" } else { "base_ratio" };
            let span = t.span_of(key);
            self.err(span, t!(
                "insurance.{key} 是没有缴费记录分段时的简写，有分段时不填 {key}：请给每段 [[insurance.periods]] 填写 base 或 base_ratio，months 可填可不填",
                "insurance.{key} is the shorthand for a record without periods: give each [[insurance.periods]] its base or base_ratio, and months if you like"
            ));
            return None;
        }
        let months: i64 = periods
            .iter()
            .map(|p| p.end(application).index() - p.from.index() + 1)
            .sum();
        if let Some(m) = months_given {
            if m != months {
                let span = t.span_of("months");
                self.err(span, t!(
                    "insurance.months 为 {m}，但缴费记录分段共 {months} 个月，两者不符：改正其一，或不填 months",
                    "insurance.months is {m}, but the periods cover {months} months: correct one of them, or leave months out"
                ));
                return None;
            }
        }
        Some(Insurance {
            months,
            years: months / 12,
            base_ratio: None,
            contributing,
            periods,
        })
    }

    /// `[[insurance.periods]]`: each `from`–`to` with a base or a ratio, none overlapping, none
    /// after the application month; returned oldest first.
    pub(in crate::profile) fn periods(
        &mut self,
        v: &Val<'_>,
        application: Month,
    ) -> Option<Vec<Period>> {
        let DeValue::Array(arr) = v.get_ref() else {
            self.err(v.span(), t!(
                "insurance.periods 须是 [[insurance.periods]] 表的列表：每段缴费记录一个 [[insurance.periods]]",
                "insurance.periods must be a list of [[insurance.periods]] tables, one per period of the record"
            ));
            return None;
        };
        let mut out: Vec<(Period, Range<usize>)> = Vec::new();
        let mut ok = true;
        for (i, p) in arr.iter().enumerate() {
            let name = format!("insurance.periods[{}]", i + 1);
            let Some(pt) = self.as_table(p, &name) else {
                ok = false;
                continue;
            };
            self.unknown_keys(&pt, PERIOD_KEYS);
            let from = self.month(&pt, "from", true);
            let to = self.month(&pt, "to", false);
            let has = |key: &str| pt.table.get(key).is_some();
            let base = if has("base") {
                self.float(&pt, "base", 1.0..=10_000_000.0).map(Some)
            } else {
                Some(None)
            };
            let ratio = if has("base_ratio") {
                self.float(&pt, "base_ratio", 0.0..=20.0).map(Some)
            } else {
                Some(None)
            };
            let (Some(Some(from)), Some(to), Some(base), Some(base_ratio)) =
                (from, to, base, ratio)
            else {
                ok = false;
                continue;
            };
            if base.is_some() == base_ratio.is_some() {
                self.err(pt.span.clone(), t!(
                    "{name}：缴费基数（元，base = 12500）或基数与全市职工月平均工资之比（base_ratio = 1.0），二选一",
                    "{name}: give the monthly contribution base in yuan (base = 12500) or its ratio to the city's average wage (base_ratio = 1.0), one of the two"
                ));
                ok = false;
                continue;
            }
            let end = to.unwrap_or(application);
            if end < from {
                self.err(
                    pt.span_of("to"),
                    t!(
                        "{name}：截止月份 {end} 早于起始月份 {from}",
                        "{name}: ends {end} before it starts {from}"
                    ),
                );
                ok = false;
                continue;
            }
            if end > application {
                let key = if to.is_some() { "to" } else { "from" };
                self.err(
                    pt.span_of(key),
                    t!(
                        "{name}：{end} 晚于申请月份 {application}",
                        "{name}: {end} is after the application month {application}"
                    ),
                );
                ok = false;
                continue;
            }
            out.push((
                Period {
                    from,
                    to,
                    base,
                    base_ratio,
                },
                pt.span.clone(),
            ));
        }
        out.sort_by_key(|(p, _)| p.from);
        for w in out.windows(2) {
            let (a, b) = (&w[0].0, &w[1].0);
            if a.end(application) >= b.from {
                let (b_from, b_end, a_from, a_end) =
                    (b.from, b.end(application), a.from, a.end(application));
                self.err(w[1].1.clone(), t!(
                    "insurance.periods：{b_from}–{b_end} 与 {a_from}–{a_end} 重叠：每个月只属于一段缴费记录",
                    "insurance.periods: {b_from}–{b_end} overlaps {a_from}–{a_end}: each month belongs to one period"
                ));
                ok = false;
            }
        }
        ok.then(|| out.into_iter().map(|(p, _)| p).collect())
    }

    /// A `YYYY-MM` month (also `YYYY.MM`, `YYYY/M`, `YYYY年M月`). `Some(None)` when absent and
    /// optional.
    #[allow(clippy::option_option)]
    pub(in crate::profile) fn month(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
    ) -> Option<Option<Month>> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            if required {
                self.missing(t, key, t!("月份 \"YYYY-MM\"", "a month \"YYYY-MM\""));
                return None;
            }
            return Some(None);
        };
        let raw = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            other => {
                self.err(v.span(), {
                    let (zh, en) = (type_zh(other), type_name(other));
                    t!(
                        "{full} 须是带引号的月份 \"YYYY-MM\"，这里是{zh}",
                        "{full} must be a month in quotes, \"YYYY-MM\", found {en}"
                    )
                });
                return None;
            }
        };
        match Month::parse(&raw) {
            Some(m) if m.year >= 1990 => Some(Some(m)),
            _ => {
                self.err(v.span(), t!(
                    "{full}：“{raw}”不是有效月份：格式为 2023-07，也可写 2023.7、2023/7 或 2023年7月",
                    "{full}: \"{raw}\" is not a month in the form YYYY-MM (also 2023.7, 2023/7 or 2023年7月)"
                ));
                None
            }
        }
    }
}
