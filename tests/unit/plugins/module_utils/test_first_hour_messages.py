# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The first failures a newcomer meets (issue 27): no token, a host name that does not resolve, a server that is not up."""

from __future__ import annotations

import json
import socket

import pytest

from ansible.module_utils import basic

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient, UbidotsError
from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule


def module_failure(monkeypatch, capsys, args):
    """The failure a UbidotsModule reports for these module arguments (run in-process, as Ansible would)."""
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    if hasattr(basic, "_ANSIBLE_PROFILE"):  # ansible-core 2.19 and later
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(SystemExit) as exited:
        UbidotsModule(argument_spec={}, supports_check_mode=True)
    assert exited.value.code == 1
    return json.loads(capsys.readouterr().out)


def test_no_token_names_the_option_and_UBIDOTS_TOKEN(monkeypatch, capsys):
    monkeypatch.delenv("UBIDOTS_TOKEN", raising=False)
    result = module_failure(monkeypatch, capsys, {})
    assert result["failed"] is True
    assert "api_token" in result["msg"] and "UBIDOTS_TOKEN" in result["msg"], result["msg"]


def test_another_missing_argument_keeps_ansibles_message(monkeypatch, capsys):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {"api_token": "BBUS-test-token"}}).encode())
    if hasattr(basic, "_ANSIBLE_PROFILE"):
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(SystemExit):
        UbidotsModule(argument_spec={"users": {"type": "list", "required": True}})
    assert json.loads(capsys.readouterr().out)["msg"] == "missing required arguments: users"


def resolver_says(monkeypatch, errno, text):
    """Every name resolution fails with this getaddrinfo error (no DNS server involved)."""
    asked = []

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        raise socket.gaierror(errno, text)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_host_name_that_does_not_resolve_is_not_retried_and_the_message_names_host_and_setting(monkeypatch, sleeps):
    asked = resolver_says(monkeypatch, socket.EAI_NONAME, "Name or service not known")
    client = UbidotsClient("https://ubidots-api.invalid", "tok", rate_limit=0, retries=5, sleep=sleeps.append)
    with pytest.raises(UbidotsError) as err:
        client.request("GET", "/api/v2.0/users/")
    assert asked == ["ubidots-api.invalid"] and sleeps == [] and client.calls == {"reads": 1, "writes": 0}
    message = err.value.message
    assert "ubidots-api.invalid" in message and "api_url" in message and "UBIDOTS_API_URL" in message, message
    assert message.startswith("GET /api/v2.0/users/: ")


def test_a_temporary_resolver_failure_is_retried(monkeypatch, sleeps):
    resolver_says(monkeypatch, socket.EAI_AGAIN, "Temporary failure in name resolution")
    client = UbidotsClient("https://api.example.com", "tok", rate_limit=0, retries=2, sleep=sleeps.append)
    with pytest.raises(UbidotsError) as err:
        client.request("GET", "/api/v2.0/users/")
    assert client.calls["reads"] == 3 and len(sleeps) == 2
    assert "api.example.com" in err.value.message and "3 tries" in err.value.message, err.value.message


def test_a_refused_connection_is_still_retried(sleeps):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = UbidotsClient("http://127.0.0.1:%d" % port, "tok", rate_limit=0, retries=2, sleep=sleeps.append)
    with pytest.raises(UbidotsError) as err:
        client.request("GET", "/api/v2.0/users/")
    assert client.calls["reads"] == 3 and len(sleeps) == 2
    assert "connection refused" in err.value.message and "3 tries" in err.value.message, err.value.message
