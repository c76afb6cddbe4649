//! Arithmetic expressions over named parameters, as written in scenario files
//! (`"need_to_cp * family_help_rr"`): parsing, name resolution and evaluation.
//!
//! Grammar: numbers, names (letters, digits, `_` and `.` for Dirichlet components), `+ - * /`,
//! unary minus, parentheses and the functions `min(a, b)`, `max(a, b)`, `exp(a)`, `ln(a)`, `pow(a, b)`.

use std::fmt;

/// A parsed expression whose names are not yet bound to parameter slots.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Num(f64),
    Name(String),
    Neg(Box<Ast>),
    Bin(Op, Box<Ast>, Box<Ast>),
    Call(Func, Vec<Ast>),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Exp,
    Ln,
    Pow,
}

impl Func {
    fn from_name(name: &str) -> Option<(Func, usize)> {
        match name {
            "min" => Some((Func::Min, 2)),
            "max" => Some((Func::Max, 2)),
            "exp" => Some((Func::Exp, 1)),
            "ln" => Some((Func::Ln, 1)),
            "pow" => Some((Func::Pow, 2)),
            _ => None,
        }
    }
}

/// Why an expression could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError(pub String);

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An expression whose names are bound to indices into a slice of parameter values.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Slot(usize),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

impl Expr {
    /// `a op b`, for expressions built by the program rather than read from a file.
    pub fn op(op: Op, a: Expr, b: Expr) -> Expr {
        Expr::Bin(op, Box::new(a), Box::new(b))
    }

    /// Evaluates against parameter values; fails on division by zero or a non-finite result.
    pub fn eval(&self, values: &[f64]) -> Result<f64, ExprError> {
        let v = match self {
            Expr::Num(x) => *x,
            Expr::Slot(i) => values[*i],
            Expr::Neg(a) => -a.eval(values)?,
            Expr::Bin(op, a, b) => {
                let (x, y) = (a.eval(values)?, b.eval(values)?);
                match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    Op::Div => {
                        if y == 0.0 {
                            return Err(ExprError("division by zero".into()));
                        }
                        x / y
                    }
                }
            }
            Expr::Call(f, args) => {
                let a = args[0].eval(values)?;
                match f {
                    Func::Min => a.min(args[1].eval(values)?),
                    Func::Max => a.max(args[1].eval(values)?),
                    Func::Exp => a.exp(),
                    Func::Ln => {
                        if a <= 0.0 {
                            return Err(ExprError(format!("ln of a non-positive value ({a})")));
                        }
                        a.ln()
                    }
                    Func::Pow => {
                        let b = args[1].eval(values)?;
                        if a < 0.0 && b.fract() != 0.0 {
                            return Err(ExprError(format!(
                                "pow of a negative number ({a}) to a fractional power ({b}) is not a real number"
                            )));
                        }
                        a.powf(b)
                    }
                }
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ExprError("the result is not a finite number".into()))
        }
    }

    /// The parameter slots this expression reads.
    pub fn slots(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Num(_) => {}
            Expr::Slot(i) => out.push(*i),
            Expr::Neg(a) => a.slots(out),
            Expr::Bin(_, a, b) => {
                a.slots(out);
                b.slots(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.slots(out)),
        }
    }
}

impl Ast {
    /// Every name the expression refers to, in order of appearance.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Ast::Num(_) => {}
            Ast::Name(n) => out.push(n),
            Ast::Neg(a) => a.collect_names(out),
            Ast::Bin(_, a, b) => {
                a.collect_names(out);
                b.collect_names(out);
            }
            Ast::Call(_, args) => args.iter().for_each(|a| a.collect_names(out)),
        }
    }

    /// Binds names to slots with `lookup`; the first unknown name is returned as the error.
    pub fn bind(&self, lookup: &dyn Fn(&str) -> Option<usize>) -> Result<Expr, String> {
        Ok(match self {
            Ast::Num(x) => Expr::Num(*x),
            Ast::Name(n) => Expr::Slot(lookup(n).ok_or_else(|| n.clone())?),
            Ast::Neg(a) => Expr::Neg(Box::new(a.bind(lookup)?)),
            Ast::Bin(op, a, b) => {
                Expr::Bin(*op, Box::new(a.bind(lookup)?), Box::new(b.bind(lookup)?))
            }
            Ast::Call(f, args) => Expr::Call(
                *f,
                args.iter()
                    .map(|a| a.bind(lookup))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

/// Parses an expression string.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    if src.len() > 4096 {
        return Err(ExprError(
            "expression is longer than 4096 characters".into(),
        ));
    }
    let tokens = tokenize(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let ast = p.expr()?;
    if p.pos != p.tokens.len() {
        return Err(ExprError(format!(
            "unexpected {} after a complete expression",
            p.tokens[p.pos].describe()
        )));
    }
    Ok(ast)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(char),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(x) => format!("number {x}"),
            Tok::Name(n) => format!("name `{n}`"),
            Tok::Sym(c) => format!("`{c}`"),
        }
    }
}

fn tokenize(src: &str) -> Result<Vec<Tok>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                i += 1;
                if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                    i += 1;
                }
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v: f64 = text
                .parse()
                .map_err(|_| ExprError(format!("`{text}` is not a number")))?;
            out.push(Tok::Num(v));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else if "+-*/(),".contains(c) {
            out.push(Tok::Sym(c));
            i += 1;
        } else {
            return Err(ExprError(format!(
                "unexpected character `{c}`; expressions use numbers, parameter names, + - * / ( ) and min, max, exp, ln, pow"
            )));
        }
    }
    if out.is_empty() {
        return Err(ExprError("the expression is empty".into()));
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Ast, ExprError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(ExprError(
                "expression is nested more than 64 levels deep".into(),
            ));
        }
        let mut lhs = self.term()?;
        loop {
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                break;
            };
            let rhs = self.term()?;
            lhs = Ast::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn term(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat('*') {
                Op::Mul
            } else if self.eat('/') {
                Op::Div
            } else {
                break;
            };
            let rhs = self.unary()?;
            lhs = Ast::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        if self.eat('-') {
            self.depth += 1;
            if self.depth > 64 {
                return Err(ExprError(
                    "expression is nested more than 64 levels deep".into(),
                ));
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Ast::Neg(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Ast, ExprError> {
        let tok = self
            .peek()
            .cloned()
            .ok_or_else(|| ExprError("the expression ends where a value was expected".into()))?;
        self.pos += 1;
        match tok {
            Tok::Num(x) => Ok(Ast::Num(x)),
            Tok::Sym('(') => {
                let inner = self.expr()?;
                if !self.eat(')') {
                    return Err(ExprError("a `(` is not closed".into()));
                }
                Ok(inner)
            }
            Tok::Name(name) => {
                if self.peek() != Some(&Tok::Sym('(')) {
                    return Ok(Ast::Name(name));
                }
                let (func, arity) = Func::from_name(&name).ok_or_else(|| {
                    ExprError(format!(
                        "unknown function `{name}`; the functions are min, max, exp, ln, pow"
                    ))
                })?;
                self.pos += 1;
                let mut args = vec![self.expr()?];
                while self.eat(',') {
                    args.push(self.expr()?);
                }
                if !self.eat(')') {
                    return Err(ExprError(format!("`{name}(` is not closed")));
                }
                if args.len() != arity {
                    return Err(ExprError(format!(
                        "`{name}` takes {arity} argument(s), got {}",
                        args.len()
                    )));
                }
                Ok(Ast::Call(func, args))
            }
            other => Err(ExprError(format!(
                "unexpected {} where a value was expected",
                other.describe()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, names: &[(&str, f64)]) -> Result<f64, String> {
        let ast = parse(src).map_err(|e| e.0)?;
        let lookup = |n: &str| names.iter().position(|(k, _)| *k == n);
        let expr = ast.bind(&lookup).map_err(|n| format!("unknown {n}"))?;
        let values: Vec<f64> = names.iter().map(|(_, v)| *v).collect();
        expr.eval(&values).map_err(|e| e.0)
    }

    #[test]
    fn respects_precedence_and_parentheses() {
        assert_eq!(eval("1 + 2 * 3", &[]), Ok(7.0));
        assert_eq!(eval("(1 + 2) * 3", &[]), Ok(9.0));
        assert_eq!(eval("-2 * -3", &[]), Ok(6.0));
        assert_eq!(eval("8 / 4 / 2", &[]), Ok(1.0));
        assert_eq!(eval("1e-2 * 100", &[]), Ok(1.0));
    }

    #[test]
    fn reads_parameters_and_components() {
        let names = [("need_to_cp", 0.02), ("fh_rr", 0.5), ("share.kinship", 0.2)];
        assert_eq!(eval("need_to_cp * fh_rr", &names), Ok(0.01));
        assert_eq!(eval("share.kinship * 10", &names), Ok(2.0));
    }

    #[test]
    fn evaluates_functions() {
        assert_eq!(eval("min(2, 3) + max(2, 3)", &[]), Ok(5.0));
        assert_eq!(eval("pow(2, 10)", &[]), Ok(1024.0));
        assert_eq!(eval("ln(exp(1.5))", &[]), Ok(1.5));
    }

    #[test]
    fn rejects_division_by_zero_and_bad_syntax() {
        assert_eq!(eval("1 / (2 - 2)", &[]), Err("division by zero".into()));
        assert!(eval("1 +", &[]).is_err());
        assert!(eval("(1 + 2", &[]).is_err());
        assert!(eval("2 ^ 3", &[])
            .unwrap_err()
            .contains("unexpected character"));
        assert!(eval("foo(1)", &[])
            .unwrap_err()
            .contains("unknown function"));
        assert!(eval("min(1)", &[]).unwrap_err().contains("takes 2"));
        assert!(eval("", &[]).is_err());
        assert_eq!(eval("a + 1", &[]), Err("unknown a".into()));
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing_the_stack() {
        let src = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(eval(&src, &[]).unwrap_err().contains("nested"));
        let neg = format!("{}1", "-".repeat(500));
        assert!(eval(&neg, &[]).unwrap_err().contains("nested"));
    }
}
