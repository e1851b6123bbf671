# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ubidots_users_bulk through real ansible-playbook runs against the emulator: what only Ansible shows (the diff
as printed, module_defaults through the action group, no secret at -vvv). The engine's behaviour is tested in
process: tests/unit/plugins/modules/test_users_bulk_engine.py and test_bulk_modules.py."""

from __future__ import annotations

import pytest

from ubidots_testing import some_users, users_task


@pytest.mark.core
def test_diff_names_each_user_and_masks_the_password(emulator, run_playbook):
    first = some_users(emulator, 1)[0]
    secret = "Sup3r-secret-pw!"
    run = run_playbook(users_task([{"id": first["id"], "password": secret, "firstName": "Zed"}], update_password="always"),
                       check=True, diff=True)
    assert run.rc == 0, run.output
    diff = run.result["diff"]
    assert len(diff) == 1
    assert diff[0]["before_header"] == "user %s (username %s)" % (first["id"], first["username"])
    assert diff[0]["after"] == {"firstName": "Zed", "password": "********"}
    assert "password" in diff[0]["before"] and secret not in str(diff)
    assert "user %s (username %s)" % (first["id"], first["username"]) in run.stdout
    assert secret not in run.output


@pytest.mark.core
def test_module_defaults_group_sets_the_connection_once(emulator, run_playbook):
    first = some_users(emulator, 1)[0]
    play = {"module_defaults": {"group/ubidots.industrial.ubidots": {"api_url": emulator.url, "api_token": emulator.token}}}
    run = run_playbook(users_task([{"id": first["id"], "firstName": "Grouped"}]), play=play,
                       env={"UBIDOTS_API_URL": "http://127.0.0.1:9", "UBIDOTS_TOKEN": ""})
    assert run.rc == 0, run.output
    assert run.result["changed"] is True


@pytest.mark.core
def test_no_secret_in_any_output_with_vvv(emulator, run_playbook):
    users = some_users(emulator, 3)
    secrets = ["Pw-one-%s" % u["username"] for u in users]
    items = [{"id": u["id"], "password": s, "firstName": "S"} for u, s in zip(users, secrets)]
    items.append({"id": "bad", "password": "Invalid-pw-777", "email": "x"})  # fails validation
    failing = run_playbook(users_task(items), diff=True, verbosity=3)
    ok = run_playbook(users_task(items[:3]), diff=True, verbosity=3)
    check = run_playbook(users_task(items[:3]), check=True, diff=True, verbosity=3)
    assert failing.rc != 0 and ok.rc == 0 and check.rc == 0
    outputs = [r.output + str(r.results) for r in (failing, ok, check)] + [str(emulator.log())]
    for text in outputs:
        for secret in secrets + ["Invalid-pw-777", emulator.token]:
            assert secret not in text
