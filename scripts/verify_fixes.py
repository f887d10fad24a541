#!/usr/bin/env python3
"""Independent check that a codemod (``onesession fix``) did not break a Python program.

Usage::

    python3 scripts/verify_fixes.py BEFORE_DIR AFTER_DIR [--src ROOT ...] [--strict]

BEFORE_DIR and AFTER_DIR are two copies of one project: the original and the
fixed tree (same relative paths). Only the Python 3 standard library is used.
Every problem is one line ``path:line: [check] message`` on stdout; notes and
a summary go to stderr. Exit status: 1 if there is a problem, 0 if none,
2 on a usage error.

What is checked
---------------
(a) ``call-mismatch``: for each top-level function and each method of a
    top-level class whose parameter list changed, every reference in AFTER
    (``f(...)``, ``mod.f(...)``, ``obj.f(...)``, ``Cls(...).f(...)``, a class
    call for a changed ``__init__``, and a function handed on with its
    arguments: ``add_task``, ``BackgroundTask``, ``partial``,
    ``run_in_executor``, ``asyncio.to_thread``, ``run_sync``,
    ``run_in_threadpool``, ``submit``) is bound with Python's rules
    (``self``/``cls`` dropped through an attribute, ``@staticmethod`` and
    ``@classmethod`` honoured). Resolution is by name, so a reference is
    reported only if it binds to the OLD signature of a changed function of
    that name and to NONE of the signatures that definitions of that name
    have in AFTER. The form of the reference narrows the candidates: a bare
    name or ``mod.f`` (``mod`` an imported module) reaches functions and
    classes, ``self.f``, ``Cls(...).f`` or ``x.f`` (``x`` imported from a
    module of the tree but not a module) reach methods; anything else may
    be either. A call the change left as it was (same text) that binds to
    both signatures is reported when a positional argument now lands in
    another parameter (``job(1, conn)`` after ``job(a, db_params, conn=None)``
    lost ``db_params``), unless it also binds to a definition of that name
    the change did not touch.
(b) ``import-missing``: every ``from M import n`` new in a file must name
    something ``M`` defines at module level (def, class, assignment, import,
    ``global``, ``__all__``, a star import of the tree, module
    ``__getattr__``) or a submodule, when ``M`` is a module of the tree; a
    missing module inside a regular tree package (``import M`` too) is
    reported as well. ``import-unverifiable`` (a warning; an error only with
    ``--strict``) when ``M`` is outside the tree, is a directory without
    ``__init__.py``, or a package that extends ``__path__``. Imports inside
    ``try: ... except ImportError`` are optional on purpose and skipped.
    An import already there, in any file, is reported when it names
    something a changed module defined before and no longer defines (a
    removed or renamed re-export).
(c) ``undefined-name``: per changed file, a name whose count of loads that
    no enclosing scope binds (and that is no builtin) grew; skipped, with a
    note, for a file with ``from x import *``. ``unused-import``: an import
    binding new in AFTER that the file never loads (names in string
    annotations count), does not list in ``__all__``, and that no other file
    imports from it (a re-export).
(d) ``await-outside-async``: more ``await``/``async with``/``async for``/
    async comprehensions where the compiler refuses them (outside an
    ``async def``: module level, plain ``def``, lambda, class body; a
    generator expression may be asynchronous) than in BEFORE.
(e) ``compile``: each changed or new file must compile (a SyntaxError that
    BEFORE already had is not reported). (d) sites are compile errors too,
    so they are reported under both checks.

A changed file whose BEFORE version does not parse is skipped (note).

Out of scope
------------
Dynamic calls (``getattr``, ``globals()``, callables stored in containers,
``f.delay(...)``), decorators that change a signature (they are taken as
transparent), calls with ``*args``/``**kwargs`` (unknown, skipped),
functions that moved or were renamed, nested functions and classes, dunder
methods other than ``__init__``, inherited constructors, names created
dynamically at module level, flow (a name bound anywhere in a scope counts
as bound there), and the contents of modules outside the tree.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import builtins
import gc
import os
import re
import sys
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterator

CHECK_GROUP = {
    "call-mismatch": "a",
    "import-missing": "b",
    "import-unverifiable": "b",
    "undefined-name": "c",
    "unused-import": "c",
    "await-outside-async": "d",
    "compile": "e",
}

SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}

BUILTIN_NAMES = set(dir(builtins)) | {
    "__file__", "__name__", "__doc__", "__package__", "__spec__", "__loader__",
    "__builtins__", "__path__", "__annotations__", "__cached__", "__class__",
    "__module__", "__qualname__", "__debug__",
}

# callee final name -> (index of the function argument, keywords handed on?, partial?)
PASS_ON = {
    "add_task": (0, True, False),
    "BackgroundTask": (0, True, False),
    "partial": (0, True, True),
    "run_in_executor": (1, False, False),
    "to_thread": (0, True, False),
    "run_sync": (0, False, False),
    "run_in_threadpool": (0, True, False),
    "submit": (0, True, False),
}


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

@dataclass(order=True, frozen=True)
class Problem:
    path: str
    line: int
    check: str
    message: str

    @property
    def is_warning(self) -> bool:
        return self.check == "import-unverifiable"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.check}] {self.message}"


def note(message: str) -> None:
    print(f"verify_fixes: note: {message}", file=sys.stderr)


def short(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------
# Trees, files, modules
# --------------------------------------------------------------------------

def list_py_files(root: str) -> dict[str, str]:
    """Relative path (with '/') -> absolute path of every .py file under root."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in filenames:
            if name.endswith(".py"):
                full = os.path.join(dirpath, name)
                found[os.path.relpath(full, root).replace(os.sep, "/")] = full
    return found


@dataclass
class ModuleEntry:
    path: str | None  # relative path of the file; None for a namespace directory
    is_package: bool
    is_regular_package: bool


class Tree:
    """One copy of the project: files, lazily read and parsed, and its module map."""

    def __init__(self, root: str, roots: list[str]):
        self.root = root
        self.files = list_py_files(root)
        self._bytes: dict[str, bytes] = {}
        self._ast: dict[str, ast.Module | None] = {}
        self.parse_errors: dict[str, SyntaxError] = {}
        self.modules, self.names_of = build_module_map(self.files, roots)

    def data(self, rel: str) -> bytes:
        if rel not in self._bytes:
            with open(self.files[rel], "rb") as handle:
                self._bytes[rel] = handle.read()
        return self._bytes[rel]

    def lines(self, rel: str) -> list[str]:
        return self.data(rel).decode("utf-8", "replace").splitlines()

    def parse(self, rel: str) -> ast.Module | None:
        if rel not in self._ast:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._ast[rel] = ast.parse(self.data(rel), rel)
            except (SyntaxError, ValueError) as error:
                if not isinstance(error, SyntaxError):
                    error = SyntaxError(str(error))
                self.parse_errors[rel] = error
                self._ast[rel] = None
        return self._ast[rel]


def default_roots(tree_root: str) -> list[str]:
    roots = [""]
    src = os.path.join(tree_root, "src")
    if os.path.isdir(src) and not os.path.exists(os.path.join(src, "__init__.py")):
        roots.append("src")
    return roots


def module_parts(rel: str, root: str) -> list[str] | None:
    if root:
        if not rel.startswith(root + "/"):
            return None
        rel = rel[len(root) + 1:]
    parts = rel[:-3].split("/")
    if not all(part.isidentifier() for part in parts):
        return None
    return parts


def build_module_map(files: dict[str, str], roots: list[str]):
    """Module name -> ModuleEntry, and relative path -> its module names."""
    modules: dict[str, ModuleEntry] = {}
    names_of: dict[str, list[str]] = defaultdict(list)
    for rel in files:
        for root in roots:
            parts = module_parts(rel, root)
            if not parts:
                continue
            is_init = parts[-1] == "__init__"
            if is_init:
                parts = parts[:-1]
                if not parts:
                    continue
            name = ".".join(parts)
            modules[name] = ModuleEntry(rel, is_init, is_init)
            names_of[rel].append(name)
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                if prefix not in modules:
                    modules[prefix] = ModuleEntry(None, True, False)
    return modules, names_of


# --------------------------------------------------------------------------
# Signatures and binding
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Sig:
    posonly: tuple[str, ...]
    args: tuple[str, ...]
    vararg: str | None
    kwonly: tuple[str, ...]
    kwarg: str | None
    defaults: frozenset[str]
    text: str

    @classmethod
    def of(cls, arguments: ast.arguments) -> "Sig":
        positional = arguments.posonlyargs + arguments.args
        with_default = {a.arg for a in positional[len(positional) - len(arguments.defaults):]}
        with_default |= {a.arg for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d}
        return cls(
            posonly=tuple(a.arg for a in arguments.posonlyargs),
            args=tuple(a.arg for a in arguments.args),
            vararg=arguments.vararg.arg if arguments.vararg else None,
            kwonly=tuple(a.arg for a in arguments.kwonlyargs),
            kwarg=arguments.kwarg.arg if arguments.kwarg else None,
            defaults=frozenset(with_default),
            text=ast.unparse(arguments),
        )

    def key(self) -> tuple:
        return (self.posonly, self.args, self.vararg, self.kwonly, self.kwarg, self.defaults)

    def drop_first(self) -> "Sig":
        """The signature as seen through a bound method (self/cls already given)."""
        if self.posonly:
            return Sig(self.posonly[1:], self.args, self.vararg, self.kwonly, self.kwarg,
                       self.defaults, self.text)
        if self.args:
            return Sig(self.posonly, self.args[1:], self.vararg, self.kwonly, self.kwarg,
                       self.defaults, self.text)
        return self


ANY = object()  # a signature that accepts every call (unknown)


def bind(sig: Sig, positional: list[ast.expr], keywords: list[str], partial: bool = False) -> str | None:
    """None when the arguments bind to sig, else what is wrong (Python's rules)."""
    params = sig.posonly + sig.args
    if len(positional) > len(params) and sig.vararg is None:
        extra = positional[len(params)]
        return (f"too many positional arguments ({len(positional)} given, at most "
                f"{len(params)} accepted): extra argument '{short(extra, 30)}'")
    bound = set(params[: len(positional)])
    for name in keywords:
        if name in sig.posonly:
            if sig.kwarg is None:
                return f"positional-only parameter '{name}' passed as keyword"
            continue
        if name in sig.args or name in sig.kwonly:
            if name in bound:
                return f"multiple values for argument '{name}'"
            bound.add(name)
        elif sig.kwarg is None:
            return f"unexpected keyword argument '{name}'"
    if partial:
        return None
    for name in params + sig.kwonly:
        if name not in bound and name not in sig.defaults:
            return f"missing required argument '{name}'"
    return None


# --------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------

@dataclass
class Definition:
    name: str  # the name a reference uses (the class name for __init__)
    qualname: str
    kind: str  # "function", "method" or "class"
    decorator: str  # "instance", "static", "class" or "property" (methods)
    owner: str | None
    sig: Sig | None  # None: unknown (a class without __init__)
    path: str
    line: int

    def key(self) -> tuple:
        return (self.kind, self.decorator, self.sig.key() if self.sig else None)


def decorator_names(node: ast.AST) -> set[str]:
    names = set()
    for deco in getattr(node, "decorator_list", []):
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def method_kind(node: ast.AST) -> str:
    names = decorator_names(node)
    if "staticmethod" in names:
        return "static"
    if "classmethod" in names:
        return "class"
    if names & {"property", "setter", "getter", "deleter", "cached_property"}:
        return "property"
    return "instance"


def is_overload(node: ast.AST) -> bool:
    return "overload" in decorator_names(node)


FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


def class_definition(node: ast.ClassDef, path: str) -> Definition:
    init = None
    for item in node.body:
        if isinstance(item, FUNCTION_NODES) and item.name == "__init__" and not is_overload(item):
            init = item
    sig = Sig.of(init.args).drop_first() if init else None
    return Definition(node.name, node.name, "class", "instance", None, sig, path, node.lineno)


def top_level_definitions(tree: ast.Module, path: str) -> dict[str, Definition]:
    """Top-level functions and methods of top-level classes, by qualified name."""
    found: dict[str, Definition] = {}
    for node in tree.body:
        if isinstance(node, FUNCTION_NODES) and not is_overload(node):
            found[node.name] = Definition(node.name, node.name, "function", "instance", None,
                                          Sig.of(node.args), path, node.lineno)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if not isinstance(item, FUNCTION_NODES) or is_overload(item):
                    continue
                if item.name.startswith("__") and item.name.endswith("__"):
                    continue  # dunders: __init__ is checked through the class name
                qualname = f"{node.name}.{item.name}"
                found[qualname] = Definition(item.name, qualname, "method", method_kind(item),
                                             node.name, Sig.of(item.args), path, item.lineno)
            if any(isinstance(i, FUNCTION_NODES) and i.name == "__init__" for i in node.body):
                found[node.name] = class_definition(node, path)
    return found


# --------------------------------------------------------------------------
# Scanning a file for definitions of, and references to, some names
# --------------------------------------------------------------------------

@dataclass
class Reference:
    name: str
    target: ast.expr  # the expression naming the function (Name or Attribute)
    positional: list[ast.expr]
    keywords: list[str]
    partial: bool
    node: ast.Call
    base: str | None  # for an Attribute target: "module", "object" or None (unknown)


@dataclass
class FileScan:
    definitions: list[Definition] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # `from m import name as local`


def node_span(node: ast.AST) -> tuple[int, int] | None:
    if not hasattr(node, "lineno"):
        return None
    start = node.lineno
    for deco in getattr(node, "decorator_list", ()):
        start = min(start, deco.lineno)
    return start, node.end_lineno or node.lineno


def scan_file(tree: ast.Module, path: str, names: set[str], lines: list[int]) -> FileScan:
    """Definitions named in names, calls and aliases, visiting only nodes that span one of lines
    (the sorted line numbers where one of the names occurs as a word)."""
    scan = FileScan()
    stack: list[tuple[ast.AST, str | None]] = [(tree, None)]
    while stack:
        node, owner = stack.pop()
        child_owner = owner
        if isinstance(node, FUNCTION_NODES):
            if node.name in names and not is_overload(node):
                kind, deco = ("method", method_kind(node)) if owner else ("function", "instance")
                scan.definitions.append(Definition(node.name, node.name, kind, deco, owner,
                                                   Sig.of(node.args), path, node.lineno))
            child_owner = None
        elif isinstance(node, ast.ClassDef):
            if node.name in names:
                scan.definitions.append(class_definition(node, path))
            child_owner = node.name
        elif isinstance(node, ast.Lambda):
            child_owner = None
        elif isinstance(node, ast.Call):
            scan.calls.append(node)
        elif isinstance(node, ast.ImportFrom):
            scan.aliases.update((a.asname, a.name) for a in node.names if a.asname and a.asname != a.name)
        for child in ast.iter_child_nodes(node):
            span = node_span(child)
            if span is None or spans_a_line(span, lines):
                stack.append((child, child_owner))
    return scan


def spans_a_line(span: tuple[int, int], lines: list[int]) -> bool:
    index = bisect.bisect_left(lines, span[0])
    return index < len(lines) and lines[index] <= span[1]


def final_name(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def top_level_statements(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside if/try/with blocks."""
    for node in statements:
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for attr in ("body", "orelse", "finalbody"):
                yield from top_level_statements(getattr(node, attr, None) or [])
            for handler in getattr(node, "handlers", []):
                yield from top_level_statements(handler.body)


def imported_kinds(tree: ast.Module, rel: str, project: Tree) -> dict[str, tuple[str, str]]:
    """Local name -> ("module", dotted name) or ("object", dotted name) for module-level imports
    whose nature is known: `import m`, and `from m import x` with m a module of the tree."""
    kinds: dict[str, tuple[str, str]] = {}
    for node in top_level_statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    kinds[alias.asname] = ("module", alias.name)
                else:
                    top = alias.name.split(".")[0]
                    kinds[top] = ("module", top)
        elif isinstance(node, ast.ImportFrom):
            source = resolve_from(node, rel, project)
            if source is None or source not in project.modules:
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                kind = "module" if full in project.modules else "object"
                kinds[alias.asname or alias.name] = (kind, full)
    return kinds


def dotted_name(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def base_kind(base: ast.expr, kinds: dict[str, tuple[str, str]], project: Tree) -> str | None:
    """What `base` in `base.f` is: "module", "object" (an instance or a class), or None (unknown)."""
    if isinstance(base, ast.Name):
        if base.id in ("self", "cls"):
            return "object"
        return kinds.get(base.id, (None,))[0]
    if isinstance(base, (ast.Call, ast.Subscript, ast.Constant, ast.JoinedStr, ast.List, ast.Dict,
                         ast.Tuple, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.BinOp)):
        return "object"
    parts = dotted_name(base)
    if parts and kinds.get(parts[0], (None,))[0] == "module":
        full = ".".join([kinds[parts[0]][1]] + parts[1:])
        return "module" if full in project.modules else None
    return None


def make_reference(name, target, args, keywords, partial, call, kinds, project) -> Reference | None:
    if any(isinstance(a, ast.Starred) for a in args) or any(k.arg is None for k in keywords):
        return None  # *x or **y: unknown
    base = base_kind(target.value, kinds, project) if isinstance(target, ast.Attribute) else None
    return Reference(name, target, list(args), [k.arg for k in keywords], partial, call, base)


def references(scan: FileScan, names: set[str], kinds, project: Tree) -> Iterator[Reference]:
    """Calls of the names, and the names handed on with their arguments (add_task, partial...)."""
    for call in scan.calls:
        name = final_name(call.func, scan.aliases)
        if name in names:
            ref = make_reference(name, call.func, call.args, call.keywords, False, call, kinds, project)
            if ref:
                yield ref
        if name not in PASS_ON:
            continue
        index, with_keywords, partial = PASS_ON[name]
        if len(call.args) <= index or any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            continue
        target = call.args[index]
        target_name = final_name(target, scan.aliases)
        if target_name in names:
            keywords = call.keywords if with_keywords else []
            ref = make_reference(target_name, target, call.args[index + 1:], keywords, partial, call,
                                 kinds, project)
            if ref:
                yield ref


def seen_through(defn: Definition, ref: Reference):
    """The signature that ref binds to if it names defn: a Sig, ANY, or None (it cannot be defn)."""
    target = ref.target
    if isinstance(target, ast.Name):
        if defn.kind == "method":
            return None  # a bare name does not reach a method
        return ANY if defn.sig is None else defn.sig
    if defn.kind in ("function", "class"):
        if ref.base == "object":
            return None
        return ANY if defn.sig is None else defn.sig
    if ref.base == "module" or defn.decorator == "property":
        return None
    if defn.decorator == "static":
        return defn.sig
    through_class = isinstance(target.value, ast.Name) and target.value.id == defn.owner
    if defn.decorator == "instance" and through_class:
        return defn.sig  # Cls.method(obj, ...)
    return defn.sig.drop_first()


def binding_error(defn: Definition, ref: Reference):
    """None if ref binds to defn, an error string if not, False if ref cannot name defn."""
    sig = seen_through(defn, ref)
    if sig is None:
        return False
    if sig is ANY:
        return None
    return bind(sig, ref.positional, ref.keywords, ref.partial)


# --------------------------------------------------------------------------
# Check (a): call-mismatch
# --------------------------------------------------------------------------

def changed_functions(before: Tree, after: Tree, changed: list[str]) -> list[tuple[Definition, Definition]]:
    """(old, new) for each top-level function or method whose parameter list changed."""
    pairs = []
    for rel in changed:
        if rel not in before.files or rel not in after.files:
            continue
        old_tree, new_tree = before.parse(rel), after.parse(rel)
        if old_tree is None or new_tree is None:
            continue
        old_defs = top_level_definitions(old_tree, rel)
        new_defs = top_level_definitions(new_tree, rel)
        for qualname, old in old_defs.items():
            new = new_defs.get(qualname)
            if new is not None and old.sig and new.sig and old.key() != new.key():
                pairs.append((old, new))
    return pairs


def word_lines(data: bytes, pattern: re.Pattern) -> list[int]:
    """Sorted line numbers (1-based) where pattern matches."""
    lines = []
    for match in pattern.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def alternatives(names) -> bytes:
    return b"|".join(re.escape(n.encode()) for n in sorted(names))


def scan_tree(after: Tree, names: set[str]) -> dict[str, FileScan]:
    """FileScan of every AFTER file where one of names occurs as a word."""
    pattern = re.compile(rb"\b(?:" + alternatives(names) + rb")\b")
    alias_pattern = re.compile(rb"\b(?:" + alternatives(names) + rb")\s+as\s+(\w+)")
    scans = {}
    for rel in sorted(after.files):
        data = after.data(rel)
        if not pattern.search(data) or after.parse(rel) is None:
            continue
        aliases = {m.group(1).decode() for m in alias_pattern.finditer(data)}
        local = re.compile(rb"\b(?:" + alternatives(names | aliases) + rb")\b") if aliases else pattern
        scans[rel] = scan_file(after.parse(rel), rel, names, word_lines(data, local))
    return scans


def check_calls(before: Tree, after: Tree, changed: list[str]) -> list[Problem]:
    pairs = changed_functions(before, after, changed)
    if not pairs:
        return []
    old_by_name: dict[str, list[tuple[Definition, Definition]]] = defaultdict(list)
    for old, new in pairs:
        old_by_name[old.name].append((old, new))
    names = set(old_by_name)
    changed_at = {(new.path, new.line) for _, new in pairs}
    scans = scan_tree(after, names)
    new_by_name: dict[str, list[Definition]] = defaultdict(list)
    for scan in scans.values():
        for defn in scan.definitions:
            new_by_name[defn.name].append(defn)
    problems = []
    for rel, scan in scans.items():
        kinds = imported_kinds(after.parse(rel), rel, after)
        before_calls = calls_of(before, rel) if rel in changed else None
        for ref in references(scan, names, kinds, after):
            problem = mismatch(ref, old_by_name[ref.name], new_by_name[ref.name], rel)
            if problem is None and (before_calls is None or ast.unparse(ref.node) in before_calls):
                unchanged = [d for d in new_by_name[ref.name] if (d.path, d.line) not in changed_at]
                problem = shift(ref, old_by_name[ref.name], unchanged, rel)
            if problem:
                problems.append(problem)
    return problems


def calls_of(tree: Tree, rel: str) -> set[str]:
    """The text of every call in the file (empty when the file is new or does not parse)."""
    parsed = tree.parse(rel) if rel in tree.files else None
    if parsed is None:
        return set()
    return {ast.unparse(node) for node in ast.walk(parsed) if isinstance(node, ast.Call)}


def mismatch(ref: Reference, pairs, new_defs: list[Definition], rel: str) -> Problem | None:
    """A problem if ref binds to an old signature and to no signature of that name in AFTER."""
    matched = next(((old, new) for old, new in pairs if binding_error(old, ref) is None), None)
    if matched is None:
        return None  # does not bind to any old signature: unrelated or already broken
    if any(binding_error(defn, ref) is None for defn in new_defs):
        return None
    old, new = matched
    error = binding_error(new, ref)
    callee = short(ref.target)
    what = f"{callee}(...)" if ref.target is ref.node.func else f"{short(ref.node.func)}({callee}, ...)"
    message = (f"{what} binds to the old signature of {new.qualname} but not to the new "
               f"({new.sig.text}) at {new.path}:{new.line}: {error}{describe_change(old.sig, new.sig)}")
    return Problem(rel, ref.node.lineno, "call-mismatch", message)


def positional_targets(sig, count: int) -> list[str]:
    params = sig.posonly + sig.args
    return [params[i] if i < len(params) else f"*{sig.vararg}" for i in range(count)]


def shift(ref: Reference, pairs, unchanged_defs: list[Definition], rel: str) -> Problem | None:
    """A problem if a call the change left as it was binds to both the old and the new signature,
    but a positional argument now lands in another parameter (the one after a removed parameter
    takes its value); unless the call may name a definition the change did not touch."""
    if any(binding_error(defn, ref) is None for defn in unchanged_defs):
        return None
    for old, new in pairs:
        if binding_error(old, ref) is not None or binding_error(new, ref) is not None:
            continue
        old_sig, new_sig = seen_through(old, ref), seen_through(new, ref)
        if not isinstance(old_sig, Sig) or not isinstance(new_sig, Sig):
            continue
        count = len(ref.positional)
        moved = [(short(arg, 30), was, now) for arg, was, now in
                 zip(ref.positional, positional_targets(old_sig, count), positional_targets(new_sig, count))
                 if was != now]
        if not moved:
            continue
        arg, was, now = moved[0]
        callee = short(ref.target)
        what = f"{callee}(...)" if ref.target is ref.node.func else f"{short(ref.node.func)}({callee}, ...)"
        message = (f"{what} was left as it was, but its argument '{arg}' went to '{was}' and now goes "
                   f"to '{now}' ({new.sig.text}) at {new.path}:{new.line}{describe_change(old.sig, new.sig)}")
        return Problem(rel, ref.node.lineno, "call-mismatch", message)
    return None


def describe_change(old: Sig, new: Sig) -> str:
    old_names = old.posonly + old.args + old.kwonly
    new_names = new.posonly + new.args + new.kwonly
    removed = [n for n in old_names if n not in new_names]
    added = [n for n in new_names if n not in old_names]
    parts = ([f"removed: {', '.join(removed)}"] if removed else []) + ([f"added: {', '.join(added)}"] if added else [])
    return f" (parameters {'; '.join(parts)})" if parts else ""


# --------------------------------------------------------------------------
# Scope analysis for (c) and the await sites for (d)
# --------------------------------------------------------------------------

class Scope:
    def __init__(self, kind: str, parent: "Scope | None"):
        self.kind = kind  # "module", "function", "class" or "comprehension"
        self.parent = parent
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.loads: list[tuple[str, ast.AST]] = []


@dataclass
class ImportBinding:
    name: str  # the name bound in the file
    target: str  # what it refers to: 'pkg.mod' or 'pkg.mod.name' (relative: leading dots)
    node: ast.stmt
    explicit_reexport: bool


class ScopeBuilder(ast.NodeVisitor):
    """Bindings and loads per scope, following Python's scoping rules (flow-insensitive)."""

    def __init__(self):
        self.module = Scope("module", None)
        self.scope = self.module
        self.scopes = [self.module]
        self.star_import = False
        self.imports: list[ImportBinding] = []
        self.all_names: set[str] = set()

    # scopes
    def push(self, kind: str) -> Scope:
        self.scope = Scope(kind, self.scope)
        self.scopes.append(self.scope)
        return self.scope

    def pop(self) -> None:
        self.scope = self.scope.parent

    def bind(self, name: str, scope: Scope | None = None) -> None:
        (scope or self.scope).bound.add(name)

    # names
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.scope.loads.append((node.id, node))
        else:
            self.bind(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension":
            scope = scope.parent
        self.bind(node.target.id, scope)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.bind(node.rest)
        self.generic_visit(node)

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            self.bind(name)
            self.imports.append(ImportBinding(name, alias.name, node, alias.asname == alias.name))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.star_import = True
                continue
            name = alias.asname or alias.name
            self.bind(name)
            explicit = alias.asname == alias.name or node.module == "__future__"
            self.imports.append(ImportBinding(name, f"{source}.{alias.name}", node, explicit))

    # __all__
    def visit_Assign(self, node: ast.Assign) -> None:
        if self.scope is self.module and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            self.all_names |= string_items(node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            self.all_names |= string_items(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__" and node.value:
            self.all_names |= string_items(node.value)
        self.visit(node.target)
        self.visit_annotation(node.annotation)
        if node.value:
            self.visit(node.value)

    # annotations, including names inside string annotations
    def visit_annotation(self, node: ast.expr | None) -> None:
        if node is None:
            return
        self.visit(node)
        for name in string_annotation_names(node):
            self.scope.loads.append((name, node))

    # functions, lambdas, classes, comprehensions
    def visit_arguments_outside(self, args: ast.arguments) -> None:
        for default in args.defaults + [d for d in args.kw_defaults if d]:
            self.visit(default)
        for arg in all_args(args):
            self.visit_annotation(arg.annotation)

    def visit_FunctionDef(self, node) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        self.visit_arguments_outside(node.args)
        self.visit_annotation(node.returns)
        self.bind(node.name)
        scope = self.push("function")
        scope.bound.update(arg.arg for arg in all_args(node.args))
        for stmt in node.body:
            self.visit(stmt)
        self.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit_arguments_outside(node.args)
        scope = self.push("function")
        scope.bound.update(arg.arg for arg in all_args(node.args))
        self.visit(node.body)
        self.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expr)
        self.bind(node.name)
        self.push("class")
        for stmt in node.body:
            self.visit(stmt)
        self.pop()

    def visit_comprehension_node(self, node, results: list[ast.expr]) -> None:
        self.visit(node.generators[0].iter)
        self.push("comprehension")
        for i, generator in enumerate(node.generators):
            self.visit(generator.target)
            if i:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self.pop()

    def visit_ListComp(self, node) -> None:
        self.visit_comprehension_node(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self.visit_comprehension_node(node, [node.key, node.value])

    # results
    def resolves(self, scope: Scope, name: str) -> bool:
        if name in scope.globals:
            return name in self.module.bound
        if name in scope.nonlocals or name in scope.bound:
            return True
        outer = scope.parent
        while outer is not None:
            if outer.kind != "class":  # a class body is not visible from nested scopes
                if name in outer.globals:
                    return name in self.module.bound
                if name in outer.nonlocals or name in outer.bound:
                    return True
            outer = outer.parent
        return False

    def finish(self) -> None:
        for scope in self.scopes:
            self.module.bound |= scope.bound & scope.globals

    def unresolved(self) -> list[tuple[str, ast.AST]]:
        found = []
        for scope in self.scopes:
            for name, node in scope.loads:
                if name not in BUILTIN_NAMES and not self.resolves(scope, name):
                    found.append((name, node))
        return sorted(found, key=lambda item: (item[1].lineno, item[1].col_offset))

    def loaded_names(self) -> set[str]:
        return {name for scope in self.scopes for name, _ in scope.loads}


def all_args(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a]
    return args.posonlyargs + args.args + args.kwonlyargs + extra


def string_items(node: ast.expr) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def string_annotation_names(node: ast.expr) -> set[str]:
    """Names inside string annotations: 'Foo', Optional['Foo'], 'A' | None, Annotated['Foo', ...].
    Literal[...] and the metadata of Annotated[...] (calls, descriptions) are not annotations."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value.strip(), mode="eval")
        except SyntaxError:
            return set()
        names = {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)}
        return names | string_annotation_names(parsed.body)
    if isinstance(node, ast.Subscript):
        base = final_name(node.value, {})
        if base == "Literal":
            return set()
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Annotated":
            items = items[:1]
        return set().union(*(string_annotation_names(item) for item in items))
    if isinstance(node, ast.BinOp):
        return string_annotation_names(node.left) | string_annotation_names(node.right)
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(string_annotation_names(item) for item in node.elts))
    return set()


def analyse_scopes(tree: ast.Module) -> ScopeBuilder:
    builder = ScopeBuilder()
    builder.visit(tree)
    builder.finish()
    return builder


@dataclass
class AwaitSite:
    kind: str
    node: ast.AST
    where: str  # "module level", "def name", "class name", "lambda"


def await_sites_outside_async(tree: ast.Module) -> list[AwaitSite]:
    """await/async with/async for/async comprehensions where the compiler refuses them."""
    sites: list[AwaitSite] = []

    def visit(node: ast.AST, allowed: bool, where: str) -> None:
        if isinstance(node, FUNCTION_NODES + (ast.Lambda,)):
            for expr in getattr(node, "decorator_list", []) + node.args.defaults + \
                    [d for d in node.args.kw_defaults if d]:
                visit(expr, allowed, where)
            body = node.body if isinstance(node.body, list) else [node.body]
            inner = f"def {node.name}" if not isinstance(node, ast.Lambda) else "lambda"
            for stmt in body:
                visit(stmt, isinstance(node, ast.AsyncFunctionDef), inner)
            return
        if isinstance(node, ast.ClassDef):
            for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
                visit(expr, allowed, where)
            for stmt in node.body:
                visit(stmt, False, f"class {node.name}")
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            visit_comprehension(node, allowed, where)
            return
        kind = {ast.Await: "await", ast.AsyncWith: "async with", ast.AsyncFor: "async for"}.get(type(node))
        if kind and not allowed:
            sites.append(AwaitSite(kind, node, where))
        for child in ast.iter_child_nodes(node):
            visit(child, allowed, where)

    def visit_comprehension(node, allowed: bool, where: str) -> None:
        visit(node.generators[0].iter, allowed, where)
        inner = allowed or isinstance(node, ast.GeneratorExp)  # a generator expression may be async
        if not inner and any(g.is_async for g in node.generators):
            sites.append(AwaitSite("async comprehension", node, where))
        for i, generator in enumerate(node.generators):
            for part in [generator.target] + ([generator.iter] if i else []) + generator.ifs:
                visit(part, inner, where)
        for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
            visit(part, inner, where)

    for stmt in tree.body:
        visit(stmt, False, "module level")
    return sites


def new_sites(after: list[tuple[object, object]], before_keys: list[object]) -> list:
    """Items of after (key, item) whose key is not matched by one of before_keys (a multiset)."""
    remaining = Counter(before_keys)
    fresh = []
    for key, item in after:
        if remaining[key]:
            remaining[key] -= 1
        else:
            fresh.append(item)
    return fresh


def line_text(lines: list[str], node: ast.AST) -> str:
    index = getattr(node, "lineno", 0) - 1
    return lines[index].strip() if 0 <= index < len(lines) else ""


# --------------------------------------------------------------------------
# Checks (c) and (d), per changed file
# --------------------------------------------------------------------------

def check_undefined(rel: str, old: ScopeBuilder, new: ScopeBuilder, old_lines, new_lines) -> list[Problem]:
    """A name whose count of unresolved loads grew from BEFORE to AFTER."""
    if new.star_import:
        note(f"{rel}: 'from ... import *' present, undefined-name check skipped")
        return []
    problems = []
    old_uses = old.unresolved()
    new_uses = new.unresolved()
    old_count = Counter(name for name, _ in old_uses)
    new_count = Counter(name for name, _ in new_uses)
    for name in sorted(new_count, key=lambda n: first_line(new_uses, n)):
        if new_count[name] <= old_count[name]:
            continue
        mine = [(line_text(new_lines, node), node) for n, node in new_uses if n == name]
        fresh = new_sites(mine, [line_text(old_lines, node) for n, node in old_uses if n == name])
        node = (fresh or [mine[0][1]])[0]
        problems.append(Problem(rel, node.lineno, "undefined-name",
                                f"name '{name}' is not defined ({new_count[name]} unresolved "
                                f"use(s), {old_count[name]} before)"))
    return problems


def unused_new_imports(old: ScopeBuilder, new: ScopeBuilder) -> list[ImportBinding]:
    """Import bindings new in AFTER that the file never loads and does not list in __all__."""
    old_imports = {(b.name, b.target) for b in old.imports}
    used = new.loaded_names() | new.all_names
    return [b for b in new.imports
            if (b.name, b.target) not in old_imports and not b.explicit_reexport and b.name not in used]


def imported_from_elsewhere(after: Tree, rel: str, name: str) -> bool:
    """Whether another AFTER file does `from <rel's module> import name` (a re-export)."""
    modules = set(after.names_of.get(rel, []))
    if not modules:
        return False
    pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    for other in sorted(after.files):
        if other == rel or not pattern.search(after.data(other)) or after.parse(other) is None:
            continue
        for node in ast.walk(after.parse(other)):
            if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names) \
                    and resolve_from(node, other, after) in modules:
                return True
    return False


def first_line(uses, name) -> int:
    return next(node.lineno for n, node in uses if n == name)


def check_awaits(rel: str, old_tree, new_tree, old_lines, new_lines) -> list[Problem]:
    old_sites = await_sites_outside_async(old_tree)
    new_sites_list = await_sites_outside_async(new_tree)
    if len(new_sites_list) <= len(old_sites):
        return []
    def key(site: AwaitSite, lines: list[str]) -> tuple:
        return (site.kind, site.where, line_text(lines, site.node))

    fresh = new_sites([(key(s, new_lines), s) for s in new_sites_list],
                      [key(s, old_lines) for s in old_sites])
    return [Problem(rel, site.node.lineno, "await-outside-async",
                    f"'{site.kind}' outside an async function ({site.where}; "
                    f"{len(new_sites_list)} such site(s) in the file, {len(old_sites)} before)")
            for site in fresh]


# --------------------------------------------------------------------------
# Check (b): imports
# --------------------------------------------------------------------------

def resolve_relative(level: int, module: str | None, importer: str, is_package: bool) -> str | None:
    """Absolute module name of `from {'.'*level}{module} import ...` in module importer."""
    if level == 0:
        return module
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    if level - 1 > len(package) or (level - 1 == len(package) and not module):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([module] if module else [])) or None


@dataclass(frozen=True)
class FromImport:
    module: str | None  # resolved absolute name; None when it cannot be resolved
    name: str
    line: int
    text: str  # the module as written
    guarded: bool = False  # inside `try: ... except ImportError:` (optional on purpose)


def resolve_from(node: ast.ImportFrom, rel: str, project: Tree) -> str | None:
    """The absolute module of `from M import ...` in file rel (None if it cannot be resolved).
    A file under several source roots has several names: the first that resolves in the tree wins."""
    if not node.level:
        return node.module
    is_package = rel.endswith("/__init__.py") or rel == "__init__.py"
    candidates = [resolve_relative(node.level, node.module, importer, is_package)
                  for importer in project.names_of.get(rel, [])]
    resolved = [c for c in candidates if c and c in project.modules]
    return resolved[0] if resolved else next((c for c in candidates if c), None)


def from_imports(rel: str, tree: ast.Module, project: Tree) -> list[FromImport]:
    """Every `from M import n` (M resolved) and `import M` (n empty) in the file."""
    found = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, guarded = stack.pop()
        if isinstance(node, ast.ImportFrom):
            written = "." * node.level + (node.module or "")
            module = resolve_from(node, rel, project)
            found += [FromImport(module, a.name, node.lineno, written, guarded) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [FromImport(a.name, "", node.lineno, a.name, guarded) for a in node.names]
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and catches_import_error(node):
            stack += [(stmt, True) for stmt in node.body]
            stack += [(child, guarded) for child in node.handlers + node.orelse + node.finalbody]
        elif not isinstance(node, ast.expr):
            stack += [(child, guarded) for child in ast.iter_child_nodes(node)]
    return sorted(found, key=lambda item: item.line)


def catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(c is None or final_name(c, {}) in ("ImportError", "ModuleNotFoundError", "Exception",
                                                   "BaseException") for c in caught):
            return True
    return False


def module_level_names(tree: ast.Module) -> tuple[set[str], list[tuple[int, str | None]], set[str] | None]:
    """Names bound at module level, star imports (level, module), and __all__ (None if absent)."""
    names: set[str] = set()
    stars: list[tuple[int, str | None]] = []
    all_names: set[str] | None = None

    def targets(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                names.add(sub.id)
            elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
                names.add(sub.name)

    def visit(statements: list[ast.stmt]) -> None:
        nonlocal all_names
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Import):
                names.update(a.asname or a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        stars.append((node.level, node.module))
                    else:
                        names.add(alias.asname or alias.name)
            else:
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    items = assigned_all(node)
                    if items is not None:
                        all_names = (all_names or set()) | items
                if isinstance(node, ast.Expr) and is_all_extend(node):
                    all_names = (all_names or set()) | string_items(node.value.args[0])
                for attr in ("body", "orelse", "finalbody"):
                    visit(getattr(node, attr, []) or [])
                for handler in getattr(node, "handlers", []):
                    if handler.name:
                        names.add(handler.name)
                    visit(handler.body)
                for case in getattr(node, "cases", []):
                    targets(case.pattern)
                    visit(case.body)
                simple = {k: v for k, v in ast.iter_fields(node) if k not in ("body", "orelse", "finalbody",
                                                                            "handlers", "cases")}
                for value in simple.values():
                    for part in value if isinstance(value, list) else [value]:
                        if isinstance(part, ast.AST):
                            targets(part)

    visit(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
    if all_names:
        names |= all_names
    return names, stars, all_names


def assigned_all(node) -> set[str] | None:
    target_list = node.targets if isinstance(node, ast.Assign) else [node.target]
    if any(isinstance(t, ast.Name) and t.id == "__all__" for t in target_list) and node.value is not None:
        return string_items(node.value)
    return None


def is_all_extend(node: ast.Expr) -> bool:
    call = node.value
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("extend", "append") and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "__all__" and len(call.args) == 1
            and isinstance(call.args[0], (ast.List, ast.Tuple)))


class ImportChecker:
    def __init__(self, tree: Tree):
        self.tree = tree
        self._names: dict[str, tuple] = {}

    def names_of_module(self, modname: str):
        if modname not in self._names:
            entry = self.tree.modules[modname]
            parsed = self.tree.parse(entry.path) if entry.path else None
            self._names[modname] = module_level_names(parsed) if parsed else None
        return self._names[modname]

    def defines(self, modname: str, name: str, via_star: bool = False, seen=None) -> bool | None:
        """True/False if the tree module defines name; None when it cannot be known."""
        seen = seen or set()
        if modname in seen:
            return False
        seen.add(modname)
        entry = self.tree.modules.get(modname)
        if entry is None:
            return None
        if f"{modname}.{name}" in self.tree.modules and not via_star:
            return True
        if entry.path is None:
            return None  # a directory without __init__.py: an installed package of that name wins
        info = self.names_of_module(modname)
        if info is None:
            return None
        names, stars, all_names = info
        if via_star and (name.startswith("_") if all_names is None else name not in all_names):
            return False
        if name in names or "__getattr__" in names:
            return True
        if entry.is_package and b"__path__" in self.tree.data(entry.path):
            return None  # the package extends __path__: n may be a submodule from elsewhere
        unknown = False
        for level, module in stars:
            source = resolve_relative(level, module, modname, entry.is_package)
            result = self.defines(source, name, True, seen) if source else None
            if result:
                return True
            unknown = unknown or result is None
        return None if unknown else False

    def module_status(self, modname: str) -> str:
        """'tree' (a module of the tree), 'missing' (should be in the tree, is not) or 'outside'."""
        if modname in self.tree.modules:
            return "tree"
        parts = modname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            prefix = self.tree.modules.get(".".join(parts[:i]))
            if prefix is None:
                continue
            if not prefix.is_package:
                return "missing"  # a plain module has no submodules
            if not prefix.is_regular_package or b"__path__" in self.tree.data(prefix.path):
                return "outside"  # a namespace package, or one extending __path__, may be completed elsewhere
            return "outside" if self.has_binary(prefix, parts[i]) else "missing"
        return "outside"

    def has_binary(self, package: ModuleEntry, name: str) -> bool:
        """An extension module or stub (name.*.so, name.pyi) next to the package's __init__.py."""
        folder = os.path.dirname(os.path.join(self.tree.root, package.path))
        try:
            return any(f.startswith(name + ".") and not f.endswith(".py") for f in os.listdir(folder))
        except OSError:
            return False

    def check(self, rel: str, item: FromImport) -> Problem | None:
        if item.module is None:
            if not self.tree.names_of.get(rel):
                return Problem(rel, item.line, "import-unverifiable",
                               f"from {item.text} import {item.name}: the file is not under a source root")
            return Problem(rel, item.line, "import-missing",
                           f"relative import 'from {item.text} import {item.name}' goes beyond the "
                           f"top-level package")
        status = self.module_status(item.module)
        plain = item.name == ""
        if status == "missing":
            return Problem(rel, item.line, "import-missing", f"no module named '{item.module}' in the tree")
        if plain:
            return None
        if status == "outside":
            return Problem(rel, item.line, "import-unverifiable",
                           f"from {item.text} import {item.name}: '{item.module}' is not a module of the tree")
        if item.name == "*":
            return None
        found = self.defines(item.module, item.name)
        if found is None:
            return Problem(rel, item.line, "import-unverifiable",
                           f"from {item.text} import {item.name}: cannot analyse '{item.module}'")
        if not found:
            entry = self.tree.modules[item.module]
            where = entry.path or "namespace package"
            return Problem(rel, item.line, "import-missing",
                           f"cannot import name '{item.name}' from '{item.module}' ({where})")
        return None


def check_imports(rel: str, before: Tree, after: Tree, old_tree, new_tree, checker: ImportChecker) -> list[Problem]:
    old_keys = {(i.module, i.name) for i in from_imports(rel, old_tree, before)} if old_tree else set()
    problems = []
    seen = set()
    for item in from_imports(rel, new_tree, after):
        key = (item.module, item.name)
        if key in old_keys or key in seen or item.guarded or item.module == "__future__":
            continue
        seen.add(key)
        problem = checker.check(rel, item)
        if problem:
            problems.append(problem)
    return problems


def check_importers(before: Tree, after: Tree, changed: list[str], imports: ImportChecker) -> list[Problem]:
    """`from M import n` in any file, already there before, where M is a changed module that
    defined n before and does not now (a removed or renamed re-export)."""
    modules = {name for rel in changed if rel in before.files for name in after.names_of.get(rel, [])}
    if not modules:
        return []
    old_imports = ImportChecker(before)
    words = re.compile(rb"\bimport\b")
    problems = []
    for rel in sorted(after.files):
        if not words.search(after.data(rel)) or after.parse(rel) is None:
            continue
        for item in from_imports(rel, after.parse(rel), after):
            if item.module not in modules or item.name in ("", "*") or item.guarded:
                continue
            if old_imports.defines(item.module, item.name) and imports.defines(item.module, item.name) is False:
                problem = imports.check(rel, item)
                if problem:
                    problems.append(problem)
    return problems


# --------------------------------------------------------------------------
# Check (e): compile
# --------------------------------------------------------------------------

def compile_error(data: bytes, rel: str) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, rel, "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    except ValueError as error:  # null bytes
        return SyntaxError(str(error))
    return None


def check_compile(rel: str, before: Tree, after: Tree) -> list[Problem]:
    error = compile_error(after.data(rel), rel)
    if error is None:
        return []
    if rel in before.files:
        old_error = compile_error(before.data(rel), rel)
        if old_error is not None and old_error.msg == error.msg:
            return []  # the same error was already there
    return [Problem(rel, error.lineno or 1, "compile", f"SyntaxError: {error.msg}")]


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def changed_files(before: Tree, after: Tree) -> tuple[list[str], list[str]]:
    """Files whose bytes differ or that only AFTER has; and files deleted in AFTER."""
    changed = [rel for rel in sorted(after.files)
               if rel not in before.files or before.data(rel) != after.data(rel)]
    deleted = sorted(set(before.files) - set(after.files))
    return changed, deleted


def check_file(rel: str, before: Tree, after: Tree, imports: ImportChecker) -> list[Problem]:
    problems = check_compile(rel, before, after)
    old_tree = before.parse(rel) if rel in before.files else ast.Module(body=[], type_ignores=[])
    new_tree = after.parse(rel)
    if new_tree is None:
        return problems
    old_lines = before.lines(rel) if rel in before.files else []
    new_lines = after.lines(rel)
    problems += check_imports(rel, before, after, old_tree, new_tree, imports)
    old_scopes, new_scopes = analyse_scopes(old_tree), analyse_scopes(new_tree)
    problems += check_undefined(rel, old_scopes, new_scopes, old_lines, new_lines)
    for binding in unused_new_imports(old_scopes, new_scopes):
        if not imported_from_elsewhere(after, rel, binding.name):
            problems.append(Problem(rel, binding.node.lineno, "unused-import",
                                    f"'{binding.target}' imported as '{binding.name}' but never used"))
    problems += check_awaits(rel, old_tree, new_tree, old_lines, new_lines)
    return problems


def verify(before_dir: str, after_dir: str, src: list[str] | None) -> tuple[list[Problem], int]:
    roots = src if src is not None else default_roots(after_dir)
    before, after = Tree(before_dir, roots), Tree(after_dir, roots)
    changed, deleted = changed_files(before, after)
    for rel in deleted:
        note(f"{rel}: deleted in AFTER, not checked")
    checkable = []
    for rel in changed:
        if rel in before.files and before.parse(rel) is None:
            note(f"{rel}: BEFORE does not parse ({before.parse_errors[rel].msg}), skipped")
        else:
            checkable.append(rel)
    imports = ImportChecker(after)
    problems = []
    for rel in checkable:
        problems += check_file(rel, before, after, imports)
    problems += check_importers(before, after, checkable, imports)
    problems += check_calls(before, after, checkable)
    for rel in sorted(after.parse_errors):
        if rel not in changed:
            note(f"{rel}: does not parse, not scanned for calls")
    return sorted(set(problems)), len(changed) + len(deleted)


def normalise_roots(values: list[str] | None, trees: list[str]) -> list[str] | None:
    if values is None:
        return None
    roots = []
    for value in values:
        if os.path.isabs(value):
            for tree in trees:
                tree = os.path.abspath(tree)
                if os.path.commonpath([tree, os.path.abspath(value)]) == tree:
                    value = os.path.relpath(value, tree)
                    break
        value = os.path.normpath(value).replace(os.sep, "/")
        roots.append("" if value == "." else value)
    return roots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_fixes.py",
        description="Check that a codemod's AFTER tree did not break the BEFORE tree's program.")
    parser.add_argument("before", metavar="BEFORE_DIR")
    parser.add_argument("after", metavar="AFTER_DIR")
    parser.add_argument("--src", action="append", metavar="ROOT",
                        help="a source root, relative to the trees (repeatable; default: the tree "
                             "root, plus src/ when it exists without __init__.py)")
    parser.add_argument("--strict", action="store_true", help="import-unverifiable warnings fail too")
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not os.path.isdir(path):
            parser.print_usage(sys.stderr)
            print(f"verify_fixes.py: error: not a directory: {path}", file=sys.stderr)
            return 2
    roots = normalise_roots(args.src, [args.before, args.after])
    for root in roots or []:
        if not os.path.isdir(os.path.join(args.after, root)):
            parser.print_usage(sys.stderr)
            print(f"verify_fixes.py: error: --src {root}: not a directory of {args.after}", file=sys.stderr)
            return 2
    gc.disable()  # a short run holding many AST nodes: the cyclic collector only slows it down
    try:
        problems, n_changed = verify(args.before, args.after, roots)
    finally:
        gc.enable()
    failing = [p for p in problems if args.strict or not p.is_warning]
    for problem in problems:
        print(problem)
    counts = Counter(CHECK_GROUP[p.check] for p in failing)
    warnings_count = len(problems) - len(failing)
    if warnings_count:
        print(f"verify_fixes: {warnings_count} warning(s) (import-unverifiable)", file=sys.stderr)
    groups = ", ".join(f"{g}: {counts[g]}" for g in "abcde")
    print(f"verify_fixes: {n_changed} files changed, {len(failing)} problems ({groups})", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
