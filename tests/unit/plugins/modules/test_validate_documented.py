# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of the desired items, as documented, run in process against the emulator (and through the
validate_state filter, which uses the same checks without any request).

Issue 28: each test here comes from a documented promise (docs/how-it-works.md, 1. Validation; docs/reliability.md,
"Bad input"; the modules' DOCUMENTATION; the validate_state filter's DOCUMENTATION; plugins/module_utils/_validate.py's
own contract), not from a mutant's diff. What a user sees is asserted: the message, `errors`, `changed`, and the
requests the emulator received (none when the input is refused before any request, reads but no write when a value
an account may hold is refused because it would be sent).

The validator of each kind is built once per process and kept (`validator`, an lru_cache): every test here starts
from a fresh one, so that building it (jsonschema's validator, the fast check, the extra rules) is part of the test.
"""

from __future__ import annotations

import datetime
import importlib.machinery
import os
import sys
import types

import pytest
import yaml

from ansible_collections.ubidots.industrial.plugins.filter.validate_state import validate_state as check_state
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator
from ubidots_testing import orgs_task, user, users_task, writes

USERS_ALLOWED = ("id, username, password, firstName, lastName, email, defaultOrganization, defaultRole, "
                 "defaultDashboard, language, website, timezone, decimalPlaces, numberFormat, isActive, tags, "
                 "organizations, contactMethods")
NOT_SENT = "Nothing was sent to the API."
NOT_WRITTEN = "Nothing was written."


@pytest.fixture(autouse=True)
def fresh_validator():
    """Each test builds the validators it uses (and leaves none built with a stand-in jsonschema behind)."""
    validator.cache_clear()
    yield
    validator.cache_clear()


def hold(emulator, name, **values):
    """Give a user values the documented rules refuse, as a real account may hold them (tests/emulator/README.md,
    Real-account data: the store accepts whatever set_state() holds)."""
    users = emulator.state()["users"]
    for one in users:
        if one["username"] == name:
            one.update(values)
    emulator.set_state(users=users)


def refused_before_any_request(run, emulator):
    """The run failed on validation: its message, after checking that no request at all was sent."""
    assert run.rc != 0
    assert emulator.log() == []
    msg = run.result["msg"]
    assert msg.endswith(NOT_SENT), msg
    return msg


def refused_after_reading(run, emulator):
    """The run failed on a value that would be sent: its message, after checking it read first and wrote nothing."""
    assert run.rc != 0
    assert writes(emulator) == [] and emulator.log() and all(e["method"] == "GET" for e in emulator.log())
    msg = run.result["msg"]
    assert msg.endswith(NOT_WRITTEN), msg
    return msg


# -- every error of every item, in one message (docs/how-it-works.md, 1. Validation) ---------------------------------
# "All errors of all items are reported in one failure, each naming the item index, its identity and the key path,
# for example: 3 errors in users: users[0] (...): isActive: must be boolean, got string; users[1] (...): ...
# Nothing was sent to the API."

def test_the_failure_lists_each_error_separated_by_semicolons_then_says_nothing_was_sent(emulator, run_module):
    run = run_module(users_task([{"id": "409dba9c67d3bb19f554", "isActive": "yes"},
                                 {"username": "bob", "contactMethods": 5}]))
    msg = refused_before_any_request(run, emulator)
    assert msg == ("2 errors in users: users[0] (id 409dba9c67d3bb19f554): isActive: must be boolean, got string; "
                   "users[1] (username bob): contactMethods: must be list, got integer. Nothing was sent to the API.")


def test_an_item_without_identity_reports_its_other_errors_too(emulator, run_module):
    run = run_module(users_task([{"firstName": 5, "nickname": "nob"}]))
    msg = refused_before_any_request(run, emulator)
    assert msg == ("3 errors in users: users[0]: unknown key nickname; allowed keys: %s; users[0]: needs id or "
                   "username to say which user to update; users[0]: firstName: must be string, got integer. Nothing "
                   "was sent to the API." % USERS_ALLOWED)


# docs/reliability.md, "Bad input": "every error of every item (the first 1,000 kept in `errors`, 25 in the message,
# and the rest counted)".

def test_the_message_shows_twenty_five_errors_and_counts_the_rest_all_kept_in_errors(emulator, run_module):
    items = [{"id": "%024x" % n, "isActive": "yes"} for n in range(30)]
    run = run_module(users_task(items))
    msg = refused_before_any_request(run, emulator)
    assert len(run.result["errors"]) == 30
    assert msg.startswith("30 errors in users: users[0] (id %024x): isActive: must be boolean, got string; " % 0)
    assert "users[24] (id %024x)" % 24 in msg and "users[25]" not in msg
    assert msg.endswith("; and 5 more (see errors). Nothing was sent to the API."), msg[-200:]


# -- what fails at once, before any request (docs/how-it-works.md; _validate.py's contract) -----------------------
# "A username or label that only finds an object is never refused for its format. Errors no account can hold (...,
# no identity, a duplicate) fail before any request." _validate.py: "An identity used to find an object is never
# refused for its format. Everything else (wrong shapes, unknown keys, a missing or duplicated identity, a secret)
# fails at once, before any request." An empty identity finds nothing: it is not a format.

@pytest.mark.parametrize("kind, item, error", [
    ("users", {"username": ""}, "users[0]: username: must not be empty"),
    ("users", {"id": ""}, "users[0]: id: must not be empty"),
    ("users", {"id": "", "username": "alice"}, "users[0] (username alice): id: must not be empty"),
    ("organizations", {"label": ""}, "organizations[0]: label: must not be empty"),
    ("organizations", {"id": ""}, "organizations[0]: id: must not be empty"),
], ids=["empty-username", "empty-user-id", "empty-id-next-to-a-username", "empty-label", "empty-org-id"])
def test_an_empty_identity_fails_before_any_request(emulator, run_module, kind, item, error):
    task = users_task if kind == "users" else orgs_task
    run = run_module(task([item]))
    msg = refused_before_any_request(run, emulator)
    assert error in run.result["errors"], run.result["errors"]
    assert error in msg


def test_a_username_that_only_finds_a_user_is_not_refused_for_its_format(emulator, run_module):
    # docs/how-it-works.md: real accounts hold john.doe; the username finds the user and is not sent.
    hold(emulator, "alice", username="alice.smith")
    run = run_module(users_task([{"username": "alice.smith", "lastName": "Found"}]))
    assert run.rc == 0, run.output
    assert user(emulator, "alice.smith")["lastName"] == "Found"


def test_a_username_next_to_an_id_is_a_value_to_send_checked_only_if_sent(emulator, run_module):
    # ubidots_users_bulk: "An item without id is found by username"; with id, the username is a value like the
    # others: "The documented rules apply to every value that is sent" (decided after reading, not before).
    alice = user(emulator, "alice")
    run = run_module(users_task([{"id": alice["id"], "username": ""}]))
    msg = refused_after_reading(run, emulator)
    assert "users[0] (id %s): username: must not be empty" % alice["id"] in msg, msg


def test_a_username_with_an_id_that_equals_the_current_one_is_not_refused(emulator, run_module):
    hold(emulator, "alice", username="alice.smith")
    alice = user(emulator, "alice.smith")
    run = run_module(users_task([{"id": alice["id"], "username": "alice.smith", "lastName": "Kept"}]))
    assert run.rc == 0, run.output
    assert user(emulator, "alice.smith")["lastName"] == "Kept"


# -- secrets (_validate.py: "a secret ... fails at once, before any request"; README: passwords never shown) -------

@pytest.mark.parametrize("update_password", ["on_create", "never"])
def test_an_empty_password_fails_before_any_request_even_for_a_user_that_exists(emulator, run_module, update_password):
    # With on_create or never the password of an existing user is not sent, yet a password that breaks a rule
    # is refused at once: a secret is never left for the plan to decide on.
    run = run_module(users_task([{"username": "alice", "password": ""}], update_password=update_password))
    msg = refused_before_any_request(run, emulator)
    assert msg == "1 error in users: users[0] (username alice): password: must not be empty. " + NOT_SENT


def test_a_password_of_the_wrong_type_is_named_without_its_value(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "password": 98765432123}]))
    msg = refused_before_any_request(run, emulator)
    assert "users[0] (username alice): password: must be string, got integer" in msg
    assert "98765432123" not in run.output


# -- rules an account may break, applied to the values sent (docs/how-it-works.md, 1. Validation) ------------------
# "an error of a kind an account may hold (pattern, format, length, item count, minimum, enum, or a null) is kept
# aside and fails the task only if that value would be sent"

def test_a_minimum_is_applied_to_a_value_that_would_be_sent(emulator, run_module):
    # ubidots_users_bulk: decimalPlaces (integer); the schema: minimum 0.
    run = run_module(users_task([{"username": "alice", "decimalPlaces": -1}]))
    msg = refused_after_reading(run, emulator)
    assert "users[0] (username alice): decimalPlaces: must be 0 or more, got -1" in msg, msg


def test_a_value_below_the_minimum_that_the_account_holds_is_not_refused(emulator, run_module):
    hold(emulator, "alice", decimalPlaces=-1)
    run = run_module(users_task([{"username": "alice", "decimalPlaces": -1, "lastName": "Held"}]))
    assert run.rc == 0, run.output
    assert user(emulator, "alice")["lastName"] == "Held"


# ubidots_users_bulk: contactMethods is a "list of {type: email|voice|telegram|sms, values: [str], properties: {}}".
# A value that is not one of the four types is named as JSON writes it (docs/reliability.md: "Values in messages are
# cut to about 60 characters").

@pytest.mark.parametrize("value, shown", [
    (5, "5"), (None, "null"), (True, "true"), (["télégramme"], '["télégramme"]'), ({"kind": "sms"}, '{"kind": "sms"}'),
    ("fax", "'fax'"),
], ids=["number", "null", "boolean", "list-non-ascii", "object", "text"])
def test_a_contact_method_type_that_is_not_one_of_the_four_is_named_as_json(emulator, run_module, value, shown):
    run = run_module(users_task([{"username": "alice", "contactMethods": [{"type": value, "values": ["x"]}]}]))
    msg = refused_after_reading(run, emulator)
    expected = "contactMethods[0].type: must be one of email, voice, telegram, sms, got %s" % shown
    assert "users[0] (username alice): " + expected in msg, msg


@pytest.mark.parametrize("length, shown", [
    (58, None),            # quoted: 60 characters, shown whole
    (59, 60),              # quoted: 61 characters, the first 60 and "..."
    (300, 60),
], ids=["sixty", "sixty-one", "three-hundred"])
def test_values_in_messages_are_cut_to_sixty_characters(emulator, run_module, length, shown):
    email = "not-an-address-" + "x" * (length - 15)
    run = run_module(users_task([{"username": "alice", "email": email}]))
    msg = refused_after_reading(run, emulator)
    quoted = repr(email)
    expected = quoted if shown is None else quoted[:shown] + "..."
    assert "users[0] (username alice): email: %s is not a valid email address. " % expected in msg, msg


# -- the shapes inside lists (ubidots_users_bulk: contactMethods and organizations entries) -------------------------

@pytest.mark.parametrize("item, error", [
    ({"contactMethods": [{"type": "sms"}]}, "contactMethods[0]: 'values' is a required property"),
    ({"organizations": [{"label": "org1"}]}, "organizations[0]: 'role' is a required property"),
    # "each a dict with C(label) (the organization's label, or C(id) instead)": the message says which keys.
    ({"organizations": [{"role": "viewer"}]}, "organizations[0]: needs label or id"),
], ids=["contact-without-values", "membership-without-role", "membership-without-organization"])
def test_an_entry_that_lacks_a_key_fails_before_any_request(emulator, run_module, item, error):
    run = run_module(users_task([dict(item, username="alice")]))
    msg = refused_before_any_request(run, emulator)
    assert msg == "1 error in users: users[0] (username alice): %s. %s" % (error, NOT_SENT)


# ubidots_users_bulk: "an organization may appear once per user (once by label and once by id fails too, before any
# write)"; _validate.py: what a schema cannot say is checked with it, before any request.

def test_an_organization_listed_twice_in_one_users_memberships_fails_before_any_request(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "organizations": [
        {"label": "org1", "role": "viewer"}, {"label": "org1", "role": "admin"}]}]))
    msg = refused_before_any_request(run, emulator)
    assert msg == ("1 error in users: users[0] (username alice): organizations[1]: organization label org1 is listed "
                   "twice. " + NOT_SENT)


# -- unknown keys ("Other keys are refused"; docs/how-it-works.md: "an unknown key" fails before any request) -------
# Messages name and count things ("a, b and 7 more", docs/how-it-works.md on _messages.py) and never grow with the
# input (docs/reliability.md, "Bad input").

@pytest.mark.parametrize("count, named", [
    (1, "unknown key k00"),
    (2, "unknown keys k00, k01"),
    (10, "unknown keys " + ", ".join("k%02d" % n for n in range(10))),
    (11, "unknown keys " + ", ".join("k%02d" % n for n in range(10)) + " and 1 more"),
    (13, "unknown keys " + ", ".join("k%02d" % n for n in range(10)) + " and 3 more"),
])
def test_unknown_keys_are_named_ten_at_most_and_the_rest_counted(emulator, run_module, count, named):
    item = dict({"k%02d" % n: n for n in reversed(range(count))}, id="409dba9c67d3bb19f554")
    run = run_module(users_task([item]))
    msg = refused_before_any_request(run, emulator)
    assert msg == "1 error in users: users[0] (id 409dba9c67d3bb19f554): %s; allowed keys: %s. %s" % (
        named, USERS_ALLOWED, NOT_SENT)


def test_a_long_unknown_key_is_cut_in_the_message(emulator, run_module):
    key = "a-value-pasted-where-a-key-belongs-" + "z" * 65
    run = run_module(orgs_task([{"label": "org1", key: "x"}]))
    msg = refused_before_any_request(run, emulator)
    assert "organizations[0] (label org1): unknown key %s...; allowed keys: id, label, name," % key[:37] in msg, msg


# -- jsonschema (README: "jsonschema >= 4"; _validate.py: imported only when an item fails the fast check) ---------
# docs/reliability.md: "Ubuntu 22.04 ships jsonschema 3.2, which has no Draft 2020-12 validator." A copy without
# package metadata (vendored) is found only when imported: the module names it, changes nothing, sends nothing.

def old_jsonschema(version):
    """A stand-in for a jsonschema 3.x imported without its package metadata (no Draft 2020-12 validator)."""
    module = types.ModuleType("jsonschema")
    module.__spec__ = importlib.machinery.ModuleSpec("jsonschema", None)
    if version is not None:
        module.__version__ = version
    module.Draft7Validator = type("Draft7Validator", (), {})
    module.FormatChecker = type("FormatChecker", (), {})
    return module


@pytest.mark.parametrize("version, named", [("3.2.0", "3.2.0"), (None, "(unknown version)")],
                         ids=["3.2.0", "no-version"])
def test_a_jsonschema_without_draft_2020_12_is_named_when_an_item_is_invalid(emulator, run_module, monkeypatch,
                                                                             version, named):
    monkeypatch.setitem(sys.modules, "jsonschema", old_jsonschema(version))
    run = run_module(users_task([{"username": "alice", "isActive": "yes"}]))
    assert run.rc != 0
    assert run.result["msg"] == (
        "jsonschema %s is installed, and the modules need jsonschema 4.0 or later (its Draft 2020-12 validator): "
        "pip install 'jsonschema>=4.0' on the host that runs the module." % named)
    assert run.result["changed"] is False
    assert "Traceback" not in run.output
    assert emulator.log() == []


def test_valid_items_never_need_jsonschema(emulator, run_module, monkeypatch):
    # "a run whose items are all valid never pays for its import" (_validate.py; docs/how-it-works.md: valid items
    # take a fast path, jsonschema only words the errors of the invalid items)
    monkeypatch.setitem(sys.modules, "jsonschema", old_jsonschema("3.2.0"))
    run = run_module([users_task([{"username": "alice", "lastName": "Fast", "email": "alice@example.org",
                                   "organizations": [{"label": "org2", "role": "viewer"}]}]),
                      orgs_task([{"label": "org1", "name": "Fast Org"}], name="orgs")])
    assert run.rc == 0, run.output
    assert user(emulator, "alice")["lastName"] == "Fast"


# -- the validate_state filter (its DOCUMENTATION: "Every item is checked against the schema of its kind (the checks
# the bulk modules make before any request)"). It reads the files with YAML, where an unquoted date is a date and a
# key may be a number: what the modules never receive, the filter must still word.

def write_yaml(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def validate_state(directory, monkeypatch):
    """The filter's answer for `directory`, run from it (places are then shown relative to it: users/u.yml)."""
    monkeypatch.chdir(directory)
    return check_state(str(directory))


def test_the_filter_names_a_yaml_date_given_where_text_belongs(tmp_path, monkeypatch):
    write_yaml(tmp_path / "users" / "u.yml", "- username: ann\n  firstName: 2024-01-01\n"
               "  contactMethods: [{type: 2024-05-06, values: [x]}]\n")
    assert yaml.safe_load((tmp_path / "users" / "u.yml").read_text())[0]["firstName"] == datetime.date(2024, 1, 1)
    found = validate_state(tmp_path, monkeypatch)
    place = os.path.join("users", "u.yml") + " (item 1) (username ann): "
    assert found["problems"] == [place + "firstName: must be string, got date"]
    assert found["warnings"] == [place + 'contactMethods[0].type: must be one of email, voice, telegram, sms, got '
                                 '"2024-05-06" (fails a run only if this value is sent: a new user, or a value the '
                                 'account does not hold)']


def test_the_filter_names_unknown_keys_that_are_numbers(tmp_path, monkeypatch):
    write_yaml(tmp_path / "organizations" / "o.yml", "- label: plant\n  2024: budget\n  colour: red\n  7: x\n")
    found = validate_state(tmp_path, monkeypatch)
    assert found["problems"] == [os.path.join("organizations", "o.yml") + " (item 1) (label plant): unknown keys 2024,"
                                 " 7, colour; allowed keys: id, label, name, description, favicon, logo, properties,"
                                 " isActive, app"]


def test_the_filter_finds_an_organization_listed_twice_in_one_users_memberships(tmp_path, monkeypatch):
    write_yaml(tmp_path / "users" / "u.yml", "- username: cat\n  organizations:\n"
               "    - {label: plant, role: viewer}\n    - {label: plant, role: admin}\n")
    write_yaml(tmp_path / "organizations" / "o.yml", "- label: plant\n")
    found = validate_state(tmp_path, monkeypatch)
    assert os.path.join("users", "u.yml") + " (item 1) (username cat): organizations[1]: organization label plant is " \
        "listed twice" in found["problems"], found["problems"]


# _validate.py, Validation: "a huge invalid list gives a bounded result; every item is still checked and counted"
# (at most 1,000 messages kept, 25 shown). The 100,000-item test of test_properties.py holds the same promise, but it
# is too slow for the mutation runs; 400 items with three errors each cross the limit at item 333 just the same.

def test_a_huge_invalid_list_gives_a_bounded_message_that_counts_every_error_and_item(emulator, run_module):
    bad = [{"id": "%024x" % i, "isActive": "yes", "tags": 5, "nick": 1} for i in range(400)]
    run = run_module(users_task(bad))
    assert run.rc != 0
    result = run.result
    assert len(result["errors"]) == 1000, len(result["errors"])
    assert result["msg"].startswith("1002 errors in users, and 66 more invalid items not checked in detail: "
                                    "users[0] (id %024x): unknown key nick; " % 0), result["msg"][:200]
    assert result["msg"].endswith("; and 977 more (see errors, which holds the first 1000). Nothing was sent to the API.")
    assert emulator.log() == []
