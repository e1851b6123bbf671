# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nothing lost (issue 11, data safety): the bulk modules run in-process against the emulator.

Lost updates under the asynchronous apply, references checked the same way in check mode and in a real run, real
account data (a username with a dot, a label outside the pattern, null fields) and comparison as JSON does it.
What needs ansible-playbook (several plays, registered variables between tasks, the invocation log hook) stays in
tests/integration/test_data_safety.py.

The apply delay is longer than the next task takes to start (in this process: milliseconds), so that code which does
not wait for its own changes loses one, every time.

Written from the issue text and tests/emulator/README.md; every test reads the emulator's request log.
"""

from __future__ import annotations

import pytest

from ubidots_testing import org, orgs_task, sent, user, users_task
from ubidots_emulator import LEGACY_FIXTURE, Emulator

USERS_PATH = "/api/v2.0/users/"
ORGS_UPDATE = "/api/v2.0/organizations/_/bulk/update/"
JOHN_ID = "5e8f1c2d3b4a5968776655a1"
PLANT_NORTH_ID = "5fc8e4b7a1c2d3e4f5a6b7a1"
APPLY_DELAY = 1


def reads(emulator):
    """The paths of every read."""
    return [e["path"] for e in emulator.log() if e["method"] == "GET"]


@pytest.fixture
def legacy():
    """An emulator seeded with real-account data: john.doe and Plant.North."""
    with Emulator(fixture=LEGACY_FIXTURE, idle_timeout=300) as emu:
        yield emu


# -- lost update under asynchronous apply ----------------------------------------------------------

@pytest.mark.waits
def test_two_org_tasks_in_a_row_keep_both_changes(emulator, run_module):
    emulator.configure(apply_delay=APPLY_DELAY)
    run = run_module([orgs_task([{"label": "acme-plant", "name": "ACME Works"}], name="name"),
                      orgs_task([{"label": "acme-plant", "description": "Rebuilt"}], name="description")])
    assert run.rc == 0, run.output
    assert [r["result"]["changed"] for r in run.results] == [True, True]
    emulator.wait_tasks()
    now = org(emulator, "acme-plant")
    assert (now["name"], now["description"]) == ("ACME Works", "Rebuilt")


@pytest.mark.waits
def test_two_user_tasks_in_a_row_keep_both_changes(emulator, run_module):
    emulator.configure(apply_delay=APPLY_DELAY)
    first = user(emulator, "alice")
    run = run_module([users_task([{"username": "alice", "firstName": "Interim", "lastName": "Kept"}], name="one"),
                      users_task([{"username": "alice", "firstName": first["firstName"]}], name="two")])
    assert run.rc == 0, run.output
    assert [r["result"]["changed"] for r in run.results] == [True, True]
    emulator.wait_tasks()
    now = user(emulator, "alice")
    assert (now["firstName"], now["lastName"]) == (first["firstName"], "Kept")


# -- check mode that disagrees with the real run ---------------------------------------------------

UNKNOWN_REFERENCES = [
    ("users", {"defaultRole": "edtor"}, "edtor", "/roles/"),
    ("users", {"defaultOrganization": "no-such-org"}, "no-such-org", None),
    ("users", {"defaultDashboard": "no-such-dashboard"}, "no-such-dashboard", "/dashboards/"),
    ("organizations", {"app": "no-such-app"}, "no-such-app", "/apps/"),
]


@pytest.mark.parametrize("kind, change, value, listing", UNKNOWN_REFERENCES, ids=[v for _k, _c, v, _l in UNKNOWN_REFERENCES])
def test_unknown_reference_fails_before_any_write_in_check_mode_and_real_run(emulator, run_module, kind, change, value,
                                                                             listing):
    if kind == "users":
        items = [{"username": "alice", "lastName": "One"}, {"username": "bob", "lastName": "Two"},
                 dict({"username": "carol"}, **change)]
        book = users_task(items, batch_size=1)
        name = "users[2] (username carol)"
    else:
        items = [{"label": "org1", "description": "One"}, {"label": "org2", "description": "Two"},
                 dict({"label": "acme-plant"}, **change)]
        book = orgs_task(items, batch_size=1)
        name = "organizations[2] (label acme-plant)"
    before = emulator.state()
    for check in (True, False):
        emulator.clear_log()
        run = run_module(book, check=check)
        assert run.rc != 0, (check, run.output)
        msg = run.result["msg"]
        assert name in msg and value in msg, (check, msg)
        assert sent(emulator) == [], check
        assert emulator.state() == before
        if listing:
            assert sum(path.rstrip("/").endswith(listing.rstrip("/")) for path in reads(emulator)) == 1, reads(emulator)


def test_unknown_reference_of_a_new_user_fails_in_check_mode(emulator, run_module):
    item = {"username": "new-one", "email": "new@example.com", "password": "New-One-Pass-1", "defaultRole": "edtor"}
    run = run_module(users_task([item]), check=True)
    assert run.rc != 0
    assert "edtor" in run.result["msg"] and "new-one" in run.result["msg"]
    assert sent(emulator) == []


def test_reference_lists_are_read_only_when_referenced(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "lastName": "Plain"}]))
    assert run.rc == 0, run.output
    assert not [path for path in reads(emulator) if any(k in path for k in ("/roles", "/dashboards", "/apps"))]


# -- the read side round-trips on a real account ----------------------------------------------------

def test_identity_with_a_dot_finds_the_user_and_only_the_change_is_sent(legacy, run_module):
    run = run_module(users_task([{"username": "john.doe", "lastName": "Doe-Smith", "email": "", "firstName": None}]),
                     url=legacy.url, token=legacy.token)
    assert run.rc == 0, run.output
    assert sent(legacy) == [("PATCH", USERS_PATH + "_/bulk/update/", [{"id": JOHN_ID, "lastName": "Doe-Smith"}])]
    assert user(legacy, "john.doe")["lastName"] == "Doe-Smith"


def test_a_new_invalid_value_is_still_refused(legacy, run_module):
    run = run_module(users_task([{"id": JOHN_ID, "username": "john.smith"}]), url=legacy.url, token=legacy.token)
    assert run.rc != 0
    assert "username" in run.result["msg"]
    assert sent(legacy) == []


def test_label_outside_the_pattern_finds_the_organization_and_keeps_its_null_description(legacy, run_module):
    run = run_module(orgs_task([{"label": "Plant.North", "name": "Plant North Renamed"}]),
                     url=legacy.url, token=legacy.token)
    assert run.rc == 0, run.output
    writes = sent(legacy)
    assert [(m, path) for m, path, _b in writes] == [("POST", ORGS_UPDATE)]
    body = writes[0][2][0]
    assert body["id"] == PLANT_NORTH_ID and body["name"] == "Plant North Renamed"
    assert body.get("label", "Plant.North") == "Plant.North"
    assert body.get("description") is None
    now = org(legacy, "Plant.North")
    assert now["name"] == "Plant North Renamed" and now["description"] is None


# -- comparison as JSON does it ---------------------------------------------------------------------

def test_true_is_not_one_in_properties(emulator, run_module):
    emulator.update_object("organizations", "~org1", {"properties": {"flag": 1}})
    run = run_module(orgs_task([{"label": "org1", "properties": {"flag": True}}]))
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    writes = sent(emulator)
    assert len(writes) == 1 and writes[0][2][0]["properties"]["flag"] is True
    assert org(emulator, "org1")["properties"]["flag"] is True


def test_one_point_zero_is_one_in_properties(emulator, run_module):
    emulator.update_object("organizations", "~org1", {"properties": {"flag": 1}})
    run = run_module(orgs_task([{"label": "org1", "properties": {"flag": 1.0}}]))
    assert run.rc == 0, run.output
    assert run.result["changed"] is False
    assert sent(emulator) == []
