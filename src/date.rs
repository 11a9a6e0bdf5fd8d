//! A calendar date without time zone (`YYYY-MM-DD`), enough for ages, validity and the cover
//! sheet; "today" is the date in Shanghai. Invariant: a `Date` is always a real day of the
//! proleptic Gregorian calendar.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A date from its parts, or `None` when the day does not exist (2023-02-29, month 13 …).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        Date::new(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// Parses a date as a clerk writes it: `YYYY-MM-DD`, and also `YYYY.MM.DD`, `YYYY/M/D` and
    /// `YYYY年M月D日` (SPEC §3). The month and day may have one or two digits in the other forms;
    /// the year always has four. Surrounding spaces are ignored.
    pub fn parse_written(s: &str) -> Option<Date> {
        let s = s.trim();
        if let Some(d) = Date::parse(s) {
            return Some(d);
        }
        let parts: Vec<&str> = if let Some(rest) = s.strip_suffix('日') {
            let (y, rest) = rest.split_once('年')?;
            let (m, d) = rest.split_once('月')?;
            vec![y, m, d]
        } else {
            // One separator throughout: `2016/10-01` is a typo, not a date.
            let sep = s.chars().find(|c| ['.', '/', '-'].contains(c))?;
            s.split(sep).collect()
        };
        if parts.len() != 3 {
            return None;
        }
        let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| -> Option<u32> {
            let p = p.trim();
            (lens.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        Date::new(
            digits(parts[0], 4..=4)? as i32,
            digits(parts[1], 1..=2)?,
            digits(parts[2], 1..=2)?,
        )
    }

    /// Parses the compact form `YYYYMMDD` used inside ID numbers.
    pub fn parse_compact(s: &str) -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Date::new(
            s[0..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..8].parse().ok()?,
        )
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a Unix timestamp (UTC).
    pub fn from_unix(secs: i64) -> Date {
        let z = secs.div_euclid(86_400) + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Midnight UTC of this date as a Unix timestamp.
    pub fn unix(self) -> i64 {
        self.days_since_epoch() * 86_400
    }

    /// Whole years from `self` to `on` (an age in 周岁: the birthday must have been reached).
    pub fn full_years_until(self, on: Date) -> i64 {
        let mut years = i64::from(on.year) - i64::from(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// The date in Shanghai (China Standard Time, UTC+8, no daylight saving) at a Unix
    /// timestamp: the counters' calendar, whatever the machine's time zone.
    pub fn in_shanghai(secs: i64) -> Date {
        Date::from_unix(secs + 8 * 3600)
    }

    /// Today in Shanghai (between 00:00 and 08:00 there, UTC is still on the day before), or
    /// the day (UTC) of `SOURCE_DATE_EPOCH` when it is set (reproducible builds).
    pub fn today() -> Date {
        if let Ok(Some(secs)) = source_date_epoch() {
            return Date::from_unix(secs);
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::in_shanghai(secs)
    }
}

/// The earliest `SOURCE_DATE_EPOCH` accepted: 1980-01-01, the first time a ZIP entry can carry.
pub const MIN_EPOCH: i64 = 315_532_800;
/// The latest `SOURCE_DATE_EPOCH` accepted: 2099-12-31 23:59:59 UTC.
pub const MAX_EPOCH: i64 = 4_102_444_799;

/// `SOURCE_DATE_EPOCH` (reproducible outputs), validated: unset or empty is `None`; a value that
/// is not a whole number of seconds, or lies outside [`MIN_EPOCH`]..=[`MAX_EPOCH`], is an error
/// saying so (it is never silently ignored nor wrapped into another date).
pub fn source_date_epoch() -> Result<Option<i64>, crate::messages::Text> {
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let Some(v) = raw.to_str().map(str::trim) else {
        return Err(crate::t!(
            "环境变量 SOURCE_DATE_EPOCH 不是文本：请取消设置，或给出自 1970-01-01 UTC 起的秒数",
            "SOURCE_DATE_EPOCH is not text: unset it, or give seconds since 1970-01-01 UTC"
        ));
    };
    if v.is_empty() {
        return Ok(None);
    }
    let shown = crate::error::clip_quote(v);
    let secs: i64 = v.parse().map_err(|_| {
        crate::t!(
            "环境变量 SOURCE_DATE_EPOCH=\"{shown}\" 无效，须是自 1970-01-01 UTC 起的整秒数：请取消设置，或设为 SOURCE_DATE_EPOCH=1764115200 这样的值",
            "SOURCE_DATE_EPOCH=\"{shown}\" is not a whole number of seconds since 1970-01-01 UTC: unset it, or set it like SOURCE_DATE_EPOCH=1764115200"
        )
    })?;
    if !(MIN_EPOCH..=MAX_EPOCH).contains(&secs) {
        let (min, max) = (Date::from_unix(MIN_EPOCH), Date::from_unix(MAX_EPOCH));
        return Err(crate::t!(
            "环境变量 SOURCE_DATE_EPOCH={secs} 超出范围：材料包的日期须在 {min} 到 {max} 之间",
            "SOURCE_DATE_EPOCH={secs} is outside the dates a bundle can carry, {min} to {max}"
        ));
    }
    Ok(Some(secs))
}

/// A calendar month (`YYYY-MM`), the unit of the social-insurance record (社保缴费记录).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// The month a date falls in.
    pub fn of(d: Date) -> Month {
        Month {
            year: d.year,
            month: d.month,
        }
    }

    /// Parses `YYYY-MM`, and also `YYYY.MM`, `YYYY/M` and `YYYY年M月` as a clerk writes them.
    pub fn parse(s: &str) -> Option<Month> {
        let s = s.trim();
        let (y, m) = if let Some(rest) = s.strip_suffix('月') {
            rest.split_once('年')?
        } else {
            let sep = s.chars().find(|c| ['.', '/', '-'].contains(c))?;
            let (y, m) = s.split_once(sep)?;
            if sep == '-' && m.len() != 2 {
                return None;
            }
            (y, m)
        };
        let digits = |p: &str| p.bytes().all(|c| c.is_ascii_digit()) && !p.is_empty();
        if y.len() != 4 || !digits(y) || m.is_empty() || m.len() > 2 || !digits(m) {
            return None;
        }
        let month: u32 = m.parse().ok()?;
        (1..=12).contains(&month).then(|| Month {
            year: y.parse().unwrap_or(0),
            month,
        })
    }

    /// Months since year 0, so that month arithmetic is integer arithmetic.
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub fn from_index(i: i64) -> Month {
        Month {
            year: i.div_euclid(12) as i32,
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i64) -> Month {
        Month::from_index(self.index() + n)
    }

    pub fn first_day(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }

    /// The year whose July starts this month's social-insurance year (July to June): the
    /// contribution base and the city's average wage change every July.
    pub fn insurance_year(self) -> i32 {
        if self.month >= 7 {
            self.year
        } else {
            self.year - 1
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Date {
    /// Monday to Friday (public holidays are not known here).
    pub fn is_weekday(self) -> bool {
        // 1970-01-01 was a Thursday (3 counting from Monday = 0).
        (self.days_since_epoch() + 3).rem_euclid(7) < 5
    }

    /// The date `n` days later.
    pub fn plus_days(self, n: i64) -> Date {
        Date::from_unix((self.days_since_epoch() + n) * 86_400)
    }

    /// Working days (Monday to Friday) after `self` up to and including `to`; negative when
    /// `to` is before `self`.
    pub fn working_days_until(self, to: Date) -> i64 {
        let (a, b) = (self.days_since_epoch(), to.days_since_epoch());
        let count = |from: i64, to: i64| {
            (from + 1..=to)
                .filter(|d| (d + 3).rem_euclid(7) < 5)
                .count() as i64
        };
        if b >= a {
            count(a, b.min(a + 3660))
        } else {
            -count(b, a)
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_shanghai_date_not_the_utc_one() {
        // 2026-11-26 16:00 UTC is midnight of the 27th in Shanghai; 15:59:59 is still the 26th.
        let midnight = Date::parse("2026-11-27").unwrap().unix() - 8 * 3600;
        assert_eq!(Date::in_shanghai(midnight).to_string(), "2026-11-27");
        assert_eq!(Date::in_shanghai(midnight - 1).to_string(), "2026-11-26");
        assert_eq!(Date::from_unix(midnight).to_string(), "2026-11-26");
    }

    #[test]
    fn parses_real_days_only() {
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-13-01").is_none());
        assert!(Date::parse("2023-1-01").is_none());
        assert!(Date::parse("２０２３-01-01").is_none());
        assert!(Date::parse("1900-02-29").is_none());
        assert!(Date::parse("2000-02-29").is_some());
    }

    #[test]
    fn reads_the_forms_a_clerk_writes() {
        let want = Date::new(2016, 10, 1);
        for s in [
            "2016-10-01",
            "2016.10.01",
            "2016/10/1",
            "2016/10/01",
            "2016.10.1",
            "2016年10月1日",
            "2016年10月01日",
            " 2016年10月1日 ",
        ] {
            assert_eq!(Date::parse_written(s), want, "{s}");
        }
        for s in [
            "16/10/1",
            "2016/10",
            "2016/10/1/2",
            "2016.13.01",
            "2016年2月30日",
            "2016年10月1",
            "2016/10-01",
            "2016/１0/1",
            "",
        ] {
            assert_eq!(Date::parse_written(s), None, "{s}");
        }
    }

    #[test]
    fn months_parse_and_count() {
        let m = Month::parse("2023-07").unwrap();
        assert_eq!(m.to_string(), "2023-07");
        assert_eq!(Month::parse("2023.7"), Some(m));
        assert_eq!(Month::parse("2023/07"), Some(m));
        assert_eq!(Month::parse("2023年7月"), Some(m));
        for bad in [
            "2023-7",
            "2023-13",
            "23-07",
            "2023",
            "2023-07-01",
            "2023/７",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(m.plus(6).to_string(), "2024-01");
        assert_eq!(m.plus(-7).to_string(), "2022-12");
        assert_eq!(m.insurance_year(), 2023);
        assert_eq!(Month::parse("2024-06").unwrap().insurance_year(), 2023);
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-26 is a Thursday.
        let thu = Date::new(2026, 11, 26).unwrap();
        assert!(thu.is_weekday() && !thu.plus_days(2).is_weekday());
        assert_eq!(thu.working_days_until(thu.plus_days(1)), 1); // Friday
        assert_eq!(thu.working_days_until(thu.plus_days(4)), 2); // Monday
        assert_eq!(thu.working_days_until(thu.plus_days(28)), 20);
        assert_eq!(thu.working_days_until(thu.plus_days(-1)), -1);
    }

    #[test]
    fn unix_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 20_000, 60_000] {
            let d = Date::from_unix(days * 86_400);
            assert_eq!(d.days_since_epoch(), days);
        }
        assert_eq!(Date::from_unix(1_764_201_600).to_string(), "2025-11-27");
    }

    #[test]
    fn age_counts_the_birthday() {
        let born = Date::new(1990, 3, 7).unwrap();
        assert_eq!(born.full_years_until(Date::new(2023, 3, 6).unwrap()), 32);
        assert_eq!(born.full_years_until(Date::new(2023, 3, 7).unwrap()), 33);
    }
}
