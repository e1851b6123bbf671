# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-playbook ubidots.industrial.validate -e state_dir=DIR: the repository checked without a token or any
request (a pull request from a fork), every problem at once, each with its file and item."""

from __future__ import annotations

import re

from conftest import write_yaml

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
    assert re.search(r"alice.*" + re.escape(str(root / "users" / "engineering.yml")) + r" \(item 1\).*"
                     + re.escape(broken) + r" \(item 3\)", out), out
    assert re.search(r"plant-north.*plants\.yml \(item 1\).*more\.yml \(item 1\)", out), out
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
