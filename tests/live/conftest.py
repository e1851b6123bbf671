# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live contract suite: the Ubidots API assumptions of the collection, checked against any server.

Needs only UBIDOTS_API_URL (e.g. https://industrial.api.ubidots.com) and UBIDOTS_TOKEN; without them
every test is skipped. It observes only through the public API with plain `requests`. Every object it
creates is named UBIDOTS_LIVE_PREFIX (default `ansible-test-`) + a run id, is registered before the
answer is read, and is deleted at the end of the session even when a test failed; objects of this
run's prefix that a lost answer left behind are found by listing and deleted too. Nothing else is
ever written: tests that only read use what the account already holds.
"""

from __future__ import annotations

import os
import secrets
import time

import pytest
import requests

API = "/api/v2.0"
TIMEOUT = 30


class Api:
    """A thin `requests` session against API_URL with the token header; no retries, no magic."""

    def __init__(self, url, token, prefix):
        self.url = url.rstrip("/")
        self.token = token
        self.prefix = prefix
        self.session = requests.Session()
        self.created = []  # (kind, key) to delete, in creation order

    def request(self, method, path, token=True, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers.setdefault("X-Auth-Token", self.token if token is True else token)
        return self.session.request(method, self.url + API + path, headers=headers, timeout=TIMEOUT, **kwargs)

    def name(self, what):
        """A name of this run: prefix + run id + what (letters, digits and dashes only)."""
        return "%s%s" % (self.prefix, what)

    def create(self, kind, body):
        """POST /<kind>/; skip the test when the server has no such endpoint (404/405)."""
        key = "~" + (body.get("username") or body.get("label"))
        self.created.append((kind, key))  # before the answer: a lost answer still gets cleaned up
        answer = self.request("POST", "/%s/" % kind, json=body)
        if answer.status_code in (404, 405):
            self.created.remove((kind, key))
            pytest.skip("POST %s/%s/ answered %d: this server has no create endpoint for %s, so the tests that need "
                        "their own objects cannot run here" % (API, kind, answer.status_code, kind))
        assert answer.status_code in (200, 201), "POST /%s/ answered %d: %s" % (kind, answer.status_code, answer.text[:300])
        return answer.json()

    def cleanup(self):
        """Delete what this run created, then anything else of this run's prefix; return what failed."""
        problems = []
        keys = list(reversed(self.created))
        for kind, field in (("users", "username"), ("organizations", "label")):
            params = {"%s__startswith" % field: self.prefix, "fields": field, "page_size": 100}
            listed = self.request("GET", "/%s/" % kind, params=params)
            if listed.status_code == 200:
                keys += [(kind, "~" + obj[field]) for obj in listed.json().get("results", [])
                         if str(obj.get(field, "")).startswith(self.prefix) and (kind, "~" + obj[field]) not in keys]
        for kind, key in keys:
            assert key.startswith("~" + self.prefix), key  # never anything that is not ours
            answer = self.request("DELETE", "/%s/%s/" % (kind, key))
            if answer.status_code not in (200, 202, 204, 404, 405):
                problems.append("DELETE /%s/%s/ answered %d" % (kind, key, answer.status_code))
        return problems


def pytest_collection_modifyitems(config, items):
    """Without a URL and a token every test is skipped, with one reason."""
    del config
    if os.environ.get("UBIDOTS_API_URL") and os.environ.get("UBIDOTS_TOKEN"):
        return
    skip = pytest.mark.skip(reason="UBIDOTS_API_URL and UBIDOTS_TOKEN are not both set")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def api():
    """The API of UBIDOTS_API_URL; deletes this run's objects at the end, also after failures."""
    prefix = "%s%s-" % (os.environ.get("UBIDOTS_LIVE_PREFIX", "ansible-test-"), secrets.token_hex(3))
    client = Api(os.environ["UBIDOTS_API_URL"], os.environ["UBIDOTS_TOKEN"], prefix)
    yield client
    problems = client.cleanup()
    assert not problems, "cleanup: %s" % "; ".join(problems)


@pytest.fixture
def observe(record_property):
    """Record what the server really did (shown in the summary and in the junit report)."""
    def record(name, value):
        record_property(name, value)
        OBSERVED.append((name, value))
    return record


OBSERVED = []


def pytest_terminal_summary(terminalreporter):
    """What was observed, one line each: the facts a maintainer compares with the API notes."""
    if OBSERVED:
        terminalreporter.section("observed")
        for name, value in OBSERVED:
            terminalreporter.write_line("%s: %s" % (name, value))


@pytest.fixture
def wait_until():
    """wait_until(check, timeout=120): call check() until it returns a true value; return (value, seconds)."""
    def wait(check, timeout=120.0, step=0.5):
        started = time.monotonic()
        while True:
            value = check()
            elapsed = time.monotonic() - started
            if value or elapsed >= timeout:
                return value, round(elapsed, 2)
            time.sleep(step)
    return wait
