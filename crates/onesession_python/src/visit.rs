//! A by-reference walk that reaches every node.
//!
//! The parser's own `Visitor` takes nodes by value and does not descend
//! into with-items, keyword arguments, call arguments, comprehensions or
//! match cases; a rule built on it misses `async with factory() as s`.
//! Override the `visit_*` methods you need and call the matching `walk_*`
//! to keep descending.

use rustpython_parser::ast::{
    Arguments, Comprehension, ExceptHandler, Expr, Keyword, MatchCase, Pattern, Stmt, TypeParam,
    WithItem,
};

pub trait Visitor<'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        walk_body(self, body);
    }
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        walk_stmt(self, stmt);
    }
    fn visit_expr(&mut self, expr: &'a Expr) {
        walk_expr(self, expr);
    }
    fn visit_arguments(&mut self, arguments: &'a Arguments) {
        walk_arguments(self, arguments);
    }
    fn visit_keyword(&mut self, keyword: &'a Keyword) {
        self.visit_expr(&keyword.value);
    }
    fn visit_with_item(&mut self, item: &'a WithItem) {
        self.visit_expr(&item.context_expr);
        if let Some(vars) = &item.optional_vars {
            self.visit_expr(vars);
        }
    }
    fn visit_comprehension(&mut self, comprehension: &'a Comprehension) {
        self.visit_expr(&comprehension.iter);
        self.visit_expr(&comprehension.target);
        for condition in &comprehension.ifs {
            self.visit_expr(condition);
        }
    }
    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(handler) = handler;
        if let Some(type_) = &handler.type_ {
            self.visit_expr(type_);
        }
        self.visit_body(&handler.body);
    }
    fn visit_match_case(&mut self, case: &'a MatchCase) {
        self.visit_pattern(&case.pattern);
        if let Some(guard) = &case.guard {
            self.visit_expr(guard);
        }
        self.visit_body(&case.body);
    }
    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        walk_pattern(self, pattern);
    }
    fn visit_type_param(&mut self, param: &'a TypeParam) {
        if let TypeParam::TypeVar(var) = param {
            if let Some(bound) = &var.bound {
                self.visit_expr(bound);
            }
        }
    }
}

pub fn walk_body<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, body: &'a [Stmt]) {
    for stmt in body {
        visitor.visit_stmt(stmt);
    }
}

fn visit_exprs<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, exprs: &'a [Expr]) {
    for expr in exprs {
        visitor.visit_expr(expr);
    }
}

fn visit_opt<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, expr: &'a Option<Box<Expr>>) {
    if let Some(expr) = expr {
        visitor.visit_expr(expr);
    }
}

pub fn walk_stmt<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, stmt: &'a Stmt) {
    match stmt {
        Stmt::FunctionDef(def) => {
            visit_exprs(visitor, &def.decorator_list);
            for param in &def.type_params {
                visitor.visit_type_param(param);
            }
            visitor.visit_arguments(&def.args);
            visit_opt(visitor, &def.returns);
            visitor.visit_body(&def.body);
        }
        Stmt::AsyncFunctionDef(def) => {
            visit_exprs(visitor, &def.decorator_list);
            for param in &def.type_params {
                visitor.visit_type_param(param);
            }
            visitor.visit_arguments(&def.args);
            visit_opt(visitor, &def.returns);
            visitor.visit_body(&def.body);
        }
        Stmt::ClassDef(def) => {
            visit_exprs(visitor, &def.decorator_list);
            for param in &def.type_params {
                visitor.visit_type_param(param);
            }
            visit_exprs(visitor, &def.bases);
            for keyword in &def.keywords {
                visitor.visit_keyword(keyword);
            }
            visitor.visit_body(&def.body);
        }
        Stmt::Return(ret) => visit_opt(visitor, &ret.value),
        Stmt::Delete(del) => visit_exprs(visitor, &del.targets),
        Stmt::Assign(assign) => {
            visitor.visit_expr(&assign.value);
            visit_exprs(visitor, &assign.targets);
        }
        Stmt::TypeAlias(alias) => {
            visitor.visit_expr(&alias.name);
            for param in &alias.type_params {
                visitor.visit_type_param(param);
            }
            visitor.visit_expr(&alias.value);
        }
        Stmt::AugAssign(assign) => {
            visitor.visit_expr(&assign.value);
            visitor.visit_expr(&assign.target);
        }
        Stmt::AnnAssign(assign) => {
            visit_opt(visitor, &assign.value);
            visitor.visit_expr(&assign.annotation);
            visitor.visit_expr(&assign.target);
        }
        Stmt::For(for_) => {
            visitor.visit_expr(&for_.iter);
            visitor.visit_expr(&for_.target);
            visitor.visit_body(&for_.body);
            visitor.visit_body(&for_.orelse);
        }
        Stmt::AsyncFor(for_) => {
            visitor.visit_expr(&for_.iter);
            visitor.visit_expr(&for_.target);
            visitor.visit_body(&for_.body);
            visitor.visit_body(&for_.orelse);
        }
        Stmt::While(while_) => {
            visitor.visit_expr(&while_.test);
            visitor.visit_body(&while_.body);
            visitor.visit_body(&while_.orelse);
        }
        Stmt::If(if_) => {
            visitor.visit_expr(&if_.test);
            visitor.visit_body(&if_.body);
            visitor.visit_body(&if_.orelse);
        }
        Stmt::With(with) => {
            for item in &with.items {
                visitor.visit_with_item(item);
            }
            visitor.visit_body(&with.body);
        }
        Stmt::AsyncWith(with) => {
            for item in &with.items {
                visitor.visit_with_item(item);
            }
            visitor.visit_body(&with.body);
        }
        Stmt::Match(match_) => {
            visitor.visit_expr(&match_.subject);
            for case in &match_.cases {
                visitor.visit_match_case(case);
            }
        }
        Stmt::Raise(raise) => {
            visit_opt(visitor, &raise.exc);
            visit_opt(visitor, &raise.cause);
        }
        Stmt::Try(try_) => {
            visitor.visit_body(&try_.body);
            for handler in &try_.handlers {
                visitor.visit_except_handler(handler);
            }
            visitor.visit_body(&try_.orelse);
            visitor.visit_body(&try_.finalbody);
        }
        Stmt::TryStar(try_) => {
            visitor.visit_body(&try_.body);
            for handler in &try_.handlers {
                visitor.visit_except_handler(handler);
            }
            visitor.visit_body(&try_.orelse);
            visitor.visit_body(&try_.finalbody);
        }
        Stmt::Assert(assert) => {
            visitor.visit_expr(&assert.test);
            visit_opt(visitor, &assert.msg);
        }
        Stmt::Expr(expr) => visitor.visit_expr(&expr.value),
        Stmt::Import(_)
        | Stmt::ImportFrom(_)
        | Stmt::Global(_)
        | Stmt::Nonlocal(_)
        | Stmt::Pass(_)
        | Stmt::Break(_)
        | Stmt::Continue(_) => {}
    }
}

pub fn walk_expr<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, expr: &'a Expr) {
    match expr {
        Expr::BoolOp(op) => visit_exprs(visitor, &op.values),
        Expr::NamedExpr(named) => {
            visitor.visit_expr(&named.value);
            visitor.visit_expr(&named.target);
        }
        Expr::BinOp(op) => {
            visitor.visit_expr(&op.left);
            visitor.visit_expr(&op.right);
        }
        Expr::UnaryOp(op) => visitor.visit_expr(&op.operand),
        Expr::Lambda(lambda) => {
            visitor.visit_arguments(&lambda.args);
            visitor.visit_expr(&lambda.body);
        }
        Expr::IfExp(if_) => {
            visitor.visit_expr(&if_.test);
            visitor.visit_expr(&if_.body);
            visitor.visit_expr(&if_.orelse);
        }
        Expr::Dict(dict) => {
            for (key, value) in dict.keys.iter().zip(&dict.values) {
                if let Some(key) = key {
                    visitor.visit_expr(key);
                }
                visitor.visit_expr(value);
            }
        }
        Expr::Set(set) => visit_exprs(visitor, &set.elts),
        Expr::ListComp(comp) => {
            for generator in &comp.generators {
                visitor.visit_comprehension(generator);
            }
            visitor.visit_expr(&comp.elt);
        }
        Expr::SetComp(comp) => {
            for generator in &comp.generators {
                visitor.visit_comprehension(generator);
            }
            visitor.visit_expr(&comp.elt);
        }
        Expr::DictComp(comp) => {
            for generator in &comp.generators {
                visitor.visit_comprehension(generator);
            }
            visitor.visit_expr(&comp.key);
            visitor.visit_expr(&comp.value);
        }
        Expr::GeneratorExp(comp) => {
            for generator in &comp.generators {
                visitor.visit_comprehension(generator);
            }
            visitor.visit_expr(&comp.elt);
        }
        Expr::Await(await_) => visitor.visit_expr(&await_.value),
        Expr::Yield(yield_) => visit_opt(visitor, &yield_.value),
        Expr::YieldFrom(yield_) => visitor.visit_expr(&yield_.value),
        Expr::Compare(compare) => {
            visitor.visit_expr(&compare.left);
            visit_exprs(visitor, &compare.comparators);
        }
        Expr::Call(call) => {
            visitor.visit_expr(&call.func);
            visit_exprs(visitor, &call.args);
            for keyword in &call.keywords {
                visitor.visit_keyword(keyword);
            }
        }
        Expr::FormattedValue(value) => {
            visitor.visit_expr(&value.value);
            visit_opt(visitor, &value.format_spec);
        }
        Expr::JoinedStr(joined) => visit_exprs(visitor, &joined.values),
        Expr::Attribute(attribute) => visitor.visit_expr(&attribute.value),
        Expr::Subscript(subscript) => {
            visitor.visit_expr(&subscript.value);
            visitor.visit_expr(&subscript.slice);
        }
        Expr::Starred(starred) => visitor.visit_expr(&starred.value),
        Expr::List(list) => visit_exprs(visitor, &list.elts),
        Expr::Tuple(tuple) => visit_exprs(visitor, &tuple.elts),
        Expr::Slice(slice) => {
            visit_opt(visitor, &slice.lower);
            visit_opt(visitor, &slice.upper);
            visit_opt(visitor, &slice.step);
        }
        Expr::Constant(_) | Expr::Name(_) => {}
    }
}

pub fn walk_arguments<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, arguments: &'a Arguments) {
    let with_defaults = arguments
        .posonlyargs
        .iter()
        .chain(&arguments.args)
        .chain(&arguments.kwonlyargs);
    for arg in with_defaults {
        visit_opt(visitor, &arg.def.annotation);
        visit_opt(visitor, &arg.default);
    }
    for arg in arguments.vararg.iter().chain(&arguments.kwarg) {
        visit_opt(visitor, &arg.annotation);
    }
}

pub fn walk_pattern<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, pattern: &'a Pattern) {
    match pattern {
        Pattern::MatchValue(value) => visitor.visit_expr(&value.value),
        Pattern::MatchSingleton(_) | Pattern::MatchStar(_) => {}
        Pattern::MatchSequence(sequence) => {
            for p in &sequence.patterns {
                visitor.visit_pattern(p);
            }
        }
        Pattern::MatchMapping(mapping) => {
            visit_exprs(visitor, &mapping.keys);
            for p in &mapping.patterns {
                visitor.visit_pattern(p);
            }
        }
        Pattern::MatchClass(class) => {
            visitor.visit_expr(&class.cls);
            for p in class.patterns.iter().chain(&class.kwd_patterns) {
                visitor.visit_pattern(p);
            }
        }
        Pattern::MatchAs(as_) => {
            if let Some(p) = &as_.pattern {
                visitor.visit_pattern(p);
            }
        }
        Pattern::MatchOr(or) => {
            for p in &or.patterns {
                visitor.visit_pattern(p);
            }
        }
    }
}

/// Calls `f` for every expression in `body` (nested everywhere).
pub fn for_each_expr<'a>(body: &'a [Stmt], mut f: impl FnMut(&'a Expr)) {
    EachExpr(&mut f).visit_body(body);
}

/// The visitor of [`for_each_expr`] and [`for_each_expr_in`].
struct EachExpr<F>(F);

impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for EachExpr<F> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        (self.0)(expr);
        walk_expr(self, expr);
    }
}

/// Calls `f` for `expr` and every expression nested in it.
pub fn for_each_expr_in<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Expr)) {
    EachExpr(&mut f).visit_expr(expr);
}

/// Calls `f` for every statement in `body` (nested everywhere).
pub fn for_each_stmt<'a>(body: &'a [Stmt], mut f: impl FnMut(&'a Stmt)) {
    struct Each<F>(F);
    impl<'a, F: FnMut(&'a Stmt)> Visitor<'a> for Each<F> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            (self.0)(stmt);
            walk_stmt(self, stmt);
        }
    }
    Each(&mut f).visit_body(body);
}

/// Every statement and every expression of a module, each in the order
/// [`for_each_stmt`] and [`for_each_expr`] visit them, made by one walk:
/// the checks of a file iterate these lists instead of each walking the
/// tree again.
#[derive(Debug, Default)]
pub struct Nodes<'a> {
    stmts: Vec<&'a Stmt>,
    exprs: Vec<&'a Expr>,
}

impl<'a> Nodes<'a> {
    pub fn of(body: &'a [Stmt]) -> Self {
        let mut nodes = Self::default();
        nodes.visit_body(body);
        nodes
    }

    /// [`for_each_expr`] over the whole module.
    pub fn for_each_expr(&self, f: impl FnMut(&'a Expr)) {
        self.exprs.iter().copied().for_each(f);
    }

    /// [`for_each_stmt`] over the whole module.
    pub fn for_each_stmt(&self, f: impl FnMut(&'a Stmt)) {
        self.stmts.iter().copied().for_each(f);
    }
}

impl<'a> Visitor<'a> for Nodes<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.stmts.push(stmt);
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.exprs.push(expr);
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_module;

    struct Calls(Vec<String>);

    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                if let Expr::Name(name) = call.func.as_ref() {
                    self.0.push(name.id.to_string());
                }
            }
            walk_expr(self, expr);
        }
    }

    /// Every place a call can hide is reached.
    #[test]
    fn reaches_calls_in_every_position() {
        let source = r#"
@deco()
async def f(a=default(), *, b: ann() = kw_default()) -> ret():
    async with with_item() as s, other(arg()):
        g(pos(), key=keyword())
    [x for x in comp_iter() if comp_if()]
    {k(): v() for k in dict_comp()}
    match subject():
        case Point(x=1) if guard():
            in_case()
    try:
        pass
    except handler_type():
        in_handler()
    lambda q=lambda_default(): lambda_body()
    x: annotation() = value()
class C(base(), metaclass=meta()):
    attr = class_attr()
"#;
        let module = parse_module(source).unwrap();
        let mut calls = Calls(Vec::new());
        calls.visit_body(&module.body);
        for expected in [
            "deco",
            "default",
            "ann",
            "kw_default",
            "ret",
            "with_item",
            "other",
            "arg",
            "g",
            "pos",
            "keyword",
            "comp_iter",
            "comp_if",
            "k",
            "v",
            "dict_comp",
            "subject",
            "guard",
            "in_case",
            "handler_type",
            "in_handler",
            "lambda_default",
            "lambda_body",
            "annotation",
            "value",
            "base",
            "meta",
            "class_attr",
        ] {
            assert!(
                calls.0.iter().any(|c| c == expected),
                "missed {expected}: {:?}",
                calls.0
            );
        }
        // The one walk's lists hold what each walk visits, in its order.
        let nodes = Nodes::of(&module.body);
        let (mut walked, mut listed) = (Vec::new(), Vec::new());
        for_each_expr(&module.body, |e| walked.push(std::ptr::from_ref(e)));
        nodes.for_each_expr(|e| listed.push(std::ptr::from_ref(e)));
        assert!(walked.len() > 40);
        assert_eq!(walked, listed);
        let (mut walked, mut listed) = (Vec::new(), Vec::new());
        for_each_stmt(&module.body, |s| walked.push(std::ptr::from_ref(s)));
        nodes.for_each_stmt(|s| listed.push(std::ptr::from_ref(s)));
        assert!(walked.len() > 10);
        assert_eq!(walked, listed);
    }
}
