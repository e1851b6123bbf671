# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests pinning the behaviour of the Ubidots API emulator (tests/emulator/ubidots_emulator.py)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ubidots_emulator import LEGACY_FIXTURE, Emulator, generate, password_digest  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "ubidots_emulator.py")

ADMIN_TOKEN = "BBUS-emulator-admin-token-000000"
DOCS_TOKEN = "oaXBo6ODhIjPsusNRPUGIK4d72bc73"
READONLY_TOKEN = "BBUS-emulator-readonly-token-000"
ALICE = "409dba9c67d3bb19f554"
BOB = "445da83878abc3c75756"
CAROL = "5e8f1c2d3b4a596877665504"
ORG1 = "6027087b65a24d1987654321"
ORG2 = "6027087b65a24d19acbd0987"
ACME = "5fc8e4b7a1c2d3e4f5a6b701"
USERS = "/api/v2.0/users/"
ORGS = "/api/v2.0/organizations/"
USERS_BULK = "/api/v2.0/users/_/bulk/update/"
ORGS_BULK = "/api/v2.0/organizations/_/bulk/update/"
BULK = {"X-Bulk-Operation": "True"}

ERR_400 = {"code": 400001, "message": "Validation Error."}
ERR_401001 = {"code": 401001, "message": "Authentication credentials were not provided.",
              "detail": "Authentication credentials were not provided."}
ERR_401002 = {"code": 401002, "message": "Incorrect authentication credentials.", "detail": "Incorrect authentication credentials."}
ERR_403 = {"code": 403001, "message": "Permission denied.", "detail": "You do not have permission to perform this action."}
ERR_404 = {"code": 404001, "message": "Not found.", "detail": "Not found."}
ERR_BULK_HEADER = {"detail": "Header `X-BULK-OPERATION` should be provided for bulk operation."}
USERNAME_ERROR = "Enter a valid username. This value may contain only letters, numbers, dash and underscore characters."

USER_KEYS = {"url", "id", "username", "firstName", "lastName", "email", "defaultOrganization", "defaultRole", "defaultDashboard",
             "language", "website", "timezone", "decimalPlaces", "numberFormat", "firstTime", "properties", "isActive",
             "lastLogin", "tags", "createdAt", "contactMethods"}
ORG_KEYS = {"id", "label", "name", "createdAt", "app", "description", "devicesCount", "favicon", "isActive", "limits", "logo",
            "properties", "usersCount", "url"}

# The two examples of the docs' bulk-update pages, verbatim apart from the "..." elisions.
DOCS_USERS_EXAMPLE = [{"id": "409dba9c67d3bb19f554", "username": "User 1"}, {"id": "445da83878abc3c75756", "username": "User 4"}]
DOCS_ORGS_EXAMPLE = [
    {"id": "6027087b65a24d1987654321", "isActive": True, "label": "org1", "name": "Organization 1",
     "description": "Organization One", "app": None, "properties": {"color": "#BADA55"}},
    {"id": "6027087b65a24d19acbd0987", "isActive": True, "label": "org2", "name": "Organization 2",
     "description": "Organization Two", "app": None, "properties": {"color": "#BAD995"}},
]


@pytest.fixture(scope="module")
def emu():
    """One emulator for the module; reset after every test."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _reset(request):
    yield
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").reset()


@pytest.fixture
def api(emu):
    """A requests session authenticated with the admin token."""
    session = requests.Session()
    session.headers["X-Auth-Token"] = ADMIN_TOKEN
    session.base = emu.url
    yield session
    session.close()


def get(api, path, **kwargs):
    """GET through the session."""
    return api.get(api.base + path, **kwargs)


def bulk(api, method, path, body, headers=None, **kwargs):
    """Send a bulk update through the session."""
    return api.request(method, api.base + path, json=body, headers=dict(BULK, **(headers or {})), **kwargs)


def user(emu, key):
    """The user `key` (id or username) from the emulator's state."""
    return next(u for u in emu.state()["users"] if key in (u["id"], u["username"]))


def org(emu, key):
    """The organization `key` (id or label) from the emulator's state."""
    return next(o for o in emu.state()["organizations"] if key in (o["id"], o["label"]))


# -- fixture and API shape ------------------------------------------------------------------------------------------


def test_fixture_basics(emu):
    assert emu.token == ADMIN_TOKEN
    assert emu.tokens == {ADMIN_TOKEN: "admin", DOCS_TOKEN: "admin", READONLY_TOKEN: "readonly"}
    state = emu.state()
    assert len(state["users"]) == 8 and len(state["organizations"]) == 5
    assert emu.url.startswith("http://127.0.0.1:")


def test_user_shape(api):
    answer = get(api, USERS + ALICE + "/")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == USER_KEYS
    assert body["url"] == api.base + "/api/v2.0/users/" + ALICE
    assert body["defaultOrganization"] == {"url": api.base + "/api/v2.0/organizations/" + ORG1, "id": ORG1, "label": "org1",
                                           "name": "Organization 1", "createdAt": "2021-02-12T22:21:47.123456Z"}
    assert set(body["defaultRole"]) == {"url", "label", "name", "createdAt"} and body["defaultRole"]["label"] == "editor"
    assert body["defaultDashboard"] is None
    assert "password" not in answer.text
    frank = get(api, USERS + "~frank_ops").json()
    assert set(frank["defaultDashboard"]) == {"url", "id", "label", "name"}
    assert {c["type"] for c in frank["contactMethods"]} == {"telegram", "voice"}
    assert set(frank["contactMethods"][0]) == {"id", "type", "values", "properties"}


def test_org_shape(api):
    body = get(api, ORGS + "~acme-plant/").json()
    assert set(body) == ORG_KEYS
    assert body["app"] == {"id": "5f3a9e1b2c4d6e8f0a1b2c01", "label": "acme-portal", "name": "ACME Portal",
                           "url": api.base + "/api/v2.0/apps/5f3a9e1b2c4d6e8f0a1b2c01"}
    raw = "https://cdn.example.com/acme/favicon.png"
    assert body["favicon"] == {"h36": raw + "?h=36", "h50": raw + "?h=50", "raw": raw}
    assert body["limits"] == [] and body["usersCount"] == 3 and body["devicesCount"] == 40
    assert get(api, ORGS + ORG1).json()["favicon"] is None


def test_get_one_by_key_and_not_found(api):
    assert get(api, USERS + "~alice/").json()["id"] == ALICE
    assert get(api, USERS + "~alice").json()["id"] == ALICE
    assert get(api, USERS + ALICE).json()["username"] == "alice"
    assert get(api, ORGS + "~org2").json()["id"] == ORG2
    assert get(api, USERS + "~alice/?fields=id,username").json() == {"id": ALICE, "username": "alice"}
    for path in (USERS + "~nobody/", USERS + "0123456789abcdef01234567/", ORGS + "~nope", "/api/v2.0/devices/", "/nothing"):
        answer = get(api, path)
        assert answer.status_code == 404 and answer.json() == ERR_404, path


def test_wrong_method_is_405(api):
    answer = api.delete(api.base + USERS_BULK)
    assert answer.status_code == 405 and answer.headers["Allow"] == "PATCH, POST"


# -- listing --------------------------------------------------------------------------------------------------------


def test_list_envelope_and_pagination(api):
    answer = get(api, USERS, params={"page_size": 3, "isActive": "true"})
    body = answer.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7 and len(body["results"]) == 3 and body["previous"] is None
    assert body["next"].startswith(api.base + USERS + "?") and "page=2" in body["next"] and "isActive=true" in body["next"]
    second = api.get(body["next"]).json()
    assert second["previous"] and "page=" not in second["previous"] and "page_size=3" in second["previous"]
    third = api.get(second["next"]).json()
    assert third["next"] is None and len(third["results"]) == 1
    seen = [u["id"] for page in (body, second, third) for u in page["results"]]
    assert len(set(seen)) == 7
    default = get(api, USERS).json()
    assert default["count"] == 8 and default["next"] is None and len(default["results"]) == 8


def test_invalid_page(api):
    for page in ("5", "0", "-1", "abc"):
        answer = get(api, ORGS, params={"page": page})
        assert answer.status_code == 404
        assert answer.json() == {"code": 404001, "message": "Not found.", "detail": "Invalid page."}
    assert get(api, ORGS, params={"page": "1", "label__in": "nope"}).json()["count"] == 0
    assert get(api, ORGS, params={"page": "last", "page_size": "2"}).json()["results"][0]["label"] == "legacy-site"
    assert len(get(api, ORGS, params={"page_size": "abc"}).json()["results"]) == 5


def test_page_size_default_and_clamp():
    with Emulator(generate(1100, 2)) as big:
        session = requests.Session()
        session.headers["X-Auth-Token"] = big.token
        assert len(session.get(big.url + USERS).json()["results"]) == 50
        body = session.get(big.url + USERS, params={"page_size": 5000}).json()
        assert body["count"] == 1108 and len(body["results"]) == 1000 and "page=2" in body["next"]
        session.close()


def test_fields_and_filters(api):
    body = get(api, USERS, params={"fields": "id,username", "username__in": "bob,alice,ghost"}).json()
    assert body["count"] == 2
    assert body["results"] == [{"id": ALICE, "username": "alice"}, {"id": BOB, "username": "bob"}]
    body = get(api, USERS, params={"id__in": ",".join([BOB, CAROL]), "fields": "username"}).json()
    assert [u["username"] for u in body["results"]] == ["bob", "carol"]
    body = get(api, ORGS, params={"label__in": "org2,acme-plant", "fields": "label,usersCount"}).json()
    assert body["results"] == [{"label": "org2", "usersCount": 2}, {"label": "acme-plant", "usersCount": 3}]
    assert [u["username"] for u in get(api, USERS, params={"isActive": "false"}).json()["results"]] == ["erin"]
    assert get(api, ORGS, params={"isActive": "False"}).json()["results"][0]["label"] == "legacy-site"
    assert get(api, USERS, params={"defaultRole__label": "viewer"}).json()["count"] == 2
    assert get(api, USERS, params={"tags__contains": "ops"}).json()["count"] == 2
    assert get(api, USERS, params={"timezone__isnull": "true"}).json()["count"] == 3
    names = [u["username"] for u in get(api, USERS, params={"sort_by": "-username", "fields": "username"}).json()["results"]]
    assert names == sorted(names, reverse=True)
    mine = get(api, USERS, params={"fields": "username,organizations", "username__in": "admin"}).json()["results"][0]
    assert [o["label"] for o in mine["organizations"]] == ["org1", "org2", "acme-plant"]
    answer = get(api, USERS, params={"usernames__in": "alice"})
    assert answer.status_code == 400 and answer.json()["code"] == 400001


# -- authentication and permissions -----------------------------------------------------------------------------


def test_auth_errors(emu):
    answer = requests.get(emu.url + USERS)
    assert answer.status_code == 401 and answer.json() == ERR_401001
    answer = requests.patch(emu.url + USERS_BULK, json=[], headers=BULK)
    assert answer.status_code == 401 and answer.json() == ERR_401001
    answer = requests.get(emu.url + USERS, headers={"X-Auth-Token": "BBUS-wrong"})
    assert answer.status_code == 401 and answer.json() == ERR_401002
    assert requests.get(emu.url + USERS, params={"token": ADMIN_TOKEN}).status_code == 200
    assert requests.get(emu.url + USERS, headers={"X-Auth-Token": DOCS_TOKEN}).status_code == 200


def test_readonly_token(emu):
    headers = {"X-Auth-Token": READONLY_TOKEN}
    assert requests.get(emu.url + USERS, headers=headers).status_code == 200
    answer = requests.patch(emu.url + USERS_BULK, json=[{"id": ALICE, "firstName": "X"}], headers=dict(headers, **BULK))
    assert answer.status_code == 403 and answer.json() == ERR_403
    assert user(emu, ALICE)["firstName"] == "Alice"


# -- bulk updates ---------------------------------------------------------------------------------------------------


def test_bulk_header_required(api, emu):
    for value in (None, "False", "yes"):
        headers = {"X-Auth-Token": ADMIN_TOKEN}
        if value is not None:
            headers["X-Bulk-Operation"] = value
        answer = requests.patch(emu.url + USERS_BULK, json=[{"id": ALICE, "firstName": "X"}], headers=headers)
        assert answer.status_code == 400 and answer.json() == ERR_BULK_HEADER
        assert answer.text.count("`X-BULK-OPERATION`") == 1
    assert user(emu, ALICE)["firstName"] == "Alice"
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "X"}], headers={"X-Bulk-Operation": "true"})
    assert answer.status_code == 200


def test_bulk_content_type_and_body(api):
    answer = api.patch(api.base + USERS_BULK, data="[]", headers=dict(BULK, **{"Content-Type": "text/plain"}))
    assert answer.status_code == 415 and "detail" in answer.json()
    answer = api.patch(api.base + USERS_BULK, data="[{", headers=dict(BULK, **{"Content-Type": "application/json"}))
    assert answer.status_code == 400 and answer.json()["detail"].startswith("JSON parse error")
    answer = bulk(api, "PATCH", USERS_BULK, {"id": ALICE})
    assert answer.status_code == 400 and answer.json()["detail"] == {"non_field_errors": ['Expected a list of items but got type "dict".']}
    answer = bulk(api, "PATCH", USERS_BULK, [])
    assert answer.status_code == 400 and answer.json()["code"] == 400001


def test_users_patch_is_partial(api, emu):
    before = user(emu, ALICE)
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "lastName": "Smith", "tags": ["a", "b"]}])
    assert answer.status_code == 200
    task = answer.json()["task"]["id"]
    assert set(answer.json()) == {"task"} and len(task) >= 16 and int(task, 16) >= 0
    after = user(emu, ALICE)
    assert after["lastName"] == "Smith" and after["tags"] == ["a", "b"]
    for name in USER_KEYS - {"lastName", "tags"}:
        assert after[name] == before[name], name


def test_users_post_is_full(api, emu):
    answer = bulk(api, "POST", USERS_BULK, [{"id": ALICE, "username": "alice", "email": "alice@example.org", "tags": ["x"]}])
    assert answer.status_code == 200
    after = user(emu, ALICE)
    assert after["email"] == "alice@example.org" and after["tags"] == ["x"]
    assert after["firstName"] == "" and after["lastName"] == "" and after["website"] == ""
    assert after["defaultOrganization"] is None and after["defaultRole"] is None and after["defaultDashboard"] is None
    assert after["language"] is None and after["timezone"] is None and after["decimalPlaces"] is None
    assert after["numberFormat"] is None and after["isActive"] is True and after["contactMethods"] == []
    assert after["createdAt"] == "2021-03-01T12:00:00.000000Z"
    assert emu.check_password(ALICE, "Alice-Pass-1")
    answer = bulk(api, "POST", USERS_BULK, [{"id": BOB, "firstName": "Robert"}])
    assert answer.status_code == 400
    assert answer.json() == dict(ERR_400, detail={"0": {"username": ["This field is required."], "email": ["This field is required."]}})


def test_docs_users_example_is_rejected(api, emu):
    """The docs' own example username "User 1" breaks the documented rule (letters, digits, dash, underscore)."""
    answer = bulk(api, "PATCH", USERS_BULK, DOCS_USERS_EXAMPLE, headers={"X-Auth-Token": DOCS_TOKEN})
    assert answer.status_code == 400
    assert answer.json() == dict(ERR_400, detail={"0": {"username": [USERNAME_ERROR]}, "1": {"username": [USERNAME_ERROR]}})
    assert user(emu, ALICE)["username"] == "alice"
    fixed = [{"id": ALICE, "username": "User-1"}, {"id": BOB, "username": "User_4"}]
    assert bulk(api, "PATCH", USERS_BULK, fixed).status_code == 200
    assert user(emu, ALICE)["username"] == "User-1" and get(api, USERS + "~User_4").json()["id"] == BOB
    assert get(api, USERS + "~alice").status_code == 404


def test_validation_is_all_or_nothing(api, emu):
    body = [{"id": ALICE, "firstName": "Changed"}, {"id": BOB, "decimalPlaces": True}, {"id": "ffffffffffffffffffffffff"}]
    answer = bulk(api, "PATCH", USERS_BULK, body)
    assert answer.status_code == 400
    assert answer.json()["detail"] == {"1": {"decimalPlaces": ["A valid integer is required."]},
                                       "2": {"id": ["Object with id=ffffffffffffffffffffffff does not exist."]}}
    assert user(emu, ALICE)["firstName"] == "Alice"


@pytest.mark.parametrize("item, field, message", [
    ({"nickname": "x"}, "nickname", ["Unknown field."]),
    ({"createdAt": "2020-01-01"}, "createdAt", ["This field is read-only."]),
    ({"email": "not-an-email"}, "email", ["Enter a valid email address."]),
    ({"isActive": "true"}, "isActive", ["Must be a valid boolean."]),
    ({"firstName": None}, "firstName", ["This field may not be null."]),
    ({"website": 5}, "website", ["Not a valid string."]),
    ({"decimalPlaces": "2"}, "decimalPlaces", ["A valid integer is required."]),
    ({"tags": ["t"] * 21}, "tags", ["Ensure this field has no more than 20 elements."]),
    ({"tags": ["ok", "x" * 51]}, "tags", {"1": ["Ensure this field has no more than 50 characters."]}),
    ({"tags": "ops"}, "tags", ['Expected a list of items but got type "str".']),
    ({"defaultOrganization": "no-such-org"}, "defaultOrganization", ["Object with id or label=no-such-org does not exist."]),
    ({"defaultRole": "superuser"}, "defaultRole", ["Object with label=superuser does not exist."]),
    ({"defaultDashboard": "nope"}, "defaultDashboard", ["Object with id or label=nope does not exist."]),
    ({"contactMethods": [{"type": "fax", "values": ["1"]}]}, "contactMethods", {"0": {"type": ['"fax" is not a valid choice.']}}),
    ({"contactMethods": [{"type": "sms"}]}, "contactMethods", {"0": {"values": ["This field is required."]}}),
    ({"password": 1234}, "password", ["Not a valid string."]),
    ({"username": "bob"}, "username", ["A user with that username already exists."]),
    ({"username": "a" * 151}, "username", ["Ensure this field has no more than 150 characters."]),
])
def test_user_field_rules(api, item, field, message):
    answer = bulk(api, "PATCH", USERS_BULK, [dict(item, id=ALICE)])
    assert answer.status_code == 400
    assert answer.json() == dict(ERR_400, detail={"0": {field: message}})


def test_user_accepted_values(api, emu):
    body = [{"id": ALICE, "tags": ["t"] * 20, "decimalPlaces": None, "defaultOrganization": "acme-plant", "defaultRole": "operator",
             "defaultDashboard": "60d5f1a2b3c4d5e6f7a8b902", "language": None, "timezone": "UTC", "isActive": False,
             "contactMethods": [{"type": "email", "values": ["a@example.com"]},
                                {"id": "65a1b2c3d4e5f60718293aff", "type": "telegram", "values": ["@a"], "properties": {"x": 1}}]}]
    assert bulk(api, "PATCH", USERS_BULK, body).status_code == 200
    after = user(emu, ALICE)
    assert after["defaultOrganization"]["id"] == ACME and after["defaultRole"]["label"] == "operator"
    assert after["defaultDashboard"]["label"] == "energy" and after["isActive"] is False
    generated, kept = after["contactMethods"]
    assert len(generated["id"]) == 24 and generated["properties"] == {}
    assert kept == {"id": "65a1b2c3d4e5f60718293aff", "type": "telegram", "values": ["@a"], "properties": {"x": 1}}
    assert org(emu, ACME)["usersCount"] == 4


def test_username_uniqueness_inside_body(api, emu):
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "username": "zed"}, {"id": BOB, "username": "zed"}])
    assert answer.json()["detail"] == {"1": {"username": ["A user with that username already exists."]}}
    swap = [{"id": ALICE, "username": "bob"}, {"id": BOB, "username": "alice"}]
    assert bulk(api, "PATCH", USERS_BULK, swap).status_code == 200
    assert user(emu, ALICE)["username"] == "bob" and get(api, USERS + "~alice").json()["id"] == BOB
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "email": "x@example.com"}, {"id": ALICE, "firstName": "x"}])
    assert answer.status_code == 400 and "1" in answer.json()["detail"]


def test_docs_orgs_example_full_update(emu):
    answer = requests.post(emu.url + ORGS_BULK, json=DOCS_ORGS_EXAMPLE,
                           headers={"X-Auth-Token": DOCS_TOKEN, "X-Bulk-Operation": "True", "Content-Type": "application/json"})
    assert answer.status_code == 200 and set(answer.json()["task"]) == {"id"}
    assert org(emu, ORG1)["properties"] == {"color": "#BADA55"}


def test_orgs_patch_partial_and_post_full(api, emu):
    before = org(emu, ACME)
    assert bulk(api, "PATCH", ORGS_BULK, [{"id": ACME, "description": "Changed", "logo": None}]).status_code == 200
    after = org(emu, ACME)
    assert after["description"] == "Changed" and after["logo"] is None
    for name in ORG_KEYS - {"description", "logo"}:
        assert after[name] == before[name], name
    assert bulk(api, "POST", ORGS_BULK, [{"id": ACME, "label": "acme-main"}]).status_code == 200
    after = org(emu, ACME)
    assert after["label"] == "acme-main" and after["name"] == "acme-main" and after["description"] == ""
    assert after["favicon"] is None and after["app"] is None and after["properties"] == {} and after["isActive"] is True
    assert after["devicesCount"] == 40 and after["createdAt"] == before["createdAt"]
    assert get(api, ORGS + "~acme-main").json()["id"] == ACME and get(api, ORGS + "~acme-plant").status_code == 404
    answer = bulk(api, "POST", ORGS_BULK, [{"id": ORG1, "name": "x"}])
    assert answer.json() == dict(ERR_400, detail={"0": {"label": ["This field is required."]}})


def test_org_images_and_app(api, emu):
    body = [{"id": ORG2, "favicon": "https://img.example.com/f.png", "logo": "https://img.example.com/l.png?v=2", "app": "field-service"}]
    assert bulk(api, "PATCH", ORGS_BULK, body).status_code == 200
    after = org(emu, ORG2)
    assert after["favicon"] == {"h36": "https://img.example.com/f.png?h=36", "h50": "https://img.example.com/f.png?h=50",
                                "raw": "https://img.example.com/f.png"}
    assert after["logo"]["raw"] == "https://img.example.com/l.png?v=2" and after["logo"]["h36"].endswith("&h=36")
    assert after["app"]["label"] == "field-service"


@pytest.mark.parametrize("item, field, message", [
    ({"label": "my org"}, "label", ["Enter a valid label. This value may contain only letters, numbers, dash and underscore characters."]),
    ({"label": "org2"}, "label", ["organization with this label already exists."]),
    ({"app": "no-app"}, "app", ["Object with id or label=no-app does not exist."]),
    ({"properties": []}, "properties", ['Expected a dictionary of items but got type "list".']),
    ({"isActive": 1}, "isActive", ["Must be a valid boolean."]),
    ({"usersCount": 3}, "usersCount", ["This field is read-only."]),
    ({"color": "red"}, "color", ["Unknown field."]),
    ({"name": ""}, "name", ["This field may not be blank."]),
])
def test_org_field_rules(api, item, field, message):
    answer = bulk(api, "PATCH", ORGS_BULK, [dict(item, id=ORG1)])
    assert answer.status_code == 400 and answer.json() == dict(ERR_400, detail={"0": {field: message}})


def test_apply_delay(api, emu):
    emu.configure(apply_delay=0.3)
    assert bulk(api, "PATCH", USERS_BULK, [{"id": CAROL, "firstName": "Later"}]).status_code == 200
    assert user(emu, CAROL)["firstName"] == "Carol" and emu.pending_tasks() == 1
    assert emu.wait_tasks(5)
    assert user(emu, CAROL)["firstName"] == "Later"


# -- single-object writes ---------------------------------------------------------------------------------------------


def test_single_object_patch(api, emu):
    answer = api.patch(api.base + USERS + "~bob/", json={"firstName": "Robert"})
    assert answer.status_code == 200 and answer.json()["firstName"] == "Robert"
    answer = api.patch(api.base + ORGS + ORG2 + "/", json={"label": "bad label"})
    assert answer.status_code == 400 and "label" in answer.json()["detail"]
    assert user(emu, BOB)["firstName"] == "Robert"


# -- rate limit -------------------------------------------------------------------------------------------------------


def test_rate_limit(api, emu):
    emu.configure(rate_limit=3)
    statuses = [get(api, USERS + "~alice").status_code for _attempt in range(4)]
    assert statuses == [200, 200, 200, 429]
    answer = get(api, USERS + "~alice")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert answer.json() == {"detail": "Request was throttled. Expected available in 1 second."}
    assert requests.get(emu.url + USERS, headers={"X-Auth-Token": DOCS_TOKEN}).status_code == 200
    time.sleep(1.05)
    assert get(api, USERS + "~alice").status_code == 200
    emu.configure(rate_limit=None)
    assert all(get(api, USERS + "~bob").status_code == 200 for _attempt in range(6))


# -- faults -------------------------------------------------------------------------------------------------------


def test_fault_status_consumed_fifo(api, emu):
    emu.inject(USERS_BULK, "status", count=2, method="PATCH", status=503, retry_after=2)
    emu.inject("/api/v2.0/users/*", "status", status=500)
    assert get(api, USERS + "~alice").status_code == 500
    assert get(api, USERS + "~alice").status_code == 200
    first = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "X"}])
    assert first.status_code == 503 and first.headers["Retry-After"] == "2" and first.json() == {"detail": "Service Unavailable"}
    assert user(emu, ALICE)["firstName"] == "Alice"
    assert bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "X"}]).status_code == 503
    assert bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "X"}]).status_code == 200
    assert user(emu, ALICE)["firstName"] == "X"
    assert [e["fault"] for e in emu.log()] == ["status", None, "status", "status", None]
    assert emu.faults() == []


def test_fault_delay(api, emu):
    emu.inject(USERS + "~alice", "delay", delay=0.4)
    start = time.monotonic()
    assert get(api, USERS + "~alice/").status_code == 200
    assert time.monotonic() - start >= 0.4
    assert emu.log()[-1]["fault"] == "delay"


def test_fault_drop(api, emu):
    emu.inject(USERS_BULK, "drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "Dropped"}])
    assert user(emu, ALICE)["firstName"] == "Alice"
    assert emu.log()[-1]["fault"] == "drop" and emu.log()[-1]["status"] is None
    assert get(api, USERS + "~alice").status_code == 200


def test_fault_truncate(api, emu):
    emu.inject(USERS_BULK, "truncate")
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "Cut"}])
    assert answer.status_code == 200 and int(answer.headers["Content-Length"]) == len(answer.content)
    with pytest.raises(ValueError):
        json.loads(answer.text)
    assert user(emu, ALICE)["firstName"] == "Cut"


def test_fault_untyped(api, emu):
    emu.inject(USERS_BULK, "untyped")
    answer = bulk(api, "PATCH", USERS_BULK, [{"id": ALICE, "firstName": "Untyped"}])
    assert answer.status_code == 200 and "Content-Type" not in answer.headers
    assert isinstance(answer.json(), dict) and user(emu, ALICE)["firstName"] == "Untyped"
    assert emu.log()[-1]["fault"] == "untyped" and "Content-Type" in get(api, USERS + "~alice").headers


def test_fault_html(api, emu):
    emu.inject(ORGS + "*", "html")
    answer = get(api, ORGS)
    assert answer.status_code == 502 and answer.headers["Content-Type"].startswith("text/html")
    assert answer.text == "<html><body>Bad Gateway</body></html>"
    emu.inject(ORGS, "html", status=504)
    assert get(api, ORGS).status_code == 504


def test_fault_arguments_checked(emu):
    with pytest.raises(ValueError):
        emu.inject(USERS, "explode")
    with pytest.raises(ValueError):
        emu.inject(USERS, "status", count=0)


# -- path prefix and redirects (issue 11) ---------------------------------------------------------------------------


def test_path_prefix_serves_api_under_it_and_links_carry_it():
    with Emulator(path_prefix="/ubidots/") as emu:
        assert emu.path_prefix == "/ubidots" and emu.url == emu.origin + "/ubidots"
        session = requests.Session()
        session.headers["X-Auth-Token"] = ADMIN_TOKEN
        first = session.get(emu.url + USERS, params={"page_size": 3})
        assert first.status_code == 200
        body = first.json()
        assert body["next"] == emu.origin + "/ubidots/api/v2.0/users/?page_size=3&page=2"
        assert body["results"][0]["url"].startswith(emu.origin + "/ubidots/api/v2.0/users/")
        second = session.get(body["next"]).json()
        assert second["previous"] == emu.origin + "/ubidots/api/v2.0/users/?page_size=3"
        alice = session.get(emu.url + USERS + "~alice").json()
        assert alice["defaultOrganization"]["url"] == emu.url + "/api/v2.0/organizations/" + ORG1
        assert user(emu, "alice")["url"] == emu.url + "/api/v2.0/users/" + ALICE
        # Without the prefix, or with it twice (the pagination bug of issue 11): 404, and logged as asked.
        assert session.get(emu.origin + USERS).status_code == 404
        assert session.get(emu.url + "/ubidots" + USERS).status_code == 404
        assert [(e["path"], e["status"]) for e in emu.log()][-2:] == [(USERS, 404), ("/ubidots/ubidots" + USERS, 404)]
        # Faults match with or without the prefix; the control API answers at the root and under the prefix.
        emu.inject(USERS + "*", "status", status=500)
        assert session.get(emu.url + USERS).status_code == 500
        assert requests.get(emu.url + "/_emulator/health").json()["ok"] is True
        assert requests.get(emu.origin + "/_emulator/health").json()["ok"] is True


def test_path_prefix_bulk_write_and_command_line(tmp_path):
    with Emulator(path_prefix="/a/b") as emu:
        answer = requests.patch(emu.url + USERS_BULK, json=[{"id": ALICE, "firstName": "Prefixed"}],
                                headers=dict(BULK, **{"X-Auth-Token": ADMIN_TOKEN}))
        assert answer.status_code == 200 and user(emu, ALICE)["firstName"] == "Prefixed"
    port_file = tmp_path / "url"
    proc = subprocess.Popen([sys.executable, SCRIPT, "--port", "0", "--port-file", str(port_file), "--idle-timeout", "20",
                             "--path-prefix", "/ubidots"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        url = port_file.read_text().strip()
        assert line == "UBIDOTS_API_URL=" + url and url.endswith("/ubidots")
        assert requests.get(url + USERS, headers={"X-Auth-Token": ADMIN_TOKEN}).status_code == 200
        requests.post(url + "/_emulator/shutdown")
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("status", [302, 307, 308])
def test_redirect_to_another_origin_shows_whether_the_token_followed(status):
    with Emulator() as first, Emulator() as second:
        first.inject(USERS + "*", "redirect", status=status, location=second.url + USERS + "?page=1")
        plain = requests.get(first.url + USERS, headers={"X-Auth-Token": ADMIN_TOKEN}, allow_redirects=False)
        assert plain.status_code == status and plain.headers["Location"] == second.url + USERS + "?page=1"
        assert first.log()[-1]["fault"] == "redirect" and first.log()[-1]["status"] == status
        assert second.log() == []
        # requests drops X-Auth-Token? It does not (only Authorization): the second log says so, never the value.
        first.inject(USERS + "*", "redirect", status=status, location=second.url + USERS)
        followed = requests.get(first.url + USERS, headers={"X-Auth-Token": ADMIN_TOKEN})
        assert followed.status_code == 200
        arrived = second.log()[-1]
        assert arrived["path"] == USERS and arrived["token_header"] is True and arrived["token_query"] is False
        assert arrived["headers"]["X-Auth-Token"] == "***" and ADMIN_TOKEN not in json.dumps(second.log())
        requests.get(second.url + USERS)
        assert second.log()[-1]["token_header"] is False and second.log()[-1]["status"] == 401


def test_redirect_same_origin_path_and_arguments(emu):
    emu.inject(ORGS, "redirect", location="/api/v2.0/organizations/?page_size=2", method="GET")
    answer = requests.get(emu.url + ORGS, headers={"X-Auth-Token": ADMIN_TOKEN})
    assert answer.status_code == 200 and len(answer.json()["results"]) == 2
    assert [(e["status"], e["fault"]) for e in emu.log()] == [(302, "redirect"), (200, None)]
    assert emu.log()[0]["token_header"] is True
    with pytest.raises(ValueError):
        emu.inject(ORGS, "redirect")
    with pytest.raises(ValueError):
        emu.inject(ORGS, "redirect", status=200, location="/x")
    control = requests.post(emu.url + "/_emulator/faults", json={"path": ORGS, "kind": "redirect", "status": 307, "location": "/y"})
    assert control.status_code == 200 and control.json()["faults"][-1]["location"] == "/y"


# -- lifecycle: create and delete (issue 13) ---------------------------------------------------------------------------

ORGS_BULK_CREATE = "/api/v2.0/organizations/_/bulk/create/"
ORGS_BULK_DELETE = "/api/v2.0/organizations/_/bulk/delete/"


def test_create_user(api, emu):
    new = {"username": "heidi", "email": "heidi@example.com", "password": "Heidi-Pass-1", "defaultRole": "viewer",
           "defaultOrganization": "acme-plant"}
    answer = api.post(api.base + USERS, json=new)
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == USER_KEYS and body["username"] == "heidi" and body["defaultRole"]["label"] == "viewer"
    assert "password" not in answer.text and emu.check_password("heidi", "Heidi-Pass-1")
    assert get(api, USERS + "~heidi").json()["id"] == body["id"]
    assert org(emu, ACME)["usersCount"] == 4
    assert emu.log()[0]["body"]["password"] == password_digest("Heidi-Pass-1")
    missing = api.post(api.base + USERS, json={"username": "x1"})
    assert missing.status_code == 400 and missing.json() == dict(ERR_400, detail={
        "email": ["This field is required."], "password": ["This field is required."]})
    taken = api.post(api.base + USERS, json=dict(new, email="other@example.com")).json()
    assert taken["detail"] == {"username": ["A user with that username already exists."]}
    bad = api.post(api.base + USERS, json={"username": "a b", "email": "x@example.com", "password": "p", "id": "abc",
                                           "defaultRole": "edtor"}).json()["detail"]
    assert set(bad) == {"username", "id", "defaultRole"} and bad["id"] == ["This field is read-only."]
    assert len(emu.state()["users"]) == 9


def test_delete_user(api, emu):
    assert api.delete(api.base + USERS + "~bob").status_code == 204
    assert api.delete(api.base + USERS + ALICE + "/").status_code == 204
    assert get(api, USERS + "~bob").status_code == 404 and api.delete(api.base + USERS + "~bob").status_code == 404
    assert {u["username"] for u in emu.state()["users"]} >= {"admin"} and len(emu.state()["users"]) == 6
    assert org(emu, ORG2)["usersCount"] == 1
    assert requests.delete(emu.url + USERS + "~carol", headers={"X-Auth-Token": READONLY_TOKEN}).status_code == 403


def test_create_organization(api, emu):
    answer = api.post(api.base + ORGS, json={"label": "plant-south", "app": "acme-portal", "properties": {"a": 1}})
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == ORG_KEYS and body["name"] == "plant-south" and body["app"]["label"] == "acme-portal"
    assert body["usersCount"] == 0 and body["description"] == ""
    assert api.post(api.base + ORGS, json={"label": "plant-south"}).json()["detail"] == {
        "label": ["organization with this label already exists."]}
    assert api.post(api.base + ORGS, json={"name": "No label"}).json()["detail"] == {"label": ["This field is required."]}


def test_bulk_create_organizations(api, emu):
    emu.configure(apply_delay=0.3)
    items = [{"label": "site-a", "name": "Site A"}, {"label": "site-b", "description": "B"}]
    answer = bulk(api, "POST", ORGS_BULK_CREATE, items)
    assert answer.status_code == 200 and len(answer.json()["task"]["id"]) == 24
    assert get(api, ORGS + "~site-a").status_code == 404, "applied after the apply delay"
    assert emu.wait_tasks(5)
    assert org(emu, "site-a")["name"] == "Site A" and org(emu, "site-b")["name"] == "site-b"
    assert api.post(api.base + ORGS_BULK_CREATE, json=items).json() == ERR_BULK_HEADER
    refused_items = [{"label": "ok-1"}, {"label": "site-a"}, {"label": "x y"},
                     {"label": "ok-1"}, {"label": "ok-2", "app": "nope"}, "oops"]
    bad = bulk(api, "POST", ORGS_BULK_CREATE, refused_items)
    assert bad.status_code == 400
    assert bad.json() == dict(ERR_400, detail={
        "1": {"label": ["organization with this label already exists."]},
        "2": {"label": ["Enter a valid label. This value may contain only letters, numbers, dash and underscore characters."]},
        "3": {"label": ["organization with this label already exists."]},
        "4": {"app": ["Object with id or label=nope does not exist."]},
        "5": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}})
    assert get(api, ORGS + "~ok-1").status_code == 404 and emu.pending_tasks() == 0
    assert bulk(api, "POST", ORGS_BULK_CREATE, []).status_code == 400
    assert bulk(api, "PATCH", ORGS_BULK_CREATE, items).status_code == 405


def test_bulk_delete_organizations_and_side_effects(api, emu):
    emu.configure(apply_delay=0.3)
    answer = bulk(api, "POST", ORGS_BULK_DELETE, [ORG2, "~acme-plant", {"id": ORG1}])
    assert answer.status_code == 200 and "id" in answer.json()["task"]
    assert len(emu.state()["organizations"]) == 5
    assert emu.wait_tasks(5)
    assert {o["label"] for o in emu.state()["organizations"]} == {"north_site", "legacy-site"}
    alice = user(emu, ALICE)
    assert alice["defaultOrganization"] is None and alice["defaultRole"]["label"] == "editor"
    admin = get(api, USERS + "~admin", params={"fields": "organizations,defaultOrganization"}).json()
    assert admin == {"organizations": [], "defaultOrganization": None}
    bad = bulk(api, "POST", ORGS_BULK_DELETE, ["~north_site", "~nope", "deadbeef", {"label": "x"}, "~north_site"])
    assert bad.status_code == 400 and bad.json()["detail"] == {
        "1": {"id": ["Object with label=nope does not exist."]},
        "2": {"id": ["Object with id=deadbeef does not exist."]},
        "3": {"id": ['Expected "<id>", "~label" or {"id": "<id>"}.']},
        "4": {"id": ["Object with id=5fc8e4b7a1c2d3e4f5a6b702 appears more than once in this request."]}}
    assert org(emu, "north_site")
    assert api.post(api.base + ORGS_BULK_DELETE, json=[ORG1]).json() == ERR_BULK_HEADER


def test_delete_one_organization(api, emu):
    assert api.delete(api.base + ORGS + "~acme-plant/").status_code == 204
    assert api.delete(api.base + ORGS + ACME).status_code == 404
    carol = user(emu, CAROL)
    assert carol["defaultOrganization"] is None
    assert get(api, USERS + "~carol", params={"fields": "organizations"}).json() == {"organizations": []}


# -- memberships (issue 14) ---------------------------------------------------------------------------------------------


def assign(api, user_key, body, action="assign_organizations", **kwargs):
    """POST a memberships change."""
    return api.post(api.base + USERS + user_key + "/_/" + action + "/", json=body, **kwargs)


def roles_of(api, user_key):
    """{organization label: role label} of a user, read with fields=organizations."""
    body = get(api, USERS + user_key, params={"fields": "organizations"}).json()
    return {m["label"]: m["role"]["label"] for m in body["organizations"]}


def test_fixture_memberships_shape(api):
    body = get(api, USERS, params={"fields": "username,organizations", "username__in": "admin,frank_ops"}).json()
    admin, frank = body["results"]
    first = admin["organizations"][0]
    assert set(first) == {"url", "id", "label", "name", "createdAt", "role"}
    assert first["url"] == api.base + "/api/v2.0/organizations/" + ORG1 and first["label"] == "org1"
    assert set(first["role"]) == {"url", "label", "name", "createdAt"} and first["role"]["label"] == "admin"
    assert frank["organizations"][0]["label"] == "north_site" and frank["organizations"][0]["role"]["label"] == "viewer"
    assert roles_of(api, "~alice") == {"org1": "editor"} and roles_of(api, "~grace-h") == {"legacy-site": "viewer"}
    assert "organizations" not in get(api, USERS + "~alice").json()


def test_assign_organizations(api, emu):
    answer = assign(api, "~alice", [{"label": "org2", "role": "viewer"}, {"label": "org1", "role": "admin"}])
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 2 and body["next"] is None
    assert {m["label"]: m["role"]["label"] for m in body["results"]} == {"org1": "admin", "org2": "viewer"}
    assert roles_of(api, ALICE) == {"org1": "admin", "org2": "viewer"}
    assert org(emu, ORG2)["usersCount"] == 3
    entry = emu.log()[0]
    assert "X-Bulk-Operation" not in entry["headers"] and entry["status"] == 200
    bad = assign(api, "~alice", [{"label": "org2", "role": "viewer"}, {"label": "nope", "role": "viewer"},
                                 {"label": "org1", "role": "edtor"}, {"label": "org2", "role": "admin"}, {"role": "admin"},
                                 {"label": "org1", "role": "admin", "extra": 1}])
    assert bad.status_code == 400 and bad.json() == dict(ERR_400, detail={
        "1": {"label": ["Object with label=nope does not exist."]},
        "2": {"role": ["Object with label=edtor does not exist."]},
        "3": {"label": ["Organization org2 appears more than once in this request."]},
        "4": {"label": ["This field is required."]},
        "5": {"extra": ["Unknown field."]}})
    assert roles_of(api, ALICE) == {"org1": "admin", "org2": "viewer"}, "nothing applied"
    assert assign(api, "~nobody", [{"label": "org1", "role": "admin"}]).status_code == 404
    assert assign(api, "~alice", [{"label": "org1"}]).json()["detail"] == {"0": {"role": ["This field is required."]}}
    assert assign(api, "~alice", []).status_code == 400
    assert requests.post(emu.url + USERS + "~alice/_/assign_organizations/", json=[{"label": "org1", "role": "admin"}],
                         headers={"X-Auth-Token": READONLY_TOKEN}).status_code == 403


def test_remove_organizations(api, emu):
    answer = assign(api, "~admin", [{"label": "org2"}, {"label": "acme-plant", "role": "admin"}], action="remove_organizations")
    assert answer.status_code == 200
    assert [m["label"] for m in answer.json()["results"]] == ["org1"] and answer.json()["count"] == 1
    assert roles_of(api, "~admin") == {"org1": "admin"} and org(emu, ACME)["usersCount"] == 2
    bad = assign(api, "~admin", [{"label": "org2"}, {"label": "org1", "role": "nope"}], action="remove_organizations")
    assert bad.status_code == 400 and bad.json()["detail"] == {
        "0": {"label": ["The user is not a member of organization org2."]},
        "1": {"role": ["Object with label=nope does not exist."]}}
    # Removing the default organization's membership clears defaultOrganization (assumption).
    assign(api, "~admin", [{"label": "org1"}], action="remove_organizations")
    assert user(emu, "admin")["defaultOrganization"] is None and roles_of(api, "~admin") == {}


def test_memberships_in_state_round_trip(emu):
    emu.update_object("users", "~bob", {"organizations": [{"label": "org1", "role": "operator"}]})
    state = emu.state()
    emu.set_state(state)
    with Emulator(fixture=dict(json.load(open(os.path.join(HERE, "fixtures", "default.json"))), users=[
            {"id": "u1", "username": "u1", "email": "u1@example.com", "organizations": ["org1", {"id": ORG2, "role": "viewer"}]}])) as other:
        answer = requests.get(other.url + USERS + "u1", params={"fields": "organizations"}, headers={"X-Auth-Token": ADMIN_TOKEN})
        assert [(m["label"], m["role"] and m["role"]["label"]) for m in answer.json()["organizations"]] == [
            ("org1", None), ("org2", "viewer")]
    session = requests.Session()
    session.headers["X-Auth-Token"] = ADMIN_TOKEN
    session.base = emu.url
    assert roles_of(session, "~bob") == {"org1": "operator", "org2": "viewer"}


# -- real-account data and omitted keys (issue 11) -----------------------------------------------------------------------

JOHN = "5e8f1c2d3b4a5968776655a1"
PLANT_NORTH = "5fc8e4b7a1c2d3e4f5a6b7a1"


@pytest.fixture(scope="module")
def legacy_emu():
    """An emulator on fixtures/legacy.json (the default fixture plus what real accounts hold)."""
    with Emulator(fixture=LEGACY_FIXTURE) as emulator:
        yield emulator


def test_legacy_fixture_is_served_as_is(legacy_emu):
    session = requests.Session()
    session.headers["X-Auth-Token"] = ADMIN_TOKEN
    john = session.get(legacy_emu.url + USERS + "~john.doe").json()
    assert john["username"] == "john.doe" and john["firstName"] is None and john["email"] == ""
    assert john["defaultOrganization"]["label"] == "Plant.North"
    plant = session.get(legacy_emu.url + ORGS + "~Plant.North").json()
    assert plant["description"] is None and plant["usersCount"] == 1
    assert len(legacy_emu.state()["users"]) == 9 and len(legacy_emu.state()["organizations"]) == 6
    legacy_emu.set_state(legacy_emu.state())
    assert user(legacy_emu, "john.doe")["firstName"] is None


def test_legacy_values_unchanged_are_accepted_changed_are_validated(legacy_emu):
    """Assumption (to check live): a value the object already holds is not refused; what changes is validated."""
    session = requests.Session()
    session.headers.update(dict(BULK, **{"X-Auth-Token": ADMIN_TOKEN}))
    try:
        full = {"id": JOHN, "username": "john.doe", "email": "", "firstName": None, "lastName": "Doe-Smith"}
        assert session.post(legacy_emu.url + USERS_BULK, json=[full]).status_code == 200
        assert user(legacy_emu, JOHN)["lastName"] == "Doe-Smith" and user(legacy_emu, JOHN)["firstName"] is None
        assert session.patch(legacy_emu.url + USERS_BULK, json=[{"id": JOHN, "lastName": "Doe"}]).status_code == 200
        rename = [{"id": JOHN, "username": "jane.doe", "email": "", "firstName": None}]
        refused = session.patch(legacy_emu.url + USERS_BULK, json=rename).json()
        assert refused["detail"] == {"0": {"username": [USERNAME_ERROR]}}
        assert session.patch(legacy_emu.url + USERS_BULK, json=[{"id": ALICE, "email": ""}]).status_code == 400
        assert session.patch(legacy_emu.url + USERS_BULK, json=[{"id": ALICE, "firstName": None}]).status_code == 400
        org_full = {"id": PLANT_NORTH, "label": "Plant.North", "name": "Plant North", "description": None}
        assert session.post(legacy_emu.url + ORGS_BULK, json=[org_full]).status_code == 200
        assert org(legacy_emu, PLANT_NORTH)["description"] is None
        assert session.patch(legacy_emu.url + ORGS_BULK, json=[{"id": PLANT_NORTH, "label": "Plant.South"}]).status_code == 400
        assert session.patch(legacy_emu.url + ORGS_BULK, json=[{"id": ORG1, "description": None}]).status_code == 400
        assert session.put(legacy_emu.url + ORGS + "~Plant.North/", json={"label": "Plant.North"}).status_code == 200
    finally:
        legacy_emu.reset()


def test_omit_keys(api, emu):
    assert emu.configure(omit_keys={"organizations": ["description", "properties"]})["omit_keys"] == {
        "organizations": ["description", "properties"]}
    listed = get(api, ORGS).json()["results"][0]
    assert "description" not in listed and "properties" not in listed and listed["label"] == "org1"
    assert "description" not in get(api, ORGS + ORG1).json()
    assert get(api, ORGS + ORG1, params={"fields": "label,description"}).json() == {"label": "org1", "description": "Organization One"}
    assert "description" in org(emu, ORG1), "state() is not affected"
    assert set(get(api, USERS + ALICE).json()) == USER_KEYS
    config = requests.post(emu.url + "/_emulator/config", json={"omit_keys": {"users": ["website"]}}).json()
    assert config["omit_keys"] == {"users": ["website"]} and "website" not in get(api, USERS + ALICE).json()
    with pytest.raises(ValueError):
        emu.configure(omit_keys={"roles": ["x"]})
    emu.reset()
    assert emu.configure() == {"rate_limit": None, "apply_delay": 0.0}


def test_omit_from_lists_leaves_a_key_out_of_listings_even_when_fields_names_it(api, emu):
    assert emu.configure(omit_keys={"organizations": ["description"]}, omit_from="lists")["omit_from"] == "lists"
    listed = get(api, ORGS, params={"fields": "id,label,description", "label__in": "org1"}).json()["results"]
    assert listed == [{"id": ORG1, "label": "org1"}]
    assert "description" not in get(api, ORGS + ORG1).json(), "a read without fields= still leaves it out"
    assert get(api, ORGS + ORG1, params={"fields": "description"}).json() == {"description": "Organization One"}
    emu.reset()
    assert "omit_from" not in emu.configure()


def test_omit_from_all_leaves_a_key_out_of_every_read(api, emu):
    config = requests.post(emu.url + "/_emulator/config", json={"omit_keys": {"organizations": ["description"]},
                                                                "omit_from": "all"}).json()
    assert config["omit_from"] == "all"
    assert get(api, ORGS + ORG1, params={"fields": "label,description"}).json() == {"label": "org1"}
    assert get(api, ORGS + ORG1, params={"fields": "description"}).json() == {}
    assert get(api, ORGS, params={"fields": "label,description"}).json()["results"][0] == {"label": "org1"}
    assert "description" in org(emu, ORG1), "state() is not affected"
    with pytest.raises(ValueError):
        emu.configure(omit_from="sometimes")
    emu.reset()


def test_link_base_builds_next_and_previous_on_another_host(api, emu):
    assert emu.configure(link_base="http://backend.invalid:8000")["link_base"] == "http://backend.invalid:8000"
    page = get(api, USERS, params={"page_size": 2, "page": 2}).json()
    assert page["next"] == "http://backend.invalid:8000/api/v2.0/users/?page_size=2&page=3"
    assert page["previous"] == "http://backend.invalid:8000/api/v2.0/users/?page_size=2"
    assert page["results"][0]["url"].startswith(emu.url), "only the links of the listing change"
    for wrong in ("backend:8000", "http://backend/", "http://backend?x=1"):
        with pytest.raises(ValueError):
            emu.configure(link_base=wrong)
    emu.reset()
    assert "link_base" not in emu.configure()


def test_link_base_drops_the_path_prefix_from_the_links():
    with Emulator(path_prefix="/ubidots") as proxied:
        proxied.configure(link_base="http://10.0.0.7:8000")
        page = requests.get(proxied.url + "/api/v2.0/users/", params={"page_size": 3},
                            headers={"X-Auth-Token": proxied.token}, timeout=10).json()
        assert page["next"] == "http://10.0.0.7:8000/api/v2.0/users/?page_size=3&page=2"


def test_reset_fault_reads_the_request_and_resets_the_connection(emu):
    emu.inject(USERS, "reset", method="GET")
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(emu.url + USERS, headers={"X-Auth-Token": emu.token}, timeout=10)
    assert "reset" in str(caught.value).lower()
    assert [(e["status"], e["fault"]) for e in emu.log()] == [(None, "reset")]
    assert requests.get(emu.url + USERS, headers={"X-Auth-Token": emu.token}, timeout=10).status_code == 200
    emu.reset()


# -- reference lists and reference checks (issue 11) ------------------------------------------------------------------


def test_reference_lists(api):
    roles = get(api, "/api/v2.0/roles/").json()
    assert roles["count"] == 4 and [r["label"] for r in roles["results"]] == ["admin", "editor", "viewer", "operator"]
    assert set(roles["results"][0]) == {"url", "label", "name", "createdAt"}
    dashboards = get(api, "/api/v2.0/dashboards/", params={"label__in": "energy,nope"}).json()
    assert [d["label"] for d in dashboards["results"]] == ["energy"] and set(dashboards["results"][0]) == {"url", "id", "label", "name"}
    apps = get(api, "/api/v2.0/apps/", params={"fields": "id,label"}).json()
    assert [a["label"] for a in apps["results"]] == ["acme-portal", "field-service"]
    orgs = get(api, ORGS, params={"label__in": "org2,nope,org1", "fields": "id,label"}).json()
    assert orgs["results"] == [{"id": ORG1, "label": "org1"}, {"id": ORG2, "label": "org2"}]
    assert api.post(api.base + "/api/v2.0/roles/", json={"label": "x"}).status_code == 405
    assert get(api, "/api/v2.0/roles/", params={"bogus": "1"}).status_code == 400


@pytest.mark.parametrize("method,path,item,field,message", [
    ("PATCH", USERS_BULK, {"id": BOB, "defaultRole": "edtor"}, "defaultRole", "Object with label=edtor does not exist."),
    ("POST", USERS_BULK, {"id": BOB, "username": "bob", "email": "bob@example.com", "defaultOrganization": "nope"},
     "defaultOrganization", "Object with id or label=nope does not exist."),
    ("PATCH", USERS_BULK, {"id": BOB, "defaultDashboard": "nope"}, "defaultDashboard", "Object with id or label=nope does not exist."),
    ("PATCH", ORGS_BULK, {"id": ORG2, "app": "nope"}, "app", "Object with id or label=nope does not exist."),
    ("POST", ORGS_BULK_CREATE, {"label": "new-one", "app": "nope"}, "app", "Object with id or label=nope does not exist."),
])
def test_unknown_reference_is_refused_at_request_time(api, emu, method, path, item, field, message):
    """Assumption (not documented): references are checked when the request arrives, not later in the task."""
    emu.configure(apply_delay=5)
    good = {"id": ALICE, "firstName": "Alice"} if "users" in path else ({"label": "fine"} if "create" in path else {"id": ORG1})
    if method == "POST" and path == USERS_BULK:
        good = {"id": ALICE, "username": "alice", "email": "alice@example.com"}
    answer = bulk(api, method, path, [good, item])
    assert answer.status_code == 400 and answer.json() == dict(ERR_400, detail={"1": {field: [message]}})
    assert emu.pending_tasks() == 0


# -- request log --------------------------------------------------------------------------------------------------


def test_log_redacts_tokens_and_passwords(api, emu):
    body = [{"id": ALICE, "password": "S3cret-Alice!"}, {"id": BOB, "password": "S3cret-Bob!"}]
    assert bulk(api, "PATCH", USERS_BULK, body).status_code == 200
    requests.get(emu.url + USERS, params={"token": DOCS_TOKEN, "page_size": "2"})
    requests.get(emu.url + USERS, headers={"X-Auth-Token": "BBUS-not-a-known-token"})
    api.patch(api.base + USERS_BULK, data='[{"id": "x", "password": "Raw-Secret"', headers=dict(BULK, **{"Content-Type": "application/json"}))
    entries = emu.log()
    first_seq = entries[0]["seq"]
    assert [e["seq"] for e in entries] == [first_seq, first_seq + 1, first_seq + 2, first_seq + 3], "seq only grows"
    first = entries[0]
    assert first["method"] == "PATCH" and first["path"] == USERS_BULK and first["status"] == 200 and first["fault"] is None
    assert first["headers"]["X-Auth-Token"] == "***" and first["headers"]["X-Bulk-Operation"] == "True"
    digest = "***sha256:" + hashlib.sha256(b"S3cret-Alice!").hexdigest()[:12]
    assert first["body"] == [{"id": ALICE, "password": digest}, {"id": BOB, "password": password_digest("S3cret-Bob!")}]
    assert entries[1]["query"] == {"token": ["***"], "page_size": ["2"]}
    assert entries[2]["status"] == 401 and entries[2]["headers"]["X-Auth-Token"] == "***"
    assert entries[3]["status"] == 400 and isinstance(entries[3]["body"], str)
    text = json.dumps(entries)
    for secret in (ADMIN_TOKEN, DOCS_TOKEN, "BBUS-not-a-known-token", "S3cret-Alice!", "S3cret-Bob!", "Raw-Secret"):
        assert secret not in text
    assert emu.check_password(ALICE, "S3cret-Alice!") and not emu.check_password(ALICE, "Alice-Pass-1")
    assert [e["seq"] for e in emu.log(since=first_seq + 2)] == [first_seq + 3]
    assert emu.clear_log() == 4 and emu.log() == []


def test_last_login_is_read_only_and_kept_by_bulk_updates_of_is_active(api, emu):
    """lastLogin (a time or null, read-only: doc) survives partial and full bulk updates; isActive is written."""
    emu.update_object("users", "~carol", {"lastLogin": "2025-01-01T00:00:00.000000Z"})
    assert bulk(api, "PATCH", USERS_BULK, [{"id": CAROL, "isActive": False}]).status_code == 200
    read = get(api, USERS + CAROL).json()
    assert read["isActive"] is False and read["lastLogin"] == "2025-01-01T00:00:00.000000Z"
    assert bulk(api, "POST", USERS_BULK, [{"id": CAROL, "username": "carol", "email": "carol@example.com"}]).status_code == 200
    read = get(api, USERS + CAROL).json()
    assert read["isActive"] is True, "a full update resets isActive to its default"
    assert read["lastLogin"] == "2025-01-01T00:00:00.000000Z", "and keeps the read-only lastLogin"
    refused = bulk(api, "PATCH", USERS_BULK, [{"id": CAROL, "lastLogin": None}])
    assert refused.status_code == 400 and refused.json()["detail"] == {"0": {"lastLogin": ["This field is read-only."]}}
    made = api.post(api.base + USERS, json={"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1"})
    assert made.status_code == 201 and made.json()["lastLogin"] is None, "a new user never logged in"


@pytest.mark.parametrize("value", ["yesterday", 17, "2025-13-01T00:00:00Z"])
def test_update_object_refuses_a_last_login_that_is_not_a_time_or_null(emu, value):
    with pytest.raises(ValueError, match="lastLogin"):
        emu.update_object("users", "~carol", {"lastLogin": value})
    emu.update_object("users", "~carol", {"lastLogin": None})


def test_log_is_a_copy(api, emu):
    get(api, USERS)
    emu.log()[0]["method"] = "HACKED"
    assert emu.log()[0]["method"] == "GET"


# -- state, behind-the-back changes and control API -----------------------------------------------------------------


def test_update_object_and_set_state(api, emu):
    changed = emu.update_object("users", "~carol", {"firstName": "Caroline", "lastLogin": "2025-01-01T00:00:00Z"})
    assert changed["firstName"] == "Caroline" and get(api, USERS + CAROL).json()["lastLogin"] == "2025-01-01T00:00:00Z"
    emu.update_object("organizations", ORG1, {"description": "Edited elsewhere", "devicesCount": 99})
    assert get(api, ORGS + ORG1).json()["devicesCount"] == 99
    with pytest.raises(ValueError):
        emu.update_object("users", CAROL, {"username": "has space"})
    with pytest.raises(KeyError):
        emu.update_object("users", "~ghost", {"firstName": "x"})
    assert [e["method"] for e in emu.log()] == ["GET", "GET"], "behind-the-back changes are not API requests"
    state = emu.state()
    state["users"] = [u for u in state["users"] if u["username"] != "bob"]
    emu.set_state(state)
    assert get(api, USERS + BOB).status_code == 404
    assert emu.check_password(ALICE, "Alice-Pass-1")
    assert emu.state()["users"] == state["users"], "state() -> set_state() round-trips"
    assert org(emu, ORG2)["usersCount"] == 1
    emu.set_state(users=[{"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "username": "solo", "email": "solo@example.com", "password": "pw",
                          "defaultOrganization": "org1"}])
    assert get(api, USERS).json()["count"] == 1 and emu.check_password("solo", "pw")
    emu.reset()
    assert get(api, USERS).json()["count"] == 8 and user(emu, CAROL)["firstName"] == "Carol"


def test_control_api(api, emu):
    control = emu.url + "/_emulator/"
    assert requests.get(control + "health").json()["ok"] is True
    get(api, USERS)
    assert len(requests.get(control + "log").json()) == 1
    assert requests.delete(control + "log").json() == {"cleared": 1}
    assert requests.post(control + "faults", json={"path": USERS, "kind": "status", "status": 502}).status_code == 200
    assert len(requests.get(control + "faults").json()) == 1
    assert get(api, USERS).status_code == 502
    assert requests.post(control + "faults", json={"path": USERS, "kind": "bogus"}).status_code == 400
    assert requests.post(control + "config", json={"apply_delay": 0.2, "rate_limit": 100}).json() == {"rate_limit": 100, "apply_delay": 0.2}
    assert bulk(api, "PATCH", USERS_BULK, [{"id": BOB, "firstName": "Bobby"}]).status_code == 200
    assert requests.get(control + "tasks").json() == {"pending": 1}
    assert emu.wait_tasks(5)
    answer = requests.patch(control + "objects/users/" + BOB, json={"lastName": "Behind"})
    assert answer.status_code == 200 and answer.json()["lastName"] == "Behind"
    assert requests.patch(control + "objects/users/nobody", json={"lastName": "x"}).status_code == 404
    assert requests.patch(control + "objects/users/" + BOB, json={"isActive": "no"}).status_code == 400
    state = requests.get(control + "state").json()
    assert user(emu, BOB)["firstName"] == "Bobby" and state == emu.state()
    state["organizations"] = state["organizations"][:2]
    assert len(requests.put(control + "state", json=state).json()["organizations"]) == 2
    assert get(api, USERS + "~carol").json()["defaultOrganization"] is None, "references to removed objects become null"
    assert requests.post(control + "password-check", json={"user": "bob", "password": "Bob-Pass-1"}).json() == {"match": True}
    assert requests.post(control + "reset").json() == {"ok": True}
    assert len(emu.state()["organizations"]) == 5 and emu.configure() == {"rate_limit": None, "apply_delay": 0.0}
    assert emu.log() == [], "control requests are not logged"
    assert requests.get(control + "nothing").status_code == 404


def test_keep_alive_and_content_length(emu):
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    for _attempt in range(3):
        conn.request("GET", USERS + "?fields=id", headers={"X-Auth-Token": ADMIN_TOKEN})
        response = conn.getresponse()
        assert response.getheader("Content-Length") == str(len(response.read()))
        assert not response.will_close
    conn.request("GET", "/_emulator/health")
    assert json.loads(conn.getresponse().read())["ok"]
    conn.close()


# -- life cycle ---------------------------------------------------------------------------------------------------


def test_loopback_only():
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        with pytest.raises(ValueError):
            Emulator(host=host)
    with Emulator(host="localhost") as local:
        assert local.url.startswith("http://127.0.0.1:")


def test_idle_timeout_stops_server():
    emulator = Emulator(idle_timeout=0.5).start()
    assert requests.get(emulator.url + "/_emulator/health").status_code == 200
    assert emulator.wait(5) and emulator.stopped
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(emulator.url + "/_emulator/health", timeout=2)


def test_stop_is_prompt_with_open_connections():
    emulator = Emulator().start()
    session = requests.Session()
    assert session.get(emulator.url + "/_emulator/health").status_code == 200
    start = time.monotonic()
    emulator.stop()
    emulator.stop()
    assert time.monotonic() - start < 1.0
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(emulator.url + "/_emulator/health", timeout=2)
    session.close()


def test_generate():
    fixture = generate(30, 4)
    with Emulator(fixture) as big:
        state = big.state()
        assert len(state["users"]) == 38 and len(state["organizations"]) == 9
        assert all(len(u["id"]) == 24 for u in state["users"][8:]) and state["users"][8]["username"] == "user-00001"


def _free_port_url(text):
    assert text.startswith("UBIDOTS_API_URL=http://127.0.0.1:")
    return text.strip().split("=", 1)[1]


def test_command_line(tmp_path):
    port_file = tmp_path / "url"
    with subprocess.Popen([sys.executable, SCRIPT, "--port", "0", "--port-file", str(port_file), "--idle-timeout", "30",
                           "--apply-delay", "0", "--rate-limit", "50", "--generate-users", "5", "--generate-orgs", "2"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            url = _free_port_url(proc.stdout.readline())
            assert port_file.read_text().strip() == url
            answer = requests.get(url + USERS, headers={"X-Auth-Token": ADMIN_TOKEN}, params={"token": ADMIN_TOKEN})
            assert answer.json()["count"] == 13
            assert requests.post(url + "/_emulator/shutdown").json() == {"ok": True}
            out, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    assert ADMIN_TOKEN not in out + err and err == ""


def test_command_line_sigterm(tmp_path):
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps({"tokens": [{"token": "t-1", "role": "admin"}], "users": [], "organizations": []}))
    with subprocess.Popen([sys.executable, SCRIPT, "--fixture", str(fixture)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            url = _free_port_url(proc.stdout.readline())
            assert requests.get(url + ORGS, headers={"X-Auth-Token": "t-1"}).json()["count"] == 0
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0


def test_command_line_refuses_public_host():
    result = subprocess.run([sys.executable, SCRIPT, "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "loopback" in result.stderr and result.stdout == ""


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls(tmp_path):
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with Emulator(tls=(cert, key)) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        answer = requests.get(secure.url + USERS + "~alice", headers={"X-Auth-Token": ADMIN_TOKEN}, verify=cert)
        assert answer.status_code == 200 and answer.json()["url"].startswith("https://")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(secure.url + USERS, headers={"X-Auth-Token": ADMIN_TOKEN}, timeout=5)
        plain = socket.create_connection(("127.0.0.1", secure.port), timeout=5)
        plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        plain.close()
        assert requests.get(secure.url + "/_emulator/health", verify=cert).json()["ok"]
