//! The cost budget of a rulebook expression (SPEC §9): a rule is refused when the rulebook is
//! loaded if its evaluation could take more than [`COST_BUDGET`] steps, so no formula can take
//! minutes and gigabytes for one applicant (eight nested `.map` over a list of ten are 10⁸ steps).
//!
//! The bound is computed from the expression alone. Every comprehension (`map`, `filter`,
//! `all`, `exists`, `exists_one`) multiplies the cost of its body by the length of the list it
//! runs over: a list literal's own length, a list from the applicant's data at most
//! [`DATA_LIST_BOUND`] (the caps on children and certificates are far below it), and the result
//! of a comprehension as long as the list it ran over. Concatenation adds lengths. The estimate
//! only ever errs upwards.

use cel::common::ast::{EntryExpr, Expr};

/// The most evaluation steps one expression may take for one applicant.
pub const COST_BUDGET: f64 = 100_000.0;

/// The longest list an expression can find in an applicant's data.
pub const DATA_LIST_BOUND: f64 = 100.0;

/// An upper bound on the work of evaluating `e` and on the length of what it gives.
#[derive(Debug, Clone, Copy)]
struct Est {
    cost: f64,
    len: f64,
}

/// The estimated number of evaluation steps of `expr`.
pub fn cost(expr: &Expr) -> f64 {
    est(expr, &mut Vec::new()).cost
}

/// Why `expr` is over the budget, if it is.
pub fn over_budget(expr: &Expr) -> Option<crate::messages::Text> {
    let c = cost(expr);
    (c > COST_BUDGET).then(|| {
        let (steps, budget) = (human(c), human(COST_BUDGET));
        crate::t!(
            "这个表达式对一名申请人可能要计算约 {steps} 步，超过上限 {budget}：嵌套的 map/filter/all/exists 会相乘，请把规则拆平",
            "this expression could take about {steps} evaluation steps for one applicant, more than the budget of {budget}: nested map/filter/all/exists multiply; flatten the rule"
        )
    })
}

fn human(x: f64) -> String {
    if x >= 1e15 {
        format!("{x:.1e}")
    } else {
        format!("{x:.0}")
    }
}

fn est(e: &Expr, scope: &mut Vec<(String, f64)>) -> Est {
    match e {
        Expr::Literal(_) | Expr::Unspecified => Est {
            cost: 1.0,
            len: 1.0,
        },
        Expr::Ident(name) => Est {
            cost: 1.0,
            len: scope
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map_or(DATA_LIST_BOUND, |(_, l)| *l),
        },
        Expr::Select(s) => {
            let o = est(&s.operand.expr, scope);
            Est {
                cost: o.cost + 1.0,
                len: o.len.max(DATA_LIST_BOUND),
            }
        }
        Expr::List(l) => {
            let parts: Vec<Est> = l.elements.iter().map(|x| est(&x.expr, scope)).collect();
            Est {
                cost: 1.0 + parts.iter().map(|p| p.cost).sum::<f64>(),
                len: (l.elements.len() as f64).max(1.0),
            }
        }
        Expr::Map(m) => {
            let mut cost = 1.0;
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    cost += est(&me.key.expr, scope).cost + est(&me.value.expr, scope).cost;
                }
            }
            Est {
                cost,
                len: (m.entries.len() as f64).max(1.0),
            }
        }
        Expr::Struct(st) => {
            let mut cost = 1.0;
            for entry in &st.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    cost += est(&f.value.expr, scope).cost;
                }
            }
            Est { cost, len: 1.0 }
        }
        Expr::Call(call) => {
            let mut parts: Vec<Est> = call.args.iter().map(|a| est(&a.expr, scope)).collect();
            if let Some(t) = &call.target {
                parts.push(est(&t.expr, scope));
            }
            let cost_in: f64 = parts.iter().map(|p| p.cost).sum();
            let longest = parts.iter().map(|p| p.len).fold(1.0, f64::max);
            let len = if call.func_name == "_+_" {
                parts.iter().map(|p| p.len).sum::<f64>().max(1.0)
            } else {
                longest
            };
            // These may walk their operands once (lists compared, joined, searched).
            let walks = matches!(
                call.func_name.as_str(),
                "size" | "@in" | "_+_" | "_==_" | "_!=_" | "contains" | "max" | "min"
            );
            Est {
                cost: cost_in + 1.0 + if walks { longest } else { 0.0 },
                len,
            }
        }
        Expr::Comprehension(c) => {
            let range = est(&c.iter_range.expr, scope);
            let init = est(&c.accu_init.expr, scope);
            let n = range.len.max(1.0);
            scope.push((c.iter_var.clone(), range.len));
            if let Some(v2) = &c.iter_var2 {
                scope.push((v2.clone(), range.len));
            }
            // `map` and `filter` build a list (from `[]`); `all`, `exists` a boolean.
            let builds = matches!(c.accu_init.expr, Expr::List(_));
            let accu_len = if builds { n + init.len } else { init.len };
            scope.push((c.accu_var.clone(), accu_len));
            let cond = est(&c.loop_cond.expr, scope);
            let step = est(&c.loop_step.expr, scope);
            let result = est(&c.result.expr, scope);
            scope.truncate(scope.len() - 2 - usize::from(c.iter_var2.is_some()));
            Est {
                cost: range.cost + init.cost + n * (cond.cost + step.cost) + result.cost,
                len: accu_len.max(result.len.min(accu_len)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(src: &str) -> f64 {
        let p = cel::parser::PrattParser::new().parse(src).expect("parses");
        cost(&p.expr)
    }

    #[test]
    fn nested_maps_multiply_and_plain_rules_are_cheap() {
        let l = "[1,2,3,4,5,6,7,8,9,10]";
        let mut e = "x".to_string();
        for v in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            e = format!("{l}.map({v}, {e})");
        }
        assert!(cost_of(&e) > 1e8, "{}", cost_of(&e));
        assert!(cost_of("family.children.exists(c, c.age < 18)") < 2_000.0);
        assert!(cost_of("derived.age >= 18 && derived.age <= 60 ? 10 : 0") < 100.0);
        assert!(cost_of("size(family.children.filter(c, c.age < 18)) * 2") < 20_000.0);
    }
}
