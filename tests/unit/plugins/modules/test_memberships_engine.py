# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Memberships (issue 14), run in process against the emulator: ubidots_users_bulk `organizations` and
`purge_organizations` (the assign and remove requests, check mode, unknown organizations and roles, re-runs,
created users) and ubidots_users_info `memberships`.

Written from the issue text and tests/emulator/README.md. Fixture memberships (README): admin is admin of org1,
org2 and acme-plant; alice is editor of org1; bob is viewer of org2; frank_ops is viewer of north_site; grace-h is
viewer of legacy-site. The printed diff and the round trip through registered variables are in
tests/integration/test_memberships.py.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from ubidots_testing import api_log, header, users_task, write_entries
from ubidots_testing import membership as m

INFO = "ubidots.industrial.ubidots_users_info"
ADMIN = "5e8f1c2d3b4a596877665501"
ALICE = "409dba9c67d3bb19f554"
BOB = "445da83878abc3c75756"
NORTH_SITE = "5fc8e4b7a1c2d3e4f5a6b702"


def assign_path(user_id):
    return "/api/v2.0/users/%s/_/assign_organizations/" % user_id


def remove_path(user_id):
    return "/api/v2.0/users/%s/_/remove_organizations/" % user_id


def by_label(items):
    return sorted(items, key=lambda item: item["label"])


def memberships(emulator, user_key):
    """The user's memberships as the API shows them (fields=organizations), as sorted {label, role}.

    A GET: it never counts as a write in these tests."""
    request = urllib.request.Request("%s/api/v2.0/users/%s/?fields=organizations" % (emulator.url, user_key),
                                     headers={"X-Auth-Token": emulator.token})
    with urllib.request.urlopen(request, timeout=30) as answer:  # loopback emulator only
        user = json.loads(answer.read())
    return by_label([m(o["label"], o["role"]["label"]) for o in user["organizations"]])


def test_assign_two_memberships_in_one_request_per_user(emulator, run_module):
    users = [
        {"id": ALICE, "organizations": [m("org1", "editor"), m("org2", "editor"), m("acme-plant", "viewer")]},
        {"username": "bob", "organizations": [m("north_site", "operator"), m("legacy-site", "viewer")]},
    ]
    run = run_module(users_task(users))
    assert run.rc == 0, run.output
    writes = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in writes] == [("POST", assign_path(ALICE)), ("POST", assign_path(BOB))]
    assert by_label(writes[0]["body"]) == [m("acme-plant", "viewer"), m("org2", "editor")]
    assert by_label(writes[1]["body"]) == [m("legacy-site", "viewer"), m("north_site", "operator")]
    for entry in writes:
        assert header(entry, "X-Bulk-Operation") is None
        assert header(entry, "X-Auth-Token") == "***"
        assert entry["status"] == 200
    assert api_log(emulator, path_part="/bulk/") == []
    reads = api_log(emulator, method="GET")
    assert "organizations" in reads[0]["query"]["fields"][0].split(",")
    assert reads[-1]["seq"] > writes[-1]["seq"]  # wait (default): re-read after writing
    result = run.result
    assert result["changed"] is True
    assert result["changed_ids"] == [ALICE, BOB]
    assert result["created"] == []
    assert result["changes"] == [
        {"action": "update", "id": ALICE, "username": "alice",
         "before": {"organizations": [m("org1", "editor")]},
         "after": {"organizations": [m("acme-plant", "viewer"), m("org1", "editor"), m("org2", "editor")]}},
        {"action": "update", "id": BOB, "username": "bob",
         "before": {"organizations": [m("org2", "viewer")]},
         "after": {"organizations": [m("legacy-site", "viewer"), m("north_site", "operator"), m("org2", "viewer")]}},
    ]
    assert memberships(emulator, ALICE) == [m("acme-plant", "viewer"), m("org1", "editor"), m("org2", "editor")]
    assert memberships(emulator, BOB) == [m("legacy-site", "viewer"), m("north_site", "operator"), m("org2", "viewer")]


def test_memberships_are_read_only_when_an_item_lists_them(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "firstName": "NoMemberships"}]))
    assert run.rc == 0, run.output
    for read in api_log(emulator, method="GET"):
        assert "organizations" not in read["query"].get("fields", [""])[0].split(","), read
    assert api_log(emulator, path_part="_organizations") == []


def test_a_role_change_sends_only_that_membership(emulator, run_module):
    users = [{"id": ADMIN, "organizations": [m("org1", "admin"), m("org2", "viewer"), m("acme-plant", "admin")]}]
    run = run_module(users_task(users))
    assert run.rc == 0, run.output
    writes = write_entries(emulator)
    assert [(e["method"], e["path"], e["body"]) for e in writes] == [("POST", assign_path(ADMIN), [m("org2", "viewer")])]
    assert run.result["changed"] is True and run.result["changed_ids"] == [ADMIN]
    assert memberships(emulator, ADMIN) == [m("acme-plant", "admin"), m("org1", "admin"), m("org2", "viewer")]


def test_an_unlisted_membership_is_kept_by_default(emulator, run_module):
    same = run_module(users_task([{"id": ADMIN, "organizations": [m("org1", "admin")]}]))
    assert same.rc == 0, same.output
    assert same.result["changed"] is False
    assert write_entries(emulator) == []
    more = run_module(users_task([{"id": ADMIN, "organizations": [m("org1", "admin"), m("north_site", "viewer")]}]))
    assert more.rc == 0, more.output
    writes = write_entries(emulator)
    assert [(e["path"], e["body"]) for e in writes] == [(assign_path(ADMIN), [m("north_site", "viewer")])]
    assert api_log(emulator, path_part="remove_organizations") == []
    assert memberships(emulator, ADMIN) == [m("acme-plant", "admin"), m("north_site", "viewer"), m("org1", "admin"),
                                            m("org2", "admin")]


def test_purge_organizations_removes_the_unlisted_memberships(emulator, run_module):
    run = run_module(users_task([{"id": ADMIN, "organizations": [m("org1", "admin")]}], purge_organizations=True))
    assert run.rc == 0, run.output
    writes = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in writes] == [("POST", remove_path(ADMIN))]
    assert by_label(writes[0]["body"]) == [{"label": "acme-plant"}, {"label": "org2"}]
    assert header(writes[0], "X-Bulk-Operation") is None
    assert run.result["changed"] is True and run.result["changed_ids"] == [ADMIN]
    assert memberships(emulator, ADMIN) == [m("org1", "admin")]


def test_purge_touches_only_users_that_list_organizations(emulator, run_module):
    run = run_module(users_task([{"id": ADMIN, "firstName": "Root"}, {"id": ALICE, "organizations": [m("org1", "editor")]}],
                                purge_organizations=True))
    assert run.rc == 0, run.output
    assert api_log(emulator, path_part="_organizations") == []
    assert memberships(emulator, ADMIN) == [m("acme-plant", "admin"), m("org1", "admin"), m("org2", "admin")]


def test_purge_with_an_empty_list_removes_every_membership(emulator, run_module):
    run = run_module(users_task([{"username": "bob", "organizations": []}], purge_organizations=True))
    assert run.rc == 0, run.output
    assert [(e["path"], e["body"]) for e in write_entries(emulator)] == [(remove_path(BOB), [{"label": "org2"}])]
    assert memberships(emulator, BOB) == []


# add (admin: north_site), re-role (admin: org2), remove (admin: acme-plant, with purge), and a second user
PLAN = [
    {"id": ADMIN, "organizations": [m("org1", "admin"), m("org2", "viewer"), m("north_site", "editor")]},
    {"id": ALICE, "organizations": [m("org1", "editor"), m("legacy-site", "operator")]},
]


def test_check_mode_sends_no_write_and_reports_the_same_plan(emulator, run_module):
    check = run_module(users_task(PLAN, purge_organizations=True), check=True, diff=True)
    assert check.rc == 0, check.output
    assert write_entries(emulator) == []
    assert memberships(emulator, ADMIN) == [m("acme-plant", "admin"), m("org1", "admin"), m("org2", "admin")]
    assert memberships(emulator, ALICE) == [m("org1", "editor")]
    real = run_module(users_task(PLAN, purge_organizations=True), diff=True)
    assert real.rc == 0, real.output
    assert check.result["changed"] is True
    for key in ("changed", "changed_ids", "unchanged_ids", "created", "changes", "diff"):
        assert check.result[key] == real.result[key], key
    # the issue fixes no order between users, nor between assign and remove: compare as a set
    requests = sorted((e["method"], e["path"], json.dumps(by_label(e["body"]))) for e in write_entries(emulator))
    assert requests == sorted([
        ("POST", assign_path(ADMIN), json.dumps([m("north_site", "editor"), m("org2", "viewer")])),
        ("POST", remove_path(ADMIN), json.dumps([{"label": "acme-plant"}])),
        ("POST", assign_path(ALICE), json.dumps([m("legacy-site", "operator")])),
    ])


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
@pytest.mark.parametrize("membership, value", [(m("no-such-plant", "viewer"), "no-such-plant"),
                                               (m("org1", "overlord"), "overlord")], ids=["organization", "role"])
def test_an_unknown_organization_or_role_fails_before_any_write(emulator, run_module, check, membership, value):
    users = [{"id": ALICE, "firstName": "Changed", "organizations": [m("north_site", "viewer")]},
             {"username": "bob", "organizations": [m("org2", "viewer"), membership]}]
    run = run_module(users_task(users, purge_organizations=True), check=check)
    assert run.rc != 0, run.output
    msg = run.result["msg"]
    assert "users[1]" in msg and value in msg, msg
    assert "users[0]" not in msg, msg
    assert write_entries(emulator) == []
    assert memberships(emulator, ALICE) == [m("org1", "editor")]
    assert memberships(emulator, BOB) == [m("org2", "viewer")]


def test_one_organization_twice_in_a_users_list_is_refused_with_no_request(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "organizations": [m("org2", "viewer"), m("org2", "editor")]}]))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "users[0]" in msg and "org2" in msg, msg
    assert write_entries(emulator) == []


def test_re_runs_send_nothing(emulator, run_module):
    first = run_module(users_task(PLAN, purge_organizations=True))
    assert first.rc == 0 and first.result["changed"] is True, first.output
    emulator.clear_log()
    for purge in (True, False):
        again = run_module(users_task(PLAN, purge_organizations=purge), diff=True)
        assert again.rc == 0, again.output
        assert again.result["changed"] is False, (purge, again.result)
        assert again.result["changes"] == [] and again.result["diff"] == []
        assert sorted(again.result["unchanged_ids"]) == sorted([ADMIN, ALICE])
        assert not any(r["result"]["changed"] for r in again.results)  # the play recap's changed=0
    assert write_entries(emulator) == []


def test_info_returns_memberships_only_when_asked(emulator, run_module):
    run = run_module([
        {"name": "plain", INFO: {"usernames": ["admin"]}},
        {"name": "with memberships", INFO: {"usernames": ["admin", "grace-h"], "memberships": True}},
    ])
    assert run.rc == 0, run.output
    plain, rich = [r["result"] for r in run.results]
    assert "organizations" not in plain["users"][0]
    users = {u["username"]: u for u in rich["users"]}
    assert users["admin"]["organizations"] == [m("acme-plant", "admin"), m("org1", "admin"), m("org2", "admin")]
    assert users["grace-h"]["organizations"] == [m("legacy-site", "viewer")]
    reads = api_log(emulator, method="GET")
    assert "organizations" not in reads[0]["query"].get("fields", [""])[0].split(",")
    assert any("organizations" in r["query"].get("fields", [""])[0].split(",") for r in reads[1:])
    assert write_entries(emulator) == []


NEW_USER = {"username": "new-engineer", "email": "new-engineer@example.com", "password": "New-Engineer-Pw-1",
            "organizations": [m("org1", "viewer"), m("north_site", "operator")]}


def test_a_user_created_by_the_task_gets_its_memberships_right_after(emulator, run_module):
    check = run_module(users_task([NEW_USER]), check=True, diff=True)
    assert check.rc == 0, check.output
    assert write_entries(emulator) == []
    assert check.result["changed"] is True and check.result["created"] == ["new-engineer"]
    run = run_module(users_task([NEW_USER]))
    assert run.rc == 0, run.output
    new_id = next(u["id"] for u in emulator.state()["users"] if u["username"] == "new-engineer")
    writes = write_entries(emulator)
    assert [(e["method"], e["path"]) for e in writes] == [("POST", "/api/v2.0/users/"), ("POST", assign_path(new_id))]
    assert writes[0]["status"] == 201
    assert "organizations" not in writes[0]["body"]
    assert by_label(writes[1]["body"]) == [m("north_site", "operator"), m("org1", "viewer")]
    assert run.result["changed"] is True and run.result["created"] == ["new-engineer"]
    assert memberships(emulator, new_id) == [m("north_site", "operator"), m("org1", "viewer")]
    emulator.clear_log()
    again = run_module(users_task([NEW_USER], purge_organizations=True))
    assert again.rc == 0 and again.result["changed"] is False, again.output
    assert write_entries(emulator) == []


def test_a_membership_given_by_organization_id(emulator, run_module):
    given = [{"id": NORTH_SITE, "role": "viewer"}, {"id": "6027087b65a24d1987654321", "role": "editor"}]
    users = [{"id": ALICE, "organizations": given}]
    run = run_module(users_task(users))
    assert run.rc == 0, run.output
    assert [(e["path"], e["body"]) for e in write_entries(emulator)] == [(assign_path(ALICE), [m("north_site", "viewer")])]
    assert run.result["changes"][0]["after"] == {"organizations": [m("north_site", "viewer"), m("org1", "editor")]}
    assert memberships(emulator, ALICE) == [m("north_site", "viewer"), m("org1", "editor")]
    emulator.clear_log()
    again = run_module(users_task(users, purge_organizations=True))
    assert again.rc == 0 and again.result["changed"] is False, again.output
    assert write_entries(emulator) == []
    unknown = run_module(users_task([{"id": ALICE, "organizations": [{"id": "ffffffffffffffffffffffff", "role": "viewer"}]}]))
    assert unknown.rc != 0
    assert "users[0]" in unknown.result["msg"] and "ffffffffffffffffffffffff" in unknown.result["msg"]
    assert write_entries(emulator) == []


def test_a_role_change_given_by_organization_id_shows_the_organization_once(emulator, run_module):
    # docs/how-it-works.md: the diff shows each user's memberships as they will be; alice is an editor of org1
    # (id 6027087b65a24d1987654321), and the task makes her a viewer of it, naming org1 by its id.
    users = [{"id": ALICE, "organizations": [{"id": "6027087b65a24d1987654321", "role": "viewer"}]}]
    run = run_module(users_task(users), diff=True)
    assert run.rc == 0, run.output
    change = run.result["changes"][0]
    assert change["before"]["organizations"] == [m("org1", "editor")] and memberships(emulator, ALICE) == [m("org1", "viewer")]
    assert [o["label"] for o in change["after"]["organizations"]] == ["org1"], change
    assert change["after"]["organizations"] == [m("org1", "viewer")], change


@pytest.mark.parametrize("given", [{"label": ["org1"], "role": "viewer"}, {"id": {"id": "x"}, "role": "viewer"}])
def test_a_membership_whose_organization_is_not_a_string_is_refused_by_name_with_no_request(emulator, run_module, given):
    # A typo in YAML (`label: [org1]`) must give the item's index and field, never a traceback.
    run = run_module(users_task([{"id": ALICE, "organizations": [given, given]}]))
    assert run.rc != 0
    msg = run.result["msg"]
    assert "users[0]" in msg and "organizations" in msg and "Traceback" not in run.output, run.output
    assert emulator.log() == []
