# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk modules' shared driver (plugins/module_utils/_bulk.py) as its documentation promises it: the options and
their defaults, the option checks, the empty-list-with-prune guard, what a failed read says, the keys read under
removal: deactivate, and the result and diff past changes_limit.

Issue 28: each test was written from the passage it cites (the bulk doc fragment plugins/doc_fragments/bulk.py, the
modules' DOCUMENTATION and RETURN, docs/how-it-works.md, docs/reliability.md), not from a mutant's diff, and checked
against the survivors of _bulk.py with `scripts/mutants.py --check`. Every test runs the modules in-process against
the emulator and reads what a user would see: the request log, the result, the diff, the message.
"""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.ubidots.industrial.plugins.doc_fragments.bulk import ModuleDocFragment
from ubidots_testing import api_log, by_name, echoed, NAMESPACE, orgs_task, sent, user_reads, users_task, writes

BULK_OPTIONS = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
USERS_BULK = NAMESPACE + "ubidots_users_bulk"
ORGS_CREATE = "/api/v2.0/organizations/_/bulk/create/"


# The API's detail as the emulator sends it, and as the message quotes it (docs/reliability.md row 29; a detail that
# ends with a full stop keeps one).
DETAILS = pytest.mark.parametrize("detail, quoted", [(None, "Injected fault"),
                                                     ("Not found: the box FX-BOX.", "Not found: the box FX-BOX")],
                                  ids=["reliability-row-29", "detail-with-full-stop"])


def fields_asked(entry):
    """The set of fields= a logged read asked for."""
    return set(entry["query"].get("fields", [""])[0].split(","))


# -- the options and their defaults (plugins/doc_fragments/bulk.py, options) ---------------------------------------
# Every option of the fragment documents its type and default. Ansible returns a module's arguments in its result
# (`invocation`, "shown at -vvv and kept by register": changes_limit's description), defaults filled in: a task that
# gives only its list shows each documented default, with its documented type.

def test_a_task_given_only_its_list_runs_with_every_documented_default(run_module):
    run = run_module(users_task([]))
    assert run.rc == 0, run.output
    args = echoed(run)
    python_type = {"bool": bool, "int": int, "str": str, "list": list}
    for name, doc in BULK_OPTIONS.items():
        assert args[name] == doc["default"], name
        assert type(args[name]) is python_type[doc["type"]], name  # pylint: disable=unidiomatic-typecheck


# protected (type: list, elements: str): "Objects that this module never deletes ... each named by id, username
# (users) or label (organizations)"; "With prune: true, the module reads the whole account and warns of a name that
# matches no object (a typo protects nothing)". A username may be all digits, which YAML reads as a number.

def test_protected_names_are_strings_and_a_name_matching_nothing_is_warned_of(emulator, run_module):
    keep = [{"username": name} for name in by_name(emulator, "users")]
    run = run_module(users_task(keep, prune=True, protected=[2024, "ghost"]), check=True)
    assert run.rc == 0, run.output
    assert echoed(run)["protected"] == ["2024", "ghost"]
    warnings = run.result.get("warnings", [])
    unknown = "protected names no user of the account with id or username 2024, ghost"
    assert any(unknown in w for w in warnings), warnings
    assert sent(emulator) == []


# state (choices: present, absent) and removal (choices: delete, deactivate): a value that is not a choice is
# refused by Ansible before any request, naming the choices; a misspelt `absent` or `deactivate` never runs as
# present or delete.

def test_a_state_or_removal_that_is_not_a_documented_choice_fails_before_any_request(emulator, run_module):
    run = run_module(users_task([{"username": "carol"}], state="absnet"))
    assert run.rc != 0, run.output
    assert run.result["msg"] == "value of state must be one of: present, absent, got: absnet", run.output
    run = run_module(users_task([{"username": "carol"}], state="absent", removal="deativate"))
    assert run.rc != 0, run.output
    assert run.result["msg"] == "value of removal must be one of: delete, deactivate, got: deativate", run.output
    assert emulator.log() == []
    assert "carol" in by_name(emulator, "users")


# users (ubidots_users_bulk DOCUMENTATION): "type: list, elements: dict, required: true" and "The users, each a
# dict in the API's own field names". A task without the list fails before any request, naming it; an item Ansible
# can read as a dict (key=value, as for any dict option) is one.

def test_a_task_without_its_list_fails_before_any_request_naming_the_option(emulator, run_module):
    run = run_module({"name": "no list", USERS_BULK: {"prune": True}})
    assert run.rc != 0 and run.result["msg"] == "missing required arguments: users", run.output
    assert emulator.log() == []


def test_each_item_is_a_dict_as_ansible_reads_one(emulator, run_module):
    # Whether a "key=value" text converts to a dict depends on the ansible-core series (2.19 and later do here);
    # a plain text never does, on any series.
    run = run_module(users_task(["alice"]))
    assert run.rc != 0, run.output
    assert re.match(r"Elements value for option 'users' is of type (str|<class 'str'>) and we were unable to convert "
                    r"to dict", run.result["msg"]), run.output
    assert emulator.log() == []


# wait (type: bool, default: true): "V(false) returns as soon as the API accepted the requests"; with true, "the
# module re-reads the last object of each request until it shows what was sent".

def test_wait_false_returns_once_the_write_is_accepted_and_wait_true_reads_back(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "lastName": "Later"}], wait=False))
    assert run.rc == 0 and run.result["changed"], run.output
    log = emulator.log()
    assert log[-1]["method"] == "PATCH", [(e["method"], e["path"]) for e in log]
    emulator.clear_log()
    run = run_module(users_task([{"username": "alice", "lastName": "Sooner"}]))
    assert run.rc == 0 and run.result["changed"], run.output
    assert [e["method"] for e in emulator.log()][-2:] == ["PATCH", "GET"]


# batch_size (default 500): "Highest number of objects in one bulk request ... one request per batch otherwise, in
# order." changes_limit (default 1000): "The most objects described one by one in RV(changes) and in the diff. Past
# it, the diff ends with one line counting the objects not shown, and RV(changes_omitted) counts them ... The id
# lists ... and RV(counts) are always complete."

def test_by_default_bulk_requests_carry_500_objects_and_1000_changes_are_described(emulator, run_module):
    new = [{"label": "new-%04d" % n} for n in range(1001)]
    run = run_module(orgs_task(new), diff=True)
    assert run.rc == 0, run.output
    assert [len(e["body"]) for e in api_log(emulator, "POST", ORGS_CREATE)] == [500, 500, 1]
    result = run.result
    assert len(result["changes"]) == 1000 and result["changes_omitted"] == 1
    assert len(result["created"]) == 1001 and result["counts"]["created"] == 1001
    assert len(result["diff"]) == 1001 and result["diff"][-1] == {
        "before_header": "more", "after_header": "more", "before": "",
        "after": "... and 1 more organization (not shown: changes_limit is 1000)\n"}


# -- the diff (docs/how-it-works.md, 4. Check mode and diff) ------------------------------------------------------
# "--diff prints one entry per created, updated or deleted object, headed ... (`new user (username <name>)
# (created)` for a create ...), holding only the changed keys; "" stands for nothing (before a create ...)".
# changes_limit: "Past it, the diff ends with one line counting the objects not shown".

def test_the_diff_names_each_created_object_and_counts_those_past_changes_limit(emulator, run_module):
    new = [{"label": "plant-%d" % n, "name": "Plant %d" % n} for n in range(3)]
    run = run_module(orgs_task(new, changes_limit=1), check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.result["diff"] == [
        {"before_header": "new organization (label plant-0) (created)",
         "after_header": "new organization (label plant-0) (created)",
         "before": "", "after": {"label": "plant-0", "name": "Plant 0"}},
        {"before_header": "more", "after_header": "more", "before": "",
         "after": "... and 2 more organizations (not shown: changes_limit is 1)\n"}]
    assert run.result["changes_omitted"] == 2 and len(run.result["created"]) == 3
    assert sent(emulator) == []


# -- the option checks and the empty-list guard (plugins/doc_fragments/bulk.py) ------------------------------------
# prune: "Only with O(state=present)." removal: "Messages ... say deactivate." allow_empty_prune: "O(prune=true)
# with an empty list would delete every object of the account (a misspelt variable, a directory without files). It
# fails before any request ... unless this is V(true)."

def test_prune_with_state_absent_fails_before_any_request_in_the_words_of_the_removal(emulator, run_module):
    for removal, verb in (("delete", "deletes"), ("deactivate", "deactivates")):
        run = run_module(users_task([{"username": "carol"}], prune=True, state="absent", removal=removal))
        assert run.rc != 0, run.output
        assert run.result["msg"] == "prune %s what is not listed, so it works only with state: present." % verb
    assert emulator.log() == []


def test_an_empty_list_with_prune_is_refused_before_any_request_saying_how_to_empty_it(emulator, run_module):
    run = run_module(orgs_task([], prune=True, max_deletions=100))
    assert run.rc != 0, run.output
    assert run.result["msg"] == (
        "organizations is empty and prune is true: this would delete every organization of the account (an empty list"
        " often comes from a misspelt variable or a directory without YAML files). Nothing was written. List the"
        " organizations to keep, or set allow_empty_prune: true (role variable ubidots_allow_empty_prune) to empty the"
        " account on purpose.")
    assert emulator.log() == []


# -- a failed read (docs/reliability.md, table row 29; RETURN status, errors) ------------------------------------
# "404 from the API on the lookup | GET answers 404 | failed (changed=False): GET /api/v2.0/users/: not found (404):
# Injected fault. Nothing was written." RETURN: status is "The HTTP status of the answer that made the task fail";
# errors is "Every validation, lookup or reference error". docs/how-it-works.md, 3. Planning: references are looked
# up next, "one read per kind"; the message lists every error.

@DETAILS
def test_a_refused_read_of_the_listed_objects_fails_naming_it_and_its_status(emulator, run_module, detail, quoted):
    emulator.inject("/api/v2.0/users/", "status", status=404, method="GET", detail=detail)
    run = run_module(users_task([{"username": "alice", "lastName": "Never"}]))
    assert run.rc != 0, run.output
    result = run.result
    assert result["msg"] == "GET /api/v2.0/users/: not found (404): %s. Nothing was written." % quoted, result["msg"]
    assert result["status"] == 404 and not result.get("changed")
    assert writes(emulator) == [] and sent(emulator) == []


@DETAILS
def test_a_refused_read_of_references_fails_with_every_error_and_its_status(emulator, run_module, detail, quoted):
    emulator.inject("/api/v2.0/roles/", "status", status=404, method="GET", detail=detail)
    missing = "ffffffffffffffffffffffff"
    run = run_module(users_task([{"id": missing}, {"username": "alice", "defaultRole": "viewer"}]))
    assert run.rc != 0, run.output
    result = run.result
    errors = ["users[0] (id %s): no user with id %s" % (missing, missing),
              "GET /api/v2.0/roles/: not found (404): %s" % quoted]
    assert result["errors"] == errors
    assert result["msg"] == "%s. Nothing was written." % "; ".join(errors), result["msg"]
    assert result["status"] == 404 and not result.get("changed")
    assert sent(emulator) == []


# -- what is read (docs/how-it-works.md, 2. Reading; plugins/doc_fragments/bulk.py, state and removal) -------------
# state absent: "Items then need only their identity; their other keys are not compared". The module "asks only for
# the fields it compares (fields=); memberships (fields=organizations) only when an item lists them".
# removal deactivate: "a listed object whose item does not give C(isActive) is wanted active, so listing a leaver
# again brings it back".

def test_state_absent_reads_only_what_it_compares_and_removes_the_listed_object(emulator, run_module):
    carol = by_name(emulator, "users")["carol"]
    item = {"username": "carol", "firstName": "Other", "organizations": [{"label": "nowhere", "role": "viewer"}]}
    run = run_module(users_task([item], state="absent"))
    assert run.rc == 0, run.output
    assert run.result["deleted_ids"] == [carol["id"]]
    reads = user_reads(emulator)
    assert reads and all("organizations" not in fields_asked(e) for e in reads), [e["query"] for e in reads]
    assert api_log(emulator, "GET", "/organizations") == [] and api_log(emulator, "GET", "/roles") == []
    assert sent(emulator, keys=("method", "path"), strip_slash=True) == [("DELETE", "/api/v2.0/users/%s" % carol["id"])]


def test_under_deactivate_a_listed_user_is_wanted_active_and_an_active_one_is_unchanged(emulator, run_module):
    known = by_name(emulator, "users")
    run = run_module(users_task([{"username": "alice"}, {"username": "erin"}], removal="deactivate"), diff=True)
    assert run.rc == 0, run.output
    assert run.result["unchanged_ids"] == [known["alice"]["id"]]
    erin = [{"id": known["erin"]["id"], "isActive": True}]
    assert sent(emulator) == [("PATCH", "/api/v2.0/users/_/bulk/update/", erin)]
    assert [(d["before"], d["after"]) for d in run.result["diff"]] == [({"isActive": False}, {"isActive": True})]
    again = run_module(users_task([{"username": "alice"}, {"username": "erin"}], removal="deactivate"))
    assert again.rc == 0 and not again.result["changed"], again.output
