# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read side and GitOps: info modules, the roles, drift detection and the export playbook."""

from __future__ import annotations

import yaml

from ubidots_testing import write_yaml, writes


def test_info_then_bulk_is_a_no_op_for_both_kinds(emulator, run_playbook):
    run = run_playbook([
        {"name": "users info", "ubidots.industrial.ubidots_users_info": {}, "register": "u"},
        {"name": "orgs info", "ubidots.industrial.ubidots_orgs_info": {}, "register": "o"},
        {"name": "users back", "ubidots.industrial.ubidots_users_bulk": {"users": "{{ u.users }}"}},
        {"name": "orgs back", "ubidots.industrial.ubidots_orgs_bulk": {"organizations": "{{ o.organizations }}"}},
    ])
    assert run.rc == 0, run.output
    users_info, orgs_info, users_bulk, orgs_bulk = [r["result"] for r in run.results]
    assert users_info["count"] == len(emulator.state()["users"]) and users_info["count"] > 0
    assert orgs_info["count"] == len(emulator.state()["organizations"])
    assert all("password" not in user for user in users_info["users"])
    assert users_bulk["changed"] is False and orgs_bulk["changed"] is False
    assert len(users_bulk["unchanged_ids"]) == users_info["count"]
    assert writes(emulator) == []


def test_info_selects_by_ids_names_and_filters(emulator, run_playbook):
    users = sorted(emulator.state()["users"], key=lambda u: u["username"])
    run = run_playbook([
        {"name": "by name", "ubidots.industrial.ubidots_users_info": {"usernames": [users[0]["username"], "ghost"]}},
        {"name": "by id", "ubidots.industrial.ubidots_users_info": {"ids": [users[1]["id"]]}},
        {"name": "filter", "ubidots.industrial.ubidots_users_info": {"filters": {"isActive": False}}},
        {"name": "labels", "ubidots.industrial.ubidots_orgs_info": {"labels": ["org1"]}},
    ], check=True)
    assert run.rc == 0, run.output
    by_name, by_id, inactive, labels = [r["result"] for r in run.results]
    assert [u["username"] for u in by_name["users"]] == [users[0]["username"]]
    assert by_name["missing_usernames"] == ["ghost"]
    assert [u["id"] for u in by_id["users"]] == [users[1]["id"]]
    assert sorted(u["username"] for u in inactive["users"]) == sorted(u["username"] for u in users if not u["isActive"])
    assert [o["label"] for o in labels["organizations"]] == ["org1"]
    assert not writes(emulator)


def role(name, **variables):
    """A play's role entry."""
    return {"role": "ubidots.industrial." + name, "vars": variables}


def test_roles_apply_a_directory_with_one_bulk_request_per_kind(emulator, run_playbook, tmp_path):
    write_yaml(tmp_path / "state/users/alice.yml", {"username": "alice", "lastName": "FromFile"})
    write_yaml(tmp_path / "state/users/team.yml", [{"username": "bob", "tags": ["gitops"]},
                                                   {"username": "carol", "website": "https://c.example"}])
    write_yaml(tmp_path / "state/orgs/all.yml", {"organizations": [{"label": "org1", "description": "From git"}]})
    play = {"roles": [role("organizations", ubidots_organizations_dir=str(tmp_path / "state/orgs")),
                      role("users", ubidots_users_dir=str(tmp_path / "state/users"),
                           ubidots_users=[{"username": "dave", "firstName": "Inline"}])]}
    run = run_playbook([], play=play)
    assert run.rc == 0, run.output
    sent = writes(emulator)
    assert [(e["method"], e["path"]) for e in sent] == [("POST", "/api/v2.0/organizations/_/bulk/update/"),
                                                        ("PATCH", "/api/v2.0/users/_/bulk/update/")]
    assert len(sent[1]["body"]) == 4
    emulator.clear_log()
    again = run_playbook([], play=play)
    assert again.rc == 0 and "changed=0" in again.stdout
    assert writes(emulator) == []


def test_duplicates_across_files_name_both_files(emulator, run_playbook, tmp_path):
    first = tmp_path / "users/a.yml"
    second = tmp_path / "users/nested/b.yml"
    write_yaml(first, [{"username": "alice", "firstName": "A"}])
    write_yaml(second, {"username": "alice", "firstName": "B"})
    run = run_playbook([], play={"roles": [role("users", ubidots_users_dir=str(tmp_path / "users"))]})
    assert run.rc != 0
    assert "user username alice is defined twice: in %s (item 1) and in %s (item 1)" % (first, second) in run.output
    assert emulator.log() == []


def test_a_wrong_role_variable_fails_through_argument_specs(emulator, run_playbook):
    run = run_playbook([], play={"roles": [role("users", ubidots_users="not-a-list", ubidots_fail_on_drift="sometimes")]})
    assert run.rc != 0
    assert "Validation of arguments failed" in run.output
    assert "ubidots_fail_on_drift" in run.output
    assert emulator.log() == []


def test_drift_mode_passes_when_nothing_changed_and_fails_after_a_change_by_hand(emulator, run_playbook, tmp_path):
    alice = next(u for u in emulator.state()["users"] if u["username"] == "alice")
    write_yaml(tmp_path / "users/alice.yml", {"username": "alice", "lastName": alice["lastName"], "isActive": alice["isActive"]})
    play = {"roles": [role("users", ubidots_users_dir=str(tmp_path / "users"), ubidots_fail_on_drift=True)]}
    clean = run_playbook([], play=play, check=True)
    assert clean.rc == 0, clean.output
    emulator.update_object("users", alice["id"], {"lastName": "ChangedInTheUI"})
    drift = run_playbook([], play=play, check=True)
    assert drift.rc != 0
    assert "Drift: 1 of 1 users differ from the desired state: %s alice" % alice["id"] in drift.output
    assert "Changed keys: lastName" in drift.output
    assert writes(emulator) == []


def test_export_then_apply_is_a_no_op(emulator, run_playbook, tmp_path):
    out = tmp_path / "exported"
    export = run_playbook([], playbook="ubidots.industrial.export", extra_vars={"export_dir": str(out)})
    assert export.rc == 0, export.output
    users = yaml.safe_load((out / "users/users.yml").read_text())["users"]
    assert len(users) == len(emulator.state()["users"])
    text = (out / "users/users.yml").read_text()
    assert "password" not in text and "Pass-1" not in text
    play = {"roles": [role("organizations", ubidots_organizations_dir=str(out / "organizations")),
                      role("users", ubidots_users_dir=str(out / "users"))]}
    emulator.clear_log()
    apply = run_playbook([], play=play)
    assert apply.rc == 0, apply.output
    assert "changed=0" in apply.stdout
    assert writes(emulator) == []


def test_export_then_apply_with_prune_and_memberships_is_a_no_op(emulator, run_playbook, tmp_path):
    out = tmp_path / "exported"
    export = run_playbook([], playbook="ubidots.industrial.export", extra_vars={"export_dir": str(out)})
    assert export.rc == 0, export.output
    users = yaml.safe_load((out / "users/users.yml").read_text())["users"]
    assert any(user.get("organizations") for user in users), "the export carries memberships"
    play = {"roles": [role("organizations", ubidots_organizations_dir=str(out / "organizations"), ubidots_prune=True),
                      role("users", ubidots_users_dir=str(out / "users"), ubidots_prune=True,
                           ubidots_purge_organizations=True)]}
    emulator.clear_log()
    apply = run_playbook([], play=play, check=True, diff=True)
    assert apply.rc == 0, apply.output
    apply = run_playbook([], play=play)
    assert apply.rc == 0, apply.output
    assert "changed=0" in apply.stdout
    assert [e for e in emulator.log() if e["method"] != "GET"] == []


def test_drift_mode_reports_objects_to_create_and_delete(emulator, run_playbook, tmp_path):
    exported = tmp_path / "exported"
    assert run_playbook([], playbook="ubidots.industrial.export", extra_vars={"export_dir": str(exported)}).rc == 0
    orgs = yaml.safe_load((exported / "organizations/organizations.yml").read_text())["organizations"]
    gone = orgs.pop()  # in the account, not in the repository
    orgs.append({"label": "new-site", "name": "New Site"})  # in the repository, not in the account
    (exported / "organizations/organizations.yml").write_text(yaml.safe_dump({"organizations": orgs}))
    play = {"roles": [role("organizations", ubidots_organizations_dir=str(exported / "organizations"), ubidots_prune=True,
                           ubidots_fail_on_drift=True)]}
    emulator.clear_log()
    drift = run_playbook([], play=play, check=True)
    assert drift.rc != 0
    assert "To create (1): new-site." in drift.output
    assert "To delete (1): %s %s." % (gone["id"], gone["label"]) in drift.output
    assert [e for e in emulator.log() if e["method"] != "GET"] == []
