# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ubidots_users_bulk and ubidots_orgs_bulk do alike, run in process against the emulator: each validation
rule of an item fails the task, with no request for a shape error and no write for a value an account may hold."""

from __future__ import annotations

import pytest

from ubidots_testing import orgs_task, users_task, writes

# A value that breaks a documented rule, yet which an account may already hold (older than the rule), is
# refused only when it would be sent: the module reads first, then fails with no write. The others
# (wrong types, unknown keys, no identity) fail before any request.
USERS_HELD = ("username: only", "email:", "tags:", "tags[0]:", "contactMethods[0].type:")

USERS_INVALID = [
    ({"id": "x", "username": "User 1"}, "users[0] (id x, username User 1): username: only ASCII letters, digits, dash and underscore"),
    ({"id": "x", "email": "not-an-email"}, "users[0] (id x): email: 'not-an-email' is not a valid email address"),
    ({"id": "x", "tags": ["t%d" % i for i in range(21)]}, "users[0] (id x): tags: 21 items, at most 20"),
    ({"id": "x", "tags": ["y" * 51]}, "users[0] (id x): tags[0]: 51 characters, at most 50"),
    ({"id": "x", "decimalPlaces": "2"}, "users[0] (id x): decimalPlaces: must be integer or null, got string"),
    ({"id": "x", "decimalPlaces": 2.5}, "users[0] (id x): decimalPlaces: must be integer or null, got number"),
    ({"id": "x", "isActive": "yes"}, "users[0] (id x): isActive: must be boolean, got string"),
    ({"id": "x", "contactMethods": [{"type": "fax", "values": ["1"]}]},
     "users[0] (id x): contactMethods[0].type: must be one of email, voice, telegram, sms, got 'fax'"),
    ({"id": "x", "contactMethods": [{"type": "sms", "values": "123"}]},
     "users[0] (id x): contactMethods[0].values: must be list, got string"),
    ({"id": "x", "contactMethods": [{"type": "sms", "values": [5]}]},
     "users[0] (id x): contactMethods[0].values[0]: must be string, got integer"),
    ({"id": "x", "nickname": "z"}, "users[0] (id x): unknown key nickname; allowed keys: id, username, password"),
    ({"firstName": "nobody"}, "users[0]: needs id or username to say which user to update"),
]

ORGS_HELD = ("label: only", "description: must be string, got null", "logo: must not be empty")

ORGS_INVALID = [
    ({"id": "o", "label": 5}, "organizations[0] (id o): label: must be string, got integer"),
    ({"id": "o", "label": "two words"}, "organizations[0] (id o, label two words): label: only ASCII letters"),
    ({"id": "o", "name": ["x"]}, "organizations[0] (id o): name: must be string, got list"),
    ({"id": "o", "description": None}, "organizations[0] (id o): description: must be string, got null"),
    ({"id": "o", "properties": "color=red"}, "organizations[0] (id o): properties: must be object (dict), got string"),
    ({"id": "o", "isActive": "true"}, "organizations[0] (id o): isActive: must be boolean, got string"),
    ({"id": "o", "app": 12}, "organizations[0] (id o): app: must be string or null, got integer"),
    ({"id": "o", "favicon": {"raw": "x"}}, "organizations[0] (id o): favicon: must be string or null, got object"),
    ({"id": "o", "logo": ""}, "organizations[0] (id o): logo: must not be empty"),
    ({"id": "o", "usersCount": 3}, "organizations[0] (id o): unknown key usersCount; allowed keys: id, label, name"),
    ({"name": "anonymous"}, "organizations[0]: needs id or label to say which organization to update"),
]

HELD = {"users": USERS_HELD, "organizations": ORGS_HELD}
TASK = {"users": users_task, "organizations": orgs_task}
CASES = [("users", item, message) for item, message in USERS_INVALID] + \
        [("organizations", item, message) for item, message in ORGS_INVALID]


@pytest.mark.parametrize("kind, item, message", CASES,
                         ids=["%s-%s" % (kind, m.split(": ", 1)[1][:40]) for kind, _item, m in CASES])
def test_each_validation_rule_fails_with_no_request(emulator, run_module, kind, item, message):
    run = run_module(TASK[kind]([item]))
    assert run.rc != 0
    assert message in run.result["msg"]
    if any(": " + rule in message for rule in HELD[kind]):
        # A value an account may already hold: refused only when it would be sent (read first, no write).
        assert "Nothing was written" in run.result["msg"]
        assert writes(emulator) == [] and all(e["method"] == "GET" for e in emulator.log())
    else:
        assert "Nothing was sent to the API" in run.result["msg"]
        assert emulator.log() == []
