# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generated fixtures for benchmarks and large tests."""

from __future__ import annotations

import copy
import json
import os

from .common import DEFAULT_FIXTURE

FIXTURES_DIR = os.path.dirname(DEFAULT_FIXTURE)
LEGACY_FIXTURE = os.path.join(FIXTURES_DIR, "legacy.json")


def read_fixture(fixture):
    """A fixture dict (deep copy) from a dict or a JSON file path, with its "base" fixture merged in.

    "base": a fixture file name (relative to the fixture's directory, or to fixtures/ for a dict) whose
    collections come first: users and organizations are appended to the base's, other keys replace the base's.
    """
    directory = FIXTURES_DIR
    if isinstance(fixture, (str, os.PathLike)):
        directory = os.path.dirname(os.path.abspath(fixture))
        with open(fixture, encoding="utf-8") as handle:
            fixture = json.load(handle)
    fixture = copy.deepcopy(fixture)
    base_name = fixture.pop("base", None)
    if not base_name:
        return fixture
    merged = read_fixture(os.path.join(directory, base_name))
    for key, value in fixture.items():
        merged[key] = merged.get(key, []) + value if key in ("users", "organizations") else value
    return merged


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
