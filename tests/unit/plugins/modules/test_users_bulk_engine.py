# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ubidots_users_bulk's engine, run in process against the emulator: the requests it sends (headers, only changed
keys, batches, lookups), idempotence, check mode, references, passwords, wait, failed batches and token errors.

The validation table shared with ubidots_orgs_bulk is in test_bulk_modules.py; what only ansible-playbook shows
(the printed diff, module_defaults through the action group, -vvv output) is in tests/integration/test_users_bulk.py.
"""

from __future__ import annotations

import hashlib

import pytest

from ubidots_testing import api_log, header, some_users, writes
from ubidots_testing import users_task as task

BULK_PATH = "/api/v2.0/users/_/bulk/update/"


def users_of(emulator):
    """Current users by id."""
    return {u["id"]: u for u in emulator.state()["users"]}


def test_one_patch_with_required_headers_and_only_changed_keys(emulator, run_module):
    first, second, third = some_users(emulator, 3)
    run = run_module(task([
        {"id": first["id"], "firstName": first["firstName"] + "X", "lastName": first["lastName"]},
        {"id": second["id"], "tags": ["zeta", "alpha", "zeta"]},
        {"id": third["id"], "isActive": third["isActive"]},
    ]))
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert len(sent) == 1
    request = sent[0]
    assert request["method"] == "PATCH"
    assert request["path"] == BULK_PATH
    assert header(request, "X-Auth-Token") == "***"
    assert header(request, "X-Bulk-Operation") == "True"
    assert header(request, "Content-Type").startswith("application/json")
    assert request["body"] == [
        {"id": first["id"], "firstName": first["firstName"] + "X"},
        {"id": second["id"], "tags": ["alpha", "zeta"]},
    ]
    result = run.result
    assert result["changed"] is True
    assert result["changed_ids"] == [first["id"], second["id"]]
    assert result["unchanged_ids"] == [third["id"]]
    assert len(result["tasks"]) == 1
    assert result["api_calls"]["writes"] == 1
    now = users_of(emulator)
    assert now[first["id"]]["firstName"] == first["firstName"] + "X"
    assert sorted(now[second["id"]]["tags"]) == ["alpha", "zeta"]


def test_reads_only_listed_users_and_only_compared_fields(emulator, run_module):
    first, second = some_users(emulator, 2)
    run = run_module(task([{"id": first["id"], "lastName": "Q"}, {"id": second["id"], "isActive": True}]))
    assert run.rc == 0, run.output
    reads = api_log(emulator, method="GET")
    assert len(reads) == 2  # the read, and the re-read of wait (default) until the change shows
    assert set(reads[1]["query"]["id__in"][0].split(",")) <= set(reads[0]["query"]["id__in"][0].split(","))
    query = reads[0]["query"]
    assert sorted(query["id__in"][0].split(",")) == sorted([first["id"], second["id"]])
    assert sorted(query["fields"][0].split(",")) == ["id", "isActive", "lastName", "username"]


def test_second_run_is_idempotent_and_sends_no_write(emulator, run_module):
    first, second = some_users(emulator, 2)
    users = [{"id": first["id"], "firstName": "Ada", "tags": ["b", "a"]},
             {"username": second["username"], "website": "https://example.com"}]
    assert run_module(task(users)).result["changed"] is True
    emulator.clear_log()
    again = run_module(task(users))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    assert again.result["tasks"] == []
    assert writes(emulator) == []
    assert not any(r["result"]["changed"] for r in again.results)  # the play recap's changed=0


def test_check_mode_reports_what_the_real_run_does_and_writes_nothing(emulator, run_module):
    first, second = some_users(emulator, 2)
    users = [{"id": first["id"], "lastName": "Hopper", "tags": ["navy"]},
             {"username": second["username"], "isActive": not second["isActive"]}]
    before = emulator.state()
    check = run_module(task(users), check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == []
    assert emulator.state() == before
    real = run_module(task(users), diff=True)
    assert real.rc == 0, real.output
    for key in ("changed", "changed_ids", "unchanged_ids", "changes", "diff"):
        assert check.result[key] == real.result[key], key
    assert check.result["tasks"] == [] and len(real.result["tasks"]) == 1


def test_lookup_by_username_sends_the_id(emulator, run_module):
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"username": first["username"], "timezone": "Europe/Paris"}]))
    assert run.rc == 0, run.output
    reads = api_log(emulator, method="GET")
    assert reads[0]["query"]["username__in"] == [first["username"]]
    assert writes(emulator)[0]["body"] == [{"id": first["id"], "timezone": "Europe/Paris"}]


def test_unknown_identities_fail_before_any_write(emulator, run_module):
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "firstName": "A"},
                           {"id": "ffffffffffffffffffffffff", "firstName": "B"},
                           {"username": "nobody-here", "firstName": "C"}]))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "users[1] (id ffffffffffffffffffffffff): no user with id ffffffffffffffffffffffff" in msg
    assert "users[2] (username nobody-here): no user with username nobody-here" in msg
    assert writes(emulator) == []


def test_same_user_by_id_and_by_username_is_refused(emulator, run_module):
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "firstName": "A"}, {"username": first["username"], "lastName": "B"}]))
    assert run.rc != 0
    assert "users[1] (username %s): the same user as users[0]" % first["username"] in run.result["msg"]
    assert writes(emulator) == []


def test_references_match_by_id_or_label(emulator, run_module):
    state = emulator.state()
    user = next(u for u in sorted(state["users"], key=lambda u: u["username"]) if u.get("defaultOrganization"))
    org = user["defaultOrganization"]
    same = [{"id": user["id"], "defaultOrganization": org["label"]}]
    assert run_module(task(same)).result["changed"] is False
    same_by_id = [{"id": user["id"], "defaultOrganization": org["id"]}]
    assert run_module(task(same_by_id)).result["changed"] is False
    if user.get("defaultRole"):
        role = [{"id": user["id"], "defaultRole": user["defaultRole"]["label"]}]
        assert run_module(task(role)).result["changed"] is False
    assert writes(emulator) == []


def test_contact_methods_compare_without_server_ids(emulator, run_module):
    first = some_users(emulator, 1)[0]
    methods = [{"type": "sms", "values": ["+15550100"]}, {"type": "email", "values": ["b@example.com", "a@example.com"]}]
    assert run_module(task([{"id": first["id"], "contactMethods": methods}])).result["changed"] is True
    stored = users_of(emulator)[first["id"]]["contactMethods"]
    assert all(m.get("id") for m in stored)
    emulator.clear_log()
    reordered = [methods[1], methods[0]]
    again = run_module(task([{"id": first["id"], "contactMethods": reordered}]))
    assert again.result["changed"] is False, again.result
    assert writes(emulator) == []


def test_batches_follow_batch_size_in_order(emulator, run_module):
    users = some_users(emulator, 5)
    run = run_module(task([{"id": u["id"], "lastName": "Batch%d" % i} for i, u in enumerate(users)], batch_size=2))
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert [len(e["body"]) for e in sent] == [2, 2, 1]
    assert [item["id"] for e in sent for item in e["body"]] == [u["id"] for u in users]
    assert len(run.result["tasks"]) == 3
    assert run.result["api_calls"]["writes"] == 3


def test_empty_list_sends_nothing(emulator, run_module):
    run = run_module(task([]))
    assert run.rc == 0, run.output
    assert run.result["changed"] is False
    assert emulator.log() == []


def test_every_error_of_every_item_in_one_failure(emulator, run_module):
    users = [{"id": "a", "tags": ["t"] * 21, "isActive": 1},
             {"id": "b", "email": "nope"},
             {"id": "a", "firstName": "dup"}]
    run = run_module(task(users))
    assert run.rc != 0
    errors = run.result["errors"]
    assert errors == [
        "users[0] (id a): isActive: must be boolean, got integer",
        "users[0] (id a): tags: 21 items, at most 20",
        "users[1] (id b): email: 'nope' is not a valid email address",
        "users[2] (id a): same id as users[0]; each user may appear once",
    ]
    assert run.result["msg"].startswith("4 errors in users: ")
    assert emulator.log() == []


def test_update_password_never_warns_and_sends_no_password(emulator, run_module):
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "password": "Never-sent-1", "firstName": "P"}], update_password="never"))
    assert run.rc == 0, run.output
    assert writes(emulator)[0]["body"] == [{"id": first["id"], "firstName": "P"}]
    assert any("update_password is never" in w for w in run.result.get("warnings", []))


def test_password_is_sent_and_always_reports_changed(emulator, run_module):
    first = some_users(emulator, 1)[0]
    for attempt in range(2):
        run = run_module(task([{"id": first["id"], "password": "Rotate-me-42"}], update_password="always"))
        assert run.rc == 0 and run.result["changed"] is True, attempt
    digest = "***sha256:" + hashlib.sha256(b"Rotate-me-42").hexdigest()[:12]
    assert [e["body"] for e in writes(emulator)] == [[{"id": first["id"], "password": digest}]] * 2


@pytest.mark.waits
def test_wait_re_reads_until_the_change_is_visible(emulator, run_module):
    emulator.configure(apply_delay=1.5)
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "lastName": "Eventually"}], wait=True, wait_timeout=30))
    assert run.rc == 0, run.output
    assert users_of(emulator)[first["id"]]["lastName"] == "Eventually"
    assert run.result["api_calls"]["reads"] >= 2


@pytest.mark.waits
def test_wait_timeout_names_the_users_that_did_not_converge(emulator, run_module):
    emulator.configure(apply_delay=30)
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "lastName": "Later"}], wait=True, wait_timeout=2))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "1 of 1 user did not show the desired values within 2 s" in msg
    assert "%s (%s)" % (first["id"], first["username"]) in msg
    assert run.result["tasks"] and run.result["tasks"][0] in msg


def test_failed_batch_names_what_was_accepted_and_a_rerun_converges(emulator, run_module):
    users = some_users(emulator, 5)
    items = [{"id": u["id"], "lastName": "Part%d" % i} for i, u in enumerate(users)]
    items[2]["username"] = users[3]["username"]  # valid for the schema, refused by the API (usernames are unique)
    run = run_module(task(items, batch_size=2))
    assert run.rc != 0
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 2 of 3 failed: PATCH %s: validation error (400001): users[2] (id %s, username %s)"
                          % (BULK_PATH, users[2]["id"], users[3]["username"])), msg
    assert "username" in msg
    assert "Already accepted: 2 users in request 1 (task %s)" % result["tasks"][0] in msg
    assert result["accepted_ids"] == [users[0]["id"], users[1]["id"]]
    assert result["failed_ids"] == [users[2]["id"], users[3]["id"]]
    assert result["unsent_ids"] == [users[4]["id"]]
    assert result["changed"] is True
    assert len(writes(emulator)) == 2
    items[2].pop("username")
    emulator.clear_log()
    again = run_module(task(items, batch_size=2))
    assert again.rc == 0, again.output
    assert [item["id"] for e in writes(emulator) for item in e["body"]] == [u["id"] for u in users[2:]]
    assert run_module(task(items, batch_size=2)).result["changed"] is False


def test_counts_of_one_are_singular_in_a_failed_batch_message(emulator, run_module):
    # Issue 11: messages read "1 users in request 1-1". One user per request, the second refused.
    first, second, third = some_users(emulator, 3)
    items = [{"id": first["id"], "lastName": "One"}, {"id": second["id"], "username": third["username"]}]
    run = run_module(task(items, batch_size=1))
    assert run.rc != 0
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 2 of 2 failed: PATCH %s:" % BULK_PATH), msg
    assert "Already accepted: 1 user in request 1 (task %s): %s." % (result["tasks"][0], first["id"]) in msg
    assert "Not applied: 1 user (%s)." % second["id"] in msg
    for wrong in ("1 users", "request 1-1", "1 requests", "1 organizations"):
        assert wrong not in msg


def test_wrong_token_gives_an_actionable_message(emulator, run_module):
    first = some_users(emulator, 1)[0]
    run = run_module(task([{"id": first["id"], "firstName": "T"}]), token="wrong-token-abcdef")
    assert run.rc != 0
    assert "the token was refused (401002" in run.result["msg"]
    assert "wrong-token-abcdef" not in run.output
    assert writes(emulator) == []


def test_no_token_at_all_is_a_parameter_error(emulator, run_module):
    run = run_module(task([{"username": "x"}]), token="")
    assert run.rc != 0
    assert "api_token" in run.result["msg"]
    assert emulator.log() == []
