# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lifecycle (issue 13): create, delete and prune users and organizations, through real ansible-playbook runs.

Here check mode against the real run (part of the core set run on every ansible-core series) and the -vvv secrets
sweep; the requests, results and guards of each lifecycle task run in-process in
tests/unit/plugins/modules/test_lifecycle_engine.py.

Written from the issue text and tests/emulator/README.md; every test reads the emulator's request log.
"""

from __future__ import annotations

import secrets

import pytest

from ubidots_testing import mixed_orgs, mixed_users, orgs_task, sent, users_by_name, users_task

USERS_PATH = "/api/v2.0/users/"
EQUAL_IN_CHECK_MODE = ("changed", "created", "changed_ids", "deleted_ids", "diff")


# -- helpers ---------------------------------------------------------------------------------------

def secret_password(tag):
    """A password with spaces, quotes, unicode and a newline; its random markers survive any escaping."""
    marks = [secrets.token_hex(5) for _mark in range(3)]
    value = 'Pw %s "q\'uo" %s Ünïcødé €\n%s' % (marks[0], marks[1], marks[2])
    return value, marks


# -- organizations ---------------------------------------------------------------------------------

@pytest.mark.core
def test_orgs_check_mode_equals_the_real_run_and_a_rerun_sends_nothing(emulator, run_playbook):
    before = emulator.state()
    check = run_playbook(orgs_task(mixed_orgs(), prune=True), check=True, diff=True)
    assert check.rc == 0, check.output
    assert sent(emulator) == [] and emulator.state() == before
    real = run_playbook(orgs_task(mixed_orgs(), prune=True), diff=True)
    assert real.rc == 0, real.output
    for key in EQUAL_IN_CHECK_MODE:
        assert check.result[key] == real.result[key], key
    diffs = check.result["diff"]
    created = next(d for d in diffs if d["before"] == "")
    assert created["after"] == {"label": "plant-east", "name": "Plant East"}
    assert "plant-east" in created["before_header"] + created["after_header"]
    deleted = next(d for d in diffs if d["after"] == "")
    assert "legacy-site" in deleted["before_header"] + deleted["after_header"]
    assert deleted["before"]["label"] == "legacy-site"
    emulator.clear_log()
    again = run_playbook(orgs_task(mixed_orgs(), prune=True))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    assert again.result["created"] == [] and again.result["deleted_ids"] == [] and again.result["changed_ids"] == []
    assert sent(emulator) == []


# -- users -----------------------------------------------------------------------------------------

@pytest.mark.core
def test_users_check_mode_equals_the_real_run_and_a_rerun_sends_nothing(emulator, run_playbook):
    items = mixed_users(emulator)
    before = emulator.state()
    check = run_playbook(users_task(items, prune=True), check=True, diff=True)
    assert check.rc == 0, check.output
    assert sent(emulator) == [] and emulator.state() == before
    real = run_playbook(users_task(items, prune=True), diff=True)
    assert real.rc == 0, real.output
    for key in EQUAL_IN_CHECK_MODE:
        assert check.result[key] == real.result[key], key
    diffs = check.result["diff"]
    created = next(d for d in diffs if d["before"] == "")
    assert created["after"]["username"] == "newbie"
    assert created["after"]["password"] != "Newbie-Pass-1"
    assert "newbie" in created["before_header"] + created["after_header"]
    deleted = next(d for d in diffs if d["after"] == "")
    assert deleted["before"]["username"] == "grace-h"
    assert "grace-h" in deleted["before_header"] + deleted["after_header"]
    assert "Newbie-Pass-1" not in check.output + real.output + str(check.results) + str(real.results)
    emulator.clear_log()
    again = run_playbook(users_task(items, prune=True))
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    assert again.result["created"] == [] and again.result["deleted_ids"] == [] and again.result["changed_ids"] == []
    assert sent(emulator) == []


def test_no_password_or_token_in_any_output_at_vvv(emulator, run_playbook):
    new_pw, new_marks = secret_password("new")
    rotated_pw, rotated_marks = secret_password("rotated")
    bad_pw, bad_marks = secret_password("bad")
    fail_pw, fail_marks = secret_password("fail")
    alice = users_by_name(emulator)["alice"]
    create = [{"username": "sweep-new", "email": "sweep@example.com", "password": new_pw}]
    rotate = [{"id": alice["id"], "password": rotated_pw}]
    invalid = [{"username": "sweep-bad", "password": bad_pw}]  # no email: fails validation
    failing = [{"username": "sweep-fail", "email": "fail@example.com", "password": fail_pw}]
    runs = [run_playbook(users_task(create), check=True, diff=True, verbosity=3),
            run_playbook(users_task(create), diff=True, verbosity=3),
            run_playbook(users_task(rotate, update_password="always"), diff=True, verbosity=3),
            run_playbook(users_task(invalid), diff=True, verbosity=3)]
    emulator.inject(USERS_PATH, "status", method="POST", status=400, detail="Injected refusal")
    runs.append(run_playbook(users_task(failing), diff=True, verbosity=3))
    assert [r.rc == 0 for r in runs] == [True, True, True, False, False], [r.output[-800:] for r in runs]
    assert emulator.check_password("~sweep-new", new_pw)
    assert emulator.check_password(alice["id"], rotated_pw)
    marks = new_marks + rotated_marks + bad_marks + fail_marks
    texts = [r.output + str(r.results) for r in runs] + [str(emulator.log())]
    for text in texts:
        assert emulator.token not in text
        for mark in marks:
            assert mark not in text
