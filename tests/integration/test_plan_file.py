# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file (callback ubidots.industrial.plan): real ansible-playbook runs write plan.json and plan.md into
UBIDOTS_PLAN_DIR, from the bulk modules' results, in check mode and in a real run, from tasks and from the roles."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ubidots_testing import write_yaml, writes

CALLBACKS = "record_results,ubidots.industrial.plan"


def plan_env(directory):
    return {"ANSIBLE_CALLBACKS_ENABLED": CALLBACKS, "UBIDOTS_PLAN_DIR": str(directory)}


def check_markdown(text):
    """plan.md as a Markdown parser reads it: a real one (markdown-it-py, in .venv) where installed; everywhere, its
    blocks balanced (each <details> closed, each code fence closed) and its table's rows as wide as its header."""
    assert text.count("<details>") == text.count("</details>")
    assert sum(1 for line in text.splitlines() if line.startswith("```")) % 2 == 0
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table and len({line.count("|") for line in table}) == 1
    try:
        import markdown_it  # pylint: disable=import-outside-toplevel
    except ImportError:
        return
    tokens = markdown_it.MarkdownIt("commonmark").enable(["table"]).parse(text)
    assert [t.type for t in tokens if t.type == "table_open"] == ["table_open"]


def read_plan(directory):
    return json.loads((directory / "plan.json").read_text()), (directory / "plan.md").read_text()


def tasks(password="Grace-Pass-123"):
    """Create a user (with a password), update two, delete one; create and update organizations."""
    return [
        {"name": "Users are as described", "ubidots.industrial.ubidots_users_bulk": {
            "users": [{"username": "grace", "email": "grace@example.com", "password": password, "tags": ["new"]},
                      {"username": "alice", "lastName": "Planned"},
                      {"username": "bob", "tags": ["plan", "review"], "password": password}],
            "update_password": "always"}},
        {"name": "Leavers are deleted", "ubidots.industrial.ubidots_users_bulk": {
            "users": [{"username": "dave"}], "state": "absent"}},
        {"name": "Organizations are as described", "ubidots.industrial.ubidots_orgs_bulk": {
            "organizations": [{"label": "plant-east", "name": "Plant East"}, {"label": "org1", "description": "Reviewed"}]}},
    ]


def test_plan_json_matches_the_module_results(emulator, run_playbook, tmp_path):
    out = tmp_path / "plan"
    run = run_playbook(tasks(), check=True, env=plan_env(out))
    assert run.rc == 0, run.output
    plan, text = read_plan(out)
    assert plan["check_mode"] is True and plan["version"] and plan["digest"].startswith("sha256:")
    assert len(plan["tasks"]) == len(run.results) == 3
    for entry, recorded in zip(plan["tasks"], run.results):
        result = recorded["result"]
        name_key = "username" if entry["kind"] == "users" else "label"
        assert entry["task"] == recorded["task"]
        assert [(c["action"], c["id"], c["name"], c["before"], c["after"]) for c in entry["changes"]] == [
            (c["action"], c["id"], c[name_key], c["before"], c["after"]) for c in result["changes"]]
        assert entry["counts"] == {"create": result["counts"]["created"], "update": result["counts"]["updated"],
                                   "deactivate": result["counts"]["deactivated"], "delete": result["counts"]["deleted"],
                                   "unchanged": result["counts"]["unchanged"]}
    assert plan["counts"]["users"] == {"create": 1, "update": 2, "deactivate": 0, "delete": 1, "unchanged": 0}
    assert plan["counts"]["organizations"]["create"] == 1 and plan["counts"]["organizations"]["update"] == 1
    check_markdown(text)
    assert text.index("dave") < text.index("grace") < text.index("alice")  # deletes, creates, updates
    assert writes(emulator) == []


def test_check_mode_and_the_real_run_give_the_same_plan(emulator, run_playbook, tmp_path):
    checked = run_playbook(tasks(), check=True, diff=True, env=plan_env(tmp_path / "check"))
    assert checked.rc == 0, checked.output
    applied = run_playbook(tasks(), env=plan_env(tmp_path / "apply"))
    assert applied.rc == 0, applied.output
    (plan_check, md_check), (plan_apply, md_apply) = read_plan(tmp_path / "check"), read_plan(tmp_path / "apply")
    assert plan_check["check_mode"] is True and plan_apply["check_mode"] is False
    assert plan_check["digest"] == plan_apply["digest"]
    assert plan_check["tasks"] == [dict(task, check_mode=True) for task in plan_apply["tasks"]]
    assert "check mode" in md_check.lower() and "applied" in md_apply.lower()
    assert {u["username"] for u in emulator.state()["users"]} >= {"grace"}


def test_neither_file_holds_the_token_or_a_password(emulator, run_playbook, tmp_path):
    password = "Plan-Secret-Pass-77"
    for check in (True, False):
        out = tmp_path / ("plan-%s" % check)
        run = run_playbook(tasks(password), check=check, diff=True, verbosity=3, env=plan_env(out))
        assert run.rc == 0, run.output
        for name in ("plan.json", "plan.md"):
            text = (out / name).read_text()
            assert emulator.token not in text and password not in text, name
        plan, _text = read_plan(out)
        bob = next(c for task in plan["tasks"] for c in task["changes"] if c["name"] == "bob")
        assert bob["after"]["password"] == "********"


def test_the_roles_plan_of_a_few_hundred_changes_lists_the_deletes_first(emulator, run_playbook, tmp_path):
    state = tmp_path / "state" / "users"
    write_yaml(state / "new.yml", [{"username": "hire-%03d" % n, "email": "hire-%03d@example.com" % n, "password": "Hire-Pass-%03d" % n}
                                   for n in range(300)])
    write_yaml(state / "keep.yml", [{"username": name} for name in ("admin", "alice", "bob", "carol")])
    play = {"roles": [{"role": "ubidots.industrial.users", "vars": {
        "ubidots_users_dir": str(state), "ubidots_prune": True, "ubidots_max_deletions": 10, "ubidots_protected": ["admin"]}}]}
    out = tmp_path / "plan"
    run = run_playbook([], play=play, check=True, env=plan_env(out))
    assert run.rc == 0, run.output
    plan, text = read_plan(out)
    assert plan["counts"]["users"] == {"create": 300, "update": 0, "deactivate": 0, "delete": 4, "unchanged": 4}
    deleted = sorted(c["name"] for task in plan["tasks"] for c in task["changes"] if c["action"] == "delete")
    assert deleted == ["dave", "erin", "frank_ops", "grace-h"]
    assert len(text) <= 60000
    check_markdown(text)
    first_create = text.index("hire-000")
    assert all(text.index(name) < first_create for name in deleted)
    assert "Hire-Pass" not in text and "Hire-Pass" not in (out / "plan.json").read_text()
    assert writes(emulator) == []


def test_without_a_plan_directory_the_callback_warns_and_writes_nothing(emulator, run_playbook, tmp_path):
    run = run_playbook(tasks(), check=True, env={"ANSIBLE_CALLBACKS_ENABLED": CALLBACKS}, cwd=str(tmp_path))
    assert run.rc == 0, run.output
    assert "UBIDOTS_PLAN_DIR" in run.output
    assert not list(tmp_path.rglob("plan.json"))


def test_a_failed_bulk_task_is_in_the_plan(emulator, run_playbook, tmp_path):
    out = tmp_path / "plan"
    run = run_playbook([{"name": "Bad users", "ubidots.industrial.ubidots_users_bulk": {"users": [{"username": "alice", "tags": "x"}]},
                         "ignore_errors": True}], check=True, env=plan_env(out))
    assert run.rc == 0, run.output
    plan, text = read_plan(out)
    assert plan["complete"] is False and plan["tasks"][0]["status"] == "failed"
    assert "Bad users" in text and "tags" in text


def test_ansible_runner_keeps_the_plan_files_as_artifacts(emulator, collections_path, tmp_path):
    ansible_runner = pytest.importorskip("ansible_runner")
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "project" / "play.yml").write_text(json.dumps([{"name": "runner", "hosts": "localhost", "gather_facts": False,
                                                               "tasks": tasks()}]))
    artifacts = private / "artifacts" / "plan-run"
    env = {
        "PATH": "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")),
        "HOME": str(tmp_path),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_CALLBACKS_ENABLED": "ubidots.industrial.plan",
        "UBIDOTS_PLAN_DIR": str(artifacts / "ubidots-plan"),
        "UBIDOTS_API_URL": emulator.url,
        "UBIDOTS_TOKEN": emulator.token,
    }
    run = ansible_runner.run(private_data_dir=str(private), playbook="play.yml", ident="plan-run",
                             inventory="localhost ansible_connection=local", envvars=env, cmdline="--check", quiet=True, timeout=240)
    assert run.status == "successful", run.stdout.read() if run.stdout else run.status
    plan, text = read_plan(artifacts / "ubidots-plan")
    assert plan["check_mode"] is True and plan["counts"]["users"]["delete"] == 1 and "dave" in text
