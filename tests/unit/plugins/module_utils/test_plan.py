# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan as a plain value: computed from desired items and current objects, with no Ansible and no HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._apply import requests_of
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import (
    make_plan,
    membership_problems,
    name_memberships,
    referenced,
    unknown_references,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import json_equal
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator

ORG = {"id": "o1", "label": "plant-north", "name": "North", "description": "d", "properties": {"flag": 1},
       "isActive": True, "app": None, "favicon": None, "logo": None}
ADA = {"id": "u1", "username": "ada", "email": "ada@example.com", "firstName": "Ada",
       "organizations": [{"id": "o1", "label": "plant-north", "name": "North", "role": {"label": "editor"}},
                         {"id": "o2", "label": "plant-south", "name": "South", "role": {"label": "viewer"}}]}
PRESENT = {"state": "present", "prune": False, "max_deletions": 10}


def plan_of(spec, items, found, **options):
    return make_plan(spec, items, found, dict(PRESENT, **options), validator(spec).validate(items).deferred,
                     options.pop("account", None))


def test_missing_name_is_a_create_and_an_existing_one_an_update():
    items = [{"label": "plant-new", "name": "New"}, {"label": "plant-north", "name": "Renamed"}]
    plan = plan_of(ORGANIZATIONS, items, [None, ORG])
    assert [c.name for c in plan.creates] == ["plant-new"] and plan.creates[0].body == items[0]
    assert plan.creates[0].before == "" and plan.creates[0].after == items[0]
    assert [c.id for c in plan.updates] == ["o1"] and plan.updates[0].body["name"] == "Renamed"
    assert plan.updates[0].body["description"] == "d"  # full update: the rest travels back
    assert plan.changed and plan.unchanged_ids == []


def test_an_unknown_id_is_an_error_not_a_create():
    with pytest.raises(Failure) as failure:
        plan_of(ORGANIZATIONS, [{"id": "nope", "name": "x"}], [None])
    assert "organizations[0] (id nope): no organization with id nope" in failure.value.msg


def test_a_new_user_needs_username_email_and_password():
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "newbie", "email": "n@example.com"}, {"username": "other"}], [None, None])
    assert failure.value.result["errors"] == [
        "users[0] (username newbie): no user with username newbie, and a new user needs username, email, password (missing: password)",
        "users[1] (username other): no user with username other, and a new user needs username, email, password "
        "(missing: email, password)"]


def test_absent_deletes_what_exists_and_ignores_what_does_not():
    plan = plan_of(ORGANIZATIONS, [{"label": "plant-north"}, {"label": "gone"}], [ORG, None], state="absent")
    assert [(c.action, c.id, c.body) for c in plan.deletes] == [("delete", "o1", "o1")]
    assert plan.deletes[0].after == "" and plan.deletes[0].before["label"] == "plant-north"
    assert not plan.creates and not plan.updates


def test_prune_deletes_every_unlisted_object_and_the_guard_counts_them():
    account = [ORG] + [dict(ORG, id="o%d" % i, label="l%d" % i) for i in range(2, 14)]
    plan = plan_of(ORGANIZATIONS, [{"label": "plant-north"}], [ORG], prune=True, account=account, max_deletions=12)
    assert len(plan.deletes) == 12 and "o1" not in [c.id for c in plan.deletes]
    with pytest.raises(Failure) as failure:
        plan_of(ORGANIZATIONS, [{"label": "plant-north"}], [ORG], prune=True, account=account)
    assert failure.value.msg.startswith("This run would delete 12 organizations, more than max_deletions (10): o2 (l2), o3 (l3)")
    with pytest.raises(Failure):
        plan_of(ORGANIZATIONS, [], [], prune=True, account=[ORG, dict(ORG, id="o2")], max_deletions=1)


def test_requests_go_creates_updates_memberships_deletes_in_batches():
    items = [{"label": "a1", "name": "A"}, {"label": "a2"}, {"label": "plant-north", "name": "N2"}]
    plan = plan_of(ORGANIZATIONS, items, [None, None, ORG], prune=True, account=[ORG, dict(ORG, id="o9", label="old")])
    assert [(r.action, r.bulk, len(r.changes)) for r in requests_of(ORGANIZATIONS, plan, 1)] == [
        ("create", True, 1), ("create", True, 1), ("update", True, 1), ("delete", True, 1)]
    users = plan_of(USERS, [{"username": "new", "email": "n@example.com", "password": "p"}, {"username": "ada", "firstName": "A"}],
                    [None, ADA])
    assert [(r.action, r.bulk) for r in requests_of(USERS, users, 500)] == [("create", False), ("update", True)]


def test_values_compare_as_json():
    assert not json_equal(True, 1) and json_equal(1.0, 1) and not json_equal({"a": [True]}, {"a": [1]})
    assert json_equal({"a": 1, "b": [1, 2]}, {"b": [1.0, 2], "a": 1})
    flag = plan_of(ORGANIZATIONS, [{"id": "o1", "properties": {"flag": True}}], [ORG])
    assert flag.updates and flag.updates[0].after == {"properties": {"flag": True}}
    same = plan_of(ORGANIZATIONS, [{"id": "o1", "properties": {"flag": 1.0}}], [ORG])
    assert not same.changed and same.unchanged_ids == ["o1"]


def test_a_value_the_account_holds_is_not_refused_but_a_sent_one_is():
    legacy = {"id": "u9", "username": "john.doe", "firstName": None, "email": ""}
    items = [{"username": "john.doe", "firstName": None, "email": ""}]
    assert not validator(USERS).validate(items)  # nothing fails before the read
    assert not plan_of(USERS, items, [legacy]).changed
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "john.doe", "email": "still-not-an-email"}], [legacy])
    assert "email: 'still-not-an-email' is not a valid email address" in failure.value.msg
    with pytest.raises(Failure) as failure:  # a new user with that name would send it
        plan_of(USERS, [{"username": "jane.doe", "email": "j@example.com", "password": "p"}], [None])
    assert "username: only ASCII letters" in failure.value.msg


def test_passwords_follow_update_password():
    item = [{"id": "u1", "password": "pw", "firstName": "Ada"}]
    assert not plan_of(USERS, item, [ADA]).changed                          # on_create (the default)
    assert plan_of(USERS, item, [ADA], update_password="always").updates[0].body == {"id": "u1", "password": "pw"}
    never = plan_of(USERS, item, [ADA], update_password="never")
    assert not never.changed and "update_password is never" in never.warnings[0]


def test_memberships_assign_changed_ones_and_purge_only_when_asked():
    item = [{"id": "u1", "organizations": [{"label": "plant-north", "role": "admin"}, {"label": "plant-east", "role": "viewer"}]}]
    plan = plan_of(USERS, item, [ADA])
    change = plan.updates[0]
    assert change.body is None  # memberships are not part of the bulk body
    assert change.memberships == {"organizations": ([{"label": "plant-north", "role": "admin"},
                                                     {"label": "plant-east", "role": "viewer"}], [])}
    assert change.after["organizations"] == [{"label": "plant-east", "role": "viewer"}, {"label": "plant-north", "role": "admin"},
                                             {"label": "plant-south", "role": "viewer"}]
    purged = plan_of(USERS, item, [ADA], purge_organizations=True).updates[0]
    assert purged.memberships["organizations"][1] == [{"label": "plant-south"}]
    assert [r.path for r in requests_of(USERS, plan_of(USERS, item, [ADA], purge_organizations=True), 500)] == [
        "_/assign_organizations/", "_/remove_organizations/"]
    same = [{"id": "u1", "organizations": [{"id": "o2", "role": "viewer"}, {"label": "plant-north", "role": "editor"}]}]
    assert not plan_of(USERS, same, [ADA]).changed


def test_an_organization_twice_in_one_users_memberships_is_refused():
    found = validator(USERS).validate([{"id": "u1", "organizations": [{"label": "a", "role": "r"}, {"label": "a", "role": "s"}]}])
    assert found.errors == ["users[0] (id u1): organizations[1]: organization label a is listed twice"]


def test_references_that_would_be_sent_are_resolved_and_unknown_ones_named():
    items = [{"id": "u1", "firstName": "Ada", "defaultRole": "edtor", "organizations": [{"id": "o7", "role": "viewer"}]}]
    plan = plan_of(USERS, items, [ADA])
    assert referenced(USERS, plan) == {"roles": {"edtor", "viewer"}, "organizations": {"o7"}}
    known = {"roles": {"viewer": {"label": "viewer"}}, "organizations": {"o7": {"id": "o7", "label": "plant-east"}}}
    assert unknown_references(USERS, plan, known) == ["users[0] (id u1): defaultRole: no role with label edtor"]
    name_memberships(plan, known)
    assert plan.updates[0].memberships["organizations"][0] == [{"role": "viewer", "label": "plant-east"}]
    unchanged = plan_of(USERS, [{"id": "u1", "firstName": "Ada"}], [ADA])
    assert referenced(USERS, unchanged) == {}  # nothing is sent: nothing to read


# -- guardrails (issue 21) ----------------------------------------------------------------------------------

BOB = {"id": "u2", "username": "bob"}
ROOT = {"id": "u0", "username": "admin"}


def test_prune_keeps_protected_objects_by_id_or_name_and_warns_of_names_that_match_nothing():
    plan = plan_of(USERS, [{"username": "ada"}], [ADA], prune=True, protected=["admin", "u2", "admln"],
                   account=[ROOT, ADA, BOB, {"id": "u3", "username": "carol"}])
    assert [c.id for c in plan.deletes] == ["u3"]
    assert plan.protected == [{"id": "u0", "username": "admin"}, {"id": "u2", "username": "bob"}]
    assert "because they are protected: u0 (admin), u2 (bob)" in plan.warnings[0]
    assert "admln" in plan.warnings[1] and "spelling" in plan.warnings[1]


def test_absent_on_a_protected_object_is_an_error_and_deletes_nothing():
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "bob"}, {"username": "admin"}], [BOB, ROOT], state="absent", protected=["u0"])
    assert failure.value.result["errors"] == [
        "users[1] (username admin): is protected (the protected option names it), and state: absent would delete it:"
        " remove it from users, or from protected"]


def test_protection_ignores_case_so_that_a_capital_letter_never_unprotects():
    with pytest.raises(Failure):
        plan_of(USERS, [{"username": "admin"}], [ROOT], state="absent", protected=["Admin"])
    plan = plan_of(USERS, [], [], prune=True, protected=["ADMIN"], account=[ROOT, BOB])
    assert [c.id for c in plan.deletes] == ["u2"] and plan.protected == [{"id": "u0", "username": "admin"}]


def test_without_check_the_errors_stay_in_the_plan_for_the_caller():
    plan = make_plan(USERS, [{"id": "nope"}, {"username": "ada", "firstName": "Augusta"}], [None, ADA], PRESENT, check=False)
    assert plan.errors == ["users[0] (id nope): no user with id nope"]
    assert [c.id for c in plan.updates] == ["u1"]


def test_a_membership_named_by_label_and_by_id_is_one_organization_listed_twice():
    item = {"username": "ada", "organizations": [{"label": "plant-north", "role": "editor"}, {"id": "o1", "role": "viewer"}]}
    assert membership_problems(USERS, [item], [ADA], {}, {}) == [
        "users[0] (username ada): organizations[0] (label plant-north) and organizations[1] (id o1) name the same organization:"
        " list it once"]


def test_with_purge_a_default_organization_must_be_among_the_memberships_by_id_or_label():
    listed = [{"label": "plant-north", "role": "editor"}]
    outside = {"username": "ada", "defaultOrganization": "plant-south", "organizations": listed}
    by_id = {"username": "ada", "defaultOrganization": "o1", "organizations": listed}
    assert membership_problems(USERS, [outside, by_id], [ADA, ADA], {}, {}) == []  # without purge: no contradiction
    errors = membership_problems(USERS, [outside, by_id], [ADA, ADA], {}, {"purge_organizations": True})
    assert errors == ["users[0] (username ada): defaultOrganization plant-south is not among its organizations, and"
                      " purge_organizations: true would remove that membership: add it to organizations, or change"
                      " defaultOrganization"]


def test_a_null_role_fails_only_for_a_membership_that_is_sent():
    held = dict(ADA, organizations=[dict(ADA["organizations"][0], role=None)])
    kept = [{"label": "plant-north", "role": None}]
    plan = plan_of(USERS, [{"username": "ada", "organizations": kept + [{"label": "plant-south", "role": "viewer"}]}], [held])
    assert plan.updates[0].memberships["organizations"][0] == [{"label": "plant-south", "role": "viewer"}]
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "ada", "organizations": kept + [{"label": "plant-east", "role": None}]}], [held])
    assert failure.value.result["errors"] == ["users[0] (username ada): organizations[1].role: must be string, got null"]


def test_memberships_given_as_null_fail_validation_instead_of_crashing_the_plan():
    # `organizations:` with nothing under it in a YAML file is null.
    validation = validator(USERS).validate([{"username": "ada", "organizations": None}])
    assert validation and validation.errors == ["users[0] (username ada): organizations: must be list, got null"]


def test_a_membership_that_is_not_an_object_fails_validation_at_once():
    validation = validator(USERS).validate([{"username": "ada", "organizations": [None]}])
    assert validation and validation.errors == ["users[0] (username ada): organizations[0]: must be object (dict), got null"]


def test_an_entry_whose_id_and_label_name_two_organizations_is_refused():
    item = {"username": "ada", "organizations": [{"id": "o2", "label": "plant-north", "role": "editor"}]}
    assert membership_problems(USERS, [item], [ADA], {}, {}) == [
        "users[0] (username ada): organizations[0]: id o2 is the organization labelled plant-south, not plant-north:"
        " give the id or the label"]


def test_with_purge_the_current_default_organization_is_left_to_the_api():
    # Only a default the item gives is checked: a purge that drops the current default's membership converges.
    ada = dict(ADA, defaultOrganization={"id": "o1", "label": "plant-north"})
    item = {"username": "ada", "organizations": [{"label": "plant-south", "role": "viewer"}]}
    assert membership_problems(USERS, [item], [ada], {}, {"purge_organizations": True}) == []


def test_an_unknown_default_organization_is_left_to_the_unknown_reference_error():
    item = {"username": "ada", "defaultOrganization": "nowhere", "organizations": [{"label": "plant-north", "role": "editor"}]}
    assert membership_problems(USERS, [item], [ADA], {"organizations": {}}, {"purge_organizations": True}) == []


def test_a_null_organization_or_role_is_never_looked_up_as_a_reference():
    plan = make_plan(USERS, [{"username": "ada", "organizations": [{"label": None, "role": None}, {"label": "x", "role": "r"}]}],
                     [ADA], PRESENT, check=False)
    assert referenced(USERS, plan) == {"organizations": {"x"}, "roles": {"r"}}
