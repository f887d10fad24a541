//! Text edits for comma-separated lists: call arguments and parameters
//! (with `*`, `/` and `**`), removing several items at once with their
//! commas, and whole lines when an item stands on its own.

use onesession_engine::python::ast;
use onesession_engine::python::range_of;
use onesession_engine::python::source::{line_start, remove_list_item};
use onesession_engine::text::{Edit, TextRange};

/// Skips whitespace, commas and comments forward from `from` up to `to`,
/// returning the offset of `wanted` if it is met first.
fn find_in_gap(source: &str, from: usize, to: usize, wanted: u8) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b if b == wanted => return Some(i),
            b'#' => {
                while i < to && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'\\' => i += 1,
            _ => return None,
        }
    }
    None
}

/// Backward from `at` over whitespace (no comments) to `wanted`.
fn find_before(source: &str, at: usize, wanted: u8) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = at;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b if b == wanted => return Some(i),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => return None,
        }
    }
    None
}

/// When `item` sits alone on its line(s) (maybe followed by its comma and a
/// comment), the range of those whole lines.
fn own_lines(source: &str, item: &TextRange) -> Option<TextRange> {
    let start = line_start(source, item.start);
    if !source[start..item.start]
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        return None;
    }
    let rest = &source[item.end..];
    let mut i = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[i..].starts_with(',') {
        i += 1;
        i += rest[i..].len() - rest[i..].trim_start_matches([' ', '\t']).len();
    }
    if rest[i..].starts_with('#') {
        i += rest[i..].find('\n').unwrap_or(rest.len() - i);
    }
    if rest[i..].starts_with("\r\n") {
        Some(start..item.end + i + 2)
    } else if rest[i..].starts_with('\n') {
        Some(start..item.end + i + 1)
    } else {
        None
    }
}

/// Edits removing the items at `removed` (indices into `items`, the ranges
/// of a comma-separated list in source order) with their commas. An item
/// alone on its line goes with its line.
pub(super) fn remove_items(source: &str, items: &[TextRange], removed: &[usize]) -> Vec<Edit> {
    let mut ranges: Vec<TextRange> = Vec::new();
    for &i in removed {
        let item = &items[i];
        if let Some(lines) = own_lines(source, item) {
            ranges.push(lines);
            continue;
        }
        if i + 1 < items.len() {
            ranges.push(remove_list_item(items, i).range);
        } else if let Some(kept) = (0..i).rev().find(|j| !removed.contains(j)) {
            ranges.push(items[kept].end..item.end);
        } else {
            // Everything goes: take a trailing comma too.
            let rest = &source[item.end..];
            let ws = rest.len() - rest.trim_start().len();
            let end = if rest[ws..].starts_with(',') {
                item.end + ws + 1
            } else {
                item.end
            };
            ranges.push(item.start..end);
        }
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<TextRange> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged.into_iter().map(Edit::delete).collect()
}

/// A parameter list as removable items: the parameters (with annotation
/// and default, `*`/`**` included) and the bare `*` and `/` separators.
struct ParamItems {
    items: Vec<TextRange>,
    /// Per item: the parameter's `Arg` range, `None` for a separator.
    defs: Vec<Option<TextRange>>,
    slash: Option<usize>,
    star: Option<usize>,
}

fn param_items(source: &str, args: &ast::Arguments) -> Option<ParamItems> {
    let mut out = ParamItems {
        items: Vec::new(),
        defs: Vec::new(),
        slash: None,
        star: None,
    };
    let with_default = |arg: &ast::ArgWithDefault| {
        let def = range_of(&arg.def);
        let end = arg.default.as_deref().map_or(def.end, |d| range_of(d).end);
        (def.start..end, def)
    };
    for arg in &args.posonlyargs {
        let (item, def) = with_default(arg);
        out.items.push(item);
        out.defs.push(Some(def));
    }
    if let Some(last) = out.items.last() {
        let next = args
            .args
            .first()
            .map(|a| range_of(&a.def).start)
            .or(args.vararg.as_deref().map(|a| range_of(a).start))
            .or(args.kwonlyargs.first().map(|a| range_of(&a.def).start))
            .or(args.kwarg.as_deref().map(|a| range_of(a).start))
            .unwrap_or(source.len());
        let at = find_in_gap(source, last.end, next, b'/')?;
        out.slash = Some(out.items.len());
        out.items.push(at..at + 1);
        out.defs.push(None);
    }
    for arg in &args.args {
        let (item, def) = with_default(arg);
        out.items.push(item);
        out.defs.push(Some(def));
    }
    if let Some(arg) = args.vararg.as_deref() {
        let def = range_of(arg);
        let star = find_before(source, def.start, b'*')?;
        out.items.push(star..def.end);
        out.defs.push(Some(def));
    } else if let Some(first) = args.kwonlyargs.first() {
        let first = range_of(&first.def).start;
        let at = match out.items.last() {
            Some(last) => find_in_gap(source, last.end, first, b'*')?,
            None => {
                // `(*, x)`: back from `x` over `,` to the `*`.
                let comma = find_before(source, first, b',')?;
                find_before(source, comma, b'*')?
            }
        };
        out.star = Some(out.items.len());
        out.items.push(at..at + 1);
        out.defs.push(None);
    }
    for arg in &args.kwonlyargs {
        let (item, def) = with_default(arg);
        out.items.push(item);
        out.defs.push(Some(def));
    }
    if let Some(arg) = args.kwarg.as_deref() {
        let def = range_of(arg);
        let stars = find_before(source, def.start, b'*')?;
        let stars = find_before(source, stars, b'*')?;
        out.items.push(stars..def.end);
        out.defs.push(Some(def));
    }
    Some(out)
}

/// Edits removing the parameters whose `Arg` ranges are `params`, with a
/// separator left dangling; `None` when that cannot be done cleanly.
pub(super) fn remove_params(
    source: &str,
    args: &ast::Arguments,
    params: &[TextRange],
) -> Option<(Vec<Edit>, Vec<TextRange>)> {
    let items = param_items(source, args)?;
    let mut removed: Vec<usize> = items
        .defs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.as_ref().is_some_and(|d| params.contains(d)))
        .map(|(i, _)| i)
        .collect();
    let gone = |range: &TextRange| params.contains(range);
    if let Some(slash) = items.slash {
        if args.posonlyargs.iter().all(|a| gone(&range_of(&a.def))) {
            removed.push(slash);
        }
    }
    if let Some(star) = items.star {
        if args.kwonlyargs.iter().all(|a| gone(&range_of(&a.def))) {
            removed.push(star);
        }
    }
    if let Some(vararg) = args.vararg.as_deref() {
        // Dropping `*args` would turn the keyword-only ones positional.
        if gone(&range_of(vararg)) && !args.kwonlyargs.iter().all(|a| gone(&range_of(&a.def))) {
            return None;
        }
    }
    removed.sort_unstable();
    let ranges = removed.iter().map(|&i| items.items[i].clone()).collect();
    Some((remove_items(source, &items.items, &removed), ranges))
}
