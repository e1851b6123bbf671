# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""removal: deactivate (issue 25, point 1): leavers are switched off (isActive false) with the bulk update, never
deleted, through real ansible-playbook runs against the emulator (which keeps isActive as the API does).

Here what goes through the users role (its drift summary, hosts of one account that disagree); the modules' own
deactivations run in-process in tests/unit/plugins/modules/test_deactivate_engine.py."""

from __future__ import annotations

from ubidots_testing import active, by_name, inventory, sent

PYTHON = {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}


def _role(**variables):
    return {"role": "ubidots.industrial.users", "vars": variables}


def test_the_role_passes_ubidots_removal_and_the_drift_summary_says_deactivate(emulator, run_playbook):
    listed = [{"username": n} for n in ("admin", "alice", "bob", "carol", "erin", "frank_ops", "grace-h")]
    play = {"roles": [_role(ubidots_users=listed, ubidots_prune=True, ubidots_removal="deactivate", ubidots_fail_on_drift=True)]}
    dave = by_name(emulator, "users")["dave"]["id"]
    checked = run_playbook([], play=play, check=True)
    assert checked.rc != 0, checked.output
    assert "To deactivate (1): %s dave." % dave in checked.output, checked.output
    assert "erin" in checked.output  # reactivated: listed without isActive
    assert sent(emulator) == []
    run = run_playbook([], play=play)
    assert run.rc == 0, run.output
    state = active(emulator, "users")
    assert state["dave"] is False and state["erin"] is True and len(state) == 8


def test_hosts_of_one_account_that_disagree_on_ubidots_removal_are_refused(emulator, run_playbook, tmp_path):
    hosts = {"plant-north": {"ubidots_users": [{"username": "alice"}], "ubidots_removal": "deactivate"},
             "plant-south": {"ubidots_users": [{"username": "bob"}]}}
    book = tmp_path / "apply.yml"
    book.write_text('- hosts: plants\n  gather_facts: false\n  roles: [ubidots.industrial.users]\n')
    run = run_playbook([], playbook=book, inventory=inventory(tmp_path, hosts, PYTHON))
    assert run.rc != 0, run.output
    assert "ubidots_removal differs between hosts of one account" in run.output, run.output
    assert sent(emulator) == []


def test_a_leavers_host_that_would_delete_where_the_plants_deactivate_is_refused(emulator, run_playbook, tmp_path):
    hosts = {"plant-north": {"ubidots_users": [{"username": "alice"}], "ubidots_removal": "deactivate"},
             "leavers": {"ubidots_users": [{"username": "dave"}], "ubidots_state": "absent"}}
    book = tmp_path / "apply.yml"
    book.write_text('- hosts: plants\n  gather_facts: false\n  roles: [ubidots.industrial.users]\n')
    plants = inventory(tmp_path, hosts, PYTHON)
    run = run_playbook([], playbook=book, inventory=plants, check=True)
    assert run.rc != 0, run.output
    assert "ubidots_removal differs between hosts of one account" in run.output, run.output
    assert "states present and absent" in run.output, run.output
    assert sent(emulator) == []
    hosts["leavers"]["ubidots_removal"] = "deactivate"
    run = run_playbook([], playbook=book, inventory=inventory(tmp_path, hosts, PYTHON))
    assert run.rc == 0, run.output
    assert active(emulator, "users")["dave"] is False and "dave" in by_name(emulator, "users")
