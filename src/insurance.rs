//! The social-insurance record month by month (社保缴费记录), for the rules' windows: "at least M
//! of the last W months (the application month included) at a ratio ≥ R" (SPEC §3).
//!
//! A record is built from the applicant's `[insurance]` for one application month: the
//! shorthand (`months` at one `base_ratio`) is that many months up to the application month (the
//! month before when not paying now); periods are exactly the months they cover. A `base` in yuan
//! becomes a ratio through the rulebook's table of the city's average monthly wage per
//! social-insurance year (July to June). Invariant: months are distinct and oldest first, and
//! none is after the application month.

use crate::date::Month;
use crate::profile::Insurance;
use crate::t;

/// The reference average monthly wage of one social-insurance year (July to the next June).
#[derive(Debug, Clone, PartialEq)]
pub struct Wage {
    /// The July that starts the year.
    pub from: Month,
    /// Yuan per month (上年度全市职工月平均工资, the figure the contribution base is compared to).
    pub monthly: f64,
    pub source: String,
    /// False when the figure could not be confirmed against a published source: using it is
    /// warned about.
    pub confirmed: bool,
}

/// The paid months with their ratios, and what the clerk should know about how they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub application: Month,
    /// Oldest first.
    pub months: Vec<(Month, f64)>,
    pub warnings: Vec<crate::messages::Text>,
}

impl Record {
    /// The record for an application in `application`. An error names a period whose base in
    /// yuan cannot be made a ratio (before the wage table).
    pub fn new(
        ins: &Insurance,
        wages: &[Wage],
        application: Month,
    ) -> Result<Record, crate::messages::Text> {
        let mut months = Vec::new();
        let mut warnings = Vec::new();
        if ins.periods.is_empty() {
            let last = if ins.contributing {
                application
            } else {
                application.plus(-1)
            };
            let ratio = ins.base_ratio.unwrap_or(0.0);
            months.extend((0..ins.months).rev().map(|i| (last.plus(-i), ratio)));
            return Ok(Record {
                application,
                months,
                warnings,
            });
        }
        let mut past_table = None;
        let mut unconfirmed = Vec::new();
        for (i, p) in ins.periods.iter().enumerate() {
            let end = p.end(application).min(application);
            let mut m = p.from;
            while m <= end {
                let ratio = match (p.base_ratio, p.base) {
                    (Some(r), _) => r,
                    (None, Some(base)) => {
                        let year = m.insurance_year();
                        let Some(w) = wages.iter().rev().find(|w| w.from.year <= year) else {
                            let n = i + 1;
                            return Err(match wages.first() {
                                None => t!(
                                    "insurance.periods[{n}]：规则中没有全市职工月平均工资表，以元计的缴费基数无法换算：请给这一段填写 base_ratio（缴费基数倍数）而不是 base",
                                    "insurance.periods[{n}]: {m} is before the years the base in yuan can be compared for (the rulebook has no average-wage table): give that period's base_ratio instead of base"
                                ),
                                Some(w) => {
                                    let from = w.from;
                                    t!(
                                        "insurance.periods[{n}]：{m} 早于规则中全市职工月平均工资表的起始 {from}，以元计的缴费基数无法换算：请给这一段填写 base_ratio（缴费基数倍数）而不是 base",
                                        "insurance.periods[{n}]: {m} is before the years the base in yuan can be compared for (the rulebook's average-wage table starts {from}): give that period's base_ratio instead of base"
                                    )
                                }
                            });
                        };
                        if w.from.year < year && wages.last() == Some(w) {
                            past_table.get_or_insert((m, w.from));
                        } else if w.from.year < year {
                            let n = i + 1;
                            return Err(t!(
                                "insurance.periods[{n}]：规则中的全市职工月平均工资表缺少自 {year}-07 起的社保年度：请补上，或填写 base_ratio",
                                "insurance.periods[{n}]: the rulebook's average-wage table has no figure for the insurance year starting {year}-07: add it, or give base_ratio"
                            ));
                        }
                        if !w.confirmed && !unconfirmed.contains(&w.from) {
                            unconfirmed.push(w.from);
                        }
                        base / w.monthly
                    }
                    (None, None) => 0.0,
                };
                months.push((m, ratio));
                m = m.plus(1);
            }
        }
        if let Some((m, from)) = past_table {
            warnings.push(t!(
                "社保基数：{m} 起的月份超出规则中全市职工月平均工资表（最后一年自 {from} 起），按最后一年计算：新数字公布后请更新规则的 [[average_wage]]",
                "insurance base: the average-wage table ends with the year from {from}; months from {m} use that figure: update the rulebook's [[average_wage]] when the new figure is published"
            ));
        }
        for from in unconfirmed {
            warnings.push(t!(
                "社保基数：{from} 起一年的全市职工月平均工资未经核实：请核对基数倍数",
                "insurance base: the average wage for the year from {from} is not confirmed against a published source: check the ratio"
            ));
        }
        Ok(Record {
            application,
            months,
            warnings,
        })
    }

    /// The paid months among the last `window` months (the application month included) at a
    /// ratio of at least `ratio`.
    pub fn months_at(&self, window: i64, ratio: f64) -> i64 {
        let first = self.application.plus(1 - window.max(0));
        self.months
            .iter()
            .filter(|(m, r)| *m >= first && *m <= self.application && *r >= ratio - 1e-9)
            .count() as i64
    }

    /// The ratio of the newest paid month, or 0 without any.
    pub fn latest_ratio(&self) -> f64 {
        self.months.last().map_or(0.0, |(_, r)| *r)
    }

    /// Paid in the application month.
    pub fn paying_now(&self) -> bool {
        self.months
            .last()
            .is_some_and(|(m, _)| *m == self.application)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Period;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn wages() -> Vec<Wage> {
        [("2023-07", 12_000.0), ("2024-07", 12_500.0)]
            .iter()
            .map(|(f, w)| Wage {
                from: m(f),
                monthly: *w,
                source: "test".into(),
                confirmed: true,
            })
            .collect()
    }

    fn shorthand(months: i64, ratio: f64, contributing: bool) -> Insurance {
        Insurance {
            months,
            years: months / 12,
            base_ratio: Some(ratio),
            contributing,
            periods: Vec::new(),
        }
    }

    #[test]
    fn the_shorthand_ends_in_the_application_month_or_the_one_before() {
        let r = Record::new(&shorthand(6, 1.0, true), &[], m("2026-11")).unwrap();
        assert_eq!(r.months.first().unwrap().0, m("2026-06"));
        assert!(r.paying_now());
        assert_eq!(r.months_at(12, 1.0), 6);
        assert_eq!(r.months_at(3, 1.0), 3);
        let r = Record::new(&shorthand(6, 1.0, false), &[], m("2026-11")).unwrap();
        assert!(!r.paying_now());
        assert_eq!(r.months_at(6, 1.0), 5);
    }

    #[test]
    fn a_base_in_yuan_uses_the_figure_of_its_insurance_year() {
        let ins = Insurance {
            months: 2,
            years: 0,
            base_ratio: None,
            contributing: true,
            periods: vec![Period {
                from: m("2024-06"),
                to: Some(m("2024-07")),
                base: Some(12_250.0),
                base_ratio: None,
            }],
        };
        let r = Record::new(&ins, &wages(), m("2024-07")).unwrap();
        // June 2024 is in the year from July 2023 (12,000): ratio > 1; July 2024 is not.
        assert_eq!(r.months_at(2, 1.0), 1);
        assert!(r.warnings.is_empty());
        let late = Record::new(&ins, &wages(), m("2025-08")).unwrap();
        assert!(late.warnings.is_empty(), "the months are inside the table");
        let mut past = ins.clone();
        past.periods[0].to = None;
        let r = Record::new(&past, &wages(), m("2025-08")).unwrap();
        assert_eq!(
            r.warnings.len(),
            1,
            "2025-07 on uses the last year's figure"
        );
        let mut early = ins;
        early.periods[0].from = m("2023-06");
        let err = Record::new(&early, &wages(), m("2024-07")).unwrap_err();
        assert!(
            err.en.contains("base_ratio") && err.zh.contains("缴费基数倍数"),
            "{err}"
        );
    }
}
