# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generated fixtures for benchmarks and large tests."""

from __future__ import annotations

import copy
import json

from .common import DEFAULT_FIXTURE


def generate(n_users, n_orgs, base=None):
    """A fixture: `base` (a fixture dict, default the default fixture) plus n_users users and n_orgs organizations.

    Generated ids are deterministic 24-hex strings; usernames user-00001..., labels org-00001...
    """
    if base is None:
        with open(DEFAULT_FIXTURE, encoding="utf-8") as handle:
            base = json.load(handle)
    fixture = copy.deepcopy(base)
    orgs = fixture.setdefault("organizations", [])
    users = fixture.setdefault("users", [])
    roles = [r["label"] for r in fixture.get("roles", [])]
    new_orgs = []
    for i in range(1, n_orgs + 1):
        org = {"id": "a0a0%020x" % i, "label": "org-%05d" % i, "name": "Generated Organization %d" % i,
               "description": "", "properties": {}, "isActive": True, "createdAt": "2024-01-01T00:00:00.000000Z"}
        new_orgs.append(org)
    orgs.extend(new_orgs)
    for i in range(1, n_users + 1):
        user = {"id": "b0b0%020x" % i, "username": "user-%05d" % i, "email": "user-%05d@example.com" % i,
                "firstName": "User", "lastName": "%05d" % i, "createdAt": "2024-01-01T00:00:00.000000Z",
                "tags": [], "isActive": True}
        if new_orgs:
            user["defaultOrganization"] = new_orgs[i % len(new_orgs)]["id"]
        if roles:
            user["defaultRole"] = roles[i % len(roles)]
        users.append(user)
    return fixture
