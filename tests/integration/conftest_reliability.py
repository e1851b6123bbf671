# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pytest plugin: collects reliability scenarios from the tests and writes .build/reliability.md.

The committed docs/reliability.md is a copy made by the release step `make release-docs`, so that a
test run never modifies a tracked file.

A test records rows with the `reliability` fixture (integration tests) or by appending
("reliability", {...}) to request.node.user_properties (unit tests, which must not depend on this
plugin). Rows travel with the test reports, so this works with and without pytest-xdist: the
process that sees every report (the xdist controller, or the only process) writes the table at
the end of the session. A run narrowed with -k, -m, --lf or test ids does not overwrite the table.

tests/integration/conftest.py registers this module as a plugin through its pytest_configure.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import time
from pathlib import Path

import pytest

PLUGIN_NAME = "ubidots-reliability"
KEY = "reliability"
REPO = Path(__file__).resolve().parents[2]
# `make release-docs` copies it to docs/; the other ansible-core series' runs (the tests-2.NN nox sessions) write elsewhere.
OUTPUT = Path(os.environ.get("UBIDOTS_RELIABILITY_OUTPUT") or REPO / ".build" / "reliability.md")


def pytest_configure(config):
    """Register this module as a global plugin (its hooks then see unit and integration reports)."""
    import sys  # pylint: disable=import-outside-toplevel
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.stash[_TESTS] = {}
        config.pluginmanager.register(sys.modules[__name__], PLUGIN_NAME)


_TESTS = pytest.StashKey[dict]()


class Recorder:
    """Soft-checked scenarios of one test: each becomes a table row, failed or passed."""

    def __init__(self, node):
        self.node = node
        self.failures = []

    @contextlib.contextmanager
    def scenario(self, name, given):
        """`with rec.scenario(name, given) as row: row.observed = ...; assert ...`: records, never raises."""
        row = _Row(name, given)
        started = time.monotonic()
        try:
            yield row
        except AssertionError as exc:
            row.passed = False
            row.problem = " ".join(str(exc).split())[:300]
            self.failures.append("%s: %s" % (name, row.problem))
        finally:
            row.seconds = round(time.monotonic() - started, 1)
            self.node.user_properties.append((KEY, row.as_dict(self.node.nodeid)))

    def verify(self):
        """Fail the test if any scenario failed (after every scenario was recorded)."""
        if self.failures:
            failures, self.failures = self.failures, []
            pytest.fail("%d scenario(s) failed:\n- %s" % (len(failures), "\n- ".join(failures)), pytrace=False)


class _Row:
    def __init__(self, name, given):
        self.name = name
        self.given = given
        self.observed = ""
        self.passed = True
        self.problem = ""
        self.seconds = 0.0

    def as_dict(self, nodeid):
        observed = self.observed + (" -- CHECK FAILED: %s" % self.problem if self.problem else "")
        return {"scenario": self.name, "given": self.given, "observed": observed, "passed": self.passed,
                "test": nodeid}


@pytest.fixture
def reliability(request):
    """A Recorder for the current test; unverified failures fail the test at teardown."""
    recorder = Recorder(request.node)
    yield recorder
    recorder.verify()


def record_row(node, scenario, given, observed, passed=True):
    """Record one row without the fixture (for tests outside tests/integration)."""
    node.user_properties.append((KEY, {"scenario": scenario, "given": given, "observed": observed,
                                       "passed": passed, "test": node.nodeid}))


def pytest_runtest_logreport(report):
    """Keep the rows (from the teardown report, which holds them all) and each test's outcome."""
    config = _CONFIG.get("config")
    if config is None:
        return
    tests = config.stash[_TESTS]
    entry = tests.setdefault(report.nodeid, {"outcome": "passed", "seconds": 0.0, "rows": [],
                                             "order": (str(report.location[0]), report.location[1] or 0, report.nodeid)})
    entry["seconds"] += getattr(report, "duration", 0.0) or 0.0
    if report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and report.when != "teardown":
        entry["outcome"] = "skipped"
    if report.when == "teardown":
        entry["rows"] = [dict(value) for key, value in report.user_properties if key == KEY]
        entry["doc"] = next((value for key, value in report.user_properties if key == DOC), "")


# The tests of the failure modes of real use (lost updates, per-host state, references, real-account data,
# secrets, redirects, options): each is listed by its docstring, with its outcome.
# The files of the safety table, and their in-process halves (tests/unit/plugins/modules/test_<name>_engine.py).
SAFETY_STEMS = ("test_data_safety", "test_roles_safety", "test_client_safety", "test_options_safety", "test_lifecycle",
                "test_memberships", "test_request_counts", "test_runner_secrets")
SAFETY_FILES = tuple(stem + suffix for stem in SAFETY_STEMS for suffix in (".py", "_engine.py"))
DOC = "reliability-doc"


def pytest_runtest_setup(item):
    """Carry each safety test's docstring (its first sentence) to the report, also from an xdist worker."""
    if item.nodeid.split("::")[0].endswith(SAFETY_FILES):
        doc = (getattr(item, "obj", None).__doc__ or "") if getattr(item, "obj", None) else ""
        name = getattr(item, "originalname", item.name)
        text = " ".join(doc.split()).split(". ", maxsplit=1)[0] or name.replace("test_", "", 1).replace("_", " ")
        if name != item.name:  # a parametrized case
            text += " (%s)" % item.name[len(name):].strip("[]")[:70]
        item.user_properties.append((DOC, text))


_CONFIG = {}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Remember the config for the report hook (which receives no config)."""
    _CONFIG["config"] = session.config


def _narrowed(config):
    option = config.option
    return bool(os.environ.get("UBIDOTS_INTEGRATION_SUBSET") or getattr(option, "keyword", "") or getattr(option, "markexpr", "")
                or getattr(option, "lf", False)
                or getattr(option, "last_failed", False) or any("::" in str(arg) for arg in config.args))


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


NOTES = [
    "- **Retries.** Connection failures, timeouts, 429, 500, 502, 503 and 504 are retried `retries` times "
    "(default 5) with exponential backoff and jitter (0.5 s doubling, at most 30 s); `Retry-After` (seconds or an HTTP "
    "date, at most 120 s) wins when the server sends it. A read whose JSON answer was cut is read again.",
    "- **Writes are retried too**, because every bulk update or delete sets absolute values computed from one read: "
    "sending it twice (after a timeout or a dropped connection, when the first one was in fact applied) gives the same "
    "result. A create is retried only after an answer that means it was refused (429, 503, no connection made).",
    "- **\"May have been applied\".** When a write fails after it reached the server (timeout, connection dropped "
    "after sending, 500/502/504, or a 2xx answer that cannot be read), the module fails with `changed: true` and says "
    "that request may have been applied, naming its ids; it never claims \"Nothing was written\" then. Running the "
    "task again reads the objects and sends only what is still different.",
    "- **A failed batch** names the requests already accepted (task ids and object ids, `accepted_ids`), the ids of the "
    "failed request (`failed_ids`) and of the requests not sent (`unsent_ids`). Earlier batches are not rolled back: "
    "the API has no transaction across bulk requests.",
    "- **An object changed between read and write** (no crash): the API has no conditional write (no ETag or version), "
    "so the last writer wins. Users are written with PATCH and only the changed keys, so a concurrent change to another "
    "key survives. Organizations are written with the full-update endpoint, so the whole object as read is written "
    "back: a concurrent change to a key the task did not mention is overwritten by the value read moments before.",
    "- **Bad input** is refused before any write: every error of every item (the first 1,000 kept in `errors`, 25 in "
    "the message, and the rest counted), each naming the item (`users[3] (id ..., username ...)`) and the key path. "
    "Shape errors fail before any request; a rule an account may already break with data it holds (pattern, format, "
    "length, null) is applied after one read, only to values that would be sent. "
    "Values in messages are cut to 64 characters (the first 61 and `...`); secrets are never shown. Ansible itself refuses a `users` that is "
    "not a list of dicts, and cannot template data nested much deeper than 100 levels (100 work, 200 hit its recursion limit).",
    "- **Secrets.** The token travels only in the X-Auth-Token header and is removed from every error text and detail. "
    "Passwords anywhere in the module arguments, also of the wrong type, are registered as no_log values before any "
    "output, including the argument-spec failures Ansible raises before the module runs.",
    "- **TLS.** `validate_certs: true` (the default) refuses a self-signed certificate with a message naming the reason; "
    "`false` works even when REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE are set; a private CA is trusted through REQUESTS_CA_BUNDLE.",
]


def render(tests, command):
    """The markdown table of the recorded scenarios."""
    rows, failed_without_rows = [], []
    ordered = sorted(tests.items(), key=lambda pair: pair[1]["order"])  # file, then definition order
    for nodeid, entry in ordered:
        for row in entry["rows"]:
            if row.get("requires_test_pass") and entry["outcome"] != "passed":
                row = dict(row, passed=False, observed="the test failed: see the test run")
            rows.append(row)
        if not entry["rows"] and entry["outcome"] == "failed" and ("test_hostile" in nodeid or "test_properties" in nodeid):
            failed_without_rows.append(nodeid)
    passed = sum(1 for row in rows if row["passed"])
    lines = [
        "# Reliability under hostile conditions",
        "",
        "Generated by `tests/integration/conftest_reliability.py` from the last full test run; do not edit by hand.",
        "Every scenario runs through real `ansible-playbook -vvv --diff` against the emulator",
        "(`tests/integration/test_hostile.py`) or through the engine's pure functions with Hypothesis",
        "(`tests/unit/plugins/module_utils/test_properties.py`). Every playbook output, recorded result and",
        "emulator request log is searched for the token and every password (secrets sweep rows).",
        "",
        "- Run: %s UTC, Python %s, `%s`" % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                                            platform.python_version(), command),
        "- Scenarios: %d, passed: %d, failed: %d" % (len(rows), passed, len(rows) - passed),
        "",
        "| # | Scenario | Injected / given | Observed outcome | Result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for number, row in enumerate(rows, start=1):
        cells = (number, _cell(row["scenario"]), _cell(row["given"]), _cell(row["observed"]),
                 "pass" if row["passed"] else "**FAIL**")
        lines.append("| %d | %s | %s | %s | %s |" % cells)
    for nodeid in failed_without_rows:
        lines.append("| - | %s | | the test failed before recording its scenarios | **FAIL** |" % _cell(nodeid))
    safety = [(nodeid, entry) for nodeid, entry in ordered if nodeid.split("::")[0].endswith(SAFETY_FILES)]
    if safety:
        lines += ["", "## Failure modes of real use, lifecycle and memberships", "",
                  "Each test runs a module against the emulator and reads its request log: in-process (the files"
                  " ending in `_engine.py`, tests/unit/plugins/modules), or through a real `ansible-playbook` for what"
                  " only Ansible shows.", "",
                  "| Test | What it proves | Result |", "| --- | --- | --- |"]
        for nodeid, entry in safety:
            outcome = {"passed": "pass", "skipped": "skipped"}.get(entry["outcome"], "**FAIL**")
            lines.append("| `%s` | %s | %s |" % (_cell(nodeid.split("/")[-1].split("[")[0]), _cell(entry.get("doc", "")), outcome))
    lines += ["", "## Behaviour the table relies on", ""] + NOTES
    lines += ["", "## Timings", "", "| Test | Seconds |", "| --- | --- |"]
    for nodeid, entry in ordered:
        if entry["rows"] or nodeid in failed_without_rows:
            lines.append("| %s | %.1f |" % (_cell(nodeid), entry["seconds"]))
    return "\n".join(lines) + "\n"


def pytest_sessionfinish(session):
    """Write .build/reliability.md in the process that saw every report (never in an xdist worker)."""
    config = session.config
    if hasattr(config, "workerinput") or _narrowed(config):
        return
    tests = config.stash.get(_TESTS, {})
    if not any(entry["rows"] or entry.get("doc") for entry in tests.values()):
        return
    command = "pytest " + " ".join(str(arg) for arg in config.invocation_params.args)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(tests, command), encoding="utf-8")
