# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan, as a user meets it: what prune and absent remove and how messages name them, what prune says of the
protected option, the diff of memberships, what an existing object is (not) sent, and what the wait reads back.

Issue 28: the survivors of plugins/module_utils/_plan.py showed which of these promises had no test. Each test
checks a documented promise (the passage is cited above it) against the emulator, reading what a user would notice:
the requests sent, `changed`, `diff`, messages and warnings. None is derived from a mutant's diff.
"""

from __future__ import annotations

import pytest

from ubidots_testing import api_log, by_name, membership, orgs_task, sent, user, users_task, writes

ORGS_PATH = "/api/v2.0/organizations/"
ORGS_UPDATE = ORGS_PATH + "_/bulk/update/"
ORGS_DELETE = ORGS_PATH + "_/bulk/delete/"
NORTH_SITE = "5fc8e4b7a1c2d3e4f5a6b702"
BOB = "445da83878abc3c75756"
ADMIN = "5e8f1c2d3b4a596877665501"


def others(emulator, kind, *kept):
    """Items naming every object of `kind` but `kept` (by username or label): prune removes exactly `kept`."""
    key = "username" if kind == "users" else "label"
    return [{key: name} for name in sorted(by_name(emulator, kind)) if name not in kept]


# -- prune and protected (plugins/doc_fragments/bulk.py, protected) --------------------------------------------------
# "Objects that this module never deletes (nor deactivates), each named by id, username (users) or label
# (organizations), without regard to case ... prune=true keeps them and reports them in protected and in a warning."
# "With prune=true, the module reads the whole account and warns of a name that matches no object (a typo protects
# nothing)." docs/gitops.md: "prune keeps them and names them in a warning and in the result's `protected`".

def test_prune_names_the_protected_objects_it_keeps_and_warns_of_the_name_matching_nothing(emulator, run_module):
    items = others(emulator, "users", "admin", "bob", "carol")
    run = run_module(users_task(items, prune=True, protected=["ADMIN", BOB, "alicee"], max_deletions=10), check=True)
    assert run.rc == 0, run.output
    result = run.result
    assert result["protected"] == [{"id": ADMIN, "username": "admin"}, {"id": BOB, "username": "bob"}]
    assert [c["username"] for c in result["changes"]] == ["carol"]
    assert result["warnings"] == [
        "prune keeps 2 users that the list does not hold, because they are protected: %s (admin), %s (bob)."
        % (ADMIN, BOB),
        "protected names no user of the account with id or username alicee: check the spelling, as an object protected"
        " under a wrong name is not protected."]


@pytest.mark.parametrize("protected", [["admin"], [ADMIN], ["Admin", ADMIN.upper()]],
                         ids=["by-name", "by-id", "any-case"])
def test_a_protected_name_or_id_of_the_account_raises_no_spelling_warning(emulator, run_module, protected):
    items = others(emulator, "users", "admin")
    run = run_module(users_task(items, prune=True, protected=protected), check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is False and run.result["protected"] == [{"id": ADMIN, "username": "admin"}]
    assert not [w for w in run.result["warnings"] if "check the spelling" in w], run.result["warnings"]


# -- a rejected removal names the object (docs/reliability.md, row 35; docs/how-it-works.md, 5. Applying) ------------
# A bulk request rejected with 400001 per-item detail fails naming each rejected item: "validation error (400001):
# organizations[2] (id ..., label acme-plant): label: ...". An item of the list is named by its position and its
# identity; an object that prune removes is in no list, so it is named as the diff heads it: "organization <id>
# (label <label>)" (docs/how-it-works.md, 4. Check mode and diff). Deletions of organizations are bulk deletes;
# deactivations travel in the bulk update (plugins/doc_fragments/bulk.py, removal).
REMOVAL_PATH = {"delete": ORGS_DELETE, "deactivate": ORGS_UPDATE}
REFUSAL = {"0": {"id": ["Refused by the test."]}}


@pytest.mark.parametrize("removal", ["delete", "deactivate"])
def test_a_rejected_removal_of_a_listed_item_names_the_item_by_position_and_label(emulator, run_module, removal):
    emulator.inject(REMOVAL_PATH[removal], "status", method="POST", status=400, detail=REFUSAL)
    run = run_module(orgs_task([{"label": "north_site"}], state="absent", removal=removal))
    assert run.rc == 2
    msg = run.result["msg"]
    assert "validation error (400): organizations[0] (label north_site): id: Refused by the test." in msg, msg
    assert run.result["failed_ids"] == [NORTH_SITE]
    assert by_name(emulator, "organizations")["north_site"]["isActive"] is True


@pytest.mark.parametrize("removal", ["delete", "deactivate"])
def test_a_rejected_removal_by_prune_names_the_object_by_id_and_label(emulator, run_module, removal):
    emulator.inject(REMOVAL_PATH[removal], "status", method="POST", status=400, detail=REFUSAL)
    # legacy-site is inactive: listed with isActive false, it stays so (under deactivate, listed means active).
    items = [dict(i, isActive=False) if i["label"] == "legacy-site" else i
             for i in others(emulator, "organizations", "north_site")]
    run = run_module(orgs_task(items, prune=True, removal=removal))
    assert run.rc == 2
    msg = run.result["msg"]
    expected = "validation error (400): organization %s (label north_site): id: Refused by the test." % NORTH_SITE
    assert expected in msg, msg
    assert run.result["failed_ids"] == [NORTH_SITE]


# -- what an existing user is not sent (docs/how-it-works.md, 3. Planning) -----------------------------------------
# "password: write-only. update_password: on_create (default) sends it only to a new user; always to every listed
# user (always a change); never to no existing user, with a warning." The warning names the item (docs/reliability.md:
# every message names its item, users[3] (id ..., username ...)).

def test_update_password_never_warns_naming_the_item_and_sends_nothing(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "password": "New-Pass-9"}], update_password="never"))
    assert run.rc == 0, run.output
    assert run.result["changed"] is False and sent(emulator) == []
    assert run.result["warnings"] == ["users[0] (username alice): password given but update_password is never, so it is"
                                      " not sent to an existing user."]


# -- a value breaking a rule fails only when it would be sent (docs/how-it-works.md, 1. Validation) -----------------
# "an error of a kind an account may hold (pattern, format, length, ...) is kept aside and fails the task only if
# that value would be sent: when the object is created, or when the value differs from the current one."
# docs/reliability.md: "Bad input is refused before any write".

def test_a_changed_value_breaking_the_schema_fails_before_any_write(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "lastName": "Kept", "email": "not an email"}]))
    assert run.rc == 2
    assert run.result["msg"].startswith("users[0] (username alice): email:"), run.result["msg"]
    assert "Nothing was written" in run.result["msg"] and sent(emulator) == []


# -- a new user needs username, email and password (docs/how-it-works.md, 3. Planning) -----------------------------
# "not found by name -> create (a new user needs username, email, password)"; docs/reliability.md row 50 shows the
# message: "no user with username ..., and a new user needs username, email, password (missing: email, password)".
# An empty string is no value.

def test_an_empty_email_of_a_new_user_is_named_missing(emulator, run_module):
    run = run_module(users_task([{"username": "newbie", "email": "", "password": "Newbie-Pass-1"}]))
    assert run.rc == 2
    assert ("users[0] (username newbie): no user with username newbie, and a new user needs username, email, password"
            " (missing: email)") in run.result["msg"], run.result["msg"]
    assert sent(emulator) == []


# -- memberships in the diff (docs/how-it-works.md, 3. Planning and 4. Check mode and diff) -------------------------
# "organizations (memberships): a set of (organization, role). A missing membership, or one with another role, is
# assigned; an unlisted one is kept unless purge_organizations: true." "--diff prints one entry per created, updated
# or deleted object ... holding only the changed keys".

def test_the_diff_of_a_new_user_shows_the_memberships_it_will_have(emulator, run_module):
    item = {"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1",
            "organizations": [membership("org2", "viewer")]}
    run = run_module(users_task([item]), check=True, diff=True)
    assert run.rc == 0, run.output
    (entry,) = run.result["diff"]
    assert entry["before"] == "" and entry["after"]["organizations"] == [{"label": "org2", "role": "viewer"}]
    assert entry["after"]["password"] == "********"


def test_the_diff_of_a_purge_shows_only_the_memberships_that_remain(emulator, run_module):
    run = run_module(users_task([{"username": "admin", "organizations": [membership("org1", "admin")]}],
                                purge_organizations=True), check=True, diff=True)
    assert run.rc == 0, run.output
    (entry,) = run.result["diff"]
    assert entry["before"] == {"organizations": [membership("acme-plant", "admin"), membership("org1", "admin"),
                                                 membership("org2", "admin")]}
    assert entry["after"] == {"organizations": [membership("org1", "admin")]}


# -- purge_organizations and the default organization (plugins/module_utils/_plan.py, membership_problems) ---------
# The module refuses a default organization that purge would leave without its membership (the run would never
# converge); a default organization given by label whose membership is listed by label is no such case: nothing
# differs, nothing is refused. A dashboard that shares its label with an organization is not an organization:
# purge may remove that organization's membership (plugins/modules/ubidots_users_bulk.py, purge_organizations).

def test_a_default_organization_given_by_label_and_listed_by_label_is_kept_by_purge(emulator, run_module):
    item = {"username": "bob", "defaultOrganization": "org2", "organizations": [membership("org2", "viewer")]}
    run = run_module(users_task([item], purge_organizations=True))
    assert run.rc == 0, run.output
    assert run.result["changed"] is False and sent(emulator) == []


# plugins/modules/ubidots_users_bulk.py, purge_organizations: "An item whose defaultOrganization is not among its
# organizations fails before any write, in check mode too." The rule holds whatever the read returns: here the API
# leaves the memberships out of every read (the emulator's omit_keys, issue 28), and the user's current default
# organization, which the item keeps, is still known for what it is.

def test_a_default_organization_not_listed_is_refused_when_no_membership_is_read(emulator, run_module):
    emulator.configure(omit_keys={"users": ["organizations"]}, omit_from="all")
    item = {"username": "bob", "defaultOrganization": "org2", "organizations": [membership("org1", "viewer")]}
    run = run_module(users_task([item], purge_organizations=True), check=True)  # check mode: nothing is waited for
    assert run.rc == 2
    assert run.result["msg"] == ("users[0] (username bob): defaultOrganization org2 is not among its organizations, and"
                                 " purge_organizations: true would remove that membership: add it to organizations, or"
                                 " change defaultOrganization. Nothing was written.")


def test_a_default_dashboard_named_like_an_organization_does_not_stop_purge(emulator, run_module):
    state = emulator.state()
    maintenance = {"id": "5fc8e4b7a1c2d3e4f5a6b7ff", "label": "maintenance", "name": "Maintenance"}
    emulator.set_state(organizations=state["organizations"] + [maintenance])
    emulator.update_object("users", "~bob", {"organizations": [membership("org2", "viewer"),
                                                               membership("maintenance", "viewer")]})
    item = {"username": "bob", "defaultDashboard": "maintenance", "organizations": [membership("org2", "viewer")]}
    run = run_module(users_task([item], purge_organizations=True))
    assert run.rc == 0, run.output
    now = user(emulator, "bob")
    assert now["defaultDashboard"]["label"] == "maintenance"
    assert [m["label"] for m in api_log(emulator, "POST", "/remove_organizations")[0]["body"]] == ["maintenance"]


# -- references are read only when sent (docs/how-it-works.md, 3. Planning) -----------------------------------------
# "References that would be sent (an organization, role, dashboard or app ...) are looked up next, one read per kind
# and only when referenced". Renaming an organization gives no app: its current app goes back unchanged with the full
# update and is not looked up.

def test_renaming_an_organization_with_an_app_reads_no_apps(emulator, run_module):
    run = run_module(orgs_task([{"label": "acme-plant", "name": "ACME Works"}]))
    assert run.rc == 0, run.output
    assert api_log(emulator, "GET", "/apps") == []
    (body,) = [e["body"] for e in writes(emulator)]
    app = by_name(emulator, "organizations")["acme-plant"]["app"]
    assert body[0]["name"] == "ACME Works" and body[0]["app"] == app["id"]


# -- removal: deactivate (plugins/doc_fragments/bulk.py, removal) ---------------------------------------------------
# "An object that is already inactive is no change." An object whose isActive the API does not return is not known
# to be inactive: state absent still plans its deactivation (a leaver is never silently left active).

def test_a_user_read_without_is_active_is_still_deactivated_by_absent(emulator, run_module):
    emulator.configure(omit_keys={"users": ["isActive"]}, omit_from="all")
    run = run_module(users_task([{"username": "bob"}], state="absent", removal="deactivate"), check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is True and run.result["deactivated"] == [BOB]
    assert [(c["action"], c["before"], c["after"]) for c in run.result["changes"]] == [
        ("deactivate", {"isActive": True}, {"isActive": False})]


# -- waiting (docs/how-it-works.md, 6. Waiting, and what the collection guarantees) ---------------------------------
# "wait: true is the default: the module re-reads the last object of each request ... until it shows what was sent
# (a created one exists, a deleted one is gone)". "Guaranteed: two tasks in a row ... never lose either change,
# whatever the API's apply delay". The reads ask only for the fields compared (docs/how-it-works.md, 2. Reading).

def test_the_read_back_of_a_new_user_asks_for_the_values_it_was_created_with_but_not_its_password(emulator, run_module):
    item = {"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1", "firstName": "New"}
    run = run_module(users_task([item]))
    assert run.rc == 0, run.output
    reads = [e for e in api_log(emulator, "GET", "/users") if "id__in" in e["query"]]
    assert len(reads) == 1
    assert set(reads[0]["query"]["fields"][0].split(",")) == {"id", "username", "email", "firstName"}


@pytest.mark.parametrize("item, options, shown", [
    ({"username": "bob"}, {"state": "absent", "removal": "deactivate"}, ("bob", "isActive", False)),
    ({"username": "alice", "lastName": "Waited"}, {}, ("alice", "lastName", "Waited")),
], ids=["deactivation", "update"])
def test_when_the_task_returns_the_bulk_update_shows(emulator, run_module, item, options, shown):
    emulator.configure(apply_delay=0.2)
    run = run_module(users_task([item], **options))
    assert run.rc == 0, run.output
    username, key, value = shown
    assert user(emulator, username)[key] == value
