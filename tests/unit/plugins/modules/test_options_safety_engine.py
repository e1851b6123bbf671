# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options a user gets wrong, run in process against the emulator: refused clearly, before any request (issue:
robustness). An old jsonschema library needs the module's own Python process: tests/integration/test_options_safety.py."""

from __future__ import annotations

import pytest

USERS = "ubidots.industrial.ubidots_users_bulk"
ORGS = "ubidots.industrial.ubidots_orgs_bulk"


@pytest.mark.parametrize("module, option, value, message", [
    (USERS, "timeout", 0, "timeout must be 1 or more seconds, got 0 (which would wait forever)."),
    (ORGS, "timeout", 0, "timeout must be 1 or more seconds, got 0 (which would wait forever)."),
    (USERS, "wait_timeout", -1, "wait_timeout must be 0 or more, got -1."),
    (ORGS, "wait_timeout", -5, "wait_timeout must be 0 or more, got -5."),
    (USERS, "max_deletions", -1, "max_deletions must be 0 or more, got -1."),
])
def test_an_option_out_of_range_is_refused_before_any_request(emulator, run_module, module, option, value, message):
    items = {"users": [{"username": "alice", "firstName": "A"}]} if module == USERS else {"organizations": [{"label": "org1"}]}
    run = run_module({"name": "bad option", module: dict(items, **{option: value})})
    assert run.rc != 0
    assert message in run.result["msg"]
    assert emulator.log() == []


def test_prune_with_state_absent_is_refused(emulator, run_module):
    run = run_module({"name": "contradiction", ORGS: {"organizations": [{"label": "org1"}], "state": "absent", "prune": True}})
    assert run.rc != 0
    assert "prune deletes what is not listed, so it works only with state: present." in run.result["msg"]
    assert emulator.log() == []
