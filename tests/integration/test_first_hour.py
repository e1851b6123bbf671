# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A newcomer's first hour (issue 27): the documented commands and examples, run as written.

Every run here is offline: a sitecustomize on PYTHONPATH resolves loopback names only and answers every
other name "does not resolve" at once, as RFC 6761 (6.4) asks resolvers to do for `.invalid`. An example
that calls the Ubidots cloud instead of the emulator then fails fast, without the network.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from ubidots_testing import BIN, REPO, api_log

OFFLINE = '''
import socket
_getaddrinfo = socket.getaddrinfo
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def getaddrinfo(host, *args, **kwargs):
    name = (host.decode() if isinstance(host, bytes) else host or "").rstrip(".").lower()
    if name and name not in _LOOPBACK and not name.startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
'''


@pytest.fixture
def offline(tmp_path):
    """Environment for ansible-playbook (controller and modules): no name but loopback resolves."""
    shim = tmp_path / "offline"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(OFFLINE)
    return {"PYTHONPATH": str(shim)}


def code_blocks(markdown, lang=None):
    """The fenced code blocks of a Markdown text, in order, as (language, text)."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", markdown, flags=re.S | re.M)
    return [(found, text) for found, text in blocks if lang is None or found == lang]


def section(markdown, heading, end=r"^## "):
    """The text of a Markdown section, from its heading to the next heading of that level."""
    start = markdown.index(heading)
    rest = markdown[start + len(heading):]
    found = re.search(end, rest, flags=re.M)
    return rest[:found.start()] if found else rest


def named_block(markdown, name):
    """The first code block whose first line is the comment `# <name>`."""
    for _lang, text in code_blocks(markdown):
        if text.splitlines()[0].strip() == "# " + name:
            return text
    raise AssertionError("no code block starts with '# %s'" % name)


def read(path):
    return (REPO / path).read_text(encoding="utf-8")


# -- 1. a relative export_dir means the directory ansible-playbook runs in ------------------------------------


@pytest.mark.parametrize("extra_vars, written", [({"export_dir": "./state-%s"}, "state-%s"), ({}, "ubidots-state")],
                         ids=["relative-export_dir", "default-export_dir"])
def test_the_export_writes_under_the_directory_ansible_playbook_runs_in(run_playbook, tmp_path, offline, extra_vars, written):
    tag = uuid.uuid4().hex[:8]
    extra_vars = {key: value % tag for key, value in extra_vars.items()}
    written = written % tag if "%s" in written else written
    work = tmp_path / "work"
    work.mkdir()
    leaked = REPO / "playbooks" / written
    before = leaked.exists()
    try:
        run = run_playbook([], playbook="ubidots.industrial.export", extra_vars=extra_vars or None, cwd=str(work), env=offline)
        assert run.rc == 0, run.output
        users = yaml.safe_load((work / written / "users" / "users.yml").read_text())["users"]
        assert "alice" in [user["username"] for user in users]
        assert (work / written / "organizations" / "organizations.yml").is_file()
        assert before or not leaked.exists(), "the export wrote into the collection's playbooks/ directory"
        assert os.path.realpath(work / written) in run.output, "the export says where it wrote"
    finally:
        if not before and leaked.exists():
            shutil.rmtree(leaked)


# -- 2. no example overrides UBIDOTS_API_URL -----------------------------------------------------------------


@pytest.mark.parametrize("doc, heading", [("README.md", "## A minimal playbook"), ("docs/awx.md", "## 4. module_defaults")])
def test_the_module_defaults_examples_follow_UBIDOTS_API_URL(run_playbook, emulator, tmp_path, offline, doc, heading):
    example = code_blocks(section(read(doc), heading), "yaml")[0][1]
    assert "module_defaults" in example
    book = tmp_path / "example.yml"
    book.write_text(example)
    run = run_playbook([], playbook=str(book), env=offline)
    assert run.rc == 0, run.output
    assert api_log(emulator, "GET"), "the example never called the emulator that UBIDOTS_API_URL names"


def test_the_docs_state_the_precedence_of_an_option_over_the_environment():
    for doc in ("README.md", "docs/awx.md"):
        assert "option, then the environment variable, then the default" in " ".join(read(doc).split()), doc


# -- 3. one command starts the emulator and prints what a playbook of one's own needs ------------------------


def test_the_emulator_script_makes_a_playbook_of_ones_own_work_and_stops_by_itself(tmp_path, offline):
    idle = 3
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8", "UBIDOTS_EMULATOR_IDLE_TIMEOUT": str(idle)}
    started = subprocess.run([str(REPO / "scripts" / "emulator.sh")], env=env, cwd=str(tmp_path), capture_output=True,
                             text=True, timeout=60, check=False)
    assert started.returncode == 0, started.stdout + started.stderr
    exports = {}
    for line in started.stdout.splitlines():
        if line.startswith("export "):
            name, _equals, value = line[len("export "):].partition("=")
            exports[name] = shlex.split(value)[0]
    assert {"UBIDOTS_API_URL", "UBIDOTS_TOKEN", "ANSIBLE_COLLECTIONS_PATH"} <= set(exports), started.stdout
    url = exports["UBIDOTS_API_URL"]
    try:
        # A playbook of one's own, outside the checkout, with nothing but the printed exports.
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "site.yml").write_text(yaml.safe_dump([{
            "name": "mine", "hosts": "localhost", "gather_facts": False,
            "tasks": [{"ubidots.industrial.ubidots_users_info": None, "register": "users"},
                      {"ansible.builtin.assert": {"that": ["users.users | length > 0"]}}]}]))
        user_env = dict(env, ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                        PATH="%s:%s" % (BIN, env["PATH"]), **offline)
        user_env.update({name: value for name, value in exports.items() if name != "PATH"})
        run = subprocess.run([str(BIN / "ansible-playbook"), "site.yml"], env=user_env, cwd=str(mine), capture_output=True,
                             text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "ok=2" in run.stdout
        # Left alone (no request, which would reset its idle timer), it stops by itself.
        time.sleep(idle + 3)
        with pytest.raises((urllib.error.URLError, OSError)):
            urllib.request.urlopen(url + "/_emulator/log", timeout=2).close()  # pylint: disable=consider-using-with
    finally:
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/_emulator/shutdown", method="POST"), timeout=2).close()  # pylint: disable=consider-using-with
        except (urllib.error.URLError, OSError):
            pass


def test_the_emulator_guide_names_the_command():
    guide = read("docs/emulator.md")
    assert "make emulator" in guide and "scripts/emulator.sh" in guide
    assert "ANSIBLE_COLLECTIONS_PATH" in guide


# -- 4. how to build the tarball the README installs ---------------------------------------------------------


def test_the_readme_says_how_to_build_the_tarball_it_installs():
    installation = section(read("README.md"), "## Installation")
    assert "make build" in installation and "ansible-galaxy collection build" in installation


# -- 5 and 7. the GitOps repository and pipeline, as documented ----------------------------------------------


def shell_env(emulator, collections_path, tmp_path, offline):
    """The shell of the pipeline: the collection installed, the token and URL in the environment, nothing else."""
    return dict(offline, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), HOME=str(tmp_path), LANG="C.UTF-8",
                ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1",
                UBIDOTS_API_URL=emulator.url, UBIDOTS_TOKEN=emulator.token)


def github_workflow():
    return yaml.safe_load(named_block(section(read("docs/gitops.md"), "## 3."), ".github/workflows/ubidots.yml"))


def test_the_gitops_repository_as_documented_exports_then_runs_the_pipeline_commands(emulator, collections_path, tmp_path, offline):
    guide = read("docs/gitops.md")
    layout = guide[guide.index("## 1."):guide.index("### One host per plant or site")]
    repo = tmp_path / "ubidots-state"
    repo.mkdir()
    for name in ("ansible.cfg", "inventory.yml", "apply.yml", "collections/requirements.yml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(named_block(layout, name))
    assert yaml.safe_load((repo / "collections/requirements.yml").read_text())["collections"][0]["name"] == "ubidots.industrial"
    env = shell_env(emulator, collections_path, tmp_path, offline)

    # Section 1, as written, in the repository's directory.
    first = next(line for _lang, block in code_blocks(section(guide, "## 1.")) for line in block.splitlines()
                 if line.startswith("ansible-playbook"))
    export = subprocess.run(first, shell=True, env=env, cwd=str(repo), capture_output=True, text=True, timeout=300, check=False)
    assert export.returncode == 0, export.stdout + export.stderr
    assert (repo / "state" / "users" / "users.yml").is_file()

    # Section 3: every ansible-playbook command of the workflow, as written, in the checkout.
    commands = [step["run"] for job in github_workflow()["jobs"].values() for step in job["steps"]
                if str(step.get("run", "")).startswith("ansible-playbook")]
    assert len(commands) == 4, commands
    for command in commands:
        assert "-i inventory.yml" in command
        run = subprocess.run(command, shell=True, env=env, cwd=str(repo), capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, command + "\n" + run.stdout + run.stderr
        assert "changed=0" in run.stdout and "failed=0" in run.stdout, command + "\n" + run.stdout
    assert not [entry for entry in api_log(emulator) if entry["method"] != "GET"], "the export, applied, is a no-op"


def writes_unchecked(command):
    return command.startswith("ansible-playbook") and "--check" not in command.split()


def test_every_documented_pipeline_serializes_its_applies_per_account():
    jobs = github_workflow()["jobs"]
    groups = {}
    for name, job in jobs.items():
        commands = [str(step.get("run", "")) for step in job["steps"]]
        if any(writes_unchecked(command) for command in commands):
            assert job.get("concurrency", {}).get("group"), "job %s applies without a concurrency group" % name
            assert job["concurrency"].get("cancel-in-progress") is False, name
            groups[name] = job["concurrency"]["group"]
    assert groups, "no job applies"
    for name, job in jobs.items():
        commands = [str(step.get("run", "")) for step in job["steps"]]
        if any("ubidots_fail_on_drift" in command for command in commands):
            drift = [command for command in commands if command.startswith("ansible-playbook")]
            assert all("--check" in command.split() for command in drift) or \
                job.get("concurrency", {}).get("group") in groups.values(), "the drift job %s may write outside the group" % name

    guide = read("docs/gitops.md")
    gitlab = yaml.safe_load(named_block(section(guide, "## 3."), ".gitlab-ci.yml"))
    applies = {name: job for name, job in gitlab.items() if isinstance(job, dict)
               and any(writes_unchecked(str(line)) for line in job.get("script", []))}
    assert applies and all(job.get("resource_group") for job in applies.values()), applies
    assert "full update" in section(guide, "## 3.") and "conditional write" in section(guide, "## 3.")

    awx = read("docs/awx.md")
    assert re.search(r"\*Concurrent Jobs\*[^.]*(off|unticked)", awx), "docs/awx.md must say: concurrent jobs off on the apply template"


# -- 6. the demo's summary ------------------------------------------------------------------------------------


def test_the_demo_says_1_user_created(run_playbook, offline):
    run = run_playbook([], playbook=str(REPO / "examples" / "demo" / "demo.yml"), env=offline)
    assert run.rc == 0, run.output
    summary = run.results[-1]["result"]["msg"]
    assert summary.startswith("1 user created, "), summary
    assert " 1 users " not in summary


# -- 6. a host name that does not resolve ---------------------------------------------------------------------


def test_a_host_name_that_does_not_resolve_fails_at_once_naming_the_host_and_the_setting(run_playbook, emulator, offline):
    started = time.monotonic()
    run = run_playbook({"ubidots.industrial.ubidots_users_info": None}, url="https://ubidots-api.invalid", env=offline)
    elapsed = time.monotonic() - started
    assert run.rc != 0
    result = run.result
    assert "ubidots-api.invalid" in result["msg"] and "api_url" in result["msg"] and "UBIDOTS_API_URL" in result["msg"], result["msg"]
    assert "1 try" in result["msg"] or "tries" not in result["msg"], result["msg"]
    assert result["api_calls"] == {"reads": 1, "writes": 0}, "no retry on a name that does not resolve"
    print("unresolvable host: ansible-playbook took %.1f s" % elapsed)
