# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Libraries a user gets wrong: refused clearly, before any request (issue: robustness). A real ansible-playbook
run: the module's own Python process finds the old library first on its PYTHONPATH. Options out of range are
tested in process: tests/unit/plugins/modules/test_options_safety_engine.py."""

from __future__ import annotations

USERS = "ubidots.industrial.ubidots_users_bulk"


def test_jsonschema_older_than_4_is_named_not_a_traceback(emulator, run_playbook, tmp_path):
    """Ubuntu 22.04 ships jsonschema 3.2, which has no Draft 2020-12 validator."""
    site = tmp_path / "old-site"
    package = site / "jsonschema"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""A stand-in for jsonschema 3.2: Draft 7 at most."""\n__version__ = "3.2.0"\n\n\n'
        "class Draft7Validator:\n    pass\n\n\nclass FormatChecker:\n    pass\n")
    info = site / "jsonschema-3.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jsonschema\nVersion: 3.2.0\n")
    run = run_playbook({"name": "old jsonschema", USERS: {"users": [{"username": "alice", "firstName": "A"}]}},
                       env={"PYTHONPATH": str(site)})
    assert run.rc != 0
    msg = run.result["msg"]
    assert "jsonschema 3.2.0 is installed, and the modules need jsonschema 4.0 or later" in msg, msg
    assert "AttributeError" not in run.output and "Traceback" not in run.output
    assert emulator.log() == []
