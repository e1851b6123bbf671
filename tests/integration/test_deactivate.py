# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""removal: deactivate (issue 25, point 1): leavers are switched off (isActive false) with the bulk update, never
deleted, through real ansible-playbook runs against the emulator (which keeps isActive as the API does)."""

from __future__ import annotations

import pytest

from ubidots_testing import inventory
from ubidots_emulator import generate

USERS = "ubidots.industrial.ubidots_users_bulk"
ORGS = "ubidots.industrial.ubidots_orgs_bulk"
MODULES = {"users": USERS, "organizations": ORGS}
NAME = {"users": "username", "organizations": "label"}
UPDATE = {"users": ("PATCH", "/api/v2.0/users/_/bulk/update/"), "organizations": ("POST", "/api/v2.0/organizations/_/bulk/update/")}
PYTHON = {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}
EQUAL_IN_CHECK_MODE = ("changed", "created", "changed_ids", "deleted_ids", "deactivated", "unchanged_ids", "counts",
                       "changes", "diff")


def task(kind, items, **options):
    """One bulk module task of `kind` with removal: deactivate (unless the options say otherwise)."""
    options.setdefault("removal", "deactivate")
    return {"name": kind, MODULES[kind]: dict({kind: items}, **options), "register": "result"}


def writes(emulator):
    """Every request that is not a read: (method, path, body)."""
    return [(e["method"], e["path"], e["body"]) for e in emulator.log() if e["method"] != "GET"]


def objects(emulator, kind):
    """{username or label: object} of the account."""
    return {o[NAME[kind]]: o for o in emulator.state()[kind]}


def active(emulator, kind):
    """{username or label: isActive} of the account."""
    return {name: o["isActive"] for name, o in objects(emulator, kind).items()}


def same_in_check_mode(checked, applied):
    for key in EQUAL_IN_CHECK_MODE:
        assert checked.get(key) == applied.get(key), key


def test_absent_deactivates_users_with_one_bulk_update_and_check_mode_says_the_same(emulator, run_playbook):
    known = objects(emulator, "users")
    leavers = [{"username": "carol"}, {"username": "dave"}]
    checked = run_playbook(task("users", leavers, state="absent"), check=True, diff=True)
    assert checked.rc == 0, checked.output
    assert writes(emulator) == []
    run = run_playbook(task("users", leavers, state="absent"), diff=True)
    assert run.rc == 0, run.output
    assert writes(emulator) == [("PATCH", "/api/v2.0/users/_/bulk/update/",
                                 [{"id": known["carol"]["id"], "isActive": False}, {"id": known["dave"]["id"], "isActive": False}])]
    result = run.result
    assert result["changed"] and result["deactivated"] == [known["carol"]["id"], known["dave"]["id"]]
    assert result["deleted_ids"] == [] and result["counts"]["deactivated"] == 2 and result["counts"]["deleted"] == 0
    assert [c["action"] for c in result["changes"]] == ["deactivate", "deactivate"]
    entry = result["diff"][0]
    assert entry["before_header"] == "user %s (username carol) (deactivated)" % known["carol"]["id"], entry
    assert (entry["before"], entry["after"]) == ({"isActive": True}, {"isActive": False})
    same_in_check_mode(checked.result, result)
    state = active(emulator, "users")
    assert state["carol"] is False and state["dave"] is False and len(state) == len(known)
    again = run_playbook(task("users", leavers, state="absent"))
    assert again.rc == 0 and not again.result["changed"], again.output
    assert sorted(again.result["unchanged_ids"]) == sorted([known["carol"]["id"], known["dave"]["id"]])


def test_absent_deactivates_organizations_with_the_full_update_of_their_current_fields(emulator, run_playbook):
    plant = objects(emulator, "organizations")["acme-plant"]
    run = run_playbook(task("organizations", [{"label": "acme-plant"}], state="absent"), diff=True)
    assert run.rc == 0, run.output
    [(method, path, body)] = writes(emulator)
    assert (method, path) == UPDATE["organizations"]
    assert body[0]["isActive"] is False and body[0]["id"] == plant["id"]
    assert body[0]["description"] == plant["description"] and body[0]["properties"] == plant["properties"]
    assert body[0]["favicon"] == plant["favicon"]["raw"] and body[0]["app"] == plant["app"]["id"]
    after = objects(emulator, "organizations")["acme-plant"]
    assert after["isActive"] is False
    assert {k: v for k, v in after.items() if k != "isActive"} == {k: v for k, v in plant.items() if k != "isActive"}
    assert run.result["deactivated"] == [plant["id"]]
    assert run.result["diff"][0]["before_header"].endswith("(deactivated)")


@pytest.mark.parametrize("kind", ["users", "organizations"])
def test_prune_deactivates_what_is_not_listed_and_leaves_inactive_and_protected_objects_alone(emulator, run_playbook, kind):
    known = objects(emulator, kind)
    keep, protect = (["alice", "bob"], "admin") if kind == "users" else (["org1"], "org2")
    inactive = "erin" if kind == "users" else "legacy-site"
    items = [{NAME[kind]: name} for name in keep]
    checked = run_playbook(task(kind, items, prune=True, protected=[protect]), check=True, diff=True)
    assert checked.rc == 0, checked.output
    assert writes(emulator) == []
    run = run_playbook(task(kind, items, prune=True, protected=[protect]), diff=True)
    assert run.rc == 0, run.output
    same_in_check_mode(checked.result, run.result)
    gone = sorted(name for name, obj in known.items() if name not in keep + [protect] and obj["isActive"])
    assert sorted(known[name]["id"] for name in gone) == sorted(run.result["deactivated"])
    assert known[inactive]["id"] not in run.result["deactivated"]
    assert [method for method, _path, _body in writes(emulator)] == [UPDATE[kind][0]]
    state = active(emulator, kind)
    assert sorted(state) == sorted(known), "nothing is deleted"
    assert all(state[name] is False for name in gone) and state[protect] is True
    assert all(state[name] is True for name in keep)
    # Listed without isActive, under deactivate: wanted active. The next run with the same list changes nothing.
    again = run_playbook(task(kind, items, prune=True, protected=[protect]))
    assert again.rc == 0 and not again.result["changed"], again.output


def test_a_leaver_put_back_in_the_list_is_reactivated_and_isactive_false_keeps_one_off(emulator, run_playbook):
    emulator.update_object("users", "~dave", {"isActive": False})  # a leaver deactivated earlier
    known = objects(emulator, "users")
    run = run_playbook(task("users", [{"username": "erin"}, {"username": "dave", "isActive": False}]), diff=True)
    assert run.rc == 0, run.output
    assert writes(emulator) == [("PATCH", "/api/v2.0/users/_/bulk/update/", [{"id": known["erin"]["id"], "isActive": True}])]
    state = active(emulator, "users")
    assert state["erin"] is True and state["dave"] is False
    entry = next(d for d in run.result["diff"] if known["erin"]["id"] in d["before_header"])
    assert (entry["before"], entry["after"]) == ({"isActive": False}, {"isActive": True})
    # With the default removal (delete), isActive that the item does not give is not compared.
    emulator.clear_log()
    emulator.update_object("users", "~erin", {"isActive": False})
    run = run_playbook(task("users", [{"username": "erin"}], removal="delete"))
    assert run.rc == 0 and not run.result["changed"], run.output
    assert writes(emulator) == []


def test_max_deletions_and_protected_count_and_refuse_deactivations_in_their_words(emulator, run_playbook):
    for check in (True, False):
        run = run_playbook(task("users", [{"username": "carol"}, {"username": "dave"}], state="absent", max_deletions=1),
                           check=check)
        assert run.rc != 0, run.output
        msg = run.result["msg"]
        assert msg.startswith("This run would deactivate 2 users, more than max_deletions (1)"), msg
        assert run.result["would_deactivate"] == 2
        run = run_playbook(task("users", [{"username": "admin"}], state="absent", protected=["admin"]), check=check)
        assert run.rc != 0 and "state: absent would deactivate it" in run.result["msg"], run.output
        run = run_playbook(task("users", [], prune=True), check=check)
        assert run.rc != 0 and "this would deactivate every user" in run.result["msg"], run.output
    assert writes(emulator) == []
    assert active(emulator, "users")["carol"] is True


@pytest.mark.parametrize("removal, expected", [("deactivate", [("PATCH", "/api/v2.0/users/_/bulk/update/")]),
                                               ("delete", [("DELETE", None)] * 1000)])
def test_a_thousand_leavers_take_one_bulk_write_to_deactivate_and_a_thousand_deletes(emulator, run_playbook, removal, expected):
    state = emulator.state()
    emulator.set_state(users=state["users"] + generate(1000, 0)["users"][len(state["users"]):])
    leavers = [{"username": "user-%05d" % n} for n in range(1, 1001)]
    run = run_playbook(task("users", leavers, state="absent", removal=removal, max_deletions=1000, batch_size=1000,
                            rate_limit=0, changes_limit=5))
    assert run.rc == 0, run.output
    sent = [(method, None if method == "DELETE" else path) for method, path, _body in writes(emulator)]
    assert sent == expected
    assert len(run.result["deactivated" if removal == "deactivate" else "deleted_ids"]) == 1000
    left = objects(emulator, "users")
    if removal == "deactivate":
        assert all(left["user-%05d" % n]["isActive"] is False for n in range(1, 1001))
    else:
        assert not any(name.startswith("user-") for name in left)


def _role(**variables):
    return {"role": "ubidots.industrial.users", "vars": variables}


def test_the_role_passes_ubidots_removal_and_the_drift_summary_says_deactivate(emulator, run_playbook):
    listed = [{"username": n} for n in ("admin", "alice", "bob", "carol", "erin", "frank_ops", "grace-h")]
    play = {"roles": [_role(ubidots_users=listed, ubidots_prune=True, ubidots_removal="deactivate", ubidots_fail_on_drift=True)]}
    dave = objects(emulator, "users")["dave"]["id"]
    checked = run_playbook([], play=play, check=True)
    assert checked.rc != 0, checked.output
    assert "To deactivate (1): %s dave." % dave in checked.output, checked.output
    assert "erin" in checked.output  # reactivated: listed without isActive
    assert writes(emulator) == []
    run = run_playbook([], play=play)
    assert run.rc == 0, run.output
    state = active(emulator, "users")
    assert state["dave"] is False and state["erin"] is True and len(state) == 8


def test_hosts_of_one_account_that_disagree_on_ubidots_removal_are_refused(emulator, run_playbook, tmp_path):
    hosts = {"plant-north": {"ubidots_users": [{"username": "alice"}], "ubidots_removal": "deactivate"},
             "plant-south": {"ubidots_users": [{"username": "bob"}]}}
    book = tmp_path / "apply.yml"
    book.write_text('- hosts: plants\n  gather_facts: false\n  roles: [ubidots.industrial.users]\n')
    run = run_playbook([], playbook=book, inventory=inventory(tmp_path, hosts, PYTHON))
    assert run.rc != 0, run.output
    assert "ubidots_removal differs between hosts of one account" in run.output, run.output
    assert writes(emulator) == []


def test_a_leavers_host_that_would_delete_where_the_plants_deactivate_is_refused(emulator, run_playbook, tmp_path):
    hosts = {"plant-north": {"ubidots_users": [{"username": "alice"}], "ubidots_removal": "deactivate"},
             "leavers": {"ubidots_users": [{"username": "dave"}], "ubidots_state": "absent"}}
    book = tmp_path / "apply.yml"
    book.write_text('- hosts: plants\n  gather_facts: false\n  roles: [ubidots.industrial.users]\n')
    plants = inventory(tmp_path, hosts, PYTHON)
    run = run_playbook([], playbook=book, inventory=plants, check=True)
    assert run.rc != 0, run.output
    assert "ubidots_removal differs between hosts of one account" in run.output, run.output
    assert "states present and absent" in run.output, run.output
    assert writes(emulator) == []
    hosts["leavers"]["ubidots_removal"] = "deactivate"
    run = run_playbook([], playbook=book, inventory=inventory(tmp_path, hosts, PYTHON))
    assert run.rc == 0, run.output
    assert active(emulator, "users")["dave"] is False and "dave" in objects(emulator, "users")
