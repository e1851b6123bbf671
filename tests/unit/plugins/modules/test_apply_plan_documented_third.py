# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""More documented promises of planning, applying and the requirements check, run in-process against the emulator.

Issue 28: mutation testing showed these untested by any fast test: the jsonschema requirement (the connection doc
fragment: "requirements: jsonschema >= 4.0"), the max_deletions guard's whole message (docs/gitops.md, section 2:
"fails, naming how many and the first of them ... and says how to proceed"), the words of an unknown reference, an
organization membership given by id and label, which object the wait reads back (docs/how-it-works.md, 6.), and the
requests of the organizations' bulk create and delete (docs/how-it-works.md, 5.). Each test asserts what a user
sees: the requests, the message, `changed` and the result keys.
"""

from __future__ import annotations

import importlib.util

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils import _apply
from ubidots_emulator import Emulator, generate
from ubidots_testing import Clock, orgs_task, reads_after_the_writes, sent, users_task

USERS_PATH = "/api/v2.0/users/"
ORGS_PATH = "/api/v2.0/organizations/"
ALICE, BOB = "409dba9c67d3bb19f554", "445da83878abc3c75756"
CAROL = "5e8f1c2d3b4a596877665504"
ORG1, ORG2 = "6027087b65a24d1987654321", "6027087b65a24d19acbd0987"
ACME, NORTH = "5fc8e4b7a1c2d3e4f5a6b701", "5fc8e4b7a1c2d3e4f5a6b702"
AGAIN = " Running the task again sends only what is still different."
NEVER = 3600  # an apply delay no test outlives: the accepted bulk requests do not show by themselves


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The fake clock of every wait in this file."""
    fake = Clock(limit=20)
    monkeypatch.setattr(_apply, "time", fake)
    return fake


# -- the requirement: jsonschema >= 4.0 (plugins/doc_fragments/connection.py, requirements) -------------------------
# The module checks it before any request, from the installed package's metadata, without importing it.

def _installed_jsonschema(monkeypatch, tmp_path, version):
    """Package metadata saying jsonschema `version` is installed, found before the real one."""
    info = tmp_path / ("jsonschema-%s.dist-info" % version)
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jsonschema\nVersion: %s\n" % version)
    monkeypatch.syspath_prepend(str(tmp_path))


def test_a_host_without_jsonschema_fails_naming_the_missing_library(emulator, run_module, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "jsonschema" else real(name, *args))
    run = run_module(users_task([{"id": ALICE, "lastName": "L"}]))
    assert run.rc != 0
    assert "Failed to import the required Python library (jsonschema)" in run.result["msg"], run.output
    assert emulator.log() == []


def test_jsonschema_3_fails_before_any_request_naming_the_version_found(emulator, run_module, monkeypatch, tmp_path):
    _installed_jsonschema(monkeypatch, tmp_path, "3.2.0")
    run = run_module(users_task([{"id": ALICE, "lastName": "L"}]))
    assert run.rc != 0
    assert run.result["msg"] == (
        "jsonschema 3.2.0 is installed, and the modules need jsonschema 4.0 or later (its Draft 2020-12 validator): "
        "pip install 'jsonschema>=4.0' on the host that runs the module."), run.output
    assert emulator.log() == []


def test_jsonschema_4_0_0_is_enough(emulator, run_module, monkeypatch, tmp_path):
    _installed_jsonschema(monkeypatch, tmp_path, "4.0.0")
    run = run_module(users_task([{"id": ALICE, "lastName": "Four"}]))
    assert run.rc == 0, run.output
    assert run.result["changed"] is True


# -- max_deletions (docs/gitops.md, 2.: "a run that would delete more objects fails, naming how many and the first of
# them"; each guard "fails before any write ... and says how to proceed") ----------------------------------------------

def test_the_max_deletions_message_names_the_first_ten_and_says_how_to_proceed(run_module):
    with Emulator(fixture=generate(12, 0)) as emu:
        ids = {u["username"]: u["id"] for u in emu.state()["users"]}
        names = ["user-%05d" % i for i in range(1, 13)]
        run = run_module(users_task([{"username": n} for n in names], state="absent", max_deletions=10),
                         url=emu.url, token=emu.token)
        assert run.rc != 0
        assert [e for e in emu.log() if e["method"] != "GET"] == []
    listed = ", ".join("%s (%s)" % (ids[n], n) for n in names[:10])
    assert run.result["msg"] == (
        "This run would delete 12 users, more than max_deletions (10): %s and 2 more. Nothing was written. "
        "Check the list (an empty or truncated list with prune deletes everything not listed), or raise "
        "max_deletions to at least 12." % listed), run.result["msg"]
    assert run.result["would_delete"] == 12


# -- references (docs/how-it-works.md, comparison rules: "defaultOrganization / defaultDashboard by id or label;
# defaultRole by label") --------------------------------------------------------------------------------------------

def test_an_unknown_default_organization_is_named_as_no_organization_with_that_id_or_label(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "defaultOrganization": "nowhere"}]))
    assert run.rc != 0
    assert run.result["msg"] == ("users[0] (id %s): defaultOrganization: no organization with id or label nowhere. "
                                 "Nothing was written." % ALICE), run.result["msg"]
    assert sent(emulator) == []


def test_a_membership_given_by_the_id_and_the_label_of_the_same_organization_is_assigned(emulator, run_module):
    # An entry may name its organization by id, by label, or by both when they agree (the refusal says "give the id
    # or the label" only when they name two organizations).
    item = {"id": ALICE, "organizations": [{"id": ORG2, "label": "org2", "role": "viewer"}]}
    run = run_module(users_task([item]))
    assert run.rc == 0, run.output
    assert sent(emulator, ("method", "path")) == [("POST", USERS_PATH + ALICE + "/_/assign_organizations/")]


def test_an_unknown_organization_id_given_with_a_label_is_an_unknown_reference(emulator, run_module):
    item = {"id": ALICE, "organizations": [{"id": "ffffffffffffffffffffffff", "label": "org2", "role": "viewer"}]}
    run = run_module(users_task([item]))
    assert run.rc != 0
    assert run.result["msg"].startswith("users[0] (id %s): organizations: no organization with id or label "
                                        "ffffffffffffffffffffffff" % ALICE), run.result["msg"]
    assert "name the same organization" not in run.result["msg"] and "labelled" not in run.result["msg"]
    assert sent(emulator) == []


def test_two_unknown_organizations_are_two_unknown_references_not_one_listed_twice(emulator, run_module):
    item = {"id": ALICE, "organizations": [{"label": "nowhere-1", "role": "viewer"},
                                           {"label": "nowhere-2", "role": "viewer"}]}
    run = run_module(users_task([item]))
    assert run.rc != 0
    assert run.result["msg"] == (
        "users[0] (id %s): organizations: no organization with id or label nowhere-1; users[0] (id %s): organizations: "
        "no organization with id or label nowhere-2. Nothing was written." % (ALICE, ALICE)), run.result["msg"]


# -- what the wait reads back (docs/how-it-works.md, 6.: "the module re-reads the last object of each request ...; a
# request whose last objects only set a password is read back by its last object with a readable change") ---------

def test_a_request_whose_last_user_only_sets_a_password_is_read_back_by_the_user_before_it(
        emulator, run_module, clock):
    emulator.configure(apply_delay=NEVER)
    items = [{"id": ALICE, "lastName": "Later"}, {"id": BOB, "password": "Bob-New-Pass-1"}]
    run = run_module(users_task(items, update_password="always", wait_timeout=0))
    assert run.rc != 0
    (reread,) = reads_after_the_writes(emulator)
    assert reread["query"]["id__in"] == [ALICE], reread
    (task,) = run.result["tasks"]
    assert run.result["msg"] == ("1 of 1 user (the last user of each request, 1 request) did not show the desired "
                                 "values within 0 s after task %s: %s (alice)." % (task, ALICE)), run.result["msg"]
    assert run.result["pending_ids"] == [ALICE]


def test_a_user_updated_and_assigned_a_membership_is_read_back_once(emulator, run_module):
    # RV(pending_ids): "the users read back (the last of each request)": the body request and the membership request
    # carry the same user, who is counted once.
    emulator.configure(apply_delay=NEVER)
    item = {"id": ALICE, "lastName": "Later", "organizations": [{"label": "org2", "role": "viewer"}]}
    run = run_module(users_task([item], wait_timeout=0))
    assert run.rc != 0
    assert [m for m, _p in sent(emulator, ("method", "path"))] == ["PATCH", "POST"]
    (task,) = run.result["tasks"]
    assert run.result["msg"] == ("1 of 1 user did not show the desired values within 0 s after task %s: %s (alice)."
                                 % (task, ALICE)), run.result["msg"]


# -- the organizations' bulk endpoints (docs/how-it-works.md, 5. Applying: one bulk request per batch where the API
# has a bulk endpoint) ----------------------------------------------------------------------------------------------

def test_two_organizations_absent_are_deleted_in_one_bulk_request(emulator, run_module):
    run = run_module(orgs_task([{"label": "acme-plant"}, {"label": "north_site"}], state="absent"))
    assert run.rc == 0, run.output
    assert sent(emulator, ("method", "path", "body")) == [("POST", ORGS_PATH + "_/bulk/delete/", [ACME, NORTH])]


def test_a_failed_bulk_create_names_its_post(emulator, run_module):
    emulator.inject(ORGS_PATH + "_/bulk/create/", "status", method="POST", status=500)
    run = run_module(orgs_task([{"label": "plant-x"}], retries=0))
    assert run.rc != 0
    assert run.result["msg"].startswith("Bulk request 1 of 1 failed: POST %s_/bulk/create/: HTTP 500" % ORGS_PATH), \
        run.result["msg"]


def test_a_failed_bulk_delete_names_its_post(emulator, run_module):
    emulator.inject(ORGS_PATH + "_/bulk/delete/", "status", method="POST", status=500)
    run = run_module(orgs_task([{"label": "north_site"}], state="absent", retries=0))
    assert run.rc != 0
    assert run.result["msg"].startswith("Bulk request 1 of 1 failed: POST %s_/bulk/delete/: HTTP 500" % ORGS_PATH), \
        run.result["msg"]


def test_the_wait_counts_each_user_read_back_once(emulator, run_module):
    # RV(pending_ids): "the users read back (the last of each request)". Requests: the bulk update of alice, bob and
    # carol (last: carol), then one assign_organizations per user; carol's comes three requests later.
    emulator.configure(apply_delay=NEVER)
    items = [{"id": key, "lastName": "Later", "organizations": [{"label": "acme-plant", "role": "viewer"}]}
             for key in (ALICE, BOB, CAROL)]
    run = run_module(users_task(items, wait_timeout=0))
    assert run.rc != 0
    assert len(sent(emulator)) == 4
    assert sorted(run.result["pending_ids"]) == sorted([ALICE, BOB, CAROL])
    assert run.result["msg"].startswith("3 of 3 users did not show the desired values"), \
        run.result["msg"]
