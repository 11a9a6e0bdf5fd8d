//! Evaluating a rulebook's expressions for one applicant: the applicant's tables and `derived`
//! values as CEL variables, and the window helpers over the insurance record.

use std::collections::BTreeMap;
use std::sync::Arc;

use cel::common::ast::Expr;
use cel::{Context, Value};

use super::refs::select_path;
use super::*;

/// The most points (plus or minus) one rule may give (SPEC §9): more is a rulebook error.
pub const MAX_POINTS: i64 = 1000;

/// The variables one applicant's expressions are evaluated against.
pub struct Env {
    tables: BTreeMap<String, Value>,
    /// The application date the derived values were computed for.
    pub date: crate::date::Date,
    /// The social-insurance record month by month, for the window helpers.
    pub record: Arc<crate::insurance::Record>,
    /// What the clerk should know about how the values were made (an average wage past the
    /// rulebook's table …).
    pub warnings: Vec<crate::messages::Text>,
    /// The CEL context over `tables`, made once: making it converts the whole of the
    /// applicant's data, which done per evaluation made per-child rules quadratic in the
    /// number of children (3,000 children: 15 s).
    root: std::sync::OnceLock<Context<'static, 'static>>,
}

impl Env {
    /// The values of one applicant on the application date `on`. An error is an insurance
    /// record the rulebook's average-wage table cannot make ratios of.
    pub fn new(
        book: &Rulebook,
        p: &Profile,
        on: crate::date::Date,
    ) -> Result<Env, crate::messages::Text> {
        let record =
            crate::insurance::Record::new(&p.insurance, &book.wages, crate::date::Month::of(on))?;
        let mut tables = BTreeMap::new();
        let mut json = serde_json::to_value(p).unwrap_or_default();
        // The rules see the record's figures, also where periods give them: the paid months,
        // their full years, the newest month's ratio, and whether the application month is paid.
        json["insurance"]["months"] = (record.months.len() as i64).into();
        json["insurance"]["years"] = (record.months.len() as i64 / 12).into();
        json["insurance"]["base_ratio"] = record.latest_ratio().into();
        json["insurance"]["contributing"] = record.paying_now().into();
        if let serde_json::Value::Object(map) = json {
            for (k, v) in map {
                tables.insert(k, json_to_cel(&v));
            }
        }
        let marriage_years = match (p.married(), p.family.married_on) {
            (true, Some(m)) => m.full_years_until(on).max(0),
            _ => 0,
        };
        let derived = serde_json::json!({
            "age": p.age(on),
            "married": p.married(),
            "children": p.family.children.len(),
            "marriage_years": marriage_years,
            "title": p.best_title(),
            "skill": p.best_skill(),
            "skills": p.skill_levels(),
            "graduation_year": p.education.graduated_on.map_or(0, |d| d.year),
            "application_date": on.to_string(),
            "permit_valid": p.applicant.permit_expires.is_none_or(|d| d >= on),
            "permit_working_days": p.applicant.permit_expires.map(|d| on.working_days_until(d)),
        });
        tables.insert("derived".into(), json_to_cel(&derived));
        Ok(Env {
            tables,
            date: on,
            warnings: record.warnings.clone(),
            record: Arc::new(record),
            root: std::sync::OnceLock::new(),
        })
    }

    fn context(&self) -> Context<'static, 'static> {
        let mut ctx = Context::default();
        for (k, v) in &self.tables {
            ctx.add_variable_from_value(k.clone(), v.clone());
        }
        // Registering a new name cannot conflict; the Result only reports overload clashes.
        let _ = ctx.add_function("max", cel::functions::max);
        let _ = ctx.add_function("min", cel::functions::min);
        // The insurance windows: months_at(W, R) is the number of paid months among the last W
        // (the application month included) at a ratio ≥ R; window(M, W, R) is months_at ≥ M.
        let record = Arc::clone(&self.record);
        let _ = ctx.add_function(
            "months_at",
            move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
                let (w, r) = window_args("months_at", &args, 2)?;
                Ok::<Value, cel::ExecutionError>(Value::Int(record.months_at(w[0], r)))
            },
        );
        let record = Arc::clone(&self.record);
        let _ = ctx.add_function(
            "window",
            move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
                let (w, r) = window_args("window", &args, 3)?;
                Ok::<Value, cel::ExecutionError>(Value::Bool(record.months_at(w[1], r) >= w[0]))
            },
        );
        // fixed(X, N): the number X as text with N decimals (0–6), for a detail text: a ratio
        // from a base in yuan is 1.0053080263792826 as `string()` writes it.
        let _ = ctx.add_function(
            "fixed",
            |cel::extractors::Arguments(args): cel::extractors::Arguments| {
                let bad = |why: String| cel::ExecutionError::function_error("fixed", why);
                let [x, n] = args.as_slice() else {
                    return Err(bad(format!("takes 2 arguments, got {}", args.len())));
                };
                let x = match x {
                    Value::Float(f) if f.is_finite() => *f,
                    Value::Int(i) => *i as f64,
                    Value::UInt(u) => *u as f64,
                    other => return Err(bad(format!("needs a number, not {other:?}"))),
                };
                let n = match n {
                    Value::Int(i) if (0..=6).contains(i) => *i as usize,
                    Value::UInt(u) if *u <= 6 => *u as usize,
                    other => return Err(bad(format!("decimals must be 0 to 6, not {other:?}"))),
                };
                Ok::<Value, cel::ExecutionError>(Value::String(Arc::new(format!("{x:.n$}"))))
            },
        );
        ctx
    }

    /// Evaluates a condition; `child` binds the per-child variable.
    pub fn condition(
        &self,
        e: &Expression,
        child: Option<&serde_json::Value>,
    ) -> Result<bool, String> {
        match self.eval(e, child)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not true/false",
                e.location, e.source
            )),
        }
    }

    /// Evaluates a points formula to a whole number.
    pub fn points(&self, e: &Expression) -> Result<i64, String> {
        let out_of_range = |v: &dyn std::fmt::Display| {
            format!(
                "{}: `{}` gave {v} points, outside ±{MAX_POINTS}: a rulebook error",
                e.location, e.source
            )
        };
        match self.eval(e, None)? {
            // unsigned_abs: the abs of i64::MIN overflows.
            Value::Int(i) if i.unsigned_abs() <= MAX_POINTS as u64 => Ok(i),
            Value::UInt(u) if u <= MAX_POINTS as u64 => Ok(u as i64),
            Value::Float(f) if f.is_finite() && f.round().abs() <= MAX_POINTS as f64 => {
                Ok(f.round() as i64)
            }
            Value::Int(i) => Err(out_of_range(&i)),
            Value::UInt(u) => Err(out_of_range(&u)),
            Value::Float(f) => Err(out_of_range(&f)),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not a number of points",
                e.location, e.source
            )),
        }
    }

    /// Evaluates a text expression (a points item's `detail`).
    pub fn text(&self, e: &Expression) -> Result<String, String> {
        match self.eval(e, None)? {
            Value::String(s) => Ok(s.to_string()),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not text",
                e.location, e.source
            )),
        }
    }

    fn eval(&self, e: &Expression, child: Option<&serde_json::Value>) -> Result<Value, String> {
        let root = self.root.get_or_init(|| self.context());
        let result = match child {
            Some(c) => {
                let mut ctx = root.new_inner_scope();
                ctx.add_variable_from_value("child", json_to_cel(c));
                ctx.resolve(&e.program)
            }
            None => root.resolve(&e.program),
        };
        result.map_err(|err| {
            // Explained only when the failure is about a null and one empty value accounts for
            // it; CEL's own words always follow.
            let about_null = err.to_string().to_lowercase().contains("null");
            let empty = about_null
                .then(|| self.empty_on_path(&e.program.expr))
                .flatten();
            let why = match empty {
                Some((empty, path)) if empty == path => format!(
                    " cannot be evaluated for this applicant: `{empty}` is empty (not filled in, or not applicable); guard it, e.g. `{empty} != null && …` ({err})"
                ),
                Some((empty, path)) => {
                    let guard = if empty == "family.spouse" {
                        "derived.married".to_string()
                    } else {
                        format!("{empty} != null")
                    };
                    format!(
                        " cannot be evaluated for this applicant: `{empty}` is empty (not filled in, or not applicable), so `{path}` has no value; guard it, e.g. `{guard} && {path}` ({err})"
                    )
                }
                None => format!(" failed: {err}"),
            };
            format!("{}: `{}`{why}", e.location, e.source)
        })
    }

    /// The empty (null) value of this applicant's data that an evaluation error about a null
    /// comes from, as (the empty part, the whole name): `family.spouse` for
    /// `family.spouse.shanghai_hukou` when there is no spouse, or `family.married_on` itself.
    /// Names compared with `null` are guards, not culprits. `None` unless exactly one empty
    /// value is in question.
    fn empty_on_path(&self, expr: &Expr) -> Option<(String, String)> {
        let mut names = Vec::new();
        qualified_names(expr, &mut names);
        // How many leading segments of `path` end at an empty value.
        let empty_at = |path: &[String]| -> Option<usize> {
            let mut v = self.tables.get(&path[0])?;
            for (i, seg) in path.iter().enumerate().skip(1) {
                match v {
                    Value::Null => return Some(i),
                    Value::Map(m) => {
                        v = m
                            .map
                            .get(&cel::objects::Key::String(Arc::new(seg.clone())))?
                    }
                    _ => return None,
                }
            }
            matches!(v, Value::Null).then_some(path.len())
        };
        let found: Vec<(String, String, bool)> = names
            .iter()
            .filter_map(|p| {
                let i = empty_at(p)?;
                Some((p[..i].join("."), p.join("."), i < p.len()))
            })
            .collect();
        // A name read through the empty value explains it better than the value itself.
        let first = found.iter().find(|f| f.2).or_else(|| found.first())?;
        found
            .iter()
            .all(|f| f.0 == first.0)
            .then(|| (first.0.clone(), first.1.clone()))
    }
}

/// The arguments of a window helper: `n - 1` whole numbers (months), then a ratio.
fn window_args(
    name: &str,
    args: &[Value],
    n: usize,
) -> Result<(Vec<i64>, f64), cel::ExecutionError> {
    if args.len() != n {
        return Err(cel::ExecutionError::function_error(
            name,
            format!("takes {n} arguments, got {}", args.len()),
        ));
    }
    let mut months = Vec::new();
    for a in &args[..n - 1] {
        match a {
            Value::Int(i) if (0..=1200).contains(i) => months.push(*i),
            Value::UInt(u) if *u <= 1200 => months.push(*u as i64),
            other => {
                return Err(cel::ExecutionError::function_error(
                    name,
                    format!("months must be a whole number from 0 to 1200, not {other:?}"),
                ))
            }
        }
    }
    let ratio = match &args[n - 1] {
        Value::Float(f) if f.is_finite() => *f,
        Value::Int(i) => *i as f64,
        Value::UInt(u) => *u as f64,
        other => {
            return Err(cel::ExecutionError::function_error(
                name,
                format!("the ratio must be a number, not {other:?}"),
            ))
        }
    };
    Ok((months, ratio))
}

/// Every plain qualified name (`a.b.c`) in `expr`, outermost first.
fn qualified_names(expr: &Expr, out: &mut Vec<Vec<String>>) {
    if let Some(path) = select_path(expr).filter(|p| p.len() > 1) {
        out.push(path);
        return;
    }
    match expr {
        Expr::Select(sel) => qualified_names(&sel.operand.expr, out),
        // `x == null`, `x != null`: a guard, which cannot fail on an empty `x`.
        Expr::Call(call)
            if matches!(call.func_name.as_str(), "_==_" | "_!=_")
                && call.args.iter().any(|a| {
                    matches!(a.expr, Expr::Literal(cel::common::ast::LiteralValue::Null))
                }) => {}
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                qualified_names(&t.expr, out);
            }
            for a in &call.args {
                qualified_names(&a.expr, out);
            }
        }
        Expr::Comprehension(c) => {
            for e in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                qualified_names(&e.expr, out);
            }
        }
        Expr::List(l) => l
            .elements
            .iter()
            .for_each(|e| qualified_names(&e.expr, out)),
        Expr::Map(m) => {
            for e in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &e.expr {
                    qualified_names(&me.key.expr, out);
                    qualified_names(&me.value.expr, out);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified | Expr::Struct(_) => {}
    }
}

fn json_to_cel(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::String(Arc::new(s.clone())),
        J::Array(a) => Value::List(Arc::new(a.iter().map(json_to_cel).collect())),
        J::Object(o) => {
            let map: std::collections::HashMap<String, Value> =
                o.iter().map(|(k, v)| (k.clone(), json_to_cel(v))).collect();
            Value::from(map)
        }
    }
}
