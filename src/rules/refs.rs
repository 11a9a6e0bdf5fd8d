//! Which names a rulebook expression refers to, checked against the applicant's data before
//! any applicant is seen: `derived.maried` is a located error with "did you mean".

use cel::common::ast::Expr;

use super::*;
use crate::messages::did_you_mean_code as did_you_mean;

/// Walks a CEL expression and reports names that the applicant data does not have.
pub(super) fn check_refs(
    expr: &Expr,
    bound: &mut Vec<String>,
    child: bool,
    problems: &mut Vec<crate::messages::Text>,
) {
    match expr {
        Expr::Ident(name) => {
            let known = bound.contains(name) || is_root(name) || (child && name == "child");
            if !known {
                let mut roots = roots();
                if child {
                    roots.push("child");
                }
                let (hint_zh, hint_en) =
                    did_you_mean(profile::suggest(name, roots.iter().copied()));
                let known = roots.join(", ");
                problems.push(t!(
                    "未知名称 `{name}`{hint_zh}（已知：{known}）",
                    "unknown name `{name}`{hint_en} (known: {known})"
                ));
            }
        }
        Expr::Select(sel) => {
            if let Some(path) = select_path(expr) {
                if !bound.contains(&path[0]) {
                    check_path(&path, child, problems);
                    return;
                }
            }
            check_refs(&sel.operand.expr, bound, child, problems);
        }
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                check_refs(&t.expr, bound, child, problems);
            }
            for a in &call.args {
                check_refs(&a.expr, bound, child, problems);
            }
        }
        Expr::Comprehension(c) => {
            check_refs(&c.iter_range.expr, bound, child, problems);
            check_refs(&c.accu_init.expr, bound, child, problems);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v2) = &c.iter_var2 {
                bound.push(v2.clone());
            }
            bound.push(c.accu_var.clone());
            check_refs(&c.loop_cond.expr, bound, child, problems);
            check_refs(&c.loop_step.expr, bound, child, problems);
            check_refs(&c.result.expr, bound, child, problems);
            bound.truncate(before);
        }
        Expr::List(l) => {
            for e in &l.elements {
                check_refs(&e.expr, bound, child, problems);
            }
        }
        Expr::Map(m) => {
            for e in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &e.expr {
                    check_refs(&me.key.expr, bound, child, problems);
                    check_refs(&me.value.expr, bound, child, problems);
                }
            }
        }
        Expr::Literal(_) | Expr::Unspecified | Expr::Struct(_) => {}
    }
}

/// `a.b.c` as `["a", "b", "c"]` when the expression is a plain qualified name.
pub(super) fn select_path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Ident(n) => Some(vec![n.clone()]),
        Expr::Select(s) => {
            let mut p = select_path(&s.operand.expr)?;
            p.push(s.field.clone());
            Some(p)
        }
        _ => None,
    }
}

fn check_path(path: &[String], child: bool, problems: &mut Vec<crate::messages::Text>) {
    let schema = profile::schema();
    let root = path[0].as_str();
    let fields: Option<&[&str]> = match root {
        "derived" => Some(DERIVED),
        "child" if child => Some(CHILD_FIELDS),
        "certificates" => None,
        r if is_root(r) => schema.get(r).copied(),
        _ => {
            check_refs(
                &Expr::Ident(path[0].clone()),
                &mut Vec::new(),
                child,
                problems,
            );
            return;
        }
    };
    let Some(fields) = fields else {
        if path.len() > 1 {
            problems.push(t!(
                "`{root}` 是列表：请用 certificates.exists(c, c.type == 'skill') 之类的写法",
                "`{root}` is a list: use certificates.exists(c, c.type == 'skill') and the like"
            ));
        }
        return;
    };
    if path.len() < 2 {
        return;
    }
    let field = path[1].as_str();
    if !fields.contains(&field) {
        let near = profile::suggest(field, fields.iter().copied()).map(|s| format!("{root}.{s}"));
        let (hint_zh, hint_en) = did_you_mean(near.as_deref());
        problems.push(t!(
            "`{root}` 没有字段 `{field}`{hint_zh}",
            "`{root}` has no field `{field}`{hint_en}"
        ));
        return;
    }
    if root == "family" && field == "spouse" && path.len() > 2 {
        let sub = path[2].as_str();
        let fields = schema["family.spouse"];
        if !fields.contains(&sub) {
            let near =
                profile::suggest(sub, fields.iter().copied()).map(|s| format!("family.spouse.{s}"));
            let (hint_zh, hint_en) = did_you_mean(near.as_deref());
            problems.push(t!(
                "`family.spouse` 没有字段 `{sub}`{hint_zh}",
                "`family.spouse` has no field `{sub}`{hint_en}"
            ));
        }
    }
}
