# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The warnings of a plan, run in-process against the emulator as a user runs ubidots_users_bulk.

Issue 28: written for survivors of make_plan (plugins/module_utils/_plan.py) from plugins/doc_fragments/bulk.py:
protected: "With prune=true, the module reads the whole account and warns of a name that matches no object (a typo
protects nothing). Without prune only the listed objects are read, so such a name cannot be checked"; and
plugins/modules/ubidots_users_bulk.py, update_password: "never sends no password to existing users, and warns for
each such item that holds one". Fixture (tests/emulator/fixtures/default.json): the users admin, alice, bob, carol,
dave, erin, frank_ops, grace-h and others.
"""

from __future__ import annotations

from ubidots_testing import users_task, write_entries


def test_without_prune_a_protected_name_is_not_checked_and_no_warning_calls_it_a_typo(emulator, run_module):
    # Without prune only the listed objects are read: the module cannot tell a typo, so it must not claim one (alice
    # exists; a warning saying no user is named alice would send the reader after a typo that is not there).
    run = run_module(users_task([{"username": "bob", "lastName": "Builder"}], protected=["alice", "nobody-x"]),
                     check=True)
    assert run.rc == 0, run.output
    assert not [w for w in run.result.get("warnings", []) if "protected" in w], run.result.get("warnings")
    assert write_entries(emulator) == []


def test_prune_keeps_the_other_warnings_of_the_plan(emulator, run_module):
    # update_password: never warns for an existing user's item that holds a password; prune with protected warns of
    # the users it keeps. Both are shown: the second does not replace the first.
    listed = ["admin", "alice", "carol", "dave", "erin"]
    kept = ["frank_ops", "grace-h"]
    items = [{"username": name} for name in listed] + [{"username": "bob", "password": "Another-long-Pw-1"}]
    run = run_module(users_task(items, prune=True, protected=kept, update_password="never", max_deletions=0),
                     check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is False
    warnings = run.result.get("warnings", [])
    assert any(w.startswith("users[5] (username bob): password given but") for w in warnings), warnings
    assert any(w.startswith("prune keeps 2 users that the list does not hold, because they are protected")
               for w in warnings), warnings
    assert write_entries(emulator) == []
