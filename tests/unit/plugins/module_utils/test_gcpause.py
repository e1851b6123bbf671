# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cyclic garbage collector is paused while a module checks its arguments and runs, and only then."""

from __future__ import annotations

import gc

import pytest
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._gcpause import cyclic_gc_paused
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure


class _Left(Exception):
    """exit_json / fail_json of the fake module."""


class _Module:
    """What UbidotsModule.run uses: its own run, exit_json and fail_json recording how it left."""

    run = UbidotsModule.run
    _calls = UbidotsModule._calls
    _client = None

    def exit_json(self, **result):
        raise _Left("ok", result, gc.isenabled())

    def fail_json(self, msg, **result):
        raise _Left("failed", dict(result, msg=msg), gc.isenabled())


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_in_the_block_and_back_on_after_it():
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_exception_turns_the_collector_back_on():
    with pytest.raises(ValueError):
        with cyclic_gc_paused():
            raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()


def test_the_module_runs_its_work_and_encodes_its_result_with_the_collector_off():
    seen = []
    with pytest.raises(_Left) as left:
        _Module().run(lambda module: seen.append(gc.isenabled()) or {"changed": False})
    how, result, enabled_at_exit = left.value.args
    assert (how, seen, enabled_at_exit) == ("ok", [False], False)
    assert result["changed"] is False
    assert gc.isenabled()


def test_a_failing_module_turns_the_collector_back_on():
    def fail(_module):
        raise Failure("nothing was written")
    with pytest.raises(_Left) as left:
        _Module().run(fail)
    assert left.value.args[:2] == ("failed", {"msg": "nothing was written", "api_calls": {"reads": 0, "writes": 0}})
    assert gc.isenabled()


def test_the_module_checks_its_arguments_with_the_collector_off(monkeypatch):
    seen = []

    def checked(module, argument_spec, **_kwargs):
        seen.append((gc.isenabled(), "users" in argument_spec))
        module.params = {"api_token": "t0ken", "timeout": 30, "retries": 5, "rate_limit": 4,
                         "users": [{"username": "ada", "password": "s3cret"}]}
        module.no_log_values = set()

    monkeypatch.setattr(AnsibleModule, "__init__", checked)
    module = UbidotsModule(argument_spec={"users": {"type": "list", "elements": "dict"}})
    assert seen == [(False, True)]
    assert "s3cret" in module.no_log_values  # the nested secrets are registered in the same pause
    assert gc.isenabled()
