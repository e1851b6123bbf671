# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schema validation and per-key comparison, without Ansible or HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._plan import make_plan
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import MASK, WRITE_ONLY
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS
from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import SCHEMAS

REPO = Path(__file__).resolve().parents[4]


def validate_items(spec, items):
    """Every validation message, as the module's failure lists them."""
    return validator(spec).validate(items).errors


def compare_item(spec, item, obj, options):
    """(before, after, body) of the update the plan makes for `item` against `obj`; body None when unchanged."""
    plan = make_plan(spec, [item], [obj], dict({"update_password": "always"}, **options))
    return (plan.updates[0].before, plan.updates[0].after, plan.updates[0].body) if plan.updates else ({}, {}, None)


CURRENT_USER = {
    "id": "u1", "username": "ada", "firstName": "Ada", "tags": ["b", "a"],
    "defaultOrganization": {"id": "o1", "label": "plant-north", "name": "Plant North"},
    "defaultRole": {"label": "editor", "name": "Editor"},
    "defaultDashboard": None,
    "contactMethods": [{"id": "c9", "type": "email", "values": ["x@example.com"], "properties": {}}],
}

CURRENT_ORG = {
    "id": "o1", "label": "plant-north", "name": "Plant North", "description": "old",
    "properties": {"color": "#BADA55", "nested": {"a": 1}}, "isActive": True,
    "app": {"id": "a1", "label": "main-app", "name": "Main"},
    "favicon": {"raw": "https://img.example/f.png", "h36": "x", "h50": "y"}, "logo": None,
    "usersCount": 4, "devicesCount": 9,
}


def test_exported_json_schemas_equal_the_python_dicts():
    for name, schema in SCHEMAS.items():
        exported = json.loads((REPO / "docs" / "schemas" / (name + ".json")).read_text())
        assert exported == schema
    check = subprocess.run([sys.executable, str(REPO / "scripts" / "export_schemas.py"), "--check"], check=False)
    assert check.returncode == 0


def test_valid_items_have_no_errors():
    items = [{"id": "u1", "username": "a-b_C9", "email": "a@b.co", "tags": ["x"] * 20, "decimalPlaces": 2,
              "defaultOrganization": None, "contactMethods": [{"type": "telegram", "values": ["@ada"]}],
              "isActive": False, "password": "p"},
             {"username": "grace"}]
    assert validate_items(USERS, items) == []


def test_password_of_the_wrong_type_is_never_shown():
    errors = validate_items(USERS, [{"id": "u1", "password": 123456789}, {"id": "u2", "password": ""}])
    assert errors == ["users[0] (id u1): password: must be string, got integer",
                      "users[1] (id u2): password: must not be empty"]
    assert "123456789" not in str(errors)


def test_org_rules():
    errors = validate_items(ORGANIZATIONS, [
        {"id": "o1", "properties": [], "isActive": "no", "app": 5, "favicon": 1, "color": "red"},
        {"label": "has space"},
        {"name": "no identity"},
    ])
    assert errors == [
        "organizations[0] (id o1): unknown key color; allowed keys: id, label, name, description, favicon, logo, properties, isActive, app",
        "organizations[0] (id o1): app: must be string or null, got integer",
        "organizations[0] (id o1): favicon: must be string or null, got integer",
        "organizations[0] (id o1): isActive: must be boolean, got string",
        "organizations[0] (id o1): properties: must be object (dict), got list",
        "organizations[1] (label has space): label: only ASCII letters, digits, dash and underscore are allowed ('has space')",
        "organizations[2]: needs id or label to say which organization to update",
    ]


def test_duplicate_usernames_and_ids_are_errors():
    errors = validate_items(USERS, [{"username": "a"}, {"username": "a"}, {"id": "1"}, {"id": "1", "username": "b"}])
    assert errors == ["users[1] (username a): same username as users[0]; each user may appear once",
                      "users[3] (id 1, username b): same id as users[2]; each user may appear once"]


def test_unchanged_user_is_not_sent():
    desired = {"id": "u1", "tags": ["a", "b", "a"], "defaultOrganization": "plant-north", "defaultRole": "editor",
               "defaultDashboard": None, "contactMethods": [{"type": "email", "values": ["x@example.com"]}]}
    assert compare_item(USERS, desired, CURRENT_USER, {}) == ({}, {}, None)
    assert compare_item(USERS, dict(desired, defaultOrganization="o1"), CURRENT_USER, {})[2] is None


def test_changed_user_sends_id_and_changed_keys_only():
    before, after, write = compare_item(USERS, {"id": "u1", "firstName": "Ada", "tags": ["c"], "password": "pw"},
                                        CURRENT_USER, {})
    assert write == {"id": "u1", "tags": ["c"], "password": "pw"}
    assert before == {"tags": ["a", "b"], "password": WRITE_ONLY}
    assert after == {"tags": ["c"], "password": MASK}


def test_username_identity_is_not_compared():
    assert compare_item(USERS, {"username": "ada", "firstName": "Ada"}, CURRENT_USER, {})[2] is None


def test_org_full_update_carries_the_whole_state():
    write = compare_item(ORGANIZATIONS, {"id": "o1", "description": "new"}, CURRENT_ORG, {})[2]
    assert write == {"id": "o1", "label": "plant-north", "name": "Plant North", "description": "new",
                     "properties": {"color": "#BADA55", "nested": {"a": 1}}, "isActive": True, "app": "a1",
                     "favicon": "https://img.example/f.png", "logo": None}


def test_properties_merge_or_purge():
    merge = compare_item(ORGANIZATIONS, {"id": "o1", "properties": {"nested": {"a": 1}}}, CURRENT_ORG, {})
    assert merge[2] is None
    merged = compare_item(ORGANIZATIONS, {"id": "o1", "properties": {"size": 3}}, CURRENT_ORG, {})
    assert merged[2]["properties"] == {"color": "#BADA55", "nested": {"a": 1}, "size": 3}
    purged = compare_item(ORGANIZATIONS, {"id": "o1", "properties": {"nested": {"a": 1}}}, CURRENT_ORG,
                          {"purge_properties": True})
    assert purged[2]["properties"] == {"nested": {"a": 1}}


@pytest.mark.parametrize("value, changed", [("main-app", False), ("a1", False), ("other", True), (None, True)])
def test_app_matches_by_id_or_label(value, changed):
    assert (compare_item(ORGANIZATIONS, {"id": "o1", "app": value}, CURRENT_ORG, {})[2] is not None) is changed


@pytest.mark.parametrize("value, changed", [("https://img.example/f.png", False), ("https://img.example/g.png", True), (None, True)])
def test_images_compare_by_raw_url(value, changed):
    assert (compare_item(ORGANIZATIONS, {"id": "o1", "favicon": value}, CURRENT_ORG, {})[2] is not None) is changed


def test_null_reference_equals_null():
    assert compare_item(ORGANIZATIONS, {"id": "o1", "logo": None}, CURRENT_ORG, {})[2] is None
    assert compare_item(USERS, {"id": "u1", "defaultDashboard": None}, CURRENT_USER, {})[2] is None


def test_to_item_gives_the_bulk_shape_without_secrets():
    item = USERS.to_item(dict(CURRENT_USER, password="never-returned"))
    assert item == {"id": "u1", "username": "ada", "firstName": "Ada", "defaultOrganization": "o1",
                    "defaultRole": "editor", "defaultDashboard": None, "tags": ["a", "b"],
                    "contactMethods": [{"type": "email", "values": ["x@example.com"], "properties": {}}]}
    assert compare_item(USERS, item, CURRENT_USER, {})[2] is None


@pytest.mark.parametrize("spec", [USERS, ORGANIZATIONS], ids=lambda spec: spec.option)
def test_each_schema_is_valid_draft_2020_12_with_a_fast_check(spec):
    """The module no longer checks its own schemas at run time (nor imports jsonschema for valid items)."""
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(spec.schema)
    assert validator(spec).fast is not None


def test_valid_items_are_checked_without_importing_jsonschema():
    """jsonschema is imported only for an item the fast check rejects (a sixth of the module's imports)."""
    code = (
        "import sys\n"
        "from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator\n"
        "from ansible_collections.ubidots.industrial.plugins.module_utils._resources import USERS\n"
        "assert not validator(USERS).validate([{'username': 'ada', 'firstName': 'Ada'}])\n"
        "print('jsonschema' in sys.modules)\n"
        "found = validator(USERS).validate([{'username': 'ada', 'firstName': 5}])\n"
        "print('jsonschema' in sys.modules, found.errors)\n")
    # The child imports the collection from where this process does (tests/conftest.py puts it on sys.path).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env).stdout.splitlines()
    assert out[0] == "False"
    assert out[1].startswith("True") and "firstName: must be string, got integer" in out[1], out
