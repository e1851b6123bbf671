# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guardrails of the bulk modules (issue 21): what a user did not mean is refused before any write, in-process.

Written from the scenarios of issue 21, each reproduced on the bundled emulator before the fix; every
refusal is checked in check mode too, where it must say the same thing and read the same account.
What goes through the users role stays in tests/integration/test_guardrails.py.
"""

from __future__ import annotations

import pytest

from ubidots_testing import NAME, kind_task, names, sent


def ids(emulator, kind):
    """{username or label: id} of the account."""
    return {o[NAME[kind]]: o["id"] for o in emulator.state()[kind]}


def refused(run):
    """The failure message of a run that must have failed."""
    assert run.rc != 0, run.output
    return run.result["msg"]


# -- 1. an empty desired state never prunes the account -------------------------------------------------

@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
@pytest.mark.parametrize("kind", ["users", "organizations"])
def test_prune_with_an_empty_list_fails_before_any_request_whatever_max_deletions_says(emulator, run_module, kind, check):
    before = names(emulator, kind)
    run = run_module(kind_task(kind, [], prune=True, max_deletions=1000), check=check)
    msg = refused(run)
    assert "%s is empty" % kind in msg and "allow_empty_prune" in msg, msg
    assert "Nothing was written" in msg
    assert emulator.log() == []
    assert names(emulator, kind) == before


def test_allow_empty_prune_is_the_explicit_way_to_empty_an_account_and_still_keeps_the_protected(emulator, run_module):
    run = run_module(kind_task("users", [], prune=True, allow_empty_prune=True, max_deletions=100, protected=["admin"]))
    assert run.rc == 0, run.output
    assert names(emulator, "users") == ["admin"]
    assert [p["username"] for p in run.result["protected"]] == ["admin"]


# -- 4. protected objects ------------------------------------------------------------------------------------

@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_prune_keeps_protected_users_named_by_username_or_id_and_reports_them(emulator, run_module, check):
    known = ids(emulator, "users")
    keep = [{"username": "alice"}, {"username": "carol"}]
    run = run_module(kind_task("users", keep, prune=True, max_deletions=10, protected=["admin", known["bob"]]), check=check)
    assert run.rc == 0, run.output
    result = run.result
    assert sorted(result["deleted_ids"]) == sorted(known[n] for n in ("dave", "erin", "frank_ops", "grace-h"))
    assert sorted((p["id"], p["username"]) for p in result["protected"]) == sorted(
        [(known["admin"], "admin"), (known["bob"], "bob")])
    assert any("protected" in w and "admin" in w and "bob" in w for w in result["warnings"]), result
    if check:
        assert sent(emulator) == []
    else:
        assert names(emulator, "users") == ["admin", "alice", "bob", "carol"]


def test_protected_objects_do_not_count_against_max_deletions(emulator, run_module):
    keep = [{"label": "org1"}, {"label": "org2"}]
    run = run_module(kind_task("organizations", keep, prune=True, max_deletions=2, protected=["acme-plant"]))
    assert run.rc == 0, run.output
    assert names(emulator, "organizations") == ["acme-plant", "org1", "org2"]


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_state_absent_on_a_protected_user_fails_before_any_write_naming_it(emulator, run_module, check):
    known = ids(emulator, "users")
    run = run_module(kind_task("users", [{"username": "carol"}, {"username": "admin"}], state="absent",
                               protected=[known["admin"]]), check=check)
    msg = refused(run)
    assert "users[1] (username admin)" in msg and "protected" in msg, msg
    assert "Nothing was written" in msg
    assert sent(emulator) == []
    assert "carol" in names(emulator, "users")


def test_state_absent_on_a_protected_organization_fails_before_any_write(emulator, run_module):
    run = run_module(kind_task("organizations", [{"label": "org2"}], state="absent", protected=["org2"]))
    msg = refused(run)
    assert "organizations[0] (label org2)" in msg and "protected" in msg, msg
    assert sent(emulator) == []


def test_a_protected_name_the_account_does_not_hold_is_warned_about(emulator, run_module):
    keep = [{"username": n} for n in names(emulator, "users")]
    run = run_module(kind_task("users", keep, prune=True, protected=["admln"]))
    assert run.rc == 0, run.output
    assert any("admln" in w for w in run.result["warnings"]), run.result


# -- 5. contradictions caught by the plan -----------------------------------------------------------------------

NEW_USER = {"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1"}


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
@pytest.mark.parametrize("item", [
    dict(NEW_USER, defaultOrganization="org2", organizations=[{"label": "org1", "role": "editor"}]),
    {"username": "alice", "defaultOrganization": "org2", "organizations": [{"label": "org1", "role": "editor"}]},
], ids=["create", "update"])
def test_purge_organizations_with_a_default_organization_outside_the_memberships_fails_before_any_write(
        emulator, run_module, item, check):
    run = run_module(kind_task("users", [item], purge_organizations=True, wait_timeout=5), check=check)
    msg = refused(run)
    assert "users[0] (username %s)" % item["username"] in msg, msg
    assert "defaultOrganization" in msg and "org2" in msg and "purge_organizations" in msg, msg
    assert sent(emulator) == []


def test_a_default_organization_named_by_id_among_memberships_named_by_label_is_no_contradiction(emulator, run_module):
    org1 = ids(emulator, "organizations")["org1"]
    item = {"username": "alice", "defaultOrganization": org1, "organizations": [{"label": "org1", "role": "editor"}]}
    run = run_module(kind_task("users", [item], purge_organizations=True))
    assert run.rc == 0, run.output


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_the_same_organization_by_label_and_by_id_in_one_users_memberships_fails_before_any_write(
        emulator, run_module, check):
    org2 = ids(emulator, "organizations")["org2"]
    item = {"username": "alice", "organizations": [{"label": "org2", "role": "viewer"}, {"id": org2, "role": "editor"}]}
    run = run_module(kind_task("users", [item]), check=check)
    msg = refused(run)
    assert ("users[0] (username alice): organizations[0] (label org2) and organizations[1] (id %s) name the same"
            " organization" % org2) in msg, msg
    assert sent(emulator) == []


# -- 7. smaller ------------------------------------------------------------------------------------------------

def test_an_exported_membership_with_a_null_role_does_not_block_an_unrelated_edit(emulator, run_module):
    # A membership whose role the API shows as null (the export writes role: null for it).
    emulator.update_object("users", "alice", {"defaultRole": None, "organizations": [{"label": "org1"}]})
    exported = {"username": "alice", "organizations": [{"label": "org1", "role": None}]}
    run = run_module(kind_task("users", [dict(exported, lastName="Edited")]))
    assert run.rc == 0, run.output
    assert sent(emulator, ("method", "path")) == [("PATCH", "/api/v2.0/users/_/bulk/update/")]
    # Another membership added beside it: only that one is sent, so the null role is not refused.
    emulator.clear_log()
    added = dict(exported, organizations=exported["organizations"] + [{"label": "org2", "role": "viewer"}])
    run = run_module(kind_task("users", [added]))
    assert run.rc == 0, run.output
    assign = [e for e in emulator.log() if e["method"] == "POST"]
    assert [e["body"] for e in assign] == [[{"label": "org2", "role": "viewer"}]]
    # The null role is refused when it would be sent: a membership the user does not hold yet.
    emulator.clear_log()
    run = run_module(kind_task("users", [dict(exported, organizations=[{"label": "org1", "role": None},
                                                                       {"label": "acme-plant", "role": None}])]))
    msg = refused(run)
    assert msg == "users[0] (username alice): organizations[1].role: must be string, got null. Nothing was written.", msg
    assert sent(emulator) == []


def test_a_plan_error_does_not_hide_the_unknown_references_of_other_items(emulator, run_module):
    items = [{"id": "000000000000000000000000", "lastName": "Ghost"},
             {"username": "alice", "defaultOrganization": "no-such-org"},
             {"username": "bob", "organizations": [{"label": "org1", "role": "no-such-role"}]}]
    run = run_module(kind_task("users", items))
    msg = refused(run)
    assert "users[0] (id 000000000000000000000000): no user with id" in msg, msg
    assert "users[1] (username alice): defaultOrganization: no organization" in msg, msg
    assert "users[2] (username bob): organizations: no role with label no-such-role" in msg, msg
    assert sent(emulator) == []


@pytest.mark.parametrize("how", ["prune", "absent"])
def test_a_deletes_diff_shows_the_objects_current_state(emulator, run_module, how):
    bob = next(u for u in emulator.state()["users"] if u["username"] == "bob")
    if how == "prune":
        items = [{"username": n, "lastName": "Kept"} for n in names(emulator, "users") if n != "bob"]
        run = run_module(kind_task("users", items, prune=True), check=True, diff=True)
    else:
        run = run_module(kind_task("users", [{"username": "bob"}], state="absent"), check=True, diff=True)
    assert run.rc == 0, run.output
    entry = next(d for d in run.result["diff"] if d["before_header"].startswith("user %s " % bob["id"]))
    before = entry["before"]
    assert before["username"] == "bob" and before["email"] == bob["email"], before
    assert {"firstName", "lastName", "isActive", "tags"} <= set(before), before
    assert entry["after"] == ""
