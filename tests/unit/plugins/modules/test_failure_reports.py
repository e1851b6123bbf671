# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Honest failure reports (issue 21, point 6): the bulk modules run in-process against the emulator.

A user's change can travel in several requests (its create or its bulk update, then one request per
membership endpoint). When a request fails, every object of the run is in exactly one of three lists:
failed (a request that carried it failed, or may have been applied), else not sent (one of its requests
was not sent), else accepted. The message counts objects, each once, and names as many as it counts; a
user the run created is named by the id the API gave it, with its username.

Written from the issue text and tests/emulator/README.md (faults are consumed in order, one per matching
request: `delay` faults with no delay let requests through, and the next fault refuses one).
"""

from __future__ import annotations

import re

import pytest

from ubidots_testing import orgs_task, sent, users_by_name, users_task

USERS_PATH = "/api/v2.0/users/"
USERS_BULK = USERS_PATH + "_/bulk/update/"
ORGS_PATH = "/api/v2.0/organizations/"
HEADS = ("Already accepted", "Not applied", "Not sent", "may have been applied", "Running the task again")
# What the tests check of each write: its method, path and the status the emulator answered.
WITH_STATUS = ("method", "path", "status")


# -- helpers ---------------------------------------------------------------------------------------

def new_user(name, *memberships):
    """A user to create, with its memberships."""
    item = {"username": name, "email": "%s@example.com" % name, "password": "Pw-%s-1" % name}
    if memberships:
        item["organizations"] = [{"label": label, "role": role} for label, role in memberships]
    return item


def let_through(emulator, path, count, method):
    """Let the next `count` matching requests through (a fault consumed with no effect)."""
    if count:
        emulator.inject(path, "delay", count=count, method=method, delay=0)


def section(msg, head):
    """The part of the message that starts with `head`, up to the next part ("" if absent)."""
    start = msg.find(head)
    if start < 0:
        return ""
    ends = [msg.find(other, start + len(head)) for other in HEADS if other != head]
    return msg[start:min([end for end in ends if end > 0] + [len(msg)])]


def counted(msg, head):
    """The number a part of the message counts: "Not sent: 3 users (...)" -> 3; 0 if the part is absent."""
    found = re.search(r"%s[^:]*: (\d+) (?:user|organization)" % re.escape(head), msg)
    return int(found.group(1)) if found else 0


def assert_partition(result, accepted, failed, unsent):
    """accepted_ids / failed_ids / unsent_ids are exactly these, and no object is in two of them or twice in one."""
    assert (result["accepted_ids"], result["failed_ids"], sorted(result["unsent_ids"])) == (accepted, failed, sorted(unsent)), result
    every = result["accepted_ids"] + result["failed_ids"] + result["unsent_ids"]
    assert len(every) == len(set(every)), every


def assert_each_named_once(msg, names):
    """Each object is named exactly once in the message's lists (after the reason, which names the failed
    request's path, and a membership path holds the user's id)."""
    lists = msg.split("Injected refusal.", 1)[1]
    for name in names:
        assert lists.count(name) == 1, (name, msg)


# -- users created with memberships -----------------------------------------------------------------

@pytest.mark.parametrize("failing", [2, 1], ids=["second-membership-fails", "first-membership-fails"])
def test_new_users_whose_membership_request_fails_are_each_in_one_list_named_by_id(emulator, run_module, failing):
    # Requests: create hire-a, create hire-b, assign hire-a, assign hire-b. Assign number `failing` is refused.
    items = [new_user("hire-a", ("org1", "viewer")), new_user("hire-b", ("org2", "editor"))]
    let_through(emulator, USERS_PATH + "*", 2 + failing - 1, "POST")
    emulator.inject(USERS_PATH + "*", "status", method="POST", status=400, detail="Injected refusal")
    run = run_module(users_task(items))
    assert run.rc != 0
    now = users_by_name(emulator)
    ida, idb = now["hire-a"]["id"], now["hire-b"]["id"]
    assigned = [ida, idb][:failing]
    assert sent(emulator, WITH_STATUS) == ([("POST", USERS_PATH, 201)] * 2 + [("POST", USERS_PATH + "%s/_/assign_organizations/" % i, 200)
                                                                              for i in assigned[:-1]]
                                           + [("POST", USERS_PATH + "%s/_/assign_organizations/" % assigned[-1], 400)])
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Request %d of 4 failed: POST %s%s/_/assign_organizations/" % (2 + failing, USERS_PATH, assigned[-1])), msg
    assert result["changed"] is True
    assert result["created"] == ["hire-a", "hire-b"]
    assert "new hire-a" not in msg and "new hire-b" not in msg, msg  # they exist: named by their ids
    assert_each_named_once(msg, [ida, idb])
    assert "%s (new, username hire-a" % ida in msg and "%s (new, username hire-b" % idb in msg, msg
    if failing == 2:
        # hire-a is complete; hire-b was created but its memberships were refused.
        assert_partition(result, [ida], [idb], [])
        assert counted(msg, "Already accepted") == 1 and ida in section(msg, "Already accepted"), msg
        assert counted(msg, "Not applied") == 1 and idb in section(msg, "Not applied"), msg
        assert "partly applied" in section(msg, "Not applied"), msg
        assert counted(msg, "Not sent") == 0, msg
    else:
        # Both were created; hire-a's memberships were refused, hire-b's not sent: none is complete.
        assert_partition(result, [], [ida], [idb])
        assert counted(msg, "Already accepted") == 0, msg
        assert counted(msg, "Not applied") == 1 and ida in section(msg, "Not applied"), msg
        assert counted(msg, "Not sent") == 1 and idb in section(msg, "Not sent"), msg
        assert "partly applied" in section(msg, "Not applied") and "partly applied" in section(msg, "Not sent"), msg
    assert "Nothing was written" not in msg, msg


# -- batch_size 1: request 3 of 10 fails ---------------------------------------------------------------

def test_update_in_batches_of_one_where_request_3_of_10_fails_counts_objects_not_requests(emulator, run_module):
    # Four users, each updated (one PATCH each) and given memberships (assign; alice and bob also lose one with
    # purge): 4 PATCH + 6 membership requests = 10. The third PATCH (carol) is refused.
    users = users_by_name(emulator)
    ids = {name: users[name]["id"] for name in ("alice", "bob", "carol", "dave")}
    items = [
        {"username": "alice", "lastName": "R3", "organizations": [{"label": "org2", "role": "editor"}]},
        {"username": "bob", "lastName": "R3", "organizations": [{"label": "org1", "role": "viewer"}]},
        {"username": "carol", "lastName": "R3", "organizations": [{"label": "acme-plant", "role": "operator"},
                                                                  {"label": "org1", "role": "viewer"}]},
        {"username": "dave", "lastName": "R3", "organizations": [{"label": "acme-plant", "role": "viewer"},
                                                                 {"label": "org2", "role": "viewer"}]},
    ]
    check = run_module(users_task(items, batch_size=1, purge_organizations=True), check=True)
    assert check.rc == 0 and check.result["changed_ids"] == [ids[n] for n in ("alice", "bob", "carol", "dave")], check.output
    let_through(emulator, USERS_BULK, 2, "PATCH")
    emulator.inject(USERS_BULK, "status", method="PATCH", status=400, detail="Injected refusal")
    run = run_module(users_task(items, batch_size=1, purge_organizations=True))
    assert run.rc != 0
    assert sent(emulator, WITH_STATUS) == [("PATCH", USERS_BULK, 200)] * 2 + [("PATCH", USERS_BULK, 400)]
    patched = [e["body"] for e in emulator.log() if e["method"] == "PATCH"]
    assert [[item["id"] for item in body] for body in patched] == [[ids["alice"]], [ids["bob"]], [ids["carol"]]]
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 3 of 10 failed: PATCH %s" % USERS_BULK), msg
    assert result["changed"] is True  # alice's and bob's bodies were accepted
    assert_partition(result, [], [ids["carol"]], [ids["dave"], ids["alice"], ids["bob"]])
    assert counted(msg, "Already accepted") == 0, msg
    assert counted(msg, "Not applied") == 1 and ids["carol"] in section(msg, "Not applied"), msg
    unsent = section(msg, "Not sent")
    assert counted(msg, "Not sent") == 3, msg
    assert all(ids[name] in unsent for name in ("alice", "bob", "dave")), msg
    assert_each_named_once(msg, ids.values())
    # alice's and bob's bodies were applied, their memberships not sent: the message says so of them, not of dave.
    for name in ("alice", "bob"):
        assert re.search(r"%s \([^)]*partly applied" % ids[name], unsent), (name, msg)
    assert not re.search(r"%s \([^)]*partly applied" % ids["dave"], unsent), msg
    emulator.wait_tasks()
    now = users_by_name(emulator)
    assert [now[n]["lastName"] for n in ("alice", "bob", "carol", "dave")] == ["R3", "R3", users["carol"]["lastName"],
                                                                               users["dave"]["lastName"]]
    emulator.clear_log()
    again = run_module(users_task(items, batch_size=1, purge_organizations=True))
    assert again.rc == 0 and again.result["changed"] is True, again.output
    emulator.clear_log()
    assert run_module(users_task(items, batch_size=1, purge_organizations=True)).result["changed"] is False
    assert sent(emulator, WITH_STATUS) == []


def test_ten_updates_in_batches_of_one_where_request_3_fails_split_not_applied_from_not_sent(emulator, run_module):
    users = sorted(emulator.state()["users"], key=lambda u: u["username"])
    extra = [{"username": "extra-%d" % i, "email": "extra-%d@example.com" % i, "password": "Extra-Pass-%d" % i}
             for i in range(2)]
    created = run_module(users_task(extra))
    assert created.rc == 0, created.output
    users = sorted(emulator.state()["users"], key=lambda u: u["username"])
    assert len(users) == 10
    uid = [u["id"] for u in users]
    items = [{"id": u["id"], "lastName": "Ten-%d" % i} for i, u in enumerate(users)]
    emulator.clear_log()
    let_through(emulator, USERS_BULK, 2, "PATCH")
    emulator.inject(USERS_BULK, "status", method="PATCH", status=400, detail="Injected refusal")
    run = run_module(users_task(items, batch_size=1))
    assert run.rc != 0
    assert sent(emulator, WITH_STATUS) == [("PATCH", USERS_BULK, 200)] * 2 + [("PATCH", USERS_BULK, 400)]
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 3 of 10 failed: PATCH %s" % USERS_BULK), msg
    assert_partition(result, uid[:2], uid[2:3], uid[3:])
    assert "Already accepted: 2 users in requests 1-2 (tasks %s): %s, %s." % (", ".join(result["tasks"]), uid[0], uid[1]) in msg
    assert "Not applied: 1 user (%s)." % uid[2] in msg, msg
    assert "Not sent: 7 users (%s)." % ", ".join(uid[3:]) in msg, msg
    assert_each_named_once(msg, uid)
    assert result["changed"] is True


# -- a created user, then a later request fails --------------------------------------------------------

def test_a_created_user_is_named_by_its_id_when_a_later_request_fails(emulator, run_module):
    alice = users_by_name(emulator)["alice"]
    items = [new_user("fresh-hire"), {"username": "alice", "lastName": "Later"}]
    emulator.inject(USERS_BULK, "status", method="PATCH", status=400, detail="Injected refusal")
    run = run_module(users_task(items))
    assert run.rc != 0
    assert sent(emulator, WITH_STATUS) == [("POST", USERS_PATH, 201), ("PATCH", USERS_BULK, 400)]
    new_id = users_by_name(emulator)["fresh-hire"]["id"]
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 2 of 2 failed: PATCH %s" % USERS_BULK), msg
    assert "Already accepted: 1 user in request 1: %s (new, username fresh-hire)." % new_id in msg, msg
    assert "Not applied: 1 user (%s)." % alice["id"] in msg, msg
    assert "new fresh-hire" not in msg, msg
    assert_partition(result, [new_id], [alice["id"]], [])
    assert result["created"] == ["fresh-hire"] and result["changed"] is True


def test_a_create_that_may_have_been_applied_is_failed_and_the_rest_not_sent(emulator, run_module):
    alice = users_by_name(emulator)["alice"]
    items = [new_user("first-hire"), new_user("second-hire"), {"username": "alice", "lastName": "Never"}]
    let_through(emulator, USERS_PATH, 1, "POST")
    emulator.inject(USERS_PATH, "drop", method="POST")  # the server reads it and answers nothing
    run = run_module(users_task(items, retries=0))
    assert run.rc != 0
    assert sent(emulator, WITH_STATUS) == [("POST", USERS_PATH, 201), ("POST", USERS_PATH, None)]
    first_id = users_by_name(emulator)["first-hire"]["id"]
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Request 2 of 3 failed: POST %s" % USERS_PATH), msg
    assert "Already accepted: 1 user in request 1: %s (new, username first-hire)." % first_id in msg, msg
    assert "may have been applied" in section(msg, "may have been applied") and "new second-hire" in msg, msg
    assert "Not sent: 1 user (%s)." % alice["id"] in msg, msg
    assert "Not applied" not in msg, msg  # a request that may have been applied is never called not applied
    assert_partition(result, [first_id], ["new second-hire"], [alice["id"]])
    assert result["created"] == ["first-hire"] and result["changed"] is True


# -- organizations: a bulk create accepted, then the update fails ----------------------------------------

def test_organizations_created_by_an_accepted_bulk_create_are_in_accepted_ids(emulator, run_module):
    orgs = {o["label"]: o for o in emulator.state()["organizations"]}
    items = [{"label": "plant-east"}, {"label": "org1", "description": "Refused"}] + [
        {"label": label} for label in ("org2", "acme-plant", "north_site")]  # prune deletes legacy-site
    emulator.inject(ORGS_PATH + "_/bulk/update/", "status", method="POST", status=400, detail="Injected refusal")
    run = run_module(orgs_task(items, prune=True))
    assert run.rc != 0
    assert sent(emulator, WITH_STATUS) == [("POST", ORGS_PATH + "_/bulk/create/", 200), ("POST", ORGS_PATH + "_/bulk/update/", 400)]
    result = run.result
    msg = result["msg"]
    assert msg.startswith("Bulk request 2 of 3 failed: POST %s_/bulk/update/" % ORGS_PATH), msg
    assert "Already accepted: 1 organization in request 1 (task %s): new plant-east." % result["tasks"][0] in msg, msg
    assert "Not applied: 1 organization (%s)." % orgs["org1"]["id"] in msg, msg
    assert "Not sent: 1 organization (%s)." % orgs["legacy-site"]["id"] in msg, msg
    # The bulk create answers with a task, not ids: the new organization is named by its label.
    assert_partition(result, ["new plant-east"], [orgs["org1"]["id"]], [orgs["legacy-site"]["id"]])
    assert result["created"] == ["plant-east"] and result["changed"] is True
