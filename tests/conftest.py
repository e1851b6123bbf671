# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by every test directory: `ansible_collections.ubidots.industrial` importable from the checkout wherever
it lies, the emulator and tests/support on the import path, and the `emulator` and `run_module` fixtures."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]


def _collections_root():
    for parent in REPO.parents:
        if parent.name == "ansible_collections":
            return parent.parent
    root = Path(tempfile.mkdtemp(prefix="ubidots-tests-"))
    (root / "ansible_collections" / "ubidots").mkdir(parents=True)
    (root / "ansible_collections" / "ubidots" / "industrial").symlink_to(REPO, target_is_directory=True)
    return root


# Hypothesis profiles: `quick` (the default: `make units`, `make pytest`) draws 25 examples per property, `full`
# (HYPOTHESIS_PROFILE=full: `make test`) 200. Both print the seed of a failure to replay it.
settings.register_profile("quick", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("full", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

sys.path.insert(0, str(_collections_root()))
sys.path.insert(0, str(REPO / "tests" / "emulator"))
sys.path.insert(0, str(REPO / "tests" / "support"))

from ubidots_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from ubidots_testing import MOCK_TOKEN, MOCK_URL, run_module_tasks  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure(config):
    """The `waits` marker."""
    config.addinivalue_line("markers", "waits: waits in real time (the emulator's asynchronous apply, a timeout); "
                            "left out of mutation runs (scripts/mutants.py), where a mutant of a wait loop would idle")


@pytest.fixture
def emulator():
    """A fresh emulator with the default fixture; stopped after the test."""
    emu = Emulator(idle_timeout=300).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def run_module(emulator):
    """Run module tasks in this process against the emulator: ubidots_testing.run_module_tasks."""
    def run(tasks, **options):
        return run_module_tasks(emulator, tasks, **options)
    return run


@pytest.fixture
def sleeps():
    """The pauses a client asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def client(sleeps):
    """A client of MOCK_URL with MOCK_TOKEN (answers mocked with `responses`), no rate limit, 3 retries, no sleeping."""
    from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient  # pylint: disable=import-outside-toplevel
    return UbidotsClient(MOCK_URL, MOCK_TOKEN, rate_limit=0, retries=3, sleep=sleeps.append)
