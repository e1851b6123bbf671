# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: a fresh emulator per test, and real ansible-playbook runs against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "support"))

from ubidots_testing import BIN, CALLBACKS, to_yaml  # noqa: E402  pylint: disable=wrong-import-position
from conftest_reliability import pytest_configure as _reliability_configure  # noqa: E402  pylint: disable=wrong-import-position

HERE = Path(__file__).resolve().parent
# UBIDOTS_INTEGRATION_SUBSET=core runs only the tests marked `core` here: one of each thing the modules,
# roles and playbooks ask of ansible-core (check mode, diff, no_log, the invocation log and echo, argument
# specs, module_defaults, roles and playbooks), for the series `make test` does not run in full
# (the tests-2.NN sessions of noxfile.py). Tests outside this directory are not affected.
SUBSET = os.environ.get("UBIDOTS_INTEGRATION_SUBSET", "")


def pytest_configure(config):
    """The reliability report plugin, and the `core` marker."""
    _reliability_configure(config)
    config.addinivalue_line("markers", "core: part of the integration subset run on every ansible-core series")


def pytest_collection_modifyitems(config, items):
    """With UBIDOTS_INTEGRATION_SUBSET=core, deselect this directory's tests that are not marked core."""
    if not SUBSET:
        return
    if SUBSET != "core":
        raise pytest.UsageError("UBIDOTS_INTEGRATION_SUBSET=%s: the only subset is core" % SUBSET)
    kept, dropped = [], []
    for item in items:
        outside = HERE not in Path(str(item.fspath)).resolve().parents
        (kept if outside or item.get_closest_marker("core") else dropped).append(item)
    if dropped:
        items[:] = kept
        config.hook.pytest_deselected(items=dropped)


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """A directory holding ansible_collections/ubidots/industrial -> the checkout."""
    root = tmp_path_factory.mktemp("collections")
    target = root / "ansible_collections" / "ubidots"
    target.mkdir(parents=True)
    (target / "industrial").symlink_to(REPO, target_is_directory=True)
    return root


class PlaybookRun:
    """What one ansible-playbook run showed: exit status, output and the recorded task results."""

    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    @property
    def result(self):
        """The result of the first task (most test playbooks have one)."""
        return self.results[0]["result"]

    @property
    def output(self):
        """Everything printed."""
        return self.stdout + self.stderr


@pytest.fixture
def run_playbook(collections_path, emulator, tmp_path):
    """Run one or more module tasks with ansible-playbook against the emulator."""
    counter = {"n": 0}

    def run(tasks, check=False, diff=False, verbosity=0, env=None, token=None, url=None, play=None,
            playbook=None, extra_vars=None, inventory=None, limit=None, cwd=None):
        """`tasks` (a task or a list) in a localhost play, or an existing `playbook` (path or FQCN).

        `inventory`: an inventory file to use instead of `localhost` alone (every host connects locally).
        `limit`: a host pattern for `--limit`.
        `cwd`: the directory ansible-playbook runs in (default: pytest's).
        """
        counter["n"] += 1
        if isinstance(tasks, dict):
            tasks = [tasks]
        book = tmp_path / ("play%d.yml" % counter["n"])
        if playbook is None:
            book.write_text(to_yaml([dict({"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks},
                                          **(play or {}))]))
        else:
            book = playbook
        record = tmp_path / ("results%d.jsonl" % counter["n"])
        environment = {
            "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "")),
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "record_results",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
            "RECORD_RESULTS_FILE": str(record),
            "UBIDOTS_API_URL": url or emulator.url,
            "UBIDOTS_TOKEN": token if token is not None else emulator.token,
        }
        environment.update(env or {})
        command = [str(BIN / "ansible-playbook"), "-i", str(inventory or "localhost,"), "-c", "local", str(book)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if limit:
            command += ["--limit", limit]
        proc = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300, check=False,
                              cwd=cwd)
        results = []
        if record.exists():
            results = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
        return PlaybookRun(proc, results)

    return run
