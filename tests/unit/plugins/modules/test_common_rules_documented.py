# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module shares, the secrets, the invocation echo, and the comparison rules,
each run in process against the emulator as a user would run the module.

Issue 28: written for the survivors of plugins/module_utils/_common.py and _rules.py, from the promises of the
connection doc fragment (plugins/doc_fragments/connection.py), README.md, docs/how-it-works.md (3. Planning,
7. The connection and the token), docs/reliability.md (Secrets, TLS), docs/performance.md (the invocation echo)
and tests/emulator/README.md, not from a mutant's diff. Fixture (tests/emulator/fixtures/default.json): admin is
admin of org1, org2 and acme-plant; alice's defaultOrganization is org1; frank_ops has a telegram and a voice
contact method; org1's properties are {"color": "#BADA55"}.
"""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils import _ratelimit
from ubidots_emulator import Emulator
from ubidots_testing import by_name, echoed, header, orgs_task, USERS_LIST, USERS_MODULE, users_task, write_entries

ADMIN = "5e8f1c2d3b4a596877665501"
ALICE = "409dba9c67d3bb19f554"
USERS_UPDATE = "/api/v2.0/users/_/bulk/update/"
ORGS_UPDATE = "/api/v2.0/organizations/_/bulk/update/"


def bodies(emulator, path):
    """The bodies of the writes to `path` the emulator received."""
    return [e["body"] for e in write_entries(emulator) if e["path"] == path]


# -- secrets (docs/reliability.md, Secrets; docs/how-it-works.md, 1. Validation) ----------------------------------
# "Passwords anywhere in the module arguments, also of the wrong type, are registered as no_log values before any
# output." "The value of a secret (a password) is never quoted in a message, even when it has the wrong type."

def test_a_password_of_the_wrong_type_shows_nowhere_in_the_failed_result(emulator, run_module):
    users = [{"id": ALICE, "password": ["Pw-in-a-list-1"]},
             {"username": "bob", "password": {"value": "Pw-in-a-dict-2"}},
             {"username": "carol", "password": 987654321}]
    run = run_module(users_task(users))
    assert run.rc != 0 and "password" in run.result["msg"], run.output
    shown = run.output + "\n".join(run.logged)
    for secret in ("Pw-in-a-list-1", "Pw-in-a-dict-2", "987654321"):
        assert secret not in shown, secret
    assert write_entries(emulator) == []


# -- the invocation echo (docs/performance.md: "The invocation echo repeats a list of at most 100 items (or
# `changes_limit`, if lower; 0 still repeats all)") ------------------------------------------------------------------
# The result's `invocation` (registered, and shown at -vvv) echoes the module arguments; a list longer than the
# limit is counted instead of repeated, in a successful result and in a failed one alike.

COUNTED = "3 items (a list of more than 2 items is not repeated in the result)"


def test_a_successful_result_counts_a_list_longer_than_changes_limit_in_its_invocation(run_module):
    run = run_module(users_task([{"username": "alice"}, {"username": "bob"}, {"username": "carol"}], changes_limit=2))
    assert run.rc == 0 and run.result["changed"] is False, run.output
    args = echoed(run)
    assert args["users"] == COUNTED and args["changes_limit"] == 2


def test_a_failed_result_counts_a_list_longer_than_changes_limit_in_its_invocation(emulator, run_module):
    run = run_module(users_task([{"username": "alice", "isActive": "yes"}, {"username": "bob"}, {"username": "carol"}],
                                changes_limit=2))
    assert run.rc != 0 and "isActive" in run.result["msg"], run.output
    assert echoed(run)["users"] == COUNTED
    assert emulator.log() == []


# -- the token (plugins/doc_fragments/connection.py, api_token: "If not set, the value of the UBIDOTS_TOKEN
# environment variable is used"; README.md, Credentials) --------------------------------------------------------------
# Ansible's own message names the option only; the module's says where else the token can come from, also when
# another required argument is missing too.

def test_a_missing_token_is_named_with_its_environment_variable_next_to_another_missing_argument(emulator, run_module):
    run = run_module({"name": "no token, no users", USERS_MODULE: {}}, env={"UBIDOTS_TOKEN": None})
    assert run.rc != 0
    assert run.result["msg"] == ("missing required arguments: api_token, users. Set the api_token option (or token), "
                                 "or the UBIDOTS_TOKEN environment variable."), run.output
    assert emulator.log() == []


# -- the connection options (plugins/doc_fragments/connection.py; docs/reliability.md, TLS) ---------------------------

def self_signed(directory):
    """A self-signed certificate for 127.0.0.1, made with the openssl CLI (an EC key: fast to make)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return str(cert), str(key)


# validate_certs: "Only set this to false against a test server with a self-signed certificate." docs/reliability.md:
# "validate_certs: true (the default) refuses a self-signed certificate with a message naming the reason; false
# works even when REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE are set".
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_validate_certs_false_reaches_a_server_with_a_self_signed_certificate(run_module, tmp_path):
    with Emulator(tls=self_signed(tmp_path)) as secure:
        tasks = [dict(users_task([{"id": ALICE, "firstName": "TLS-default"}], name="default"), ignore_errors=True),
                 users_task([{"id": ALICE, "firstName": "TLS-off"}], name="off", validate_certs=False)]
        run = run_module(tasks, url=secure.url, token=secure.token)
        default, off = (entry["result"] for entry in run.results)
        assert default["failed"] and "TLS certificate verification failed" in default["msg"], run.output
        assert off.get("failed") is not True and off["changed"] is True, run.output
        assert [e["body"][0]["firstName"] for e in secure.log() if e["method"] == "PATCH"] == ["TLS-off"]


# timeout: "Seconds to wait for the API to connect and for each answer to arrive." retries: "0 sends every request
# once." An answer slower than the timeout is not waited for (this test takes the 1 s of its timeout).
@pytest.mark.waits
def test_an_answer_slower_than_timeout_is_not_waited_for(emulator, run_module):
    emulator.inject(USERS_LIST, "delay", delay=2.5, method="GET")
    run = run_module(users_task([{"id": ALICE, "firstName": "Slow"}], timeout=1, retries=0))
    assert run.rc != 0 and "timed out after 1s" in run.result["msg"], run.output
    assert write_entries(emulator) == []


# rate_limit: "Highest number of requests per second this task sends with its token ... 0 turns the client-side
# limit off." The pauses the module takes between requests are recorded in a clock of the test's own (no real
# waiting): with rate_limit 2 the starts of the requests are 0.5 s apart; with 0 the module never pauses.
@pytest.fixture
def pauses(monkeypatch):
    """The pauses the rate limiter of the modules takes, on a clock that moves only when it pauses."""
    taken, now = [], [0.0]
    original = _ratelimit.RateLimiter.__init__

    def sleep(seconds):
        taken.append(seconds)
        now[0] += seconds

    def init(self, rate, *args, **kwargs):  # pylint: disable=unused-argument
        original(self, rate, clock=lambda: now[0], sleep=sleep)

    monkeypatch.setattr(_ratelimit.RateLimiter, "__init__", init)
    return taken


def test_rate_limit_spaces_the_requests_of_a_task(emulator, run_module, pauses):
    run = run_module(users_task([{"id": ALICE, "firstName": "Paced"}], rate_limit=2, wait=False))
    assert run.rc == 0, run.output
    requests = len(emulator.log())
    assert requests >= 2 and pauses == [0.5] * (requests - 1), (requests, pauses)


def test_rate_limit_zero_sends_without_pausing(emulator, run_module, pauses):
    run = run_module(users_task([{"id": ALICE, "firstName": "Unpaced"}], rate_limit=0, wait=False))
    assert run.rc == 0 and len(emulator.log()) >= 2, run.output
    assert pauses == []


# Real use: an administrator finds the collection's requests in the API's or a proxy's access log by their
# User-Agent (no doc names it yet: see the report of issue 28).
def test_every_request_names_the_collection_in_its_user_agent(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "firstName": "Agent"}]))
    assert run.rc == 0, run.output
    assert {header(e, "User-Agent") for e in emulator.log()} == {"ansible-collection-ubidots.industrial"}


# -- the comparison rules (docs/how-it-works.md, 3. Planning) ---------------------------------------------------------
# "tags: a set (order and repetitions do not count)." And 1. Validation: "We validate what we send, and never refuse
# what the API already holds." A user whose tags no read returns (tests/emulator/README.md, omit_keys with
# omit_from="all": an API that leaves a key out) has no tags to compare with: the listed tags are sent, sorted and
# once each. wait: false, since no read would ever show them.

def test_tags_no_read_returns_are_sent_as_a_set(emulator, run_module):
    emulator.configure(omit_keys={"users": ["tags"]}, omit_from="all")
    run = run_module(users_task([{"id": ALICE, "tags": ["ops", "berlin", "ops"]}], wait=False))
    assert run.rc == 0 and run.result["changed"] is True, run.output
    assert bodies(emulator, USERS_UPDATE) == [[{"id": ALICE, "tags": ["berlin", "ops"]}]]


# "contactMethods: compared without the ids the server gives them, in any order." "Values compare as JSON does:
# ... key order does not count." A method's properties count: another value is a change.
FRANK = "5e8f1c2d3b4a596877665507"
TELEGRAM = {"type": "telegram", "values": ["@frank_ops"], "properties": {}}


def test_a_contact_method_whose_properties_differ_is_a_change(emulator, run_module):
    voice = {"type": "voice", "values": ["+4915112345678"], "properties": {"hours": "8-20"}}
    run = run_module(users_task([{"id": FRANK, "contactMethods": [voice, TELEGRAM]}]))
    assert run.rc == 0 and run.result["changed"] is True, run.output
    (body,) = bodies(emulator, USERS_UPDATE)
    assert [m["properties"] for m in body[0]["contactMethods"] if m["type"] == "voice"] == [{"hours": "8-20"}]


def test_contact_methods_equal_but_for_the_order_of_their_keys_are_not_a_change(emulator, run_module):
    # Two methods of one type and value told apart only by their properties, held in one key order and listed in
    # another (YAML keeps the order written; the API keeps its own).
    held = [{"type": "email", "values": ["frank@example.com"], "properties": {"after": "1", "before": "2"}},
            {"type": "email", "values": ["frank@example.com"], "properties": {"before": "0"}}]
    emulator.update_object("users", FRANK, {"contactMethods": held})
    listed = [{"values": ["frank@example.com"], "type": "email", "properties": {"before": "0"}},
              {"properties": {"before": "2", "after": "1"}, "type": "email", "values": ["frank@example.com"]}]
    run = run_module(users_task([{"id": FRANK, "contactMethods": listed}]))
    assert run.rc == 0 and run.result["changed"] is False, run.output
    assert write_entries(emulator) == []


# "properties (organizations): with purge_properties: false (default) your keys are merged into the existing ones
# and the merged dict is compared; with true your dict must equal the current one."
def test_purge_properties_sends_the_listed_properties_alone(emulator, run_module):
    run = run_module([orgs_task([{"label": "org1", "properties": {"site": "east"}}], name="merge"),
                      orgs_task([{"label": "org2", "properties": {"site": "west"}}], name="purge",
                                purge_properties=True)])
    assert run.rc == 0, run.output
    sent = [body[0]["properties"] for body in bodies(emulator, ORGS_UPDATE)]
    assert sent == [{"color": "#BADA55", "site": "east"}, {"site": "west"}]
    assert by_name(emulator, "organizations")["org2"]["properties"] == {"site": "west"}


# docs/how-it-works.md, 2. Reading: a key no read returns is "left out of the write if still missing, never sent as
# a default". Properties given for such an organization have nothing to be merged into: what is listed is sent.
def test_properties_no_read_returns_are_sent_as_listed(emulator, run_module):
    emulator.configure(omit_keys={"organizations": ["properties"]}, omit_from="all")
    run = run_module(orgs_task([{"label": "org1", "properties": {"site": "east"}}], wait=False))
    assert run.rc == 0 and run.result["changed"] is True, run.output
    assert [body[0]["properties"] for body in bodies(emulator, ORGS_UPDATE)] == [{"site": "east"}]


# "organizations (memberships): a set of (organization, role). ... an unlisted one is kept unless
# purge_organizations: true." 5. Applying: "with purge_organizations one POST /users/<id>/_/remove_organizations/
# with [{label}]".
def test_purge_organizations_removes_the_unlisted_memberships(emulator, run_module):
    run = run_module(users_task([{"id": ADMIN, "organizations": [{"label": "org1", "role": "admin"}]}],
                                purge_organizations=True))
    assert run.rc == 0 and run.result["changed"] is True, run.output
    removed = [e["body"] for e in write_entries(emulator) if e["path"].endswith("/_/remove_organizations/")]
    assert [sorted(m["label"] for m in body) for body in removed] == [["acme-plant", "org2"]]


# "password: write-only. update_password: on_create (default) sends it only to a new user; always to every listed
# user (always a change); never to no existing user, with a warning."
def test_update_password_always_sends_the_password_to_an_existing_user(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "password": "Alice-New-Pass-1"}], update_password="always"))
    assert run.rc == 0 and run.result["changed"] is True, run.output
    assert emulator.check_password(ALICE, "Alice-New-Pass-1")


def test_update_password_never_leaves_the_password_out_with_a_warning(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "password": "Alice-New-Pass-1"}], update_password="never"))
    assert run.rc == 0 and run.result["changed"] is False, run.output
    assert run.result.get("warnings") and write_entries(emulator) == []


# "defaultOrganization, defaultDashboard, app: an id or a label, matching the object the API returns by either."
# "References that would be sent ... are looked up next ... An unknown one fails the task before any write, in check
# mode too, naming the item and the value." 4. Check mode and diff: the diff holds only the changed keys.
def test_a_default_organization_by_label_or_id_is_compared_and_its_change_shown_by_label(emulator, run_module):
    orgs = by_name(emulator, "organizations")
    org1, org2 = orgs["org1"]["id"], orgs["org2"]["id"]
    run = run_module([users_task([{"id": ALICE, "defaultOrganization": "org1"}], name="same, by label"),
                      users_task([{"id": ALICE, "defaultOrganization": org1}], name="same, by id"),
                      dict(users_task([{"id": ALICE, "defaultOrganization": org2}], name="another"), check_mode=True,
                           diff=True)])
    assert run.rc == 0, run.output
    assert [entry["result"]["changed"] for entry in run.results] == [False, False, True]
    (diff,) = run.results[2]["result"]["diff"]
    assert (diff["before"], diff["after"]) == ({"defaultOrganization": "org1"}, {"defaultOrganization": org2})
    assert write_entries(emulator) == []


def test_an_unknown_default_organization_fails_before_any_write(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "defaultOrganization": "no-such-org", "firstName": "Never"}]))
    assert run.rc != 0 and "no-such-org" in run.result["msg"], run.output
    assert write_entries(emulator) == []


# docs/how-it-works.md, 1. Validation: an error of a kind an account may hold "is kept aside and fails the task only
# if that value would be sent", and the message names each error once. A membership's empty role or organization is
# such a value: it is named as empty, and is no reference to look up (no "no role with label ''").
def test_an_empty_role_or_organization_of_a_membership_is_named_once_and_never_looked_up(emulator, run_module):
    run = run_module(users_task([{"id": ALICE, "organizations": [{"label": "org2", "role": ""}]},
                                 {"username": "bob", "organizations": [{"label": "", "role": "viewer"}]}]))
    assert run.rc != 0
    assert run.result["msg"] == ("users[0] (id %s): organizations[0].role: must not be empty; users[1] (username bob): "
                                 "organizations[0].label: must not be empty. Nothing was written." % ALICE), run.output
    looked_up = [v for e in emulator.log() for k, values in e["query"].items() if k.endswith("__in") for v in values]
    assert all(value and "" not in value.split(",") for value in looked_up), looked_up
    assert write_entries(emulator) == []
