# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles with an inventory of several hosts: every host's desired state is applied, once, or nothing is."""

from __future__ import annotations

import pytest

from ubidots_testing import inventory, write_yaml, writes

USERS = "/api/v2.0/users/_/bulk/update/"
ORGS = "/api/v2.0/organizations/_/bulk/update/"


BOTH_ROLES = {"hosts": "plants", "roles": ["ubidots.industrial.organizations", "ubidots.industrial.users"]}


def ids_of(emulator, kind, names):
    """The ids of the fixture objects with these usernames / labels."""
    key = "username" if kind == "users" else "label"
    return {o[key]: o["id"] for o in emulator.state()[kind] if o[key] in names}


def test_every_hosts_lists_and_dirs_go_in_one_bulk_request_per_kind(emulator, run_playbook, tmp_path):
    south_users = tmp_path / "south/users"
    write_yaml(south_users / "bob.yml", {"username": "bob", "tags": ["south"]})
    write_yaml(tmp_path / "south/orgs/org2.yml", {"label": "org2", "description": "South plant"})
    write_yaml(tmp_path / "east/users/team/dave.yml", [{"username": "dave", "lastName": "East"}])
    hosts = {
        "plant-north": {"ubidots_users": [{"username": "alice", "lastName": "North"}],
                        "ubidots_organizations": [{"label": "org1", "description": "North plant"}]},
        "plant-south": {"ubidots_users_dir": str(south_users),
                        "ubidots_organizations_dir": str(tmp_path / "south/orgs")},
        "plant-east": {"ubidots_users": [{"username": "carol", "website": "https://east.example"}],
                       "ubidots_users_dir": str(tmp_path / "east/users")},
    }
    inv = inventory(tmp_path, hosts)
    run = run_playbook([], play=BOTH_ROLES, inventory=inv)
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert [(e["method"], e["path"]) for e in sent] == [("POST", ORGS), ("PATCH", USERS)]
    orgs = ids_of(emulator, "organizations", {"org1", "org2"})
    users = ids_of(emulator, "users", {"alice", "bob", "carol", "dave"})
    assert sorted(item["id"] for item in sent[0]["body"]) == sorted(orgs.values())
    assert sorted(item["id"] for item in sent[1]["body"]) == sorted(users.values())
    state = {u["username"]: u for u in emulator.state()["users"]}
    assert state["alice"]["lastName"] == "North" and state["dave"]["lastName"] == "East"
    assert state["bob"]["tags"] == ["south"] and state["carol"]["website"] == "https://east.example"

    emulator.clear_log()
    again = run_playbook([], play=BOTH_ROLES, inventory=inv)
    assert again.rc == 0, again.output
    assert "changed=0" in again.stdout
    assert writes(emulator) == []


def test_a_list_every_host_shares_through_group_vars_is_applied_once(emulator, run_playbook, tmp_path):
    shared = write_yaml(tmp_path / "shared/orgs.yml", [{"label": "org2", "description": "Shared dir"}])
    inv = inventory(tmp_path, {"plant-north": {}, "plant-south": {"ubidots_users": [{"username": "bob", "lastName": "S"}]}},
                    group_vars={"ubidots_organizations": [{"label": "org1", "description": "Shared list"}],
                                "ubidots_organizations_dir": str(shared.parent)})
    run = run_playbook([], play=BOTH_ROLES, inventory=inv)
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert [(e["method"], e["path"]) for e in sent] == [("POST", ORGS), ("PATCH", USERS)]
    assert sorted(item["label"] for item in sent[0]["body"]) == ["org1", "org2"]
    assert len(sent[1]["body"]) == 1


def test_the_same_user_on_two_hosts_fails_naming_both_hosts_and_sends_nothing(emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice", "firstName": "North"}]},
        "plant-south": {"ubidots_users": [{"username": "bob"}, {"username": "alice", "firstName": "South"}]},
    })
    run = run_playbook([], play=BOTH_ROLES, inventory=inv)
    assert run.rc != 0
    assert ("user username alice is defined twice: in ubidots_users of plant-north (item 1)"
            " and in ubidots_users of plant-south (item 2)") in run.output
    # The refusal is the task's own message, not wrapped in Ansible's words about a failed filter.
    refusal = next(r["result"] for r in run.results if r["status"] == "failed")
    assert refusal["msg"].startswith("user username alice is defined twice"), refusal
    assert "Finalization" not in run.output and "filter plugin" not in run.output
    assert not writes(emulator)


def test_the_same_organization_in_a_host_list_and_another_hosts_file_names_both(emulator, run_playbook, tmp_path):
    path = write_yaml(tmp_path / "south/orgs/org1.yml", {"label": "org1", "description": "File"})
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_organizations": [{"label": "org1", "description": "List"}]},
        "plant-south": {"ubidots_organizations_dir": str(path.parent)},
    })
    run = run_playbook([], play={"hosts": "plants", "roles": ["ubidots.industrial.organizations"]}, inventory=inv)
    assert run.rc != 0
    assert ("organization label org1 is defined twice: in ubidots_organizations of plant-north (item 1)"
            " and in %s (item 1)" % path) in run.output
    assert emulator.log() == []


def test_a_play_with_serial_fails_naming_the_hosts_of_later_batches_instead_of_leaving_them_out(emulator, run_playbook,
                                                                                                tmp_path):
    inv = inventory(tmp_path, {"plant-north": {"ubidots_users": [{"username": "alice", "lastName": "N"}]},
                               "plant-south": {"ubidots_users": [{"username": "bob", "lastName": "S"}]}})
    run = run_playbook([], play={"hosts": "plants", "serial": 1, "roles": ["ubidots.industrial.users"]}, inventory=inv)
    assert run.rc != 0
    assert "the desired users of plant-south were not gathered" in run.output
    assert emulator.log() == []


def test_a_directory_that_does_not_exist_fails_instead_of_applying_nothing(emulator, run_playbook, tmp_path):
    inv = inventory(tmp_path, {"plant-north": {"ubidots_users_dir": str(tmp_path / "typo")}})
    run = run_playbook([], play={"hosts": "plants", "roles": ["ubidots.industrial.users"]}, inventory=inv)
    assert run.rc != 0
    assert "ubidots_users_dir of plant-north: %s is not a directory" % (tmp_path / "typo") in run.output
    assert emulator.log() == []


def test_a_list_or_dict_as_username_or_label_fails_clearly_without_a_traceback(emulator, run_playbook):
    for role, items in (("users", {"ubidots_users": [{"username": ["alice"], "firstName": "X"}]}),
                        ("organizations", {"ubidots_organizations": [{"label": {"name": "org1"}}]})):
        run = run_playbook([], play={"roles": [{"role": "ubidots.industrial." + role, "vars": items}]})
        assert run.rc != 0
        assert "unhashable" not in run.output and "Traceback" not in run.output
        # The module's validation names the item, the key and the type it wants.
        assert "%s[0]: %s" % (role, "username" if role == "users" else "label") in run.output, run.output
        assert "string" in run.output
    assert not writes(emulator)


@pytest.mark.core
def test_lifecycle_variables_are_checked_by_the_argument_specs(emulator, run_playbook):
    for variables in ({"ubidots_state": "gone"}, {"ubidots_prune": "sometimes"}, {"ubidots_max_deletions": "many"}):
        for role in ("users", "organizations"):
            run = run_playbook([], play={"roles": [{"role": "ubidots.industrial." + role, "vars": variables}]})
            assert run.rc != 0
            assert "Validation of arguments failed" in run.output and next(iter(variables)) in run.output
    assert emulator.log() == []


@pytest.mark.core
def test_passwords_of_every_host_stay_out_of_the_output_at_vvv(emulator, run_playbook, tmp_path):
    secret_list, secret_file = "North Pass 1 \"é\"", "South-Pass-2"
    path = write_yaml(tmp_path / "south/users/bob.yml", {"username": "bob", "password": secret_file})
    inv = inventory(tmp_path, {
        "plant-north": {"ubidots_users": [{"username": "alice", "password": secret_list}]},
        "plant-south": {"ubidots_users_dir": str(path.parent)},
    })
    play = {"hosts": "plants", "roles": [{"role": "ubidots.industrial.users", "vars": {"ubidots_update_password": "always"}}]}
    run = run_playbook([], play=play, inventory=inv, verbosity=3, diff=True)
    assert run.rc == 0, run.output
    assert [len(e["body"]) for e in writes(emulator)] == [2]
    for secret in (secret_list, secret_file, "North Pass"):
        assert secret not in run.output
        assert secret not in str(run.results)
