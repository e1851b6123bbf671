# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""removal: deactivate (issue 25, point 1): leavers are switched off (isActive false) with the bulk update, never
deleted; the bulk modules run in-process against the emulator (which keeps isActive as the API does).

What goes through the users role (its drift summary, hosts of one account) stays in tests/integration/test_deactivate.py.
"""

from __future__ import annotations

import pytest

from ubidots_testing import NAME, active, by_name, kind_task, sent
from ubidots_emulator import generate

UPDATE = {"users": ("PATCH", "/api/v2.0/users/_/bulk/update/"), "organizations": ("POST", "/api/v2.0/organizations/_/bulk/update/")}
EQUAL_IN_CHECK_MODE = ("changed", "created", "changed_ids", "deleted_ids", "deactivated", "unchanged_ids", "counts",
                       "changes", "diff")


def task(kind, items, **options):
    """One bulk module task of `kind` with removal: deactivate (unless the options say otherwise)."""
    options.setdefault("removal", "deactivate")
    return kind_task(kind, items, **options)


def same_in_check_mode(checked, applied):
    for key in EQUAL_IN_CHECK_MODE:
        assert checked.get(key) == applied.get(key), key


def test_absent_deactivates_users_with_one_bulk_update_and_check_mode_says_the_same(emulator, run_module):
    known = by_name(emulator, "users")
    leavers = [{"username": "carol"}, {"username": "dave"}]
    checked = run_module(task("users", leavers, state="absent"), check=True, diff=True)
    assert checked.rc == 0, checked.output
    assert sent(emulator) == []
    run = run_module(task("users", leavers, state="absent"), diff=True)
    assert run.rc == 0, run.output
    assert sent(emulator) == [("PATCH", "/api/v2.0/users/_/bulk/update/",
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
    again = run_module(task("users", leavers, state="absent"))
    assert again.rc == 0 and not again.result["changed"], again.output
    assert sorted(again.result["unchanged_ids"]) == sorted([known["carol"]["id"], known["dave"]["id"]])


def test_absent_deactivates_organizations_with_the_full_update_of_their_current_fields(emulator, run_module):
    plant = by_name(emulator, "organizations")["acme-plant"]
    run = run_module(task("organizations", [{"label": "acme-plant"}], state="absent"), diff=True)
    assert run.rc == 0, run.output
    [(method, path, body)] = sent(emulator)
    assert (method, path) == UPDATE["organizations"]
    assert body[0]["isActive"] is False and body[0]["id"] == plant["id"]
    assert body[0]["description"] == plant["description"] and body[0]["properties"] == plant["properties"]
    assert body[0]["favicon"] == plant["favicon"]["raw"] and body[0]["app"] == plant["app"]["id"]
    after = by_name(emulator, "organizations")["acme-plant"]
    assert after["isActive"] is False
    assert {k: v for k, v in after.items() if k != "isActive"} == {k: v for k, v in plant.items() if k != "isActive"}
    assert run.result["deactivated"] == [plant["id"]]
    assert run.result["diff"][0]["before_header"].endswith("(deactivated)")


@pytest.mark.parametrize("kind", ["users", "organizations"])
def test_prune_deactivates_what_is_not_listed_and_leaves_inactive_and_protected_objects_alone(emulator, run_module, kind):
    known = by_name(emulator, kind)
    keep, protect = (["alice", "bob"], "admin") if kind == "users" else (["org1"], "org2")
    inactive = "erin" if kind == "users" else "legacy-site"
    items = [{NAME[kind]: name} for name in keep]
    checked = run_module(task(kind, items, prune=True, protected=[protect]), check=True, diff=True)
    assert checked.rc == 0, checked.output
    assert sent(emulator) == []
    run = run_module(task(kind, items, prune=True, protected=[protect]), diff=True)
    assert run.rc == 0, run.output
    same_in_check_mode(checked.result, run.result)
    gone = sorted(name for name, obj in known.items() if name not in keep + [protect] and obj["isActive"])
    assert sorted(known[name]["id"] for name in gone) == sorted(run.result["deactivated"])
    assert known[inactive]["id"] not in run.result["deactivated"]
    assert [method for method, _path, _body in sent(emulator)] == [UPDATE[kind][0]]
    state = active(emulator, kind)
    assert sorted(state) == sorted(known), "nothing is deleted"
    assert all(state[name] is False for name in gone) and state[protect] is True
    assert all(state[name] is True for name in keep)
    # Listed without isActive, under deactivate: wanted active. The next run with the same list changes nothing.
    again = run_module(task(kind, items, prune=True, protected=[protect]))
    assert again.rc == 0 and not again.result["changed"], again.output


def test_a_leaver_put_back_in_the_list_is_reactivated_and_isactive_false_keeps_one_off(emulator, run_module):
    emulator.update_object("users", "~dave", {"isActive": False})  # a leaver deactivated earlier
    known = by_name(emulator, "users")
    run = run_module(task("users", [{"username": "erin"}, {"username": "dave", "isActive": False}]), diff=True)
    assert run.rc == 0, run.output
    assert sent(emulator) == [("PATCH", "/api/v2.0/users/_/bulk/update/", [{"id": known["erin"]["id"], "isActive": True}])]
    state = active(emulator, "users")
    assert state["erin"] is True and state["dave"] is False
    entry = next(d for d in run.result["diff"] if known["erin"]["id"] in d["before_header"])
    assert (entry["before"], entry["after"]) == ({"isActive": False}, {"isActive": True})
    # With the default removal (delete), isActive that the item does not give is not compared.
    emulator.clear_log()
    emulator.update_object("users", "~erin", {"isActive": False})
    run = run_module(task("users", [{"username": "erin"}], removal="delete"))
    assert run.rc == 0 and not run.result["changed"], run.output
    assert sent(emulator) == []


def test_max_deletions_and_protected_count_and_refuse_deactivations_in_their_words(emulator, run_module):
    for check in (True, False):
        run = run_module(task("users", [{"username": "carol"}, {"username": "dave"}], state="absent", max_deletions=1),
                         check=check)
        assert run.rc != 0, run.output
        msg = run.result["msg"]
        assert msg.startswith("This run would deactivate 2 users, more than max_deletions (1)"), msg
        assert run.result["would_deactivate"] == 2
        run = run_module(task("users", [{"username": "admin"}], state="absent", protected=["admin"]), check=check)
        assert run.rc != 0 and "state: absent would deactivate it" in run.result["msg"], run.output
        run = run_module(task("users", [], prune=True), check=check)
        assert run.rc != 0 and "this would deactivate every user" in run.result["msg"], run.output
    assert sent(emulator) == []
    assert active(emulator, "users")["carol"] is True


@pytest.mark.parametrize("removal, expected", [("deactivate", [("PATCH", "/api/v2.0/users/_/bulk/update/")]),
                                               ("delete", [("DELETE", None)] * 1000)])
def test_a_thousand_leavers_take_one_bulk_write_to_deactivate_and_a_thousand_deletes(emulator, run_module, removal, expected):
    state = emulator.state()
    emulator.set_state(users=state["users"] + generate(1000, 0)["users"][len(state["users"]):])
    leavers = [{"username": "user-%05d" % n} for n in range(1, 1001)]
    run = run_module(task("users", leavers, state="absent", removal=removal, max_deletions=1000, batch_size=1000,
                          rate_limit=0, changes_limit=5))
    assert run.rc == 0, run.output
    calls = [(method, None if method == "DELETE" else path) for method, path, _body in sent(emulator)]
    assert calls == expected
    assert len(run.result["deactivated" if removal == "deactivate" else "deleted_ids"]) == 1000
    left = by_name(emulator, "users")
    if removal == "deactivate":
        assert all(left["user-%05d" % n]["isActive"] is False for n in range(1, 1001))
    else:
        assert not any(name.startswith("user-") for name in left)
