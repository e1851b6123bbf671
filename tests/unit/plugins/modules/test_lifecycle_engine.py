# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lifecycle (issue 13): create, delete and prune users and organizations, the bulk modules run in-process.

The requests each lifecycle task sends (creates, updates and deletes in that order, their bodies and headers), the
deletion guards (max_deletions, allow_empty_prune), failures in the middle of creates and the re-runs that converge.
Check mode against the real run (the core smoke set) and the -vvv secrets sweep stay in tests/integration/test_lifecycle.py.

Written from the issue text and tests/emulator/README.md; every test reads the emulator's request log.
"""

from __future__ import annotations

import pytest

from ubidots_testing import header, mixed_orgs, mixed_users, orgs_by_label, orgs_task, sent, users_by_name, users_task, write_entries
from ubidots_emulator import generate, password_digest

USERS_PATH = "/api/v2.0/users/"
USERS_BULK = USERS_PATH + "_/bulk/update/"
ORGS_PATH = "/api/v2.0/organizations/"
ORGS_CREATE = ORGS_PATH + "_/bulk/create/"
ORGS_UPDATE = ORGS_PATH + "_/bulk/update/"
ORGS_DELETE = ORGS_PATH + "_/bulk/delete/"


# -- helpers ---------------------------------------------------------------------------------------

def p(path):
    """A path as `sent(emulator, strip_slash=True)` shows it."""
    return path.rstrip("/")


def assert_bulk_headers(entry):
    """The headers every bulk request carries."""
    assert header(entry, "X-Bulk-Operation").lower() == "true"
    assert header(entry, "Content-Type").startswith("application/json")
    assert header(entry, "X-Auth-Token") == "***"


# -- organizations ---------------------------------------------------------------------------------

def test_orgs_create_sends_one_bulk_create_with_what_was_given(emulator, run_module):
    items = [{"label": "plant-east", "name": "Plant East", "description": "Opened 2026"}, {"label": "plant-west"}]
    run = run_module(orgs_task(items))
    assert run.rc == 0, run.output
    entries = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in entries] == [("POST", ORGS_CREATE)]
    assert_bulk_headers(entries[0])
    assert entries[0]["body"] == items
    result = run.result
    assert result["changed"] is True
    assert result["created"] == ["plant-east", "plant-west"]
    assert result["changed_ids"] == [] and result["deleted_ids"] == []
    assert [(c["action"], c["id"], c["label"]) for c in result["changes"]] == [
        ("create", None, "plant-east"), ("create", None, "plant-west")]
    assert result["api_calls"]["writes"] == 1
    now = orgs_by_label(emulator)  # wait is the default: the objects exist when the task ends
    assert now["plant-east"]["name"] == "Plant East" and now["plant-east"]["description"] == "Opened 2026"
    assert now["plant-west"]["name"] == "plant-west"


@pytest.mark.waits
def test_orgs_create_waits_for_the_asynchronous_apply(emulator, run_module):
    emulator.configure(apply_delay=1.5)
    run = run_module(orgs_task([{"label": "plant-late"}]))
    assert run.rc == 0, run.output
    assert "plant-late" in orgs_by_label(emulator)
    assert run.result["api_calls"]["reads"] >= 2


def test_orgs_absent_deletes_listed_ones_and_ignores_missing_ones(emulator, run_module):
    legacy = orgs_by_label(emulator)["legacy-site"]
    items = [{"label": "legacy-site"}, {"label": "never-existed"}]
    run = run_module(orgs_task(items, state="absent"))
    assert run.rc == 0, run.output
    entries = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in entries] == [("POST", ORGS_DELETE)]
    assert_bulk_headers(entries[0])
    assert entries[0]["body"] == [legacy["id"]]
    assert run.result["changed"] is True
    assert run.result["deleted_ids"] == [legacy["id"]]
    assert run.result["created"] == [] and run.result["changed_ids"] == []
    assert "legacy-site" not in orgs_by_label(emulator)
    emulator.clear_log()
    again = run_module(orgs_task(items, state="absent"))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False and again.result["deleted_ids"] == []
    assert sent(emulator) == []


def test_orgs_prune_deletes_every_unlisted_organization(emulator, run_module):
    orgs = orgs_by_label(emulator)
    keep = [{"label": label} for label in ("org1", "org2", "acme-plant", "north_site")]
    run = run_module(orgs_task(keep, prune=True))
    assert run.rc == 0, run.output
    assert sent(emulator, strip_slash=True) == [("POST", p(ORGS_DELETE), [orgs["legacy-site"]["id"]])]
    assert run.result["deleted_ids"] == [orgs["legacy-site"]["id"]]
    assert sorted(orgs_by_label(emulator)) == ["acme-plant", "north_site", "org1", "org2"]


def test_orgs_max_deletions_guard_fails_before_any_write(emulator, run_module):
    orgs = orgs_by_label(emulator)
    run = run_module(orgs_task([{"label": "org1"}], prune=True, max_deletions=3))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "4" in msg and "max_deletions" in msg, msg
    doomed = [o for label, o in orgs.items() if label != "org1"]
    assert any(o["label"] in msg or o["id"] in msg for o in doomed), msg
    assert sent(emulator) == []
    assert orgs_by_label(emulator).keys() == orgs.keys()


def test_orgs_default_max_deletions_is_ten(emulator, run_module):
    extra = generate(0, 11)["organizations"]
    state = emulator.state()
    emulator.set_state(organizations=state["organizations"] + [o for o in extra if o["label"].startswith("org-")])
    assert len(emulator.state()["organizations"]) == 16
    keep = [{"label": o["label"]} for o in state["organizations"]]
    run = run_module(orgs_task(keep, prune=True))
    assert run.rc != 0
    assert "11" in run.result["msg"], run.result["msg"]
    assert sent(emulator) == []
    allowed = run_module(orgs_task(keep, prune=True, max_deletions=11))
    assert allowed.rc == 0, allowed.output
    assert len(allowed.result["deleted_ids"]) == 11


def test_orgs_empty_list_with_prune_needs_allow_empty_prune_and_max_deletions_for_everything(emulator, run_module):
    every_id = sorted(o["id"] for o in emulator.state()["organizations"])
    refused = run_module(orgs_task([], prune=True, max_deletions=len(every_id)))
    assert refused.rc != 0
    assert "allow_empty_prune" in refused.result["msg"]
    refused = run_module(orgs_task([], prune=True, allow_empty_prune=True, max_deletions=len(every_id) - 1))
    assert refused.rc != 0
    assert str(len(every_id)) in refused.result["msg"]
    assert sent(emulator) == []
    allowed = run_module(orgs_task([], prune=True, allow_empty_prune=True, max_deletions=len(every_id)))
    assert allowed.rc == 0, allowed.output
    assert sorted(allowed.result["deleted_ids"]) == every_id
    assert emulator.state()["organizations"] == []


def test_orgs_mixed_create_update_delete_in_one_task_in_that_order(emulator, run_module):
    orgs = orgs_by_label(emulator)
    run = run_module(orgs_task(mixed_orgs(), prune=True))
    assert run.rc == 0, run.output
    entries = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in entries] == [
        ("POST", ORGS_CREATE), ("POST", ORGS_UPDATE), ("POST", ORGS_DELETE)]
    for entry in entries:
        assert_bulk_headers(entry)
    assert entries[0]["body"] == [{"label": "plant-east", "name": "Plant East"}]
    assert [item["id"] for item in entries[1]["body"]] == [orgs["org1"]["id"]]
    assert entries[1]["body"][0]["description"] == "Mixed run"
    assert entries[1]["body"][0]["name"] == orgs["org1"]["name"]
    assert entries[2]["body"] == [orgs["legacy-site"]["id"]]
    result = run.result
    assert result["created"] == ["plant-east"]
    assert result["changed_ids"] == [orgs["org1"]["id"]]
    assert result["deleted_ids"] == [orgs["legacy-site"]["id"]]
    assert sorted(result["unchanged_ids"]) == sorted(orgs[label]["id"] for label in ("org2", "acme-plant", "north_site"))
    assert [c["action"] for c in result["changes"]] == ["create", "update", "delete"]
    assert result["api_calls"]["writes"] == 3
    now = orgs_by_label(emulator)
    assert sorted(now) == ["acme-plant", "north_site", "org1", "org2", "plant-east"]
    assert now["org1"]["description"] == "Mixed run"


def test_orgs_failure_in_the_middle_of_creates_names_what_was_created_and_a_rerun_converges(emulator, run_module):
    items = [{"label": "site-%d" % i} for i in range(5)]
    emulator.inject(ORGS_CREATE, "delay", method="POST", delay=0.01)
    emulator.inject(ORGS_CREATE, "status", method="POST", status=400, detail="Injected refusal")
    run = run_module(orgs_task(items, batch_size=2))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "Already accepted: 2 organizations in request 1 (task " in msg, msg
    assert "site-0" in msg and "site-1" in msg, msg
    assert "sends only what is still different" in msg, msg
    assert [(m, path) for m, path, _body in sent(emulator, strip_slash=True)] == [("POST", p(ORGS_CREATE))] * 2
    emulator.wait_tasks()
    assert {"site-0", "site-1"} <= set(orgs_by_label(emulator))
    emulator.clear_log()
    again = run_module(orgs_task(items, batch_size=2))
    assert again.rc == 0, again.output
    bodies = [body for _m, _path, body in sent(emulator, strip_slash=True)]
    assert [item["label"] for body in bodies for item in body] == ["site-2", "site-3", "site-4"]
    assert again.result["created"] == ["site-2", "site-3", "site-4"]
    emulator.clear_log()
    assert run_module(orgs_task(items, batch_size=2)).result["changed"] is False
    assert sent(emulator) == []


def test_orgs_item_with_unknown_id_stays_an_error(emulator, run_module):
    run = run_module(orgs_task([{"id": "ffffffffffffffffffffffff", "label": "ghost", "name": "Ghost"}]))
    assert run.rc != 0
    assert "ffffffffffffffffffffffff" in run.result["msg"]
    assert sent(emulator) == []


# -- users -----------------------------------------------------------------------------------------

def test_users_create_sends_one_post_per_user(emulator, run_module):
    items = [{"username": "new-hire", "email": "new.hire@example.com", "password": "New-Hire-Pass-1", "firstName": "New"},
             {"username": "second-hire", "email": "second@example.com", "password": "Second-Pass-2"}]
    run = run_module(users_task(items))
    assert run.rc == 0, run.output
    entries = write_entries(emulator)
    assert [(e["method"], e["path"].rstrip("/")) for e in entries] == [("POST", p(USERS_PATH))] * 2
    for entry in entries:
        assert header(entry, "X-Auth-Token") == "***"
        assert header(entry, "Content-Type").startswith("application/json")
    assert entries[0]["body"] == {"username": "new-hire", "email": "new.hire@example.com",
                                  "password": password_digest("New-Hire-Pass-1"), "firstName": "New"}
    assert entries[1]["body"] == {"username": "second-hire", "email": "second@example.com",
                                  "password": password_digest("Second-Pass-2")}
    result = run.result
    assert result["changed"] is True
    assert result["created"] == ["new-hire", "second-hire"]
    assert result["changed_ids"] == [] and result["deleted_ids"] == []
    assert result["api_calls"]["writes"] == 2
    assert emulator.check_password("~new-hire", "New-Hire-Pass-1")
    assert users_by_name(emulator)["new-hire"]["firstName"] == "New"
    assert [(c["action"], c["id"], c["username"]) for c in result["changes"]] == [
        ("create", None, "new-hire"), ("create", None, "second-hire")]


def test_users_create_with_references_makes_a_member(emulator, run_module):
    item = {"username": "plant-op", "email": "op@example.com", "password": "Op-Pass-123",
            "defaultRole": "viewer", "defaultOrganization": "acme-plant"}
    run = run_module(users_task([item]))
    assert run.rc == 0, run.output
    assert [(m, path) for m, path, _b in sent(emulator, strip_slash=True)] == [("POST", p(USERS_PATH))]
    user = users_by_name(emulator)["plant-op"]
    assert user["defaultRole"]["label"] == "viewer"
    assert user["defaultOrganization"]["label"] == "acme-plant"
    emulator.clear_log()
    assert run_module(users_task([item])).result["changed"] is False
    assert sent(emulator) == []


def test_users_create_needs_username_email_and_password_and_names_every_gap(emulator, run_module):
    items = [{"username": "no-email-no-pw", "firstName": "A"},
             {"username": "no-pw", "email": "no-pw@example.com"},
             {"username": "complete", "email": "complete@example.com", "password": "Complete-1"}]
    run = run_module(users_task(items))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "users[0]" in msg and "users[1]" in msg and "users[2]" not in msg, msg
    first = next(e for e in run.result["errors"] if "users[0]" in e)
    second = next(e for e in run.result["errors"] if "users[1]" in e)
    lacks_first, lacks_second = first.rsplit("missing", 1)[-1], second.rsplit("missing", 1)[-1]
    assert "email" in lacks_first and "password" in lacks_first, first
    assert "password" in lacks_second and "email" not in lacks_second, second
    assert sent(emulator) == []


def test_users_absent_deletes_listed_ones_and_ignores_missing_ones(emulator, run_module):
    dave = users_by_name(emulator)["dave"]
    items = [{"username": "dave"}, {"username": "never-was"}]
    run = run_module(users_task(items, state="absent"))
    assert run.rc == 0, run.output
    entries = write_entries(emulator)
    assert [(e["method"], e["path"].rstrip("/")) for e in entries] == [("DELETE", USERS_PATH + dave["id"])]
    assert header(entries[0], "X-Auth-Token") == "***"
    assert run.result["changed"] is True and run.result["deleted_ids"] == [dave["id"]]
    assert "dave" not in users_by_name(emulator)
    emulator.clear_log()
    again = run_module(users_task(items, state="absent"))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False and again.result["deleted_ids"] == []
    assert sent(emulator) == []


def test_users_prune_deletes_every_unlisted_user(emulator, run_module):
    users = users_by_name(emulator)
    keep = [{"username": name} for name in users if name not in ("frank_ops", "grace-h")]
    run = run_module(users_task(keep, prune=True))
    assert run.rc == 0, run.output
    assert sorted(sent(emulator, strip_slash=True)) == sorted(
        [("DELETE", USERS_PATH + users[name]["id"], None) for name in ("frank_ops", "grace-h")])
    assert sorted(run.result["deleted_ids"]) == sorted(users[name]["id"] for name in ("frank_ops", "grace-h"))
    assert sorted(users_by_name(emulator)) == sorted(item["username"] for item in keep)


def test_users_max_deletions_guard_fails_before_any_write(emulator, run_module):
    users = users_by_name(emulator)
    items = [{"username": name} for name in ("bob", "carol", "dave")]
    run = run_module(users_task(items, state="absent", max_deletions=2))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "3" in msg and "max_deletions" in msg, msg
    assert "bob" in msg or users["bob"]["id"] in msg, msg
    assert sent(emulator) == []
    assert users_by_name(emulator).keys() == users.keys()


def test_users_empty_list_with_prune_needs_allow_empty_prune_and_max_deletions_for_everything(emulator, run_module):
    count = len(emulator.state()["users"])
    refused = run_module(users_task([], prune=True, allow_empty_prune=True, max_deletions=count - 1))
    assert refused.rc != 0
    assert str(count) in refused.result["msg"]
    assert sent(emulator) == []


def test_users_mixed_create_update_delete_in_one_task_in_that_order(emulator, run_module):
    users = users_by_name(emulator)
    run = run_module(users_task(mixed_users(emulator), prune=True))
    assert run.rc == 0, run.output
    assert sent(emulator, strip_slash=True) == [
        ("POST", p(USERS_PATH), {"username": "newbie", "email": "newbie@example.com",
                                 "password": password_digest("Newbie-Pass-1")}),
        ("PATCH", p(USERS_BULK), [{"id": users["alice"]["id"], "lastName": "Mixed"}]),
        ("DELETE", USERS_PATH + users["grace-h"]["id"], None),
    ]
    bulk = [e for e in write_entries(emulator) if e["method"] == "PATCH"][0]
    assert_bulk_headers(bulk)
    result = run.result
    assert result["created"] == ["newbie"]
    assert result["changed_ids"] == [users["alice"]["id"]]
    assert result["deleted_ids"] == [users["grace-h"]["id"]]
    assert [c["action"] for c in result["changes"]] == ["create", "update", "delete"]
    assert result["api_calls"]["writes"] == 3
    now = users_by_name(emulator)
    assert "newbie" in now and "grace-h" not in now and now["alice"]["lastName"] == "Mixed"


def test_users_failure_in_the_middle_of_creates_names_what_was_created_and_a_rerun_converges(emulator, run_module):
    items = [{"username": "hire-%d" % i, "email": "hire-%d@example.com" % i, "password": "Hire-Pass-%d" % i}
             for i in range(4)]
    emulator.inject(USERS_PATH, "delay", count=2, method="POST", delay=0.01)
    emulator.inject(USERS_PATH, "status", method="POST", status=400, detail="Injected refusal")
    run = run_module(users_task(items))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "Already accepted: 2 users in requests 1-2" in msg, msg
    assert "hire-3" in msg, msg  # not applied
    assert "sends only what is still different" in msg, msg
    assert [(m, path) for m, path, _b in sent(emulator, strip_slash=True)] == [("POST", p(USERS_PATH))] * 3
    assert {"hire-0", "hire-1"} <= set(users_by_name(emulator)) and "hire-2" not in users_by_name(emulator)
    # The result names what was created: by username, and by the ids the API gave them.
    assert run.result["created"] == ["hire-0", "hire-1"]
    assert run.result["accepted_ids"] == [users_by_name(emulator)["hire-%d" % i]["id"] for i in (0, 1)]
    emulator.clear_log()
    again = run_module(users_task(items))
    assert again.rc == 0, again.output
    assert [body["username"] for _m, _path, body in sent(emulator, strip_slash=True)] == ["hire-2", "hire-3"]
    assert again.result["created"] == ["hire-2", "hire-3"]
    emulator.clear_log()
    assert run_module(users_task(items)).result["changed"] is False
    assert sent(emulator) == []
    accepted = msg.split("Already accepted", 1)[1].split("Not applied", 1)[0]
    assert "hire-0" in accepted and "hire-1" in accepted, msg  # the created users by the name the user gave


def test_update_password_on_create_is_the_default_and_makes_a_play_with_passwords_idempotent(emulator, run_module):
    items = [{"username": "keeper", "email": "keeper@example.com", "password": "Keeper-Pass-1"},
             {"username": "alice", "password": "Alice-New-Pass-9", "firstName": "Alice"}]
    first = run_module(users_task(items))
    assert first.rc == 0, first.output
    assert [(m, path) for m, path, _b in sent(emulator, strip_slash=True)] == [("POST", p(USERS_PATH))]
    assert first.result["created"] == ["keeper"] and first.result["changed_ids"] == []
    assert emulator.check_password("~keeper", "Keeper-Pass-1")
    assert emulator.check_password("~alice", "Alice-Pass-1")
    emulator.clear_log()
    again = run_module(users_task(items))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    assert sent(emulator) == []
    items[0]["password"] = "Keeper-Changed-2"  # the repository changes it: on_create still sends nothing
    assert run_module(users_task(items)).result["changed"] is False
    assert sent(emulator) == []
    assert emulator.check_password("~keeper", "Keeper-Pass-1")
