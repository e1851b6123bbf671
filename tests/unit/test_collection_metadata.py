# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection metadata that AWX, module_defaults and ansible-builder rely on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.ubidots.industrial.plugins.module_utils._common import ubidots_argument_spec

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_"))


def test_action_group_lists_every_module():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    assert sorted(runtime["action_groups"]["ubidots"]) == MODULES
    assert runtime["requires_ansible"] == ">=2.16.0"


def test_every_module_documents_the_action_group():
    for name in MODULES:
        text = (REPO / "plugins" / "modules" / (name + ".py")).read_text()
        assert "ubidots.industrial.connection.ACTION_GROUP" in text, name


def test_awx_credential_type_injects_what_the_modules_read():
    credential = yaml.safe_load((REPO / "extensions" / "awx" / "ubidots_credential_type.yml").read_text())
    fields = {field["id"]: field for field in credential["inputs"]["fields"]}
    assert fields["api_token"]["secret"] is True
    assert credential["inputs"]["required"] == ["api_token"]
    spec = ubidots_argument_spec()
    read = {spec[name]["fallback"][1][0]: name for name in ("api_token", "api_url")}
    assert credential["injectors"]["env"] == {env: "{{ %s }}" % name for env, name in read.items()}
    assert fields["api_url"]["default"] == spec["api_url"]["default"]


def test_execution_environment_points_at_the_requirements():
    ee = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    requirements = (REPO / ee["dependencies"]["python"]).read_text()
    assert "requests" in requirements and "jsonschema" in requirements


@pytest.mark.skipif(shutil.which("ansible-builder", path=str(Path(sys.executable).parent)) is None,
                    reason="ansible-builder is not installed in this venv")
def test_ansible_builder_introspect_finds_the_python_requirements(tmp_path):
    target = tmp_path / "ansible_collections" / "ubidots"
    target.mkdir(parents=True)
    (target / "industrial").symlink_to(REPO, target_is_directory=True)
    builder = Path(sys.executable).parent / "ansible-builder"
    out = subprocess.run([str(builder), "introspect", "--sanitize", str(tmp_path)], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert "requests" in out and "jsonschema" in out, out
