# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-playbook ubidots.industrial.validate -e state_dir=DIR: the repository checked without a token or any
request (a pull request from a fork), every problem at once, each with its file and item."""

from __future__ import annotations

import re

from ubidots_testing import write_yaml

NO_TOKEN = {"UBIDOTS_TOKEN": ""}


def validate(run_playbook, state_dir, **extra):
    return run_playbook(None, playbook="ubidots.industrial.validate", extra_vars=dict(state_dir=str(state_dir), **extra),
                        env=NO_TOKEN)


def clean_state(root):
    write_yaml(root / "organizations" / "plants.yml", {"organizations": [{"label": "plant-north", "name": "Plant North"},
                                                                         {"label": "plant-south"}]})
    write_yaml(root / "users" / "engineering.yml", [
        {"username": "alice", "email": "alice@example.com", "tags": ["engineering"],
         "organizations": [{"label": "plant-north", "role": "editor"}], "defaultOrganization": "plant-north"},
        {"username": "bob", "organizations": [{"label": "plant-south", "role": "viewer"}]},
    ])
    write_yaml(root / "users" / "nested" / "contractors.yaml", {"username": "carol", "isActive": False})
    return root


def test_a_clean_repository_passes_with_no_token_and_no_request(emulator, run_playbook, tmp_path):
    run = validate(run_playbook, clean_state(tmp_path / "state"))
    assert run.rc == 0, run.output
    assert "3 users" in run.output and "2 organizations" in run.output
    assert emulator.log() == []


def test_every_problem_is_reported_at_once_with_file_and_item(emulator, run_playbook, tmp_path):
    root = clean_state(tmp_path / "state")
    write_yaml(root / "users" / "broken.yml", [
        {"username": "dave", "tags": "not-a-list"},                                    # schema: type
        {"username": "erin", "favouriteColour": "blue"},                               # schema: unknown key
        {"username": "alice", "firstName": "Twice"},                                   # duplicate of engineering.yml
        {"username": "frank", "organizations": [{"label": "plant-west", "role": "viewer"}]},  # not in the repository
        {"username": "gina", "defaultOrganization": "plant-nowhere"},                   # not in the repository
    ])
    write_yaml(root / "organizations" / "more.yml", [{"label": "plant-north"}])          # duplicate of plants.yml
    run = run_playbook(None, playbook="ubidots.industrial.validate", env=NO_TOKEN,
                       extra_vars={"state_dir": str(root), "ubidots_max_deletions": "many", "ubidots_removal": "shred"})
    assert run.rc != 0
    out = run.output
    broken = str(root / "users" / "broken.yml")
    assert re.search(re.escape(broken) + r" \(item 1\).*tags.*must be list", out), out
    assert re.search(re.escape(broken) + r" \(item 2\).*favouriteColour", out), out
    twice = next(line for line in out.splitlines() if "alice is defined twice" in line)
    assert str(root / "users" / "engineering.yml") + " (item 1)" in twice and broken + " (item 3)" in twice
    twice = next(line for line in out.splitlines() if "plant-north is defined twice" in line)
    assert "plants.yml (item 1)" in twice and "more.yml (item 1)" in twice
    assert re.search(re.escape(broken) + r" \(item 4\).*plant-west", out), out
    assert re.search(re.escape(broken) + r" \(item 5\).*plant-nowhere", out), out
    assert "ubidots_max_deletions" in out and "ubidots_removal" in out
    assert re.search(r"8 problems", out), out
    assert emulator.log() == []


def test_organizations_managed_elsewhere_are_named_with_e(emulator, run_playbook, tmp_path):
    root = clean_state(tmp_path / "state")
    write_yaml(root / "users" / "hq.yml", {"username": "hq-admin", "organizations": [{"label": "headquarters", "role": "admin"}]})
    assert validate(run_playbook, root).rc != 0
    run = validate(run_playbook, root, external_organizations=["headquarters"])
    assert run.rc == 0, run.output
    assert emulator.log() == []


def test_memberships_are_not_checked_when_the_repository_holds_no_organizations(emulator, run_playbook, tmp_path):
    root = tmp_path / "state"
    write_yaml(root / "users" / "u.yml", {"username": "alice", "organizations": [{"label": "anywhere", "role": "viewer"}]})
    run = validate(run_playbook, root)
    assert run.rc == 0, run.output


def test_an_unreadable_file_and_a_missing_directory_are_problems(emulator, run_playbook, tmp_path):
    root = clean_state(tmp_path / "state")
    (root / "users" / "bad.yml").write_text("users: [unclosed\n")
    run = validate(run_playbook, root)
    assert run.rc != 0 and str(root / "users" / "bad.yml") in run.output
    missing = validate(run_playbook, tmp_path / "nowhere")
    assert missing.rc != 0 and "nowhere" in missing.output


def test_the_export_of_an_account_validates(emulator, run_playbook, tmp_path):
    exported = run_playbook(None, playbook="ubidots.industrial.export", extra_vars={"export_dir": str(tmp_path / "export")})
    assert exported.rc == 0, exported.output
    emulator.clear_log()
    run = validate(run_playbook, tmp_path / "export")
    assert run.rc == 0, run.output
    assert emulator.log() == []


def test_the_role_entries_of_the_apply_playbook_are_checked(emulator, run_playbook, tmp_path):
    root = clean_state(tmp_path / "state")
    apply = tmp_path / "apply.yml"
    write_yaml(apply, [{"name": "apply", "hosts": "localhost", "gather_facts": False, "roles": [
        {"role": "ubidots.industrial.organizations", "vars": {"ubidots_organizations_dir": "{{ playbook_dir }}/state/organizations",
                                                              "ubidots_prune": True, "ubidots_max_deletions": 5}},
        {"role": "ubidots.industrial.users", "vars": {"ubidots_users_dir": "{{ playbook_dir }}/state/users",
                                                      "ubidots_purne": True, "ubidots_update_password": "sometimes"}},
    ]}])
    run = run_playbook(None, playbook="ubidots.industrial.validate", env=NO_TOKEN,
                       extra_vars={"state_dir": str(root), "playbook": str(apply)})
    assert run.rc != 0
    assert re.search(r"apply\.yml \(play 1\) role ubidots\.industrial\.users: ubidots_purne is not a variable of the roles"
                     r" \(did you mean ubidots_prune\?\)", run.output), run.output
    assert re.search(r"apply\.yml \(play 1\) role ubidots\.industrial\.users: value of ubidots_update_password must be one of",
                     run.output), run.output
    assert "2 problems" in run.output and "ubidots.industrial.organizations:" not in run.output
    assert emulator.log() == []
