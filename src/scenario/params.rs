//! Parameters: their distributions, provenance, central values and per-run draws.
//! Scalars take one slot in the value vector; a Dirichlet (or fixed shares) takes one slot per
//! component, named `param.component`; derived parameters (`expr`) are computed after the draws.

use super::expr::{self, Expr};
use super::raw::RawParam;
use crate::rng;
use indexmap::IndexMap;
use rand::Rng;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal};

/// A parameter's distribution, checked and ready to draw from.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Beta {
        alpha: f64,
        beta: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Dirichlet {
        alpha: Vec<f64>,
    },
    Shares(Vec<f64>),
    Derived(Expr),
    /// A time path: (first calendar year of the financial year, value) knots in year order,
    /// each a number or an expression over drawn parameters; `step` holds each knot until the
    /// next instead of moving linearly.
    Path {
        knots: Vec<(i32, Expr)>,
        step: bool,
    },
}

impl Dist {
    /// Whether the parameter is drawn from a distribution each run (not fixed, fixed shares,
    /// derived or a time path): the parameters a calibration treats as uncertain.
    pub fn is_drawn(&self) -> bool {
        !matches!(
            self,
            Dist::Fixed(_) | Dist::Shares(_) | Dist::Derived(_) | Dist::Path { .. }
        )
    }
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Provenance {
    Source(String),
    Assumption(String),
}

/// One named parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub dist: Dist,
    /// First slot in the value vector.
    pub slot: usize,
    /// Component names (empty for scalars).
    pub components: Vec<String>,
    pub provenance: Provenance,
    pub raw: RawParam,
}

/// All parameters of a scenario and the layout of their values.
#[derive(Debug, Clone, Default)]
pub struct ParamSet {
    pub params: Vec<Param>,
    /// Name of each slot (`name` or `name.component`).
    pub slot_names: Vec<String>,
    /// Indices into `params` of derived parameters, in evaluation order.
    pub derived_order: Vec<usize>,
    /// Indices into `params` of time paths.
    pub paths: Vec<usize>,
    /// The first simulated financial year (by its first calendar year): where `central` and
    /// `draw` evaluate time paths.
    pub start_year: i32,
}

/// A problem with one parameter: the field and the message and fix.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamIssue {
    pub param: String,
    pub field: &'static str,
    pub message: String,
    pub fix: String,
}

fn issue(
    param: &str,
    field: &'static str,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> ParamIssue {
    ParamIssue {
        param: param.to_string(),
        field,
        message: message.into(),
        fix: fix.into(),
    }
}

/// Whether a name can be used in expressions and output folders.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

impl ParamSet {
    /// Checks raw parameters and lays out their slots; derived expressions are bound last.
    pub fn build(raw: &IndexMap<String, RawParam>) -> Result<ParamSet, Vec<ParamIssue>> {
        let mut set = ParamSet::default();
        let mut issues = Vec::new();
        let mut pending_exprs: Vec<(usize, expr::Ast)> = Vec::new();
        let mut pending_knots: Vec<(usize, Vec<(i32, KnotSource)>)> = Vec::new();
        for (name, p) in raw {
            if !is_identifier(name) {
                issues.push(issue(
                    name,
                    "",
                    format!("parameter name `{name}` is not a valid name"),
                    "use letters, digits and `_`, starting with a letter (at most 64 characters)",
                ));
                continue;
            }
            let provenance = match (&p.source, &p.assumption) {
                (Some(s), None) if !s.trim().is_empty() => Provenance::Source(s.clone()),
                (None, Some(a)) if !a.trim().is_empty() => Provenance::Assumption(a.clone()),
                (Some(_), Some(_)) => {
                    issues.push(issue(
                        name,
                        "",
                        "has both `source` and `assumption`",
                        "keep one: a citation in `source`, or `assumption` with the reason",
                    ));
                    continue;
                }
                _ => {
                    issues.push(issue(name, "", "has no `source` or `assumption`", "add `\"source\": \"publication, table\"` or `\"assumption\": \"why this value\"` (a parameter given in an extending scenario replaces the inherited one whole, its source included)"));
                    continue;
                }
            };
            let (dist, components) = match parse_dist(name, p) {
                Ok(d) => d,
                Err(e) => {
                    issues.push(e);
                    continue;
                }
            };
            let slot = set.slot_names.len();
            if components.is_empty() {
                set.slot_names.push(name.clone());
            } else {
                for c in &components {
                    set.slot_names.push(format!("{name}.{c}"));
                }
            }
            if let Some(knots) = &p.path {
                match parse_knots(name, knots) {
                    Ok(k) => pending_knots.push((set.params.len(), k)),
                    Err(e) => issues.push(e),
                }
            }
            if let Some(src) = &p.expr {
                match expr::parse(src) {
                    Ok(ast) => pending_exprs.push((set.params.len(), ast)),
                    Err(e) => issues.push(issue(
                        name,
                        "expr",
                        format!("cannot parse expression: {e}"),
                        "fix the expression syntax",
                    )),
                }
            }
            set.params.push(Param {
                name: name.clone(),
                dist,
                slot,
                components,
                provenance,
                raw: p.clone(),
            });
        }
        issues.extend(set.bind_knots(pending_knots));
        // Bind derived expressions, then order them so that each is computed after what it reads.
        let mut deps: Vec<(usize, Vec<usize>)> = Vec::new();
        for (idx, ast) in pending_exprs {
            match ast.bind(&|n| set.slot_of(n)) {
                Ok(bound) => {
                    let mut slots = Vec::new();
                    bound.slots(&mut slots);
                    let reads: Vec<usize> = slots
                        .iter()
                        .filter_map(|s| set.param_of_slot(*s))
                        .filter(|p| {
                            matches!(set.params[*p].dist, Dist::Derived(_)) || set.pending(*p)
                        })
                        .collect();
                    set.params[idx].dist = Dist::Derived(bound);
                    deps.push((idx, reads));
                }
                Err(unknown) => {
                    let hint = crate::error::suggestion(
                        &unknown,
                        set.slot_names.iter().map(String::as_str),
                    );
                    issues.push(issue(
                        &set.params[idx].name,
                        "expr",
                        format!("unknown parameter `{unknown}` in expression{hint}"),
                        "define the parameter under `parameters`, or correct the name",
                    ));
                }
            }
        }
        let derived: Vec<usize> = deps.iter().map(|(i, _)| *i).collect();
        let mut done: Vec<usize> = Vec::new();
        while done.len() < deps.len() {
            let before = done.len();
            for (i, reads) in &deps {
                if !done.contains(i)
                    && reads
                        .iter()
                        .all(|r| !derived.contains(r) || done.contains(r))
                {
                    done.push(*i);
                }
            }
            if done.len() == before {
                let stuck: Vec<&str> = deps
                    .iter()
                    .filter(|(i, _)| !done.contains(i))
                    .map(|(i, _)| set.params[*i].name.as_str())
                    .collect();
                issues.push(issue(
                    stuck[0],
                    "expr",
                    format!(
                        "derived parameters refer to each other in a cycle: {}",
                        stuck.join(", ")
                    ),
                    "make at least one of them a number or a distribution",
                ));
                break;
            }
        }
        set.derived_order = done;
        set.paths = (0..set.params.len())
            .filter(|&i| matches!(set.params[i].dist, Dist::Path { .. }))
            .collect();
        if issues.is_empty() {
            Ok(set)
        } else {
            Err(issues)
        }
    }

    fn pending(&self, p: usize) -> bool {
        self.params[p].raw.expr.is_some()
    }

    /// Binds each time path's knots; a knot may read drawn parameters only (not derived
    /// parameters or other paths), so a year's values need no ordering beyond the draws.
    fn bind_knots(&mut self, pending: Vec<(usize, Vec<(i32, KnotSource)>)>) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        for (idx, knots) in pending {
            let name = self.params[idx].name.clone();
            let mut bound = Vec::new();
            for (year, k) in knots {
                let e = match k {
                    KnotSource::Num(x) => Expr::Num(x),
                    KnotSource::Ast(ast) => match ast.bind(&|n| self.slot_of(n)) {
                        Ok(e) => e,
                        Err(unknown) => {
                            let hint = crate::error::suggestion(
                                &unknown,
                                self.slot_names.iter().map(String::as_str),
                            );
                            issues.push(issue(
                                &name,
                                "path",
                                format!(
                                    "unknown parameter `{unknown}` in the knot for {}{hint}",
                                    knot_label(year)
                                ),
                                "define the parameter under `parameters`, or correct the name",
                            ));
                            continue;
                        }
                    },
                };
                let mut slots = Vec::new();
                e.slots(&mut slots);
                for s in slots {
                    let Some(q) = self.param_of_slot(s) else {
                        continue;
                    };
                    let qp = &self.params[q];
                    if qp.raw.expr.is_some() || qp.raw.path.is_some() {
                        issues.push(issue(
                            &name,
                            "path",
                            format!(
                                "the knot for {} reads `{}`, which is {}; knots read numbers and drawn parameters only",
                                knot_label(year),
                                qp.name,
                                if qp.raw.expr.is_some() { "derived" } else { "a time path" }
                            ),
                            "give the knot its own parameter with a distribution, or write the number",
                        ));
                    }
                }
                bound.push((year, e));
            }
            if let Dist::Path { knots, .. } = &mut self.params[idx].dist {
                *knots = bound;
            }
        }
        issues
    }

    /// The values in the financial year starting in `year`: each time path at its value that
    /// year, and derived parameters recomputed from them. Without paths, `values` itself.
    pub fn at_year(&self, values: &[f64], year: i32) -> Result<Vec<f64>, (String, String)> {
        let mut v = values.to_vec();
        if !self.paths.is_empty() {
            self.fill_paths(&mut v, year)?;
            self.compute_derived(&mut v)?;
        }
        Ok(v)
    }

    /// Recomputes time paths (at `start_year`) and derived parameters after drawn slots changed.
    pub fn recompute(&self, v: &mut [f64]) -> Result<(), (String, String)> {
        self.fill_paths(v, self.start_year)?;
        self.compute_derived(v)
    }

    /// Sets each time path's slot to its value in `year`, from the drawn slots of `v`.
    fn fill_paths(&self, v: &mut [f64], year: i32) -> Result<(), (String, String)> {
        for &i in &self.paths {
            let p = &self.params[i];
            if let Dist::Path { knots, step } = &p.dist {
                v[p.slot] = path_value(knots, *step, year, v).map_err(|e| (p.name.clone(), e))?;
            }
        }
        Ok(())
    }

    /// Whether each slot can change from year to year: time paths, and derived parameters that
    /// read one (directly or through other derived parameters).
    pub fn varying_slots(&self) -> Vec<bool> {
        let mut varying = vec![false; self.slot_names.len()];
        for &i in &self.paths {
            varying[self.params[i].slot] = true;
        }
        for &i in &self.derived_order {
            let p = &self.params[i];
            if let Dist::Derived(e) = &p.dist {
                let mut slots = Vec::new();
                e.slots(&mut slots);
                if slots.iter().any(|s| varying[*s]) {
                    varying[p.slot] = true;
                }
            }
        }
        varying
    }

    /// The slot holding `name` (`param` or `param.component`).
    pub fn slot_of(&self, name: &str) -> Option<usize> {
        self.slot_names.iter().position(|n| n == name)
    }

    fn param_of_slot(&self, slot: usize) -> Option<usize> {
        self.params
            .iter()
            .position(|p| slot >= p.slot && slot < p.slot + p.components.len().max(1))
    }

    /// Central values: fixed values, means of beta, gamma, normal, uniform and Dirichlet, medians
    /// of lognormals; derived parameters computed from those.
    pub fn central(&self) -> Result<Vec<f64>, (String, String)> {
        let mut v = vec![0.0; self.slot_names.len()];
        for p in &self.params {
            match &p.dist {
                Dist::Fixed(x) => v[p.slot] = *x,
                Dist::Beta { alpha, beta } => v[p.slot] = alpha / (alpha + beta),
                Dist::LogNormal { mu, .. } => v[p.slot] = mu.exp(),
                Dist::Gamma { shape, scale } => v[p.slot] = shape * scale,
                Dist::Normal { mean, .. } => v[p.slot] = *mean,
                Dist::Uniform { min, max } => v[p.slot] = 0.5 * (min + max),
                Dist::Dirichlet { alpha } => {
                    let s: f64 = alpha.iter().sum();
                    for (k, a) in alpha.iter().enumerate() {
                        v[p.slot + k] = a / s;
                    }
                }
                Dist::Shares(sh) => v[p.slot..p.slot + sh.len()].copy_from_slice(sh),
                Dist::Derived(_) | Dist::Path { .. } => {}
            }
        }
        self.recompute(&mut v)?;
        Ok(v)
    }

    /// One draw of every parameter for a run; each parameter has its own stream, so adding a
    /// parameter to a scenario does not change the draws of the others.
    pub fn draw(&self, run_seed: u64) -> Result<Vec<f64>, (String, String)> {
        let mut v = vec![0.0; self.slot_names.len()];
        for p in &self.params {
            let mut r = rng::stream(run_seed, &format!("param:{}", p.name));
            // Distribution constructors cannot fail here: parameters were checked when built.
            let x = match &p.dist {
                Dist::Fixed(x) => *x,
                Dist::Beta { alpha, beta } => Beta::new(*alpha, *beta)
                    .map(|d| d.sample(&mut r))
                    .unwrap_or(f64::NAN),
                Dist::LogNormal { mu, sigma } => LogNormal::new(*mu, *sigma)
                    .map(|d| d.sample(&mut r))
                    .unwrap_or(f64::NAN),
                Dist::Gamma { shape, scale } => Gamma::new(*shape, *scale)
                    .map(|d| d.sample(&mut r))
                    .unwrap_or(f64::NAN),
                Dist::Normal { mean, sd } => Normal::new(*mean, *sd)
                    .map(|d| d.sample(&mut r))
                    .unwrap_or(f64::NAN),
                Dist::Uniform { min, max } => min + (max - min) * r.random::<f64>(),
                Dist::Dirichlet { alpha } => {
                    let g: Vec<f64> = alpha
                        .iter()
                        .map(|a| {
                            Gamma::new(*a, 1.0)
                                .map(|d| d.sample(&mut r))
                                .unwrap_or(f64::NAN)
                        })
                        .collect();
                    let s: f64 = g.iter().sum();
                    for (k, x) in g.iter().enumerate() {
                        v[p.slot + k] = x / s;
                    }
                    continue;
                }
                Dist::Shares(sh) => {
                    v[p.slot..p.slot + sh.len()].copy_from_slice(sh);
                    continue;
                }
                Dist::Derived(_) | Dist::Path { .. } => continue,
            };
            v[p.slot] = x;
        }
        self.recompute(&mut v)?;
        Ok(v)
    }

    fn compute_derived(&self, v: &mut [f64]) -> Result<(), (String, String)> {
        for &i in &self.derived_order {
            let p = &self.params[i];
            if let Dist::Derived(e) = &p.dist {
                v[p.slot] = e.eval(v).map_err(|e| (p.name.clone(), e.0))?;
            }
        }
        Ok(())
    }
}

/// A knot as written: a number, or an expression still to be bound to slots.
enum KnotSource {
    Num(f64),
    Ast(expr::Ast),
}

/// A financial year label for messages, from its first calendar year (2010 -> "2010-11").
fn knot_label(year: i32) -> String {
    format!("{year}-{:02}", (year + 1).rem_euclid(100))
}

/// Parses a path's knots: financial-year labels in increasing order, each with a finite number
/// or an expression.
fn parse_knots(
    name: &str,
    knots: &IndexMap<String, super::raw::Value>,
) -> Result<Vec<(i32, KnotSource)>, ParamIssue> {
    let mut out: Vec<(i32, KnotSource)> = Vec::new();
    for (label, v) in knots {
        let Some(year) = super::model::parse_year_label(label) else {
            return Err(issue(
                name,
                "path",
                format!("knot `{label}` is not a financial year"),
                "label each knot by its financial year, e.g. \"2016-17\"",
            ));
        };
        if out.last().is_some_and(|(y, _)| *y >= year) {
            return Err(issue(
                name,
                "path",
                format!("knot `{label}` is not after the knot before it"),
                "list the knots once each, in year order",
            ));
        }
        let k = match v {
            super::raw::Value::Num(x) if x.is_finite() => KnotSource::Num(*x),
            super::raw::Value::Num(x) => {
                return Err(issue(
                    name,
                    "path",
                    format!("knot `{label}` is {x}, not a finite number"),
                    "give each knot a finite number or an expression",
                ))
            }
            super::raw::Value::Expr(src) => match expr::parse(src) {
                Ok(ast) => KnotSource::Ast(ast),
                Err(e) => {
                    return Err(issue(
                        name,
                        "path",
                        format!("cannot parse the knot for `{label}`: {e}"),
                        "fix the expression syntax",
                    ))
                }
            },
        };
        out.push((year, k));
    }
    Ok(out)
}

/// A path's value in the financial year starting in `year`: the first knot's value before it,
/// the last knot's after it, and linear (or stepped) between knots.
fn path_value(knots: &[(i32, Expr)], step: bool, year: i32, v: &[f64]) -> Result<f64, String> {
    let at = |k: usize| knots[k].1.eval(v).map_err(|e| e.0);
    let next = knots.iter().position(|(y, _)| *y > year);
    match next {
        Some(0) => at(0),
        None => at(knots.len() - 1),
        Some(k) => {
            let (y0, y1) = (knots[k - 1].0, knots[k].0);
            let a = at(k - 1)?;
            if step || year == y0 {
                return Ok(a);
            }
            let b = at(k)?;
            Ok(a + (b - a) * f64::from(year - y0) / f64::from(y1 - y0))
        }
    }
}

fn need(name: &str, field: &'static str, v: Option<f64>, dist: &str) -> Result<f64, ParamIssue> {
    match v {
        Some(x) if x.is_finite() => Ok(x),
        Some(_) => Err(issue(
            name,
            field,
            format!("`{field}` must be a finite number"),
            format!("give `{field}` a finite value"),
        )),
        None => Err(issue(
            name,
            field,
            format!("a {dist} distribution needs `{field}`"),
            format!("add `{field}`"),
        )),
    }
}

fn positive(name: &str, field: &'static str, x: f64) -> Result<f64, ParamIssue> {
    if x > 0.0 {
        Ok(x)
    } else {
        Err(issue(
            name,
            field,
            format!("`{field}` is {x} but must be above 0"),
            format!("set `{field}` to a positive number"),
        ))
    }
}

/// The fields that give a distribution its shape, with what each belongs to (for messages).
const DIST_FIELDS: [(&str, &str); 14] = [
    ("value", "a fixed value"),
    ("expr", "a derived parameter"),
    ("alpha", "a beta"),
    ("beta", "a beta"),
    ("mean", "a beta, gamma or normal"),
    ("sd", "a beta, gamma or normal"),
    ("median", "a lognormal"),
    ("sigma", "a lognormal"),
    ("min", "a uniform"),
    ("max", "a uniform"),
    ("shares", "shares or a dirichlet"),
    ("concentration", "a dirichlet"),
    ("path", "a time path"),
    ("between", "a time path"),
];

/// The shape fields of `p` that are given.
fn given_fields(p: &RawParam) -> Vec<&'static str> {
    let given = [
        p.value.is_some(),
        p.expr.is_some(),
        p.alpha.is_some(),
        p.beta.is_some(),
        p.mean.is_some(),
        p.sd.is_some(),
        p.median.is_some(),
        p.sigma.is_some(),
        p.min.is_some(),
        p.max.is_some(),
        p.shares.is_some(),
        p.concentration.is_some(),
        p.path.is_some(),
        p.between.is_some(),
    ];
    DIST_FIELDS
        .iter()
        .zip(given)
        .filter(|(_, g)| *g)
        .map(|((f, _), _)| *f)
        .collect()
}

/// Refuses a definition that holds the fields of two distributions (for example `value` beside
/// `median` and `sigma`), naming both, instead of silently using one of them.
fn mixed_fields(name: &str, dist: &str, p: &RawParam) -> Result<(), ParamIssue> {
    let own: &[&str] = match dist {
        "fixed" => &["value"],
        "derived" => &["expr"],
        "beta" => &["alpha", "beta", "mean", "sd"],
        "lognormal" => &["median", "sigma"],
        "gamma" | "normal" => &["mean", "sd"],
        "uniform" => &["min", "max"],
        "dirichlet" => &["shares", "concentration"],
        "shares" => &["shares"],
        "path" => &["path", "between"],
        _ => return Ok(()),
    };
    let given = given_fields(p);
    let (mine, stray): (Vec<&str>, Vec<&str>) = given.iter().partition(|f| own.contains(f));
    let Some(&first) = stray.first() else {
        return Ok(());
    };
    let owner_of = |f: &str| {
        DIST_FIELDS
            .iter()
            .find(|(g, _)| *g == f)
            .map_or("", |(_, o)| *o)
    };
    let quoted = |fs: &[&str]| -> String {
        let q: Vec<String> = fs.iter().map(|f| format!("`{f}`")).collect();
        q.join(", ")
    };
    let this = match (p.dist.as_deref(), mine.is_empty()) {
        (Some(d), true) => format!("`\"dist\": \"{d}\"`"),
        (Some(d), false) => format!("`\"dist\": \"{d}\"` with {}", quoted(&mine)),
        (None, _) => format!("{} ({})", owner_of(own[0]), quoted(&mine)),
    };
    Err(issue(
        name,
        first,
        format!(
            "mixes two distributions: {this}, and {} of {}",
            quoted(&stray),
            owner_of(first)
        ),
        format!(
            "keep the fields of one distribution and remove {}; in an extending scenario, a parameter replaces the inherited one whole, so write it out completely",
            quoted(&stray)
        ),
    ))
}

fn parse_dist(name: &str, p: &RawParam) -> Result<(Dist, Vec<String>), ParamIssue> {
    let dist = p.dist.as_deref().unwrap_or(if p.expr.is_some() {
        "derived"
    } else if p.path.is_some() {
        "path"
    } else if p.shares.is_some() {
        "shares"
    } else {
        "fixed"
    });
    mixed_fields(name, dist, p)?;
    let d = match dist {
        "fixed" => Dist::Fixed(need(name, "value", p.value, dist)?),
        "path" => {
            let step = match p.between.as_deref() {
                None | Some("linear") => false,
                Some("step") => true,
                Some(other) => {
                    return Err(issue(
                        name,
                        "between",
                        format!(
                        "`between` is `{other}`; a path moves `linear` or by `step` between knots"
                    ),
                        "write \"between\": \"linear\" (the default) or \"step\"",
                    ))
                }
            };
            if p.path.as_ref().is_none_or(|k| k.is_empty()) {
                return Err(issue(
                    name,
                    "path",
                    "a time path needs at least one knot",
                    "write knots by financial year, e.g. \"path\": {\"2010-11\": 0.8, \"2024-25\": 1.0}",
                ));
            }
            // Knots are parsed and bound by `ParamSet::build`, after every slot is known.
            Dist::Path {
                knots: Vec::new(),
                step,
            }
        }
        "derived" => {
            if p.expr.is_none() {
                return Err(issue(
                    name,
                    "expr",
                    "a derived parameter needs `expr`",
                    "add `\"expr\": \"a * b\"`",
                ));
            }
            Dist::Derived(Expr::Num(f64::NAN))
        }
        "beta" => {
            let (alpha, beta) = match (p.alpha, p.beta, p.mean, p.sd) {
                (Some(_), Some(_), None, None) => (
                    need(name, "alpha", p.alpha, dist)?,
                    need(name, "beta", p.beta, dist)?,
                ),
                (None, None, Some(m), Some(s)) => {
                    if !(m > 0.0 && m < 1.0) {
                        return Err(issue(
                            name,
                            "mean",
                            format!("a beta mean must lie strictly between 0 and 1, got {m}"),
                            "give a probability mean such as 0.3",
                        ));
                    }
                    let var = s * s;
                    if !(s > 0.0 && var < m * (1.0 - m)) {
                        return Err(issue(name, "sd", format!("sd {s} is impossible for a beta with mean {m} (needs 0 < sd < {:.4})", (m * (1.0 - m)).sqrt()), "use a smaller sd"));
                    }
                    let k = m * (1.0 - m) / var - 1.0;
                    (m * k, (1.0 - m) * k)
                }
                _ => {
                    return Err(issue(
                        name,
                        "alpha",
                        "a beta distribution needs `alpha` and `beta`, or `mean` and `sd`",
                        "give either alpha and beta, or mean and sd",
                    ))
                }
            };
            Dist::Beta {
                alpha: positive(name, "alpha", alpha)?,
                beta: positive(name, "beta", beta)?,
            }
        }
        "lognormal" => {
            let median = positive(name, "median", need(name, "median", p.median, dist)?)?;
            let sigma = positive(name, "sigma", need(name, "sigma", p.sigma, dist)?)?;
            Dist::LogNormal {
                mu: median.ln(),
                sigma,
            }
        }
        "gamma" => {
            let mean = positive(name, "mean", need(name, "mean", p.mean, dist)?)?;
            let sd = positive(name, "sd", need(name, "sd", p.sd, dist)?)?;
            Dist::Gamma {
                shape: (mean / sd).powi(2),
                scale: sd * sd / mean,
            }
        }
        "normal" => {
            let mean = need(name, "mean", p.mean, dist)?;
            let sd = positive(name, "sd", need(name, "sd", p.sd, dist)?)?;
            Dist::Normal { mean, sd }
        }
        "uniform" => {
            let min = need(name, "min", p.min, dist)?;
            let max = need(name, "max", p.max, dist)?;
            if max <= min {
                return Err(issue(
                    name,
                    "max",
                    format!("uniform `max` ({max}) must exceed `min` ({min})"),
                    "swap or widen the bounds",
                ));
            }
            Dist::Uniform { min, max }
        }
        "dirichlet" | "shares" => {
            let shares = p.shares.as_ref().ok_or_else(|| {
                issue(
                    name,
                    "shares",
                    format!("a {dist} parameter needs `shares`"),
                    "add `\"shares\": {\"a\": 0.6, \"b\": 0.4}`",
                )
            })?;
            if shares.len() < 2 {
                return Err(issue(
                    name,
                    "shares",
                    "`shares` needs at least two components",
                    "list every component with its share",
                ));
            }
            for (k, v) in shares {
                if !is_identifier(k) {
                    return Err(issue(
                        name,
                        "shares",
                        format!("component name `{k}` is not a valid name"),
                        "use letters, digits and `_`, starting with a letter",
                    ));
                }
                if !(v.is_finite() && *v > 0.0) {
                    return Err(issue(
                        name,
                        "shares",
                        format!("share of `{k}` is {v}; shares must be positive"),
                        "give each component a positive share",
                    ));
                }
            }
            let total: f64 = shares.values().sum();
            let comps: Vec<String> = shares.keys().cloned().collect();
            let norm: Vec<f64> = shares.values().map(|v| v / total).collect();
            if dist == "shares" {
                return Ok((Dist::Shares(norm), comps));
            }
            let c = positive(
                name,
                "concentration",
                need(name, "concentration", p.concentration, dist)?,
            )?;
            return Ok((
                Dist::Dirichlet {
                    alpha: norm.iter().map(|s| s * c).collect(),
                },
                comps,
            ));
        }
        other => {
            let hint = crate::error::suggestion(
                other,
                [
                    "fixed",
                    "beta",
                    "lognormal",
                    "gamma",
                    "normal",
                    "uniform",
                    "dirichlet",
                    "shares",
                    "derived",
                    "path",
                ],
            );
            return Err(issue(name, "dist", format!("unknown distribution `{other}`{hint}"), "use one of: fixed, beta, lognormal, gamma, normal, uniform, dirichlet, shares, derived, path"));
        }
    };
    Ok((d, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn raw(json: serde_json::Value) -> IndexMap<String, RawParam> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_time_path_holds_before_its_first_knot_moves_linearly_and_holds_after_its_last() {
        let mut set = ParamSet::build(&raw(serde_json::json!({
            "k": {"value": 2.0, "source": "x"},
            "p": {"path": {"2012-13": "k", "2016-17": 10, "2020-21": 4}, "source": "x"},
            "s": {"path": {"2012-13": 1, "2016-17": 3}, "between": "step", "source": "x"},
            "d": {"expr": "p * 10", "source": "x"}
        })))
        .unwrap();
        set.start_year = 2010;
        let v = set.central().unwrap();
        let (p, s, d) = (
            set.slot_of("p").unwrap(),
            set.slot_of("s").unwrap(),
            set.slot_of("d").unwrap(),
        );
        assert_eq!(v[p], 2.0, "the start year is before the first knot");
        let at = |y: i32| set.at_year(&v, y).unwrap();
        assert_eq!(at(2012)[p], 2.0);
        assert_eq!(at(2014)[p], 6.0);
        assert_eq!(at(2016)[p], 10.0);
        assert_eq!(at(2019)[p], 5.5);
        assert_eq!(at(2030)[p], 4.0, "held after the last knot");
        assert_eq!(at(2015)[s], 1.0, "a step holds until the next knot");
        assert_eq!(at(2016)[s], 3.0);
        assert_eq!(at(2014)[d], 60.0, "derived parameters follow the path");
        assert_eq!(set.varying_slots(), {
            let mut w = vec![false; set.slot_names.len()];
            w[p] = true;
            w[s] = true;
            w[d] = true;
            w
        });
    }

    #[test]
    fn a_time_path_is_refused_with_knots_out_of_order_or_reading_a_derived_parameter() {
        let err = |json| ParamSet::build(&raw(json)).unwrap_err()[0].message.clone();
        assert!(err(
            serde_json::json!({"p": {"path": {"2016-17": 1, "2012-13": 2}, "source": "x"}})
        )
        .contains("not after the knot before it"));
        assert!(
            err(serde_json::json!({"p": {"path": {"2016": 1}, "source": "x"}}))
                .contains("not a financial year")
        );
        assert!(err(serde_json::json!({
            "d": {"expr": "2 * 3", "source": "x"},
            "p": {"path": {"2016-17": "d"}, "source": "x"}
        }))
        .contains("reads `d`, which is derived"));
        assert!(
            err(serde_json::json!({"p": {"path": {"2016-17": 1}, "value": 3, "source": "x"}}))
                .contains("mixes two distributions")
        );
    }

    #[test]
    fn beta_from_mean_and_sd_has_that_mean() {
        let set = ParamSet::build(&raw(serde_json::json!({
            "p": {"dist": "beta", "mean": 0.3, "sd": 0.05, "source": "x"}
        })))
        .unwrap();
        assert_relative_eq!(set.central().unwrap()[0], 0.3, epsilon = 1e-12);
        let draws: Vec<f64> = (0..4000)
            .map(|r| set.draw(rng::run_seed(1, r)).unwrap()[0])
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert_relative_eq!(mean, 0.3, epsilon = 0.005);
    }

    #[test]
    fn dirichlet_components_sum_to_one_and_have_slots() {
        let set = ParamSet::build(&raw(serde_json::json!({
            "mix": {"dist": "dirichlet", "shares": {"a": 2, "b": 6}, "concentration": 50, "assumption": "x"}
        })))
        .unwrap();
        assert_eq!(set.slot_names, vec!["mix.a", "mix.b"]);
        let c = set.central().unwrap();
        assert_relative_eq!(c[0], 0.25);
        let d = set.draw(42).unwrap();
        assert_relative_eq!(d[0] + d[1], 1.0, epsilon = 1e-12);
        assert_ne!(d[0], 0.25);
    }

    #[test]
    fn derived_parameters_follow_their_inputs_in_any_order() {
        let set = ParamSet::build(&raw(serde_json::json!({
            "c": {"expr": "b * 2", "assumption": "x"},
            "b": {"expr": "a + 1", "assumption": "x"},
            "a": {"value": 3, "source": "y"}
        })))
        .unwrap();
        let v = set.central().unwrap();
        assert_eq!(v, vec![8.0, 4.0, 3.0]);
    }

    #[test]
    fn rejects_cycles_missing_provenance_and_impossible_parameters() {
        let e = ParamSet::build(&raw(serde_json::json!({
            "a": {"expr": "b", "assumption": "x"},
            "b": {"expr": "a", "assumption": "x"}
        })))
        .unwrap_err();
        assert!(e[0].message.contains("cycle"));
        let e = ParamSet::build(&raw(serde_json::json!({"a": {"value": 1}}))).unwrap_err();
        assert!(e[0].message.contains("no `source`"));
        let e = ParamSet::build(&raw(serde_json::json!({
            "a": {"dist": "beta", "mean": 0.5, "sd": 0.6, "source": "x"}
        })))
        .unwrap_err();
        assert!(e[0].message.contains("impossible"));
        let e = ParamSet::build(&raw(serde_json::json!({
            "a": {"dist": "lognormla", "median": 1, "sigma": 0.1, "source": "x"}
        })))
        .unwrap_err();
        assert!(e[0].message.contains("did you mean `lognormal`"));
    }

    #[test]
    fn each_parameter_has_its_own_stream() {
        let one = ParamSet::build(&raw(serde_json::json!({
            "x": {"dist": "normal", "mean": 0, "sd": 1, "source": "s"}
        })))
        .unwrap();
        let two = ParamSet::build(&raw(serde_json::json!({
            "w": {"dist": "normal", "mean": 0, "sd": 1, "source": "s"},
            "x": {"dist": "normal", "mean": 0, "sd": 1, "source": "s"}
        })))
        .unwrap();
        assert_eq!(one.draw(9).unwrap()[0], two.draw(9).unwrap()[1]);
    }
}
