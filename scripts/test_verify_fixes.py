"""Tests for scripts/verify_fixes.py.

Run from the repository root: python3 -m unittest scripts/test_verify_fixes.py
"""

import ast
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import verify_fixes  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_fixes.py")


def write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))


class VerifyCase(unittest.TestCase):
    """Builds BEFORE and AFTER trees in a temporary directory and runs the checker."""

    def run_verify(self, before, after, *options):
        """before: {path: source}; after: {path: source or None (deleted)}, applied over before."""
        with tempfile.TemporaryDirectory() as tmp:
            before_dir, after_dir = os.path.join(tmp, "before"), os.path.join(tmp, "after")
            write_tree(before_dir, before)
            merged = dict(before)
            merged.update(after)
            write_tree(after_dir, {rel: text for rel, text in merged.items() if text is not None})
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = verify_fixes.main([before_dir, after_dir, *options])
        self.stderr = err.getvalue()
        self.lines = [line for line in out.getvalue().splitlines() if line]
        return code

    def assertClean(self, before, after, *options):
        code = self.run_verify(before, after, *options)
        self.assertEqual(self.lines, [])
        self.assertEqual(code, 0, self.stderr)

    def reported(self, check):
        return [line for line in self.lines if f"[{check}]" in line]


# --------------------------------------------------------------------------
# (a) call-mismatch
# --------------------------------------------------------------------------

CRAWL_BEFORE = {
    "app/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/crawl.py": """
        class Crawler:
            def __init__(self, chunk_size=100):
                self.chunk_size = chunk_size

            async def run(self, job_id, db_params):
                return job_id, db_params


        crawler = Crawler()
    """,
    "app/services/mailer.py": """
        class Mailer:
            async def run(self, job_id, retries):
                return job_id, retries


        mailer = Mailer()
    """,
    "app/routers/__init__.py": "",
    "app/routers/jobs.py": """
        from app.services.crawl import Crawler, crawler
        from app.services.mailer import mailer


        async def start(background_tasks, job_id, p):
            background_tasks.add_task(crawler.run, job_id, db_params=p)


        async def now(job_id, p):
            return await crawler.run(job_id, db_params=p)


        async def chunked(job_id):
            return await Crawler(chunk_size=10).run(job_id, db_params={})


        async def mail(job_id):
            return await mailer.run(job_id, 3)
    """,
}

CRAWL_DEF_FIXED = """
    class Crawler:
        def __init__(self, chunk_size=100):
            self.chunk_size = chunk_size

        async def run(self, job_id):
            return job_id


    crawler = Crawler()
"""

JOBS_FIXED = """
    from app.services.crawl import Crawler, crawler
    from app.services.mailer import mailer


    async def start(background_tasks, job_id, p):
        background_tasks.add_task(crawler.run, job_id)


    async def now(job_id, p):
        return await crawler.run(job_id)


    async def chunked(job_id):
        return await Crawler(chunk_size=10).run(job_id)


    async def mail(job_id):
        return await mailer.run(job_id, 3)
"""


class CallMismatchTest(VerifyCase):
    def test_parameter_dropped_everywhere_is_clean(self):
        self.assertClean(CRAWL_BEFORE, {"app/services/crawl.py": CRAWL_DEF_FIXED,
                                        "app/routers/jobs.py": JOBS_FIXED})

    def test_each_caller_left_unchanged_is_reported_alone(self):
        callers = {
            "background_tasks.add_task(crawler.run, job_id)": (6, "add_task"),
            "await crawler.run(job_id)": (10, "crawler.run"),
            "await Crawler(chunk_size=10).run(job_id)": (14, "Crawler(chunk_size=10).run"),
        }
        for fixed, (line, callee) in callers.items():
            with self.subTest(caller=callee):
                unfixed = fixed.replace("(job_id)", "(job_id, db_params={})").replace(
                    "crawler.run, job_id)", "crawler.run, job_id, db_params=p)")
                jobs = JOBS_FIXED.replace(fixed, unfixed)
                self.assertNotEqual(jobs, JOBS_FIXED)
                code = self.run_verify(CRAWL_BEFORE, {"app/services/crawl.py": CRAWL_DEF_FIXED,
                                                      "app/routers/jobs.py": jobs})
                self.assertEqual(code, 1)
                self.assertEqual(len(self.lines), 1, self.lines)
                self.assertTrue(self.lines[0].startswith(f"app/routers/jobs.py:{line}: [call-mismatch]"),
                                self.lines)
                self.assertIn("db_params", self.lines[0])
                self.assertIn(callee, self.lines[0])
                self.assertIn("a: 1,", self.stderr)

    def test_same_named_unrelated_method_is_not_reported(self):
        # mailer.run(job_id, 3) binds to the old Crawler.run(self, job_id, db_params) by position,
        # but Mailer.run (which never had db_params) still accepts it.
        self.assertClean(CRAWL_BEFORE, {"app/services/crawl.py": CRAWL_DEF_FIXED,
                                        "app/routers/jobs.py": JOBS_FIXED})
        self.assertIn("mailer.run(job_id, 3)", JOBS_FIXED)

    def test_definition_changed_but_callers_not(self):
        code = self.run_verify(CRAWL_BEFORE, {"app/services/crawl.py": CRAWL_DEF_FIXED})
        self.assertEqual(code, 1)
        self.assertEqual([line.split(": [")[0] for line in self.reported("call-mismatch")],
                         ["app/routers/jobs.py:6", "app/routers/jobs.py:10", "app/routers/jobs.py:14"])

    def test_keyword_only_and_defaults(self):
        before = {
            "app/__init__.py": "",
            "app/report.py": """
                def build(report_id, *, db_params, retries=3):
                    return report_id, db_params, retries


                def export(report_id, fmt="csv", db_params=None, verbose=False):
                    return report_id, fmt, db_params, verbose
            """,
            "app/use.py": """
                from app.report import build, export


                def go(p):
                    build(1, db_params=p, retries=2)
                    build(2, db_params=p)
                    export(1, "csv", None, True)
                    export(2, verbose=True)
                    export(3, "json")
            """,
        }
        report_fixed = """
            def build(report_id, *, retries=3):
                return report_id, retries


            def export(report_id, fmt="csv", verbose=False):
                return report_id, fmt, verbose
        """
        use_fixed = """
            from app.report import build, export


            def go(p):
                build(1, retries=2)
                build(2)
                export(1, "csv", True)
                export(2, verbose=True)
                export(3, "json")
        """
        self.assertClean(before, {"app/report.py": report_fixed, "app/use.py": use_fixed})

        code = self.run_verify(before, {"app/report.py": report_fixed})
        self.assertEqual(code, 1)
        mismatches = self.reported("call-mismatch")
        self.assertEqual(len(mismatches), 3, mismatches)
        self.assertIn("app/use.py:5:", mismatches[0])
        self.assertIn("unexpected keyword argument 'db_params'", mismatches[0])
        self.assertIn("app/use.py:6:", mismatches[1])
        self.assertIn("app/use.py:7:", mismatches[2])
        self.assertIn("too many positional arguments", mismatches[2])

    def test_required_parameter_added_is_reported(self):
        before = {
            "app/__init__.py": "",
            "app/svc.py": "def save(item):\n    return item\n",
            "app/use.py": "from app.svc import save\n\nsave(1)\nsave(2)\n",
        }
        after = {"app/svc.py": "def save(item, session):\n    return item, session\n",
                 "app/use.py": "from app.svc import save\n\nsave(1, None)\nsave(2)\n"}
        self.run_verify(before, after)
        self.assertEqual(len(self.lines), 1, self.lines)
        self.assertIn("app/use.py:4: [call-mismatch]", self.lines[0])
        self.assertIn("missing required argument 'session'", self.lines[0])

    def test_references_passed_on(self):
        before = {
            "app/__init__.py": "",
            "app/jobs.py": """
                def sync_job(job_id, db_params):
                    return job_id


                async def run_crawl(job_id, db_params):
                    return job_id
            """,
            "app/use.py": """
                import asyncio
                import functools
                from functools import partial

                from app import jobs
                from app.jobs import run_crawl, sync_job


                async def go(loop, p, args):
                    functools.partial(sync_job, 1, db_params=p)
                    partial(sync_job, db_params=p)
                    await loop.run_in_executor(None, sync_job, 1, p)
                    asyncio.create_task(run_crawl(1, p))
                    await asyncio.to_thread(jobs.sync_job, 1, db_params=p)
                    await loop.run_in_executor(None, sync_job, *args)
            """,
        }
        jobs_fixed = """
            def sync_job(job_id):
                return job_id


            async def run_crawl(job_id):
                return job_id
        """
        code = self.run_verify(before, {"app/jobs.py": jobs_fixed})
        self.assertEqual(code, 1)
        lines = [line.split(": [")[0] for line in self.reported("call-mismatch")]
        self.assertEqual(lines, [f"app/use.py:{n}" for n in (10, 11, 12, 13, 14)])

        use_fixed = before["app/use.py"].replace(", db_params=p", "").replace(", 1, p)", ", 1)") \
            .replace("run_crawl(1, p)", "run_crawl(1)")
        self.assertClean(before, {"app/jobs.py": jobs_fixed, "app/use.py": use_fixed})

    def test_starred_calls_are_skipped(self):
        before = {
            "app/__init__.py": "",
            "app/svc.py": "def f(a, b):\n    return a\n",
            "app/use.py": "from app.svc import f\n\nf(*[1, 2])\nf(1, **{'b': 2})\n",
        }
        self.assertClean(before, {"app/svc.py": "def f(a):\n    return a\n"})

    def test_constructor_signature(self):
        before = {
            "app/__init__.py": "",
            "app/svc.py": """
                class Repo:
                    def __init__(self, session, db_params):
                        self.session = session
            """,
            "app/use.py": "from app import svc\n\nsvc.Repo(1, {})\n",
        }
        after = {"app/svc.py": """
                class Repo:
                    def __init__(self, session):
                        self.session = session
            """}
        self.run_verify(before, after)
        self.assertEqual(len(self.lines), 1, self.lines)
        self.assertIn("app/use.py:3: [call-mismatch] svc.Repo(...)", self.lines[0])

    def test_static_and_class_methods(self):
        before = {
            "app/__init__.py": "",
            "app/svc.py": """
                class Tools:
                    @staticmethod
                    def clean(value, db_params):
                        return value

                    @classmethod
                    def make(cls, value, db_params):
                        return cls()

                    def plain(self, value, db_params):
                        return value
            """,
            "app/use.py": """
                from app.svc import Tools


                def go(tools):
                    Tools.clean(1)
                    Tools.make(1)
                    Tools.plain(tools, 1)
                    tools.plain(1)
            """,
        }
        after = {"app/svc.py": """
                class Tools:
                    @staticmethod
                    def clean(value):
                        return value

                    @classmethod
                    def make(cls, value):
                        return cls()

                    def plain(self, value):
                        return value
            """}
        self.assertClean(before, after)


class CallResolutionTest(VerifyCase):
    def test_call_through_an_import_alias(self):
        before = {
            "app/__init__.py": "",
            "app/jobs.py": "def sync_job(job_id, db_params):\n    return job_id\n",
            "app/use.py": "from app.jobs import sync_job as job\n\njob(1, {})\njob(2, db_params={})\n",
        }
        self.run_verify(before, {"app/jobs.py": "def sync_job(job_id):\n    return job_id\n"})
        self.assertEqual([line.split(": [")[0] for line in self.lines], ["app/use.py:3", "app/use.py:4"])

    def test_module_function_does_not_hide_a_method_call(self):
        # The endpoint get_external(external_id, session, auth) still takes three arguments, but a
        # call through the service instance cannot reach a module-level function.
        before = {
            "app/__init__.py": "",
            "app/service.py": """
                class CustomerService:
                    async def get_external(self, session, auth, external_id):
                        return external_id


                customer = CustomerService()
            """,
            "app/endpoints.py": """
                from app.service import customer as customer_service


                async def get_external(external_id, session, auth):
                    return await customer_service.get_external(session, auth, external_id)
            """,
        }
        service = before["app/service.py"].replace("self, session, auth, external_id", "self, auth, external_id")
        self.run_verify(before, {"app/service.py": service})
        self.assertEqual(len(self.lines), 1, self.lines)
        self.assertIn("app/endpoints.py:5: [call-mismatch] customer_service.get_external(...)", self.lines[0])
        self.assertIn("parameters removed: session", self.lines[0])

    def test_method_does_not_hide_a_module_function_call(self):
        before = {
            "app/__init__.py": "",
            "app/jobs.py": "def run(job_id, db_params):\n    return job_id\n",
            "app/other.py": "class Runner:\n    def run(self, job_id, retries):\n        return job_id\n",
            "app/use.py": "from app import jobs\n\njobs.run(1, {})\n",
        }
        self.run_verify(before, {"app/jobs.py": "def run(job_id):\n    return job_id\n"})
        self.assertEqual([line.split(": [")[0] for line in self.lines], ["app/use.py:3"])

    def test_argument_landing_in_another_parameter(self):
        before = {
            "app/__init__.py": "",
            "app/jobs.py": "async def job(ident, db_params, conn=None):\n    return ident, conn\n",
            "app/other.py": "class Mailer:\n    async def job(self, ident, retries):\n        return ident\n",
            "app/use.py": ("from app.jobs import job as run\nfrom app.other import Mailer\n\n\n"
                           "async def main(params, c):\n    await run(1, params)\n"
                           "    await run(2, params, c)\n    await run(3, {}, conn=c)\n"
                           "    await Mailer().job(4, 5)\n"),
        }
        new_job = "async def job(ident, conn=None):\n    return ident, conn\n"
        rewritten = before["app/use.py"].replace("run(2, params, c)", "run(2, c)").replace(
            "run(3, {}, conn=c)", "run(3, conn=c)")
        # run(1, params) was not rewritten: params now goes to conn.
        code = self.run_verify(before, {"app/jobs.py": new_job, "app/use.py": rewritten})
        self.assertEqual(code, 1)
        self.assertEqual(self.lines, [
            "app/use.py:6: [call-mismatch] run(...) was left as it was, but its argument 'params' went to "
            "'db_params' and now goes to 'conn' (ident, conn=None) at app/jobs.py:1 (parameters removed: "
            "db_params)"])
        fixed = rewritten.replace("run(1, params)", "run(1)")
        self.assertClean(before, {"app/jobs.py": new_job, "app/use.py": fixed})

    def test_large_tree_is_fast(self):
        before = {"app/__init__.py": "", "app/svc.py": "def handle(item, db_params):\n    return item\n"}
        for i in range(2000):
            before[f"app/m{i}.py"] = (f"from app.svc import handle\n\n\ndef f{i}(x):\n"
                                      f"    return handle(x, None), {{'k': [x for x in range(3)]}}\n")
        start = time.monotonic()
        self.run_verify(before, {"app/svc.py": "def handle(item):\n    return item\n"})
        self.assertEqual(len(self.lines), 2000)
        self.assertLess(time.monotonic() - start, 20)


class BindTest(unittest.TestCase):
    def sig(self, source):
        return verify_fixes.Sig.of(ast.parse(f"def f({source}): pass").body[0].args)

    def bind(self, source, call):
        node = ast.parse(f"f({call})", mode="eval").body
        return verify_fixes.bind(self.sig(source), node.args, [k.arg for k in node.keywords])

    def test_python_binding_rules(self):
        ok = [("a, b=1", "1"), ("a, b=1", "1, 2"), ("a, b=1", "b=2, a=1"), ("a, *args", "1, 2, 3"),
              ("a, **kw", "1, x=2"), ("a, /, b", "1, b=2"), ("a, /, **kw", "1, a=2"),
              ("*, k", "k=1"), ("a, *, k=1", "1")]
        for params, call in ok:
            with self.subTest(params=params, call=call):
                self.assertIsNone(self.bind(params, call))
        bad = [("a", "1, 2", "too many positional"), ("a", "x=1", "unexpected keyword argument 'x'"),
               ("a, b", "1", "missing required argument 'b'"),
               ("a", "1, a=2", "multiple values for argument 'a'"),
               ("a, /, b", "a=1, b=2", "positional-only parameter 'a'"),
               ("*, k", "1", "too many positional"), ("*, k", "", "missing required argument 'k'")]
        for params, call, message in bad:
            with self.subTest(params=params, call=call):
                self.assertIn(message, self.bind(params, call) or "")


# --------------------------------------------------------------------------
# (b) import-missing
# --------------------------------------------------------------------------

SESSION_BEFORE = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/core.py": "async def get_session():\n    yield None\n",
    "app/db/session.py": "async_session_factory = object()\n",
    "app/routers/__init__.py": "",
    "app/routers/items.py": """
        from app.db.session import async_session_factory


        async def list_items():
            async with async_session_factory() as session:
                return session
    """,
}

ITEMS_FIXED = """
    from app.db.session import get_session


    async def list_items():
        async with get_session() as session:
            return session
"""


class ImportTest(VerifyCase):
    def test_added_import_of_undefined_name(self):
        code = self.run_verify(SESSION_BEFORE, {"app/routers/items.py": ITEMS_FIXED})
        self.assertEqual(code, 1)
        self.assertEqual(self.lines, [
            "app/routers/items.py:1: [import-missing] cannot import name 'get_session' from "
            "'app.db.session' (app/db/session.py)"])
        self.assertIn("b: 1,", self.stderr)

    def test_name_re_exported_by_an_import(self):
        session = "from app.db.core import get_session\n\nasync_session_factory = object()\n"
        self.assertClean(SESSION_BEFORE, {"app/routers/items.py": ITEMS_FIXED, "app/db/session.py": session})

    def test_relative_import_and_other_definitions(self):
        variants = {
            "relative": ("from ..db.core import get_session\n", {}),
            "submodule": ("from app.db import core\nget_session = core.get_session\n", {}),
            "__all__": ("from app.db.session import get_session\n",
                        {"app/db/session.py": "__all__ = ['get_session']\n"
                                              "globals()['get_session'] = None\n"}),
            "global": ("from app.db.session import get_session\n",
                       {"app/db/session.py": "def setup():\n    global get_session\n"
                                             "    get_session = None\n"}),
            "star re-export": ("from app.db import get_session\n",
                               {"app/db/__init__.py": "from .core import *\n"}),
            "annotated": ("from app.db.session import get_session\n",
                          {"app/db/session.py": "get_session: object = None\n"}),
        }
        for label, (import_line, extra) in variants.items():
            with self.subTest(label):
                items = import_line + "\n\nasync def list_items():\n    return get_session\n"
                self.assertClean(SESSION_BEFORE, {"app/routers/items.py": items, **extra})

    def test_re_export_removed_under_an_importer(self):
        before = dict(SESSION_BEFORE)
        before["app/db/legacy.py"] = "from app.db.core import get_session\n\nengine = None\n"
        before["app/routers/users.py"] = "from app.db.legacy import get_session, engine\n\nprint(get_session, engine)\n"
        code = self.run_verify(before, {"app/db/legacy.py": "engine = None\n"})
        self.assertEqual(code, 1)
        self.assertEqual(self.lines, [
            "app/routers/users.py:1: [import-missing] cannot import name 'get_session' from "
            "'app.db.legacy' (app/db/legacy.py)"])
        self.assertClean(before, {"app/db/legacy.py": "from app.db.core import get_session\n\nengine = 1\n"})

    def test_missing_module_of_a_tree_package(self):
        items = "from app.db.sessions import get_session\n\nprint(get_session)\n"
        self.run_verify(SESSION_BEFORE, {"app/routers/items.py": items})
        self.assertEqual(self.reported("import-missing"),
                         ["app/routers/items.py:1: [import-missing] no module named 'app.db.sessions' in the tree"])

    def test_star_export_respects_all(self):
        before = dict(SESSION_BEFORE)
        before["app/db/__init__.py"] = "from .core import *\n"
        before["app/db/core.py"] = "__all__ = ['engine']\nengine = 1\n\nasync def get_session():\n    yield\n"
        items = "from app.db import get_session\n\nprint(get_session)\n"
        self.run_verify(before, {"app/routers/items.py": items})
        self.assertEqual(len(self.reported("import-missing")), 1, self.lines)

    def test_module_outside_the_tree_is_a_warning(self):
        items = "from fastapi import Depends\n\nprint(Depends)\n"
        code = self.run_verify(SESSION_BEFORE, {"app/routers/items.py": items})
        self.assertEqual(code, 0)
        self.assertEqual(self.lines, [
            "app/routers/items.py:1: [import-unverifiable] from fastapi import Depends: "
            "'fastapi' is not a module of the tree"])
        code = self.run_verify(SESSION_BEFORE, {"app/routers/items.py": items}, "--strict")
        self.assertEqual(code, 1)

    def test_import_already_in_before_is_not_checked(self):
        before = dict(SESSION_BEFORE)
        before["app/routers/items.py"] = "from app.db.session import nope\n\nprint(nope)\n"
        self.assertClean(before, {"app/routers/items.py": "from app.db.session import nope\n\nprint(nope, 1)\n"})

    def test_src_layout(self):
        before = {f"src/{rel}": text for rel, text in SESSION_BEFORE.items()}
        self.run_verify(before, {"src/app/routers/items.py": ITEMS_FIXED})
        self.assertEqual(len(self.reported("import-missing")), 1, self.lines)
        self.assertIn("(src/app/db/session.py)", self.lines[0])
        session = "from app.db.core import get_session\n"
        self.assertClean(before, {"src/app/routers/items.py": ITEMS_FIXED, "src/app/db/session.py": session})


# --------------------------------------------------------------------------
# (c) undefined-name and unused-import
# --------------------------------------------------------------------------

class NamesTest(VerifyCase):
    def test_removed_import_still_used(self):
        after = {"app/routers/items.py": """
            from app.db.core import get_session


            async def list_items():
                async with get_session() as session:
                    return session


            def factory():
                return async_session_factory
        """}
        code = self.run_verify(SESSION_BEFORE, after)
        self.assertEqual(code, 1)
        self.assertEqual(self.lines, [
            "app/routers/items.py:10: [undefined-name] name 'async_session_factory' is not defined "
            "(1 unresolved use(s), 0 before)"])

    def test_scoping_rules_produce_no_false_alarm(self):
        source = """
            import os.path
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from app.db.core import Session

            counter = 0


            def bump(session: "Session") -> None:
                global counter, created_later
                counter += 1
                created_later = [x for x in range(3) if x]
                squares = {k: v * v for k, v in enumerate(range(3))}
                total = sum(y for row in [[1]] for y in row)
                fn = lambda a, *rest, key=None, **kw: (a, rest, key, kw, squares, total)
                try:
                    fn(1)
                except ValueError as error:
                    print(error)
                if (n := len(squares)) > 1:
                    print(n)
                match counter:
                    case {"k": value, **others}:
                        print(value, others)
                    case [first, *tail]:
                        print(first, tail)
                    case Point(x=px) as point:
                        print(px, point)
                del squares


            def outer():
                value = 1

                def inner():
                    nonlocal value
                    value += 1
                    return value

                class Local:
                    attr = value
                    other = [item for item in [attr]]

                    def method(self):
                        return __class__, self.attr

                return inner, Local


            class Point:
                x = 1
                y = [x]

            print(os.path.join(__file__, created_later[0]), __name__)
        """
        before = {"app/__init__.py": "", "app/db/__init__.py": "", "app/db/core.py": "Session = object\n"}
        code = self.run_verify(before, {"app/scopes.py": source})
        self.assertEqual(self.reported("undefined-name"), [])
        self.assertEqual(self.reported("unused-import"), [])
        self.assertEqual(code, 0, self.lines)

    def test_class_scope_is_not_visible_from_methods(self):
        source = """
            class Config:
                timeout = 3

                def get(self):
                    return timeout
        """
        self.run_verify({"app/__init__.py": ""}, {"app/config.py": source})
        self.assertEqual(self.lines, ["app/config.py:5: [undefined-name] name 'timeout' is not defined "
                                      "(1 unresolved use(s), 0 before)"])

    def test_count_must_grow(self):
        before = {"app/__init__.py": "", "app/m.py": "def f():\n    return missing\n"}
        self.assertClean(before, {"app/m.py": "def f():\n    return missing  # still\n"})
        self.run_verify(before, {"app/m.py": "def f():\n    return missing\n\n\ndef g():\n    return missing\n"})
        self.assertEqual(self.lines, ["app/m.py:6: [undefined-name] name 'missing' is not defined "
                                      "(2 unresolved use(s), 1 before)"])

    def test_star_import_skips_the_check(self):
        before = {"app/__init__.py": "", "app/m.py": "from os.path import *\n\nprint(join)\n"}
        self.assertClean(before, {"app/m.py": "from os.path import *\n\nprint(join, nowhere)\n"})
        self.assertIn("undefined-name check skipped", self.stderr)

    def test_unused_added_import(self):
        after = {"app/routers/items.py": """
            from app.db.session import async_session_factory
            from app.db.core import get_session


            async def list_items():
                async with async_session_factory() as session:
                    return session
        """}
        code = self.run_verify(SESSION_BEFORE, after)
        self.assertEqual(code, 1)
        self.assertEqual(self.lines, ["app/routers/items.py:2: [unused-import] 'app.db.core.get_session' "
                                      "imported as 'get_session' but never used"])

    def test_import_used_in_string_annotation_or_all(self):
        after = {"app/routers/items.py": """
            from app.db.session import async_session_factory
            from app.db.core import get_session
            from app.db import core


            __all__ = ["core"]


            async def list_items(dep: "Optional[get_session]" = None):
                async with async_session_factory() as session:
                    return session
        """}
        self.run_verify(SESSION_BEFORE, after)
        self.assertEqual(self.reported("unused-import"), [])


# --------------------------------------------------------------------------
# (d) await-outside-async and (e) compile
# --------------------------------------------------------------------------

class AwaitAndCompileTest(VerifyCase):
    BEFORE = {
        "app/__init__.py": "",
        "app/tasks.py": """
            from app.db import get_session, factory


            def cleanup():
                with factory() as session:
                    session.run()


            async def refresh():
                async with get_session() as session:
                    await session.run()
                    return [x async for x in session.stream()]


            def lazy(source):
                return (await item for item in source)
        """,
    }

    def test_async_with_added_in_a_plain_def(self):
        tasks = self.BEFORE["app/tasks.py"].replace("    with factory() as session:",
                                                    "    async with get_session() as session:")
        code = self.run_verify(self.BEFORE, {"app/tasks.py": tasks})
        self.assertEqual(code, 1)
        self.assertEqual(self.reported("await-outside-async"), [
            "app/tasks.py:5: [await-outside-async] 'async with' outside an async function "
            "(def cleanup; 1 such site(s) in the file, 0 before)"])
        self.assertEqual(self.reported("compile"), [
            "app/tasks.py:5: [compile] SyntaxError: 'async with' outside async function"])
        self.assertIn("d: 1, e: 1)", self.stderr)

    def test_await_inside_async_def_and_generator_expression(self):
        tasks = self.BEFORE["app/tasks.py"].replace("await session.run()", "await session.run(1)")
        self.assertClean(self.BEFORE, {"app/tasks.py": tasks})

    def test_module_level_await_and_lambda(self):
        tasks = textwrap.dedent(self.BEFORE["app/tasks.py"]) + "\nawait refresh()\nhandler = lambda: await refresh()\n"
        self.run_verify(self.BEFORE, {"app/tasks.py": tasks})
        sites = self.reported("await-outside-async")
        self.assertEqual(len(sites), 2, sites)
        self.assertIn("module level", sites[0])
        self.assertIn("lambda", sites[1])

    def test_pre_existing_site_is_not_reported(self):
        before = {"app/__init__.py": "", "app/m.py": "def f():\n    await g()\n"}
        self.assertClean(before, {"app/m.py": "def f():\n    await g()  # unchanged\n"})

    def test_syntax_error(self):
        code = self.run_verify(self.BEFORE, {"app/tasks.py": "def cleanup(:\n    pass\n"})
        self.assertEqual(code, 1)
        self.assertEqual(len(self.lines), 1, self.lines)
        self.assertTrue(self.lines[0].startswith("app/tasks.py:1: [compile] SyntaxError:"), self.lines)

    def test_new_file_is_checked(self):
        self.run_verify(self.BEFORE, {"app/new.py": "x = (\n"})
        self.assertEqual(len(self.reported("compile")), 1, self.lines)

    def test_before_that_does_not_parse_is_skipped(self):
        before = {"app/__init__.py": "", "app/m.py": "def f(:\n"}
        self.assertClean(before, {"app/m.py": "def f(:\n    pass\n"})
        self.assertIn("BEFORE does not parse", self.stderr)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

class CommandLineTest(VerifyCase):
    def test_usage_errors_exit_2(self):
        result = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run([sys.executable, SCRIPT, tmp, os.path.join(tmp, "nope")],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 2)
            result = subprocess.run([sys.executable, SCRIPT, tmp, tmp, "--src", "nope"],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 2)

    def test_script_output_and_summary(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_tree(os.path.join(tmp, "b"), SESSION_BEFORE)
            write_tree(os.path.join(tmp, "a"), {**SESSION_BEFORE, "app/routers/items.py": ITEMS_FIXED})
            result = subprocess.run([sys.executable, SCRIPT, os.path.join(tmp, "b"), os.path.join(tmp, "a")],
                                    capture_output=True, text=True)
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stdout, r"^app/routers/items\.py:1: \[import-missing\] ")
        self.assertEqual(result.stderr.splitlines()[-1],
                         "verify_fixes: 1 files changed, 1 problems (a: 0, b: 1, c: 0, d: 0, e: 0)")

    def test_identical_trees(self):
        self.assertClean(SESSION_BEFORE, {})
        self.assertIn("0 files changed, 0 problems", self.stderr)

    def test_explicit_source_root(self):
        before = {f"backend/{rel}": text for rel, text in SESSION_BEFORE.items()}
        after = {"backend/app/routers/items.py": ITEMS_FIXED}
        self.run_verify(before, after)
        self.assertEqual(self.reported("import-missing"), [])
        self.assertEqual(len(self.reported("import-unverifiable")), 1, self.lines)
        self.run_verify(before, after, "--src", "backend")
        self.assertEqual(len(self.reported("import-missing")), 1, self.lines)


if __name__ == "__main__":
    unittest.main()
