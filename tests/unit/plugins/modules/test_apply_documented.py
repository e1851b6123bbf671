# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The writing side as documented: the wait after the bulk writes, and what a failed request reports.

Issue 28: mutation testing showed these promises of docs/how-it-works.md (5. Applying, 6. Waiting), of the bulk
modules' documentation (O(wait), O(wait_timeout), RV(pending_ids), RV(tasks), RV(failed_ids), RV(status)) and of
docs/reliability.md untested by any fast test. Each test runs the modules in-process against the emulator and
asserts what a user sees: the requests, the message, `changed` and the result keys.

The wait's clock is a fake (the `clock` fixture, autouse): its pauses are recorded and pass at once, so that the
backoff the docs promise can be checked exactly, and a wait that would never end fails the test at once instead of
sleeping. The emulator's asynchronous apply is real (`apply_delay`): a long delay keeps an accepted bulk request
from showing; the test makes it show when it wants (`emulator.update_object`, a change "behind the module's back").
"""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils import _apply
from ubidots_emulator import Emulator, generate
from ubidots_testing import Clock, api_log, orgs_task, reads_after_the_writes, sent, user, users_task

USERS_PATH = "/api/v2.0/users/"
USERS_BULK = USERS_PATH + "_/bulk/update/"
ORGS_PATH = "/api/v2.0/organizations/"
ALICE, BOB = "409dba9c67d3bb19f554", "445da83878abc3c75756"
CAROL = "5e8f1c2d3b4a596877665504"
FRANK = "5e8f1c2d3b4a596877665507"
AGAIN = " Running the task again sends only what is still different."
NEVER = 3600  # an apply delay no test outlives: the accepted bulk requests do not show by themselves


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The fake clock of every wait in this file."""
    fake = Clock()
    monkeypatch.setattr(_apply, "time", fake)
    return fake


# -- waiting: the backoff and the timeout (docs/how-it-works.md, 6. Waiting) ----------------------------------------
# "`wait: true` is the default: the module re-reads the last object of each request (backing off from 0.25 s to
# 5 s) until it shows what was sent (a created one exists, a deleted one is gone), or fails after `wait_timeout`
# seconds naming those that do not." RV(pending_ids): "the users read back (the last of each request) that did not
# (ids, or new <name> for one created by the task). The changes were accepted; the task reports changed=true."

def test_the_wait_backs_off_from_a_quarter_second_to_five_seconds_and_fails_when_wait_timeout_runs_out(
        emulator, run_module, clock):
    emulator.configure(apply_delay=NEVER)
    run = run_module(users_task([{"id": ALICE, "lastName": "Later"}], wait_timeout=13))
    assert run.rc != 0
    # 0.25 s doubling, at most 5 s, and never past the deadline: the last pause is what is left of the 13 s.
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 0.25]
    rereads = reads_after_the_writes(emulator)
    assert len(rereads) == len(clock.sleeps) + 1, "one read at once, one after each pause"
    assert all(e["query"]["id__in"] == [ALICE] for e in rereads), rereads
    result = run.result
    (task,) = result["tasks"]
    assert result["msg"] == ("1 of 1 user did not show the desired values within 13 s after task %s: %s (alice)."
                             % (task, ALICE))
    assert result["changed"] is True
    assert result["pending_ids"] == [ALICE]
    assert result["created"] == []


def test_a_change_that_shows_during_the_wait_ends_it_and_the_task_succeeds(emulator, run_module, clock):
    emulator.configure(apply_delay=NEVER)

    def applied_by_the_api(pauses):
        if pauses == 3:
            emulator.update_object("users", ALICE, {"lastName": "Eventually"})
    clock.on_sleep = applied_by_the_api
    run = run_module(users_task([{"id": ALICE, "lastName": "Eventually"}], wait_timeout=60))
    assert run.rc == 0, run.output
    assert run.result["changed"] is True and len(run.result["tasks"]) == 1
    assert clock.sleeps == [0.25, 0.5, 1.0]
    assert len(reads_after_the_writes(emulator)) == 4, "the read after the third pause sees the change: no more"
    assert user(emulator, "alice")["lastName"] == "Eventually"


def test_wait_timeout_0_reads_once_and_names_the_last_user_of_each_request_that_does_not_show(
        emulator, run_module, clock):
    # batch_size 2: alice and bob in request 1, carol in request 2; the wait reads back bob and carol only.
    emulator.configure(apply_delay=NEVER)
    items = [{"id": ALICE, "lastName": "L"}, {"id": BOB, "lastName": "L"}, {"id": CAROL, "lastName": "L"}]
    run = run_module(users_task(items, wait_timeout=0, batch_size=2))
    assert run.rc != 0
    assert clock.sleeps == []
    (reread,) = reads_after_the_writes(emulator)
    assert sorted(reread["query"]["id__in"][0].split(",")) == sorted([BOB, CAROL]), reread
    result = run.result
    first, second = result["tasks"]
    assert result["msg"] == (
        "2 of 2 users (the last user of each request, 2 requests) did not show the desired values within 0 s after "
        "tasks %s, %s: %s (bob), %s (carol)." % (first, second, BOB, CAROL))
    assert result["pending_ids"] == [BOB, CAROL] and result["changed"] is True


def test_an_organization_a_bulk_create_has_not_made_yet_is_pending_as_new_label(emulator, run_module):
    # RV(pending_ids): "new <name> for one created by the task"; a bulk create answers a task id, no object ids.
    emulator.configure(apply_delay=NEVER)
    run = run_module(orgs_task([{"label": "plant-x", "name": "Plant X"}], wait_timeout=0))
    assert run.rc != 0
    result = run.result
    (task,) = result["tasks"]
    assert result["msg"] == ("1 of 1 organization did not show the desired values within 0 s after task %s: "
                             "new plant-x (plant-x)." % task)
    assert result["pending_ids"] == ["new plant-x"]
    assert result["created"] == ["plant-x"] and result["changed"] is True


def test_a_bulk_created_organization_is_waited_for_by_its_label(emulator, run_module):
    run = run_module(orgs_task([{"label": "plant-x", "name": "Plant X"}]))
    assert run.rc == 0, run.output
    assert run.result["created"] == ["plant-x"]
    (reread,) = reads_after_the_writes(emulator)
    assert reread["path"] == ORGS_PATH and reread["query"]["label__in"] == ["plant-x"], reread


def test_a_wait_after_requests_without_a_task_says_after_the_requests(emulator, run_module):
    # Users are created one request each (POST /users/, no task id). Here the API never returns lastName (a key no
    # read returns: tests/emulator/README.md, omit_from="all"), so the new user never shows what was sent.
    emulator.configure(omit_keys={"users": ["lastName"]}, omit_from="all")
    item = {"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1", "lastName": "New"}
    run = run_module(users_task([item], wait_timeout=0))
    assert run.rc != 0
    result = run.result
    assert result["tasks"] == []
    assert result["msg"] == ("1 of 1 user did not show the desired values within 0 s after the requests: "
                             "new newbie (newbie).")
    assert result["pending_ids"] == ["new newbie"] and result["created"] == ["newbie"]


# -- a read of the wait fails (RV(tasks): "returned: success, and when a request or the wait failed") ---------------
# The writes were accepted: the task reports changed, the tasks and the created objects, and says that only the wait
# failed. docs/reliability.md (Retries): 500 is tried again `retries` times; with retries: 0, once.

def test_a_read_of_the_wait_that_fails_says_the_changes_were_accepted(emulator, run_module):
    emulator.configure(apply_delay=NEVER)
    emulator.inject(ORGS_PATH, "delay", method="GET", delay=0)     # the first read goes through
    emulator.inject(ORGS_PATH, "status", method="GET", status=500)  # the wait's read fails
    run = run_module(orgs_task([{"label": "plant-x"}], retries=0))
    assert run.rc != 0
    assert sent(emulator, ("method", "path", "status")) == [("POST", ORGS_PATH + "_/bulk/create/", 200)]
    result = run.result
    (task,) = result["tasks"]
    assert result["msg"] == ("GET %s: HTTP 500: A server error occurred. The changes were already accepted (task %s); "
                             "only waiting for them to show failed." % (ORGS_PATH, task))
    assert result["changed"] is True
    assert result["created"] == ["plant-x"]
    assert result["status"] == 500


# -- a request fails (docs/how-it-works.md, 5. Applying; docs/reliability.md, rows 19, 34 and 35) ------------------
# "If request k of n fails, the task fails and names the requests and task ids already accepted, the objects in the
# failed request and the objects not sent ...; a request the server received without a usable answer 'may have been
# applied' (changed: true). Running the task again reads the current state and sends only what is still different."
# RV(status): "The HTTP status of the answer that made the task fail, when one came."

def test_a_write_answered_500_may_have_been_applied_and_the_message_says_so(emulator, run_module):
    emulator.inject(USERS_BULK, "status", method="PATCH", status=500)
    run = run_module(users_task([{"id": BOB, "lastName": "Later"}], retries=0))
    assert run.rc != 0
    result = run.result
    assert result["msg"] == (
        "Bulk request 1 of 1 failed: PATCH %s: HTTP 500: A server error occurred. Request 1 may have been applied "
        "(the server received it but gave no usable answer): 1 user (%s).%s" % (USERS_BULK, BOB, AGAIN))
    assert result["changed"] is True and result["status"] == 500
    assert result["failed_ids"] == [BOB] and result["accepted_ids"] == [] and result["unsent_ids"] == []


def test_a_refused_second_batch_names_what_request_1_already_applied(emulator, run_module):
    emulator.inject(USERS_BULK, "delay", method="PATCH", delay=0)
    emulator.inject(USERS_BULK, "status", method="PATCH", status=503)
    run = run_module(users_task([{"id": ALICE, "lastName": "A"}, {"id": BOB, "lastName": "B"}], batch_size=1,
                                retries=0))
    assert run.rc != 0
    result = run.result
    (task,) = result["tasks"]
    assert result["msg"] == (
        "Bulk request 2 of 2 failed: PATCH %s: HTTP 503: Service Unavailable. Already accepted: 1 user in request 1 "
        "(task %s): %s. Not applied: 1 user (%s).%s" % (USERS_BULK, task, ALICE, BOB, AGAIN))
    assert result["changed"] is True and result["status"] == 503
    assert (result["accepted_ids"], result["failed_ids"]) == ([ALICE], [BOB])


def test_a_user_whose_last_membership_request_fails_is_marked_partly_applied_with_what_was(emulator, run_module):
    # RV(failed_ids): "even if an earlier request already applied part of their change (the message marks them
    # partly applied and names what was applied, created, updated, organizations assigned or organizations removed)".
    # frank_ops: request 1 updates him (a bulk task), request 2 assigns org2, request 3 removes north_site.
    emulator.inject(USERS_PATH + FRANK + "/_/remove_organizations/", "status", method="POST", status=503)
    item = {"username": "frank_ops", "lastName": "Ops", "organizations": [{"label": "org2", "role": "viewer"}]}
    run = run_module(users_task([item], purge_organizations=True, retries=0))
    assert run.rc != 0
    assert sent(emulator, ("method", "path", "status")) == [
        ("PATCH", USERS_BULK, 200), ("POST", USERS_PATH + FRANK + "/_/assign_organizations/", 200),
        ("POST", USERS_PATH + FRANK + "/_/remove_organizations/", 503)]
    result = run.result
    (task,) = result["tasks"]
    assert result["msg"] == (
        "Request 3 of 3 failed: POST %s%s/_/remove_organizations/: HTTP 503: Service Unavailable. Requests 1-2 were "
        "accepted (task %s): only part of the user below (marked partly applied). Not applied: 1 user "
        "(%s (partly applied: updated, organizations assigned)).%s" % (USERS_PATH, FRANK, task, FRANK, AGAIN))
    assert result["changed"] is True and result["failed_ids"] == [FRANK] and result["accepted_ids"] == []


# -- a validation error names the user's items (docs/reliability.md, row 35) ---------------------------------------
# "validation error (400001): organizations[2] (id ..., label acme-plant): label: organization with this label
# already exists.; organizations[3] ...": the API's per-position detail is mapped back to the items of the failed
# request. The emulator's own validation answers {"code": 400001, "detail": {"<index>": {...}}}; an injected 400
# answers {"detail": ...} without a code, as Django REST framework does: a dict by position, a list with {} for
# the valid items (a list serializer), or problems that belong to no item (non_field_errors).

@pytest.mark.parametrize("detail, named", [
    ({"1": {"email": ["Enter a valid email address."]}},
     "users[1] (id %s): email: Enter a valid email address" % ALICE),
    ([{}, {"email": ["Enter a valid email address."]}],
     "users[1] (id %s): email: Enter a valid email address" % ALICE),
    ({"non_field_errors": ["Duplicate ids."], "1": {"email": ["Enter a valid email address."]}},
     "non_field_errors: Duplicate ids.; users[1] (id %s): email: Enter a valid email address" % ALICE),
], ids=["by-position", "list-serializer", "non-field-errors-first"])
def test_a_400_with_per_position_detail_names_the_items_of_the_batch(emulator, run_module, detail, named):
    emulator.inject(USERS_BULK, "status", method="PATCH", status=400, detail=detail)
    run = run_module(users_task([{"id": BOB, "lastName": "B"}, {"id": ALICE, "lastName": "A"}]))
    assert run.rc != 0
    result = run.result
    assert result["msg"] == (
        "Bulk request 1 of 1 failed: PATCH %s: validation error (400): %s. Nothing was written. Not applied: 2 users "
        "(%s, %s).%s" % (USERS_BULK, named, BOB, ALICE, AGAIN))
    assert result["changed"] is False and result["status"] == 400


def test_a_404_is_reported_as_the_api_gave_it_not_as_a_validation_error(emulator, run_module):
    # Only a 400 (or the 400001 code) is a validation error to map back to the items: another answer, even with
    # per-position detail (a 404 for a user someone else deleted between the read and the write: "Not guaranteed",
    # docs/how-it-works.md, 6.), keeps the client's words for it.
    emulator.inject(USERS_BULK, "status", method="PATCH", status=404, detail={"1": {"id": ["Not found."]}})
    run = run_module(users_task([{"id": BOB, "lastName": "B"}, {"id": ALICE, "lastName": "A"}]))
    assert run.rc != 0
    assert run.result["msg"].startswith("Bulk request 1 of 1 failed: PATCH %s: not found (404): 1: id: Not found. "
                                        "Nothing was written." % USERS_BULK), run.result["msg"]
    assert run.result["status"] == 404


def test_a_batch_with_more_problems_than_a_message_names_ends_with_and_more(run_module):
    # 30 users renamed to usernames other users hold: the API refuses each (unique usernames); the message names
    # 25 of them, then "and more".
    with Emulator(fixture=generate(60, 0)) as emu:
        ids = {u["username"]: u["id"] for u in emu.state()["users"]}
        items = [{"id": ids["user-%05d" % i], "username": "user-%05d" % (i + 30)} for i in range(1, 31)]
        run = run_module(users_task(items), url=emu.url, token=emu.token)
        assert run.rc != 0
        assert [e["status"] for e in api_log(emu, "PATCH")] == [400]
    msg = run.result["msg"]
    named = msg.split(": validation error (400001): ", 1)[1].split(". Nothing was written.", 1)[0]
    problems = named.split("; ")
    assert len(problems) == 26 and problems[-1] == "and more", problems
    assert problems[0] == ("users[0] (id %s, username user-00031): username: A user with that username already "
                           "exists." % ids["user-00001"]), problems[0]
