# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token stays with api_url, whatever the redirects or the proxy path (issue 11), run in process against the
emulator. A second emulator plays "another origin": its log tells whether a request reached it and whether an
X-Auth-Token came along (never its value). The token's own shape, with its secrets sweep of -vvv output, is in
tests/integration/test_client_safety.py.
"""

from __future__ import annotations

import contextlib
import types

import pytest

from ubidots_testing import api_log, failable_task, outcome, user

from ubidots_emulator import Emulator, generate

USERS_INFO = "ubidots.industrial.ubidots_users_info"
USERS_BULK = "ubidots.industrial.ubidots_users_bulk"
USERS_PATH = "/api/v2.0/users/"
BULK_PATH = USERS_PATH + "_/bulk/update/"


class Recorder:
    """The rows of docs/reliability.md these tests give, as tests/integration's `reliability` fixture records them:
    each scenario is soft-checked and recorded; a failed one fails the test at teardown. The rows are collected
    when tests/integration's reliability plugin is loaded in the same run; harmless otherwise."""

    def __init__(self, node):
        self.node = node
        self.failures = []

    @contextlib.contextmanager
    def scenario(self, name, given):
        """`with rec.scenario(name, given) as row: row.observed = ...; assert ...`: records, never raises."""
        row = types.SimpleNamespace(observed="")
        problem = ""
        try:
            yield row
        except AssertionError as exc:
            problem = " ".join(str(exc).split())[:300]
            self.failures.append("%s: %s" % (name, problem))
        finally:
            observed = row.observed + (" -- CHECK FAILED: %s" % problem if problem else "")
            self.node.user_properties.append(("reliability", {"scenario": name, "given": given, "observed": observed,
                                                              "passed": not problem, "test": self.node.nodeid}))


@pytest.fixture
def reliability(request):
    """A Recorder for the current test; its failed scenarios fail the test at teardown."""
    recorder = Recorder(request.node)
    yield recorder
    if recorder.failures:
        pytest.fail("%d scenario(s) failed:\n- %s" % (len(recorder.failures), "\n- ".join(recorder.failures)), pytrace=False)


def test_a_redirect_to_another_origin_carries_no_token_and_fails_clearly(emulator, run_module, reliability):
    with Emulator() as other:
        # The query of the Location must never show: it could hold anything.
        emulator.inject(USERS_PATH, "redirect", method="GET", status=302,
                        location=other.url + USERS_PATH + "?page_size=500&hint=Zq9SECRETq")
        emulator.inject(BULK_PATH, "redirect", method="PATCH", status=307, location=other.url + BULK_PATH)
        tasks = [
            failable_task("read redirected to another origin", USERS_INFO),
            failable_task("write redirected to another origin", USERS_BULK, users=[{"id": user(emulator, "alice")["id"], "firstName": "X"}]),
        ]
        run = run_module(tasks)
        for name, method in ((tasks[0]["name"], "GET"), (tasks[1]["name"], "PATCH")):
            with reliability.scenario("Redirect to another origin: " + method,
                                      "%s answered with a redirect to a second emulator (another port)" % method) as row:
                status, result = outcome(run, name)
                reached = other.log()
                row.observed = "%s: %s; the other origin got %d requests, %d with X-Auth-Token" % (
                    status, result.get("msg", "")[:200], len(reached), sum(e["token_header"] for e in reached))
                assert status == "failed"
                assert "the server redirected to %s, outside api_url (%s)" % (other.origin, emulator.url) in result["msg"]
                assert "Zq9SECRETq" not in run.output and "page_size=500" not in result["msg"]
                assert not any(e["token_header"] for e in reached)
                assert reached == []
        assert user(emulator, "alice")["firstName"] != "X"


def test_a_redirect_within_api_url_is_followed(emulator, run_module, reliability):
    everyone = {u["username"] for u in emulator.state()["users"]}
    emulator.inject(USERS_PATH, "redirect", method="GET", status=301, location=USERS_PATH + "?page_size=2")
    emulator.inject(BULK_PATH, "redirect", method="PATCH", status=307, location=emulator.url + BULK_PATH)
    tasks = [
        failable_task("read redirected within api_url", USERS_INFO),
        failable_task("write redirected within api_url", USERS_BULK, users=[{"id": user(emulator, "alice")["id"], "firstName": "Moved"}]),
    ]
    run = run_module(tasks)
    with reliability.scenario("Redirect within api_url",
                              "GET answered 301 to the same listing with page_size=2; PATCH answered 307 to the same "
                              "origin") as row:
        (read_status, read), (write_status, write) = (outcome(run, t["name"]) for t in tasks)
        patches = api_log(emulator, "PATCH")
        row.observed = "info: %s, %s users; bulk: %s, PATCH statuses %s" % (
            read_status, read.get("count"), write_status, [e["status"] for e in patches])
        assert read_status == "ok" and {u["username"] for u in read["users"]} == everyone
        assert write_status == "ok" and write["changed"] is True and user(emulator, "alice")["firstName"] == "Moved"
        assert [e["status"] for e in patches] == [307, 200] and all(e["token_header"] for e in patches)


def test_api_url_with_a_path_prefix_reads_every_page(run_module, reliability):
    with Emulator(fixture=generate(600, 0), path_prefix="/ubidots") as proxied:
        assert proxied.url.endswith("/ubidots")
        tasks = [failable_task("read every user through a path prefix", USERS_INFO)]
        run = run_module(tasks, url=proxied.url + "/", token=proxied.token)
        with reliability.scenario("api_url with a path prefix (reverse proxy), paginated listing",
                                  "api_url https://host/ubidots/ (emulator with path_prefix), 608 users, pages of 500") as row:
            status, result = outcome(run, tasks[0]["name"])
            gets = [(e["path"], e["status"]) for e in proxied.log()]
            row.observed = "%s, count %s, requests %s" % (status, result.get("count"), gets)
            assert status == "ok", result.get("msg")
            assert result["count"] == len(proxied.state()["users"]) == 608
            assert len({u["id"] for u in result["users"]}) == 608
            assert gets == [("/ubidots/api/v2.0/users/", 200)] * 2
