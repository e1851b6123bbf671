# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""More of the connection options every module shares, the secrets in what a module logs and returns, and the
invocation echo, each run in process against the emulator as a user would run the module.

Issue 28: written for the survivors of plugins/module_utils/_common.py not killed by test_common_rules_documented.py,
from the promises of the connection doc fragment (plugins/doc_fragments/connection.py: the token alias and its
environment variable, the defaults of timeout, rate_limit and retries, the requirements), docs/how-it-works.md
(7. The connection and the token), docs/reliability.md (Secrets, nested properties) and docs/performance.md (the
invocation echo), not from a mutant's diff. Fixture (tests/emulator/fixtures/default.json): org1 exists; alice is
a user of org1.
"""

from __future__ import annotations

import pytest
import requests

from ansible_collections.ubidots.industrial.plugins.module_utils import _client, _common, _ratelimit
from ubidots_testing import echoed, orgs_task, USERS_LIST, users_task, write_entries

ALICE = "409dba9c67d3bb19f554"


def nested(levels, leaf):
    """`leaf` inside `levels` levels of dicts and lists, alternately."""
    value = leaf
    for level in range(levels):
        value = {"k": value} if level % 2 else [value]
    return value


# -- secrets in the log and in the result (docs/reliability.md, Secrets: "Passwords anywhere in the module arguments,
# also of the wrong type, are registered as no_log values before any output"; a run is logged to syslog / the
# journal with its arguments, docs/how-it-works.md; properties nested 100 levels deep work, docs/reliability.md
# row 63) ---------------------------------------------------------------------------------------------------------

def test_the_logged_invocation_shows_the_items_but_not_their_passwords(run_module):
    run = run_module(users_task([{"username": "alice", "password": "Logged-Secret-1"}]), check=True)
    logged = "\n".join(run.logged)
    assert "Invoked with" in logged and "'username': 'alice'" in logged, logged[:500]
    assert "Logged-Secret-1" not in logged and "Logged-Secret-1" not in run.output


def test_properties_nested_40_levels_are_logged_as_given_and_a_password_among_them_is_hidden(run_module):
    properties = {"deep": nested(40, "leaf-at-forty"), "hidden": nested(40, {"password": "Nested-Secret-40"})}
    run = run_module(orgs_task([{"label": "org1", "properties": properties}]), check=True)
    assert run.rc == 0, run.output
    logged = "\n".join(run.logged)
    assert "leaf-at-forty" in logged, logged[:500]
    assert "Nested-Secret-40" not in logged and "Nested-Secret-40" not in run.output


# Ansible templates properties about 100 levels deep (docs/reliability.md row 63, and 200 fail), so a password 60
# levels deep is a real input; "anywhere" includes it. It was shown (in changes, diff and invocation) until issue 28.
def test_a_password_nested_60_levels_deep_shows_nowhere(run_module):
    properties = {"deep": nested(60, {"password": "Nested-Secret-60"})}
    run = run_module(orgs_task([{"label": "org1", "properties": properties}]), check=True, diff=True)
    assert run.rc == 0, run.output
    assert "Nested-Secret-60" not in run.output + "\n".join(run.logged)


# -- the token (connection doc fragment, api_token: "aliases: [token]", "If not set, the value of the UBIDOTS_TOKEN
# environment variable is used"; docs/how-it-works.md: a token that is empty ... is refused before any request) ------

def test_the_token_alias_authenticates_like_api_token(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "firstName": "ByAlias"}], token=emulator.token),
                     env={"UBIDOTS_TOKEN": None})
    assert run.rc == 0 and run.result["changed"] is True, run.output
    assert [e["body"][0]["firstName"] for e in write_entries(emulator)] == ["ByAlias"]


def test_an_empty_token_is_refused_before_any_request_naming_where_a_token_comes_from(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "firstName": "NoToken"}], api_token=""))
    assert run.rc != 0, run.output
    assert run.result["msg"] == ("api_token is empty: set api_token (or token), or the UBIDOTS_TOKEN environment "
                                 "variable.")
    assert emulator.log() == []


# -- number options (docs/how-it-works.md: "timeout must be more than 0 seconds: 0 would wait forever") -------------

def test_a_negative_timeout_is_refused_without_the_words_about_waiting_forever(emulator, run_module):
    run = run_module(users_task([{"id": ALICE}], timeout=-1))
    assert run.rc != 0 and run.result["msg"] == "timeout must be 1 or more seconds, got -1.", run.output
    assert emulator.log() == []


# -- the defaults (connection doc fragment: timeout default 30, retries default 5) ----------

@pytest.fixture
def pauses(monkeypatch):
    """The pauses the rate limiter and the retries of the modules take, on a clock that moves only when paused."""
    taken, now = [], [0.0]

    def sleep(seconds):
        taken.append(seconds)
        now[0] += seconds

    limiter_init, client_init = _ratelimit.RateLimiter.__init__, _client.UbidotsClient.__init__

    def init_limiter(self, rate, *args, **kwargs):  # pylint: disable=unused-argument
        limiter_init(self, rate, clock=lambda: now[0], sleep=sleep)

    def init_client(self, *args, **kwargs):
        client_init(self, *args, **dict(kwargs, sleep=sleep))

    monkeypatch.setattr(_ratelimit.RateLimiter, "__init__", init_limiter)
    monkeypatch.setattr(_client.UbidotsClient, "__init__", init_client)
    return taken


def test_by_default_a_server_error_is_tried_5_more_times(emulator, run_module, pauses):
    emulator.inject(USERS_LIST, "status", status=503, count=10)
    run = run_module(users_task([{"id": ALICE, "firstName": "Retried"}]))
    assert run.rc != 0 and "HTTP 503 after 6 tries" in run.result["msg"], run.output
    assert len(emulator.log()) == 6 and len(pauses) == 5


@pytest.mark.parametrize("options, seconds", [({}, 30), ({"timeout": 7}, 7)], ids=["default", "set"])
def test_an_answer_that_never_comes_is_reported_with_the_timeout_waited(run_module, monkeypatch, options, seconds):
    # The answer's wait is simulated: requests raises its timeout at once, as it would after `timeout` seconds.
    def never_answers(*args, **kwargs):
        raise requests.exceptions.ReadTimeout("read timed out")

    monkeypatch.setattr(requests.Session, "send", never_answers)
    run = run_module(users_task([{"id": ALICE, "firstName": "Slow"}], retries=0, **options))
    assert run.rc != 0 and "timed out after %ss" % seconds in run.result["msg"], run.output


# -- the requirements (connection doc fragment: "requirements: requests, jsonschema >= 4.0") ---------------------

def test_without_requests_the_module_fails_naming_the_library(emulator, run_module, monkeypatch):
    monkeypatch.setattr(_common, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    run = run_module(users_task([{"id": ALICE}]))
    assert run.rc != 0 and "Failed to import the required Python library (requests)" in run.result["msg"], run.output
    assert emulator.log() == []


def test_without_jsonschema_the_module_fails_naming_the_library(emulator, run_module, monkeypatch):
    monkeypatch.setattr(_common, "jsonschema_problem", lambda: "missing")
    run = run_module(users_task([{"id": ALICE}]))
    assert run.rc != 0 and "Failed to import the required Python library (jsonschema)" in run.result["msg"], run.output
    assert emulator.log() == []


def test_a_jsonschema_too_old_fails_with_its_problem(emulator, run_module, monkeypatch):
    problem = "jsonschema 3.2.0 is too old: this collection needs jsonschema >= 4.0."
    monkeypatch.setattr(_common, "jsonschema_problem", lambda: problem)
    run = run_module(users_task([{"id": ALICE}]))
    assert run.rc != 0 and run.result["msg"] == problem, run.output
    assert emulator.log() == []


# -- the invocation echo (docs/performance.md: "The invocation echo repeats a list of at most 100 items (or
# `changes_limit`, if lower; 0 still repeats all)") ---------------------------------------------------------------

def test_changes_limit_1_counts_a_list_of_2_in_the_invocation(run_module):
    run = run_module(users_task([{"username": "alice"}, {"username": "bob"}], changes_limit=1), check=True)
    assert echoed(run)["users"] == \
        "2 items (a list of more than 1 item is not repeated in the result)", run.output


def test_a_changes_limit_that_is_no_number_fails_with_ansibles_message_and_the_echo(emulator, run_module):
    run = run_module(users_task([{"username": "alice"}], changes_limit="many"))
    assert run.rc != 0 and "changes_limit" in run.result["msg"], run.output
    assert echoed(run)["users"] == [{"username": "alice"}]
    assert emulator.log() == []


# The connection doc fragment's defaults, as the result's `invocation` echoes the options not given: validate_certs
# true, timeout 30, retries 5 (rate_limit is always set by the in-process runner).
def test_the_invocation_echoes_the_documented_defaults_of_the_connection_options(run_module):
    run = run_module(users_task([{"username": "alice"}]), check=True)
    assert run.rc == 0, run.output
    args = echoed(run)
    assert (args["validate_certs"], args["timeout"], args["retries"]) == (True, 30, 5), args
