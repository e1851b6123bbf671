# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deletions and deactivations are always described one by one, past changes_limit too (issue 24: a reviewer must
see every removal by name; the plan file and the diff take them from the result's `changes`)."""

from __future__ import annotations

import pytest

from ubidots_testing import users_task


def changed_users(emulator, count):
    """Items that change the lastName of the first `count` users of the fixture (by username)."""
    users = sorted(emulator.state()["users"], key=lambda u: u["username"])[:count]
    return [{"username": u["username"], "lastName": "Renamed"} for u in users]


@pytest.mark.parametrize("removal", ["delete", "deactivate"])
def test_every_removal_is_described_by_name_when_changes_limit_cuts_the_updates(emulator, run_module, removal):
    items = changed_users(emulator, 3)
    run = run_module(users_task(items, prune=True, max_deletions=100, changes_limit=2, removal=removal), check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result
    described = [c for c in result["changes"] if c["action"] == removal]
    assert len(described) == len(result["deleted_ids" if removal == "delete" else "deactivated"]) > 0
    assert all(c.get("username") for c in described), described
    # The limit still bounds the rest: every removal, then as many updates as the limit leaves room for (none here).
    assert result["changes_omitted"] == 3 + len(described) - len(result["changes"])
    assert len(result["changes"]) == len(described)
    headers = [d["before_header"] for d in result["diff"]]
    assert sum(1 for h in headers if h.endswith("(deleted)" if removal == "delete" else "(deactivated)")) == len(described)
    assert "3 more users" in result["diff"][-1]["after"]


def test_under_the_limit_the_order_is_unchanged(emulator, run_module):
    items = changed_users(emulator, 2)
    run = run_module(users_task(items, prune=True, max_deletions=100), check=True)
    actions = [c["action"] for c in run.result["changes"]]
    assert actions == sorted(actions, key=["update", "delete"].index) and actions[:2] == ["update", "update"]
