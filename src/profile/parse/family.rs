//! `[family]`: marital status, the spouse and the children, and how they must agree.

use super::*;

impl<'a> Parser<'a> {
    pub(in crate::profile) fn family(
        &mut self,
        t: &Tbl,
        applicant: Option<&Applicant>,
    ) -> Option<Family> {
        self.unknown_keys(t, FAMILY_KEYS);
        let status = self.choice(t, "marital_status", MARITAL, None);
        let married_on = self.date(t, "married_on", false, true);
        let spouse_tbl = self.sub_table(t, "spouse", false);
        let spouse = spouse_tbl.as_ref().map(|s| self.spouse(s, applicant));
        let mut children = Vec::new();
        let mut ok = true;
        if let Some(v) = t.table.get("children") {
            match v.get_ref() {
                DeValue::Array(arr) if arr.len() > MAX_CHILDREN => {
                    let n = arr.len();
                    self.err(v.span(), t!(
                        "family.children 列了 {n} 个子女，超出上限 {MAX_CHILDREN}：没有申请会有这么多，请检查文件（是不是复制了多次？）",
                        "family.children lists {n} children, more than {MAX_CHILDREN}: no application has so many; check the file (a list copied many times?)"
                    ));
                    ok = false;
                }
                DeValue::Array(arr) => {
                    let mut prev: Option<Date> = None;
                    for (i, c) in arr.iter().enumerate() {
                        let Some(ct) = self.as_table(c, &format!("family.children[{}]", i + 1))
                        else {
                            ok = false;
                            continue;
                        };
                        self.unknown_keys(&ct, CHILD_KEYS);
                        // SPEC §3: a child's name is optional (the roster has only dates).
                        let name = if ct.table.contains_key("name") {
                            self.name(&ct, "name")
                        } else {
                            Some(String::new())
                        };
                        let born = self.date(&ct, "birth_date", true, true);
                        let earlier = self.bool(&ct, "earlier_marriage", Some(false));
                        match (name, born, earlier) {
                            (Some(name), Some(Some(birth_date)), Some(earlier_marriage)) => {
                                let span = ct.span_of("birth_date");
                                if let Some(p) = prev {
                                    if birth_date < p {
                                        let (this, before) = (i + 1, i);
                                        self.err(span.clone(), t!(
                                            "family.children：请按出生先后填写：第 {this} 个子女生于 {birth_date}，早于第 {before} 个（{p}）",
                                            "family.children: list children in birth order: child {this} was born {birth_date}, before child {before} ({p})"
                                        ));
                                        ok = false;
                                    }
                                }
                                if let Some(a) = applicant {
                                    if birth_date <= a.birth_date {
                                        let (n, own) = (i + 1, a.birth_date);
                                        self.err(span, t!(
                                            "family.children[{n}].birth_date {birth_date} 不晚于申请人的出生日期 {own}：子女出生日期有误",
                                            "family.children[{n}].birth_date {birth_date} is not after the applicant's birth date {own}"
                                        ));
                                        ok = false;
                                    }
                                }
                                prev = Some(birth_date);
                                children.push(Child {
                                    name,
                                    birth_date,
                                    earlier_marriage,
                                });
                            }
                            _ => ok = false,
                        }
                    }
                }
                _ => {
                    self.err(v.span(), t!(
                        "family.children 须是 [[family.children]] 表的列表：每个子女一个 [[family.children]]",
                        "family.children must be a list of [[family.children]] tables, one per child"
                    ));
                    ok = false;
                }
            }
        }
        let status = status?;
        let married_on = married_on?;
        let spouse = match spouse {
            Some(s) => Some(s?),
            None => None,
        };
        match (status.as_str(), &spouse) {
            ("married", None) => {
                let span = t.span_of("marital_status");
                self.err(span, t!(
                    "family.marital_status 为“married”（已婚），却没有 [family.spouse] 表：已婚须填写配偶信息 name、id_number 和 shanghai_hukou",
                    "family.marital_status is \"married\" but there is no [family.spouse] table: add name, id_number and shanghai_hukou"
                ));
                return None;
            }
            (s, Some(_)) if s != "married" => {
                let span = spouse_tbl.map(|s| s.span).unwrap_or(t.span.clone());
                self.err(span, t!(
                    "填写了 [family.spouse]，但 marital_status 为“{s}”：非已婚不应填写配偶，请删除它，或设 marital_status = \"married\"",
                    "[family.spouse] is given but marital_status is \"{s}\": remove it or set marital_status = \"married\""
                ));
                return None;
            }
            _ => {}
        }
        if let (Some(m), Some(a)) = (married_on, applicant) {
            if status != "married" && status != "divorced" && status != "widowed" {
                let span = t.span_of("married_on");
                self.err(
                    span,
                    t!(
                        "填写了 family.married_on，但申请人未婚：未婚不应填写结婚日期",
                        "family.married_on is given for a single applicant"
                    ),
                );
                return None;
            }
            if m <= a.birth_date {
                let span = t.span_of("married_on");
                let own = a.birth_date;
                self.err(
                    span,
                    t!(
                        "family.married_on {m} 早于申请人的出生日期 {own}：结婚日期有误",
                        "family.married_on {m} is before the applicant's birth date {own}"
                    ),
                );
                return None;
            }
        }
        if !ok {
            return None;
        }
        Some(Family {
            marital_status: status,
            married_on,
            spouse,
            children,
        })
    }

    pub(in crate::profile) fn spouse(
        &mut self,
        t: &Tbl,
        applicant: Option<&Applicant>,
    ) -> Option<Spouse> {
        self.unknown_keys(t, SPOUSE_KEYS);
        let name = self.name(t, "name");
        let id = self.id_number(t, "id_number");
        let hukou = self.bool(t, "shanghai_hukou", Some(false));
        let (id_number, _) = id?;
        if let Some(a) = applicant {
            if a.id_number.eq_ignore_ascii_case(&id_number) {
                let span = t.span_of("id_number");
                self.err(
                    span,
                    t!(
                        "family.spouse.id_number 与申请人的身份证号相同",
                        "family.spouse.id_number is the applicant's own ID number"
                    ),
                );
                return None;
            }
        }
        Some(Spouse {
            name: name?,
            id_number,
            shanghai_hukou: hukou?,
        })
    }
}
