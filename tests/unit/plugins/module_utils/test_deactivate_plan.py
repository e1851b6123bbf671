# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""removal: deactivate (issue 25, point 1) as a plan: absent and prune set isActive false through the bulk update."""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._apply import requests_of
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import check_deletions, make_plan
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator

ORG = {"id": "o1", "label": "plant-north", "name": "North", "description": "d", "properties": {"flag": 1},
       "isActive": True, "app": None, "favicon": None, "logo": None}
ADA = {"id": "u1", "username": "ada", "email": "ada@example.com", "firstName": "Ada", "isActive": True}
GONE = {"id": "u2", "username": "gone", "email": "gone@example.com", "firstName": "Gone", "isActive": False}
DEACTIVATE = {"state": "present", "prune": False, "max_deletions": 10, "removal": "deactivate"}


def plan_of(spec, items, found, **options):
    account = options.pop("account", None)
    return make_plan(spec, items, found, dict(DEACTIVATE, **options), validator(spec).validate(items).deferred, account)


def user(number, active=True):
    return {"id": "u%04d" % number, "username": "user-%04d" % number, "email": "u%d@example.com" % number,
            "isActive": active}


def test_absent_deactivates_users_with_their_id_and_isactive_false_and_deletes_nothing():
    plan = plan_of(USERS, [{"username": "ada"}], [ADA], state="absent")
    assert not plan.deletes and not plan.updates
    assert [(c.action, c.id, c.body) for c in plan.deactivates] == [("deactivate", "u1", {"id": "u1", "isActive": False})]
    change = plan.deactivates[0]
    assert (change.before, change.after) == ({"isActive": True}, {"isActive": False})
    assert plan.changed and plan.changes == [change]


def test_absent_deactivates_an_organization_with_its_whole_current_state():
    plan = plan_of(ORGANIZATIONS, [{"label": "plant-north"}], [ORG], state="absent")
    assert plan.deactivates[0].body == dict(ORG, isActive=False)


def test_an_inactive_object_is_no_change_and_a_missing_one_is_ignored():
    plan = plan_of(USERS, [{"username": "gone"}, {"username": "nobody"}], [GONE, None], state="absent")
    assert not plan.changed and plan.unchanged_ids == ["u2"]


def test_prune_deactivates_the_unlisted_active_objects_and_leaves_the_inactive_and_protected_alone():
    account = [ADA, GONE, user(1), user(2)]
    plan = plan_of(USERS, [{"username": "ada"}], [ADA], prune=True, account=account, protected=["user-0002"])
    assert [c.id for c in plan.deactivates] == ["u0001"]
    assert [p["username"] for p in plan.protected] == ["user-0002"]
    assert not plan.deletes


def test_a_listed_object_without_isactive_is_wanted_active_under_deactivate_only():
    back = plan_of(USERS, [{"username": "gone"}], [GONE])
    assert [(c.before, c.after, c.body) for c in back.updates] == [
        ({"isActive": False}, {"isActive": True}, {"id": "u2", "isActive": True})]
    assert not plan_of(USERS, [{"username": "gone", "isActive": False}], [GONE]).changed
    assert not plan_of(USERS, [{"username": "gone"}], [GONE], removal="delete").changed


def test_max_deletions_counts_deactivations_in_words_of_deactivation():
    account = [ADA] + [user(n) for n in range(1, 4)]
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "ada"}], [ADA], prune=True, account=account, max_deletions=2)
    assert failure.value.msg.startswith("This run would deactivate 3 users, more than max_deletions (2): u0001 (user-0001)")
    assert "delete" not in failure.value.msg.replace("max_deletions", "")
    assert failure.value.result == {"would_deactivate": 3}
    check_deletions(USERS, plan_of(USERS, [{"username": "ada"}], [ADA], prune=True, account=account).deactivates, 3)


def test_absent_on_a_protected_object_says_deactivate():
    with pytest.raises(Failure) as failure:
        plan_of(USERS, [{"username": "ada"}], [ADA], state="absent", protected=["ADA"])
    assert "state: absent would deactivate it" in failure.value.msg


@pytest.mark.parametrize("batch_size, requests", [(1000, 1), (500, 2)])
def test_a_thousand_leavers_are_deactivated_in_one_bulk_update_per_batch(batch_size, requests):
    leavers = [user(n) for n in range(1, 1001)]
    plan = plan_of(USERS, leavers, leavers, state="absent", max_deletions=1000)
    sent = requests_of(USERS, plan, batch_size)
    assert [(r.action, r.bulk) for r in sent] == [("update", True)] * requests
    assert sum(len(r.changes) for r in sent) == 1000
    deleted = plan_of(USERS, leavers, leavers, state="absent", max_deletions=1000, removal="delete")
    assert len(requests_of(USERS, deleted, batch_size)) == 1000  # no bulk delete of users: one DELETE each


def test_deactivations_travel_with_the_updates_in_one_bulk_request():
    account = [ADA, user(1)]
    plan = plan_of(USERS, [{"username": "ada", "firstName": "Ada L"}], [ADA], prune=True, account=account)
    sent = requests_of(USERS, plan, 500)
    assert [[c.body for c in r.changes] for r in sent] == [[{"id": "u1", "firstName": "Ada L"},
                                                            {"id": "u0001", "isActive": False}]]
