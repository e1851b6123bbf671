# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets sweep over what AWX / AAP keep of a job: ansible-runner's artifacts (job events, stdout).

Runs the modules through ansible-runner, as a job template does, at -vvv with --diff, with a token and
passwords holding spaces, quotes, a newline, unicode and a short value, then searches every artifact file.
"""

from __future__ import annotations

import json
import secrets

import pytest

from ubidots_testing import CALLBACKS, runner_env

ansible_runner = pytest.importorskip("ansible_runner")  # in the main venv (requirements-dev.txt); not in the matrix venvs


def test_runner_artifacts_hold_no_token_or_password(emulator, collections_path, tmp_path):
    mark = secrets.token_hex(4)
    passwords = ['Sp ace "quote" %s' % mark, "new\nline-%s" % mark, "Ünïcødé-🔑-%s" % mark, "q%s" % mark[:3]]
    token = emulator.token
    users = [{"username": "runner-%d-%s" % (i, mark), "email": "r%d@example.com" % i, "password": pw}
             for i, pw in enumerate(passwords)]
    users.append({"username": "alice", "password": passwords[0], "firstName": "Runner"})
    play = [{"name": "runner", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "users", "ubidots.industrial.ubidots_users_bulk": {"users": users, "update_password": "always"}},
        {"name": "bad token", "ubidots.industrial.ubidots_orgs_info": {"api_token": "x" + token + "\nsecond line"},
         "ignore_errors": True},
    ]}]
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "project" / "play.yml").write_text(json.dumps(play))
    env = runner_env(emulator, collections_path, tmp_path, ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS))
    run = ansible_runner.run(private_data_dir=str(private), playbook="play.yml", inventory="localhost ansible_connection=local",
                             envvars=env, verbosity=3, cmdline="--diff", quiet=True, timeout=240)
    assert run.status == "successful", run.stdout.read() if run.stdout else run.status
    # Every artifact but `command`: ansible-runner records there the environment it was handed, which holds
    # the token because that is how it was given (as AWX's credential injectors do); what the job produced
    # (job events, stdout, stderr) is what a module could leak into.
    artifacts = [path for path in (private / "artifacts").rglob("*") if path.is_file() and path.name != "command"]
    texts = {str(path.relative_to(private)): path.read_text(encoding="utf-8", errors="replace") for path in artifacts}
    assert any("job_events" in name for name in texts) and sum(len(t) for t in texts.values()) > 10000
    forms = [(number, form) for number, secret in enumerate([token] + passwords)
             for form in (secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1])]
    hits = sorted({"%s holds secret #%d" % (name, number) for name, text in texts.items() for number, form in forms if form in text})
    assert hits == []
    assert any("runner-0-%s" % mark in text for text in texts.values())  # the artifacts do hold the run
