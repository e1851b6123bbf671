# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unused accounts (ubidots_users_info inactive_for_days), the module run in-process against the emulator.

The access review playbook (its CSV and Markdown report, its progress lines) stays in tests/integration/test_access_review.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ubidots_emulator import generate

from ubidots_testing import iso, user_reads


def test_inactive_for_days_at_the_boundary_and_for_never(emulator, run_module):
    now = datetime.now(timezone.utc)
    emulator.update_object("users", "~alice", {"lastLogin": iso(now - timedelta(days=30) + timedelta(hours=1))})
    emulator.update_object("users", "~bob", {"lastLogin": iso(now - timedelta(days=30) - timedelta(hours=1))})
    emulator.update_object("users", "~carol", {"lastLogin": iso(now - timedelta(days=2))})
    emulator.update_object("users", "~erin", {"lastLogin": None})  # deactivated, never logged in: not listed
    run = run_module({"name": "unused", "ubidots.industrial.ubidots_users_info": {"inactive_for_days": 30}}, check=True)
    assert run.rc == 0, run.output
    result = run.result
    state = {u["username"]: u for u in emulator.state()["users"]}
    expected = sorted(name for name, u in state.items()
                      if u["isActive"] and name not in ("alice", "carol"))
    assert sorted(u["username"] for u in result["inactive_users"]) == expected
    assert "bob" in expected and "admin" in expected and "dave" in expected  # older, fixture's 2024, never
    bob = next(u for u in result["inactive_users"] if u["username"] == "bob")
    assert bob == {"id": state["bob"]["id"], "username": "bob", "email": "bob@example.com", "isActive": True,
                   "lastLogin": state["bob"]["lastLogin"], "organizations": [{"label": "org2", "role": "viewer"}]}
    assert next(u for u in result["inactive_users"] if u["username"] == "dave")["lastLogin"] is None
    assert all("lastLogin" not in u for u in result["users"]), "users stay in the bulk module's item shape"
    assert not [e for e in emulator.log() if e["method"] != "GET"]


def test_inactive_for_days_reads_with_as_many_requests_as_an_ordinary_listing(emulator, run_module):
    emulator.set_state(users=generate(1100, 0)["users"])  # three pages of 500
    plain = run_module({"name": "plain", "ubidots.industrial.ubidots_users_info": {}}, check=True)
    assert plain.rc == 0, plain.output
    plain_reads = len(user_reads(emulator))
    emulator.clear_log()
    unused = run_module({"name": "unused", "ubidots.industrial.ubidots_users_info": {"inactive_for_days": 90}},
                        check=True)
    assert unused.rc == 0, unused.output
    assert plain_reads == 3 and len(user_reads(emulator)) == plain_reads
    assert unused.result["api_calls"] == plain.result["api_calls"] == {"reads": 3, "writes": 0}
    assert len(unused.result["inactive_users"]) == sum(1 for u in emulator.state()["users"] if u["isActive"])
