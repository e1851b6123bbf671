# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validate_state filter (the validate playbook's checks): what is a problem, what only a warning, and how
places and variables are named. The playbook itself runs in tests/integration/test_validate_playbook.py."""

from __future__ import annotations

import os

import yaml

from ansible_collections.ubidots.industrial.plugins.filter.validate_state import validate_state


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content))


def test_a_value_the_account_may_hold_is_a_warning_not_a_problem(tmp_path):
    write(tmp_path / "users" / "u.yml", [{"username": "old.style", "firstName": "Kept"}])
    found = validate_state(str(tmp_path))
    assert found["problems"] == []
    assert len(found["warnings"]) == 1 and "old.style" in found["warnings"][0] and "only if this value is sent" in found["warnings"][0]


def test_places_are_relative_to_the_working_directory_when_under_it(tmp_path, monkeypatch):
    write(tmp_path / "state" / "users" / "u.yml", [{"username": "dave", "tags": "x"}])
    monkeypatch.chdir(tmp_path)
    found = validate_state(str(tmp_path / "state"))
    assert found["problems"] == [os.path.join("state", "users", "u.yml") + " (item 1) (username dave): tags: must be list, got string"]


def test_role_variables_wrong_and_unknown_and_templated(tmp_path):
    write(tmp_path / "organizations" / "o.yml", {"label": "plant"})
    found = validate_state(str(tmp_path), options={
        "ubidots_batch_size": "lots", "ubidots_max_deletion": 5, "ubidots_users_result": {"changed": False},
        "ubidots_prune": "{{ prune_it }}", "not_ours": 1})
    unknown, wrong = found["problems"]
    assert unknown == "variables of the play: ubidots_max_deletion is not a variable of the roles (did you mean ubidots_max_deletions?)"
    # ansible-core's own words for a value it cannot convert (they differ between series).
    assert wrong.startswith("variables of the play: argument 'ubidots_batch_size' is of type") and "convert to int" in wrong
    assert found["counts"] == {"users": 0, "organizations": 1, "files": 1}


def test_memberships_by_id_or_label_of_organizations_the_repository_holds(tmp_path):
    write(tmp_path / "organizations" / "o.yml", [{"id": "6027087b65a24d1987654321", "label": "plant"}, {"label": "depot"}])
    write(tmp_path / "users" / "u.yml", [
        {"username": "ann", "organizations": [{"id": "6027087b65a24d1987654321", "role": "viewer"}, {"label": "depot", "role": "admin"}]},
        {"username": "ben", "organizations": [{"id": "6027087b65a24d1987654321", "role": "viewer"}, {"label": "plant", "role": "admin"}]},
    ])
    problems = validate_state(str(tmp_path))["problems"]
    assert len(problems) == 1 and "(item 2) (username ben): organizations[1] names the organization of organizations[0] again" in problems[0]


def test_an_organization_listed_twice_by_the_same_key_is_one_problem(tmp_path, monkeypatch):
    """The schema check says "listed twice"; the repository check adds only what it alone knows (the same
    organization once by id and once by label), not the same problem again."""
    write(tmp_path / "organizations" / "o.yml", [{"id": "6027087b65a24d1987654321", "label": "plant"}])
    write(tmp_path / "users" / "u.yml", [{"username": "ann", "organizations": [
        {"label": "plant", "role": "viewer"}, {"label": "plant", "role": "admin"},
        {"id": "6027087b65a24d1987654321", "role": "viewer"}]}])
    monkeypatch.chdir(tmp_path)
    place = os.path.join("users", "u.yml") + " (item 1) (username ann): "
    assert validate_state(str(tmp_path))["problems"] == [
        place + "organizations[1]: organization label plant is listed twice",
        place + "organizations[2] names the organization of organizations[0] again (6027087b65a24d1987654321)"]


def test_a_membership_whose_id_is_a_list_is_a_problem_not_a_crash(tmp_path):
    """A YAML slip (id: [x]) next to a label the repository holds: the schema check names it, nothing raises."""
    write(tmp_path / "organizations" / "o.yml", [{"id": "6027087b65a24d1987654321", "label": "plant"}])
    write(tmp_path / "users" / "u.yml", [{"username": "ann", "organizations": [
        {"id": ["6027087b65a24d1987654321"], "label": "plant", "role": "viewer"},
        {"id": ["6027087b65a24d1987654321"], "label": "plant", "role": "admin"}]}])
    problems = validate_state(str(tmp_path))["problems"]
    assert problems and all("organizations[" in problem for problem in problems), problems
    assert any("organizations[0].id: must be string, got list" in problem for problem in problems), problems
