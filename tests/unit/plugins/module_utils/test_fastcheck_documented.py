# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fast validity check (_fastcheck.compile_check), example by example, against jsonschema and the modules.

docs/how-it-works.md, 1. Validation: "valid items take a fast path: `_fastcheck.py` compiles the small subset of
keywords our schemas use into Python closures (items it rejects go through jsonschema for the messages, and a property
test keeps both in agreement) ... the 150-line compiler fails closed instead (an unknown keyword disables it)."
docs/reliability.md rows 81-82: "the fast validity check agrees with jsonschema". The property test draws 25 items in
the quick profile; here every keyword our schemas use (docs/schemas/*.json, plugins/module_utils/_schemas.py) gets
explicit examples, each compared with jsonschema as the module configures it (Draft 2020-12, only the email format),
and with the verdict the JSON Schema specification gives (bool is not a number, 2.0 is an integer, ...).

An item the fast check wrongly accepted would be sent to the API unvalidated: the last tests run the modules against
the emulator with such items and check that each is refused, naming the item and the key, and that nothing is written.

Issue 28: these tests come from the documents above, not from a mutant's diff.
"""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._fastcheck import compile_check
from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import (KEY_PATTERN, ORGANIZATION_SCHEMA,
                                                                                  USER_SCHEMA)
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import _draft_2020_12

from ubidots_testing import user, users_task, writes

ALICE = "409dba9c67d3bb19f554"


def jsonschema_says(schema, item):
    """jsonschema's verdict, with the module's own configuration (_validate._draft_2020_12)."""
    return _draft_2020_12(schema).is_valid(item)


def assert_agrees(schema, item, expected):
    """The fast check exists for `schema`, gives `expected` for `item`, and so does jsonschema."""
    check = compile_check(schema)
    assert check is not None, "no fast check for %r" % (schema,)
    assert jsonschema_says(schema, item) is expected, "the example itself is wrong: %r %r" % (schema, item)
    assert bool(check(item)) is expected, "fast check says %r for %r under %r" % (check(item), item, schema)


# -- the keywords our schemas use, one by one (JSON Schema Draft 2020-12, Validation vocabulary) -------------------
# _fastcheck.py: "bool is not a number; 2.0 is an integer"; "FormatChecker(formats=()) ignores the others" (formats);
# "JSON equality as jsonschema's enum sees it (True is not 1)".

KEYWORD_CASES = [
    # "type" number and integer: a boolean is neither; 2.0 is an integer
    ({"type": "number"}, 1, True), ({"type": "number"}, 2.5, True), ({"type": "number"}, True, False),
    ({"type": "number"}, "1", False), ({"type": "number"}, None, False),
    ({"type": "integer"}, 2, True), ({"type": "integer"}, 2.0, True), ({"type": "integer"}, 2.5, False),
    ({"type": "integer"}, True, False), ({"type": "integer"}, False, False), ({"type": "integer"}, "2", False),
    ({"type": "integer"}, None, False), ({"type": "integer"}, [2], False),
    ({"type": ["integer", "null"]}, None, True), ({"type": ["integer", "null"]}, 0, True),
    ({"type": ["integer", "null"]}, True, False), ({"type": ["integer", "null"]}, 1.5, False),
    ({"type": ["integer", "null"]}, "x", False),
    ({"type": ["number", "integer"]}, 2.5, True), ({"type": ["number", "null"]}, None, True),
    ({"type": ["boolean", "integer"]}, True, True), ({"type": ["boolean", "integer"]}, 1, True),
    ({"type": ["boolean", "integer"]}, 1.5, False), ({"type": ["boolean", "number"]}, False, True),
    ({"type": ["boolean", "number"]}, 0.5, True), ({"type": ["string", "integer"]}, "a", True),
    ({"type": ["string", "integer"]}, 3.0, True), ({"type": ["string", "integer"]}, True, False),
    # "type" boolean: 1 and 0 are not booleans
    ({"type": "boolean"}, True, True), ({"type": "boolean"}, False, True), ({"type": "boolean"}, 1, False),
    ({"type": "boolean"}, 0, False), ({"type": "boolean"}, "true", False), ({"type": "boolean"}, None, False),
    # "type" string, array, object, null
    ({"type": "string"}, "", True), ({"type": "string"}, 5, False), ({"type": "string"}, 5.0, False),
    ({"type": "string"}, True, False), ({"type": "string"}, None, False), ({"type": "string"}, ["a"], False),
    ({"type": ["string", "null"]}, None, True), ({"type": ["string", "null"]}, "a", True),
    ({"type": ["string", "null"]}, 0, False), ({"type": ["string", "null"]}, False, False),
    ({"type": "array"}, [], True), ({"type": "array"}, [1], True), ({"type": "array"}, {}, False),
    ({"type": "array"}, "ab", False), ({"type": "object"}, {}, True), ({"type": "object"}, [], False),
    ({"type": "object"}, None, False), ({"type": "null"}, None, True), ({"type": "null"}, 0, False),
    ({"type": "null"}, False, False), ({"type": "null"}, "", False),
    # minLength / maxLength count characters of strings only
    ({"minLength": 1}, "", False), ({"minLength": 1}, "a", True), ({"minLength": 2}, "ab", True),
    ({"minLength": 2}, "a", False), ({"minLength": 1}, [], True), ({"minLength": 1}, 5, True),
    ({"maxLength": 3}, "abc", True), ({"maxLength": 3}, "abcd", False), ({"maxLength": 3}, "", True),
    ({"maxLength": 3}, [1, 2, 3, 4], True), ({"maxLength": 3}, 12345, True),
    ({"type": "string", "minLength": 1}, "", False), ({"type": "string", "minLength": 1}, "a", True),
    ({"type": "string", "minLength": 1, "maxLength": 2}, "abc", False),
    ({"type": "string", "minLength": 1, "maxLength": 2}, "", False),
    ({"type": "string", "minLength": 1, "maxLength": 2}, "ab", True),
    # pattern: a search (not anchored unless the pattern is), strings only
    ({"pattern": KEY_PATTERN}, "a-b_1", True), ({"pattern": KEY_PATTERN}, "a b", False),
    ({"pattern": KEY_PATTERN}, "", False), ({"pattern": KEY_PATTERN}, 5, True), ({"pattern": "b"}, "abc", True),
    ({"pattern": "b"}, "ac", False),
    # format: only email is checked; other formats are annotations
    ({"format": "email"}, "a@b.co", True), ({"format": "email"}, "a@b", False), ({"format": "email"}, "a b@c.d", False),
    ({"format": "email"}, "", False), ({"format": "email"}, 5, True), ({"format": "email"}, None, True),
    ({"format": "date"}, "not-a-date", True), ({"format": "uri"}, "x y", True), ({"format": "ipv4"}, "a@b", True),
    # enum: JSON equality, True is not 1, a string is not a number
    ({"enum": ["email", "sms"]}, "sms", True), ({"enum": ["email", "sms"]}, "fax", False),
    ({"enum": ["email", "sms"]}, True, False), ({"enum": ["email", "sms"]}, None, False),
    ({"enum": ["email", "sms"]}, ["sms"], False), ({"enum": ["email", "sms"]}, {"sms": 1}, False),
    ({"enum": [1, None]}, 1, True), ({"enum": [1, None]}, 1.0, True), ({"enum": [1, None]}, None, True),
    ({"enum": [1, None]}, True, False), ({"enum": [1, None]}, 2, False), ({"enum": [1, None]}, "1", False),
    ({"enum": [True]}, True, True), ({"enum": [True]}, False, False), ({"enum": [True]}, 1, False),
    ({"enum": [False]}, 0, False), ({"enum": [0]}, False, False), ({"enum": [0]}, 0.0, True),
    ({"enum": ["1"]}, 1, False),
    # minimum: numbers only (a boolean is not a number)
    ({"minimum": 0}, 0, True), ({"minimum": 0}, -1, False), ({"minimum": 0}, 0.5, True), ({"minimum": 0}, -0.5, False),
    ({"minimum": 5}, True, True), ({"minimum": 0}, "a", True), ({"minimum": 0}, None, True),
    ({"type": ["integer", "null"], "minimum": 0}, -1, False), ({"type": ["integer", "null"], "minimum": 0}, 0, True),
    ({"type": ["integer", "null"], "minimum": 0}, None, True),
    # maxItems / items: arrays only
    ({"maxItems": 2}, [1, 2], True), ({"maxItems": 2}, [1, 2, 3], False), ({"maxItems": 2}, "abc", True),
    ({"maxItems": 2}, {"a": 1, "b": 2, "c": 3}, True), ({"maxItems": 0}, [], True),
    ({"items": {"type": "string"}}, [], True), ({"items": {"type": "string"}}, ["a"], True),
    ({"items": {"type": "string"}}, ["a", 1], False), ({"items": {"type": "string"}}, "x", True),
    ({"items": {"type": "string"}}, {"a": 1}, True), ({"items": {"type": "string", "minLength": 1}}, ["a", ""], False),
    ({"type": "array", "items": {"type": "string"}}, [None], False),
    # required / anyOf
    ({"required": ["a", "b"]}, {"a": 1, "b": 2}, True), ({"required": ["a", "b"]}, {"a": 1}, False),
    ({"required": ["a"]}, [], True), ({"required": ["a"]}, "a", True),
    ({"anyOf": [{"required": ["id"]}, {"required": ["label"]}]}, {"id": 1}, True),
    ({"anyOf": [{"required": ["id"]}, {"required": ["label"]}]}, {"label": 1}, True),
    ({"anyOf": [{"required": ["id"]}, {"required": ["label"]}]}, {}, False),
    ({"anyOf": [{"required": ["id"]}, {"required": ["label"]}]}, 5, True),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1, False),
    # properties / additionalProperties (absent means true)
    ({"properties": {"a": {"type": "string"}}}, {"a": "x"}, True),
    ({"properties": {"a": {"type": "string"}}}, {"a": 1}, False),
    ({"properties": {"a": {"type": "string"}}}, {"b": 1}, True),
    ({"properties": {"a": {"type": "string"}}}, 5, True), ({"properties": {"a": {"type": "string"}}}, [], True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1}, True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"b": 1}, False),
    ({"properties": {"a": {}}, "additionalProperties": False}, "x", True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {}, True),
    ({"additionalProperties": False}, {}, True), ({"additionalProperties": False}, {"a": 1}, False),
    ({"type": "object", "additionalProperties": False}, {"a": 1}, False),
    ({"additionalProperties": True, "properties": {"a": {"type": "string"}}}, {"b": 1}, True),
    ({"additionalProperties": True, "properties": {"a": {"type": "string"}}}, {"a": 1}, False),
    # schemas that accept anything: true, {}, annotations only
    (True, 5, True), (True, None, True), ({}, [1], True), ({"properties": {"x": {}}}, {"x": [1]}, True),
    ({"properties": {"x": True}}, {"x": {"y": 1}}, True), ({"items": True}, [None, 1], True),
    ({"description": "only annotations", "title": "t"}, 5, True), ({"$comment": "c"}, None, True),
    # annotations next to assertions are ignored
    ({"type": "string", "description": "d", "default": "x", "examples": ["a"], "$comment": "c", "deprecated": True,
      "readOnly": True, "writeOnly": True, "title": "t", "$id": "https://example.com/s"}, "a", True),
    ({"type": "string", "description": "d", "default": "x", "examples": ["a"], "$comment": "c", "deprecated": True,
      "readOnly": True, "writeOnly": True, "title": "t"}, 1, False),
]


@pytest.mark.parametrize("schema, item, expected", KEYWORD_CASES, ids=["%r-%r" % (s, i) for s, i, _e in KEYWORD_CASES])
def test_each_keyword_our_schemas_use_gives_the_verdict_jsonschema_gives(schema, item, expected):
    assert_agrees(schema, item, expected)


# -- fails closed: "A schema using any other keyword gets no fast check (None)" (_fastcheck.py); docs/how-it-works.md:
# "the 150-line compiler fails closed instead (an unknown keyword disables it)" - jsonschema then judges every item.

@pytest.mark.parametrize("schema", [
    {"const": "x"}, {"type": "object", "properties": {"a": {"type": "string", "oneOf": [{"minLength": 1}]}}},
    {"additionalProperties": {"type": "string"}}, {"enum": [["a"]]}, {"enum": ["a", {"b": 1}]},
    {"properties": {"x": False}}, False, {"items": False}, {"type": "decimal"}, {"type": ["string", "date"]},
    {"pattern": "("}, {"type": "string", "x-unknown": 1}, {"minItems": 1}, {"maximum": 3},
], ids=repr)
def test_a_schema_with_a_keyword_it_does_not_know_gets_no_fast_check(schema):
    assert compile_check(schema) is None


# -- the real schemas (docs/schemas/user-bulk-update-item.json, organization-bulk-update-item.json) ----------------
# Items written from the modules' documentation and the schemas' descriptions; each verdict is jsonschema's too.

TAGS_20 = ["t%d" % i for i in range(20)]
VALID_USER = {
    "id": "409dba9c67d3bb19f554", "username": "alice", "password": "S3cret!", "firstName": "", "lastName": "L",
    "email": "alice@example.com", "defaultOrganization": "acme-plant", "defaultRole": None, "defaultDashboard": "d1",
    "language": None, "website": "", "timezone": "Europe/Berlin", "decimalPlaces": 0, "numberFormat": None,
    "isActive": False, "tags": TAGS_20[:-1] + ["x" * 50],
    "organizations": [{"label": "acme-plant", "role": "viewer"}, {"id": "6027087b65a24d1987654321", "role": "admin"}],
    "contactMethods": [{"type": "email", "values": ["a@example.com"]}, {"type": "voice", "values": []},
                       {"type": "telegram", "values": ["@x"], "properties": {}},
                       {"type": "sms", "values": ["+1"], "properties": {"hours": "9-17"}}],
}

USER_CASES = [
    (VALID_USER, True), ({"id": "a"}, True), ({"username": "alice"}, True), ({"username": "a-b_C9"}, True),
    ({"id": "a", "decimalPlaces": None}, True), ({"id": "a", "decimalPlaces": 2.0}, True),
    ({"id": "a", "tags": TAGS_20}, True), ({"id": "a", "tags": []}, True), ({"id": "a", "language": None}, True),
    ({"id": "a", "contactMethods": []}, True), ({"id": "a", "organizations": []}, True),
    # identity (anyOf) and unknown keys (additionalProperties: false)
    ({}, False), ({"firstName": "x"}, False), ({"id": "a", "nickname": "z"}, False), ({"ID": "a"}, False),
    ({"id": ""}, False), ({"id": 5}, False), ({"id": None}, False), ({"username": ""}, False),
    ({"username": "User 1"}, False), ({"username": "al.ice"}, False), ({"username": 5}, False),
    # types, with JSON's own distinctions
    ({"id": "a", "firstName": 5}, False), ({"id": "a", "firstName": None}, False),
    ({"id": "a", "firstName": True}, False),
    ({"id": "a", "website": []}, False), ({"id": "a", "language": 5}, False), ({"id": "a", "timezone": False}, False),
    ({"id": "a", "isActive": 1}, False), ({"id": "a", "isActive": 0}, False), ({"id": "a", "isActive": "yes"}, False),
    ({"id": "a", "isActive": None}, False),
    ({"id": "a", "decimalPlaces": True}, False), ({"id": "a", "decimalPlaces": -1}, False),
    ({"id": "a", "decimalPlaces": 2.5}, False), ({"id": "a", "decimalPlaces": "2"}, False),
    ({"id": "a", "password": ""}, False), ({"id": "a", "password": 5}, False), ({"id": "a", "password": None}, False),
    ({"id": "a", "defaultRole": ""}, False), ({"id": "a", "defaultOrganization": 7}, False),
    ({"id": "a", "email": "nope"}, False), ({"id": "a", "email": "a@b"}, False), ({"id": "a", "email": 5}, False),
    ({"id": "a", "email": "a b@example.com"}, False),
    # tags: at most 20, each 1 to 50 characters
    ({"id": "a", "tags": TAGS_20 + ["t20"]}, False), ({"id": "a", "tags": [""]}, False),
    ({"id": "a", "tags": ["x" * 51]}, False), ({"id": "a", "tags": "a"}, False), ({"id": "a", "tags": [5]}, False),
    ({"id": "a", "tags": [None]}, False),
    # memberships: a role, and a label or an id
    ({"id": "a", "organizations": [{"label": "x"}]}, False), ({"id": "a", "organizations": [{"role": "r"}]}, False),
    ({"id": "a", "organizations": [{"label": "x", "role": "r", "x": 1}]}, False),
    ({"id": "a", "organizations": [{"label": "", "role": "r"}]}, False),
    ({"id": "a", "organizations": [{"label": "x", "role": ""}]}, False),
    ({"id": "a", "organizations": "acme"}, False), ({"id": "a", "organizations": ["acme"]}, False),
    # contact methods: one of four types, a list of non-empty strings
    ({"id": "a", "contactMethods": [{"type": "fax", "values": []}]}, False),
    ({"id": "a", "contactMethods": [{"type": True, "values": []}]}, False),
    ({"id": "a", "contactMethods": [{"type": None, "values": []}]}, False),
    ({"id": "a", "contactMethods": [{"type": ["sms"], "values": []}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms"}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms", "values": [""]}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms", "values": [5]}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms", "values": "123"}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms", "values": [], "extra": 1}]}, False),
    ({"id": "a", "contactMethods": [{"type": "sms", "values": [], "properties": []}]}, False),
    ({"id": "a", "contactMethods": ["sms"]}, False),
]

ORG_CASES = [
    ({"label": "acme-plant"}, True), ({"id": "o"}, True),
    ({"id": "o", "favicon": None, "logo": None, "app": None}, True),
    ({"id": "o", "favicon": "https://x/f.ico", "name": "N", "description": "", "isActive": True}, True),
    ({"id": "o", "properties": {"a": [1], "b": {"c": None}}}, True), ({"id": "o", "properties": {}}, True),
    ({"name": "x"}, False), ({}, False), ({"label": "two words"}, False), ({"label": ""}, False), ({"label": 5}, False),
    ({"id": "o", "favicon": ""}, False), ({"id": "o", "logo": 5}, False), ({"id": "o", "app": ""}, False),
    ({"id": "o", "app": 12}, False), ({"id": "o", "properties": []}, False), ({"id": "o", "properties": None}, False),
    ({"id": "o", "isActive": 0}, False), ({"id": "o", "isActive": "true"}, False),
    ({"id": "o", "usersCount": 3}, False),
    ({"id": "o", "name": ""}, False), ({"id": "o", "description": None}, False), ({"id": "o", "name": ["x"]}, False),
]


@pytest.mark.parametrize("item, expected", USER_CASES, ids=[repr(i)[:60] for i, _e in USER_CASES])
def test_the_fast_check_of_a_user_item_gives_jsonschemas_verdict(item, expected):
    assert_agrees(USER_SCHEMA, item, expected)


@pytest.mark.parametrize("item, expected", ORG_CASES, ids=[repr(i)[:60] for i, _e in ORG_CASES])
def test_the_fast_check_of_an_organization_item_gives_jsonschemas_verdict(item, expected):
    assert_agrees(ORGANIZATION_SCHEMA, item, expected)


# -- what an item the fast check wrongly accepted would do: be sent ----------------------------------------------
# docs/reliability.md, Bad input: "Bad input is refused before any write: every error of every item ..., each naming
# the item (`users[3] (id ..., username ...)`) and the key path. Shape errors fail before any request; a rule an
# account may already break with data it holds (pattern, format, length, null) is applied after one read, only to
# values that would be sent." docs/how-it-works.md, 1. Validation: "Errors no account can hold (a string for a
# boolean, an unknown key, no identity, a duplicate) fail before any request".
# Each item changes alice (she exists, so a wrongly accepted value would really be written), and comes second,
# after an unchanged valid item, so that the message must name index 1.

SHAPE_ERRORS = [  # no account holds these: refused before any request
    ({"firstName": 5}, "firstName: must be string, got integer"),
    ({"lastName": True}, "lastName: must be string, got boolean"),
    ({"isActive": 1}, "isActive: must be boolean, got integer"),
    ({"decimalPlaces": True}, "decimalPlaces: must be integer or null, got boolean"),
    ({"decimalPlaces": 2.5}, "decimalPlaces: must be integer or null, got number"),
    ({"decimalPlaces": "2"}, "decimalPlaces: must be integer or null, got string"),
    ({"tags": [5]}, "tags[0]: must be string, got integer"),
    ({"nickname": "z"}, "unknown key nickname"),
    ({"organizations": [{"label": "acme-plant", "role": "viewer", "since": "2020"}]},
     "organizations[0]: unknown key since"),
]

HELD_ERRORS = [  # an account may hold these: refused after the read, because the value would be sent
    ({"decimalPlaces": -1}, "decimalPlaces: "),
    ({"tags": TAGS_20 + ["t20"]}, "tags: 21 items, at most 20"),
    ({"tags": [""]}, "tags[0]: "),
    ({"tags": ["y" * 51]}, "tags[0]: 51 characters, at most 50"),
    ({"username": "Alice Smith"}, "username: only ASCII letters, digits, dash and underscore"),
    ({"email": "alice-at-example.com"}, "email: 'alice-at-example.com' is not a valid email address"),
    ({"email": "alice@example"}, "email: 'alice@example' is not a valid email address"),
    ({"contactMethods": [{"type": "fax", "values": ["1"]}]}, "contactMethods[0].type: must be one of email, voice"),
    ({"contactMethods": [{"type": True, "values": ["1"]}]}, "contactMethods[0].type: must be one of email, voice"),
]


def _second_item(changes):
    return users_task([{"username": "bob", "firstName": "Bob"}, dict({"id": ALICE}, **changes)])


def _refused_naming_alice(emulator, run_module, changes, message):
    """Run the task with alice's changes second; it must fail naming users[1] (alice) and `message`, and leave her
    unchanged. Returns the message."""
    before = user(emulator, "alice")
    run = run_module(_second_item(changes))
    assert run.rc != 0 and not run.result.get("changed")
    msg = run.result["msg"]
    assert "users[1] (id %s" % ALICE in msg and message in msg, msg
    assert "users[0]" not in msg, msg
    assert user(emulator, "alice") == before
    return msg


@pytest.mark.parametrize("changes, message", SHAPE_ERRORS, ids=[m for _c, m in SHAPE_ERRORS])
def test_a_value_of_the_wrong_shape_is_refused_naming_item_and_key_before_any_request(
        emulator, run_module, changes, message):
    msg = _refused_naming_alice(emulator, run_module, changes, message)
    assert msg.endswith("Nothing was sent to the API."), msg
    assert emulator.log() == []


@pytest.mark.parametrize("changes, message", HELD_ERRORS, ids=[m for _c, m in HELD_ERRORS])
def test_a_value_breaking_a_rule_is_refused_naming_item_and_key_and_nothing_is_written(
        emulator, run_module, changes, message):
    msg = _refused_naming_alice(emulator, run_module, changes, message)
    assert "Nothing was written" in msg, msg
    assert writes(emulator) == [] and all(e["method"] == "GET" for e in emulator.log())
