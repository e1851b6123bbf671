# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and libraries a user gets wrong: refused clearly, before any request (issue: robustness)."""

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
def test_an_option_out_of_range_is_refused_before_any_request(emulator, run_playbook, module, option, value, message):
    items = {"users": [{"username": "alice", "firstName": "A"}]} if module == USERS else {"organizations": [{"label": "org1"}]}
    run = run_playbook({"name": "bad option", module: dict(items, **{option: value})})
    assert run.rc != 0
    assert message in run.result["msg"]
    assert emulator.log() == []


def test_prune_with_state_absent_is_refused(emulator, run_playbook):
    run = run_playbook({"name": "contradiction", ORGS: {"organizations": [{"label": "org1"}], "state": "absent", "prune": True}})
    assert run.rc != 0
    assert "prune deletes what is not listed, so it works only with state: present." in run.result["msg"]
    assert emulator.log() == []


def test_jsonschema_older_than_4_is_named_not_a_traceback(emulator, run_playbook, tmp_path):
    """Ubuntu 22.04 ships jsonschema 3.2, which has no Draft 2020-12 validator."""
    site = tmp_path / "old-site"
    package = site / "jsonschema"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""A stand-in for jsonschema 3.2: Draft 7 at most."""\n__version__ = "3.2.0"\n\n\n'
        "class Draft7Validator:\n    pass\n\n\nclass FormatChecker:\n    pass\n")
    info = site / "jsonschema-3.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jsonschema\nVersion: 3.2.0\n")
    run = run_playbook({"name": "old jsonschema", USERS: {"users": [{"username": "alice", "firstName": "A"}]}},
                       env={"PYTHONPATH": str(site)})
    assert run.rc != 0
    msg = run.result["msg"]
    assert "jsonschema 3.2.0 is installed, and the modules need jsonschema 4.0 or later" in msg, msg
    assert "AttributeError" not in run.output and "Traceback" not in run.output
    assert emulator.log() == []
