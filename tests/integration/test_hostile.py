# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile conditions, end to end: faults, bad input and secrets, through real ansible-playbook runs.

Each test runs one playbook of several tasks (ignore_errors: true) at -vvv with --diff, injecting
faults into the emulator between tasks through its control API (ansible.builtin.uri). Every
scenario is soft-checked and recorded as a row of docs/reliability.md; every playbook ends with a
secrets sweep: its output, its recorded results and the emulator's request log hold neither the
token nor any password.
"""

from __future__ import annotations

import json
import secrets
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import certifi
import pytest
from ansible.release import __version__ as ANSIBLE_CORE

from ubidots_testing import ORGS_MODULE, REPO, USERS_MODULE, api_log, orgs_by_label, users_by_name

from ubidots_emulator import Emulator, password_digest

USERS_PATH = "/api/v2.0/users/"
USERS_BULK = USERS_PATH + "_/bulk/update/"
ORGS_PATH = "/api/v2.0/organizations/"
ORGS_BULK = ORGS_PATH + "_/bulk/update/"
READONLY_TOKEN = "BBUS-emulator-readonly-token-000"
WRONG_TOKEN = "BBUS-hostile-wrong-token-" + secrets.token_hex(6)
UNKNOWN_ID = "ffffffffffffffffffffffff"
SCHEMAS = REPO / "docs" / "schemas"

# Every secret handed to a playbook in this module; the sweep looks for each of them.
SECRETS = [READONLY_TOKEN, WRONG_TOKEN]


def password(tag):
    """A fresh password, registered for the secrets sweep."""
    value = "Hx-%s-%s!" % (tag, secrets.token_hex(6))
    SECRETS.append(value)
    return value


# -- playbook building -----------------------------------------------------------------------------

def users_task(name, items, **options):
    """A ubidots_users_bulk task that may fail without stopping the play."""
    args = {"users": items}
    args.update(options)
    return {"name": name, USERS_MODULE: args, "ignore_errors": True}


def orgs_task(name, items, **options):
    """A ubidots_orgs_bulk task that may fail without stopping the play."""
    args = {"organizations": items}
    args.update(options)
    return {"name": name, ORGS_MODULE: args, "ignore_errors": True}


def fault(path, kind, **params):
    """One fault for the emulator's control API."""
    return dict(path=path, kind=kind, **params)


_POST = ("import sys, urllib.request as r; r.urlopen(r.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST', "
         "headers={'Content-Type': 'application/json'}), timeout=10).read(); print('injected')")


def inject(emulator, name, *faults):
    """A task that queues faults in the emulator (they hit the next matching requests, in order).

    A pipe lookup on the controller: ansible.builtin.uri would cost a module run (~1 s) per injection.
    """
    parts = (sys.executable, "-c", _POST, emulator.url + "/_emulator/faults", json.dumps(list(faults)))
    command = " ".join(shlex.quote(part) for part in parts)
    return {"name": "inject: " + name, "ansible.builtin.debug": {"msg": "{{ lookup('pipe', inject_command) }}"},
            "vars": {"inject_command": command}}


def pause(seconds):
    """A task that waits (for a delayed request to be applied on the server)."""
    return {"name": "pause %s s" % seconds, "ansible.builtin.pause": {"seconds": seconds}}


def run_hostile(run_playbook, tasks, **kwargs):
    """Every hostile playbook runs at -vvv with --diff: the secrets sweep reads the most verbose output."""
    kwargs.setdefault("verbosity", 3)
    kwargs.setdefault("diff", True)
    started = time.monotonic()
    run = run_playbook(tasks, **kwargs)
    run.seconds = time.monotonic() - started
    run.by_name = {entry["task"]: entry for entry in run.results}
    return run


def outcome(run, name):
    """(status, result) of a task of the run."""
    entry = run.by_name.get(name)
    assert entry is not None, "task %r has no recorded result (rc %s): %s" % (name, run.rc, run.output[-1500:])
    return entry["status"], entry["result"]


def clip(text, limit=260):
    """A one-line excerpt."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe(status, result):
    """What a task showed, in a few words."""
    if status == "ok":
        return "ok, changed=%s, tasks=%d, api_calls=%s" % (result.get("changed"), len(result.get("tasks", [])),
                                                           result.get("api_calls"))
    return "failed (changed=%s): %s" % (result.get("changed"), clip(result.get("msg", "")))


def traffic(emulator, ident):
    """The logged API requests about one object: lookups naming it and bulk bodies holding it."""
    found = []
    for entry in emulator.log():
        values = []
        for key, items in entry["query"].items():
            if key.endswith("__in"):
                for item in items:
                    values += item.split(",")
        body = entry["body"] if isinstance(entry["body"], list) else []
        if ident in values or any(isinstance(item, dict) and item.get("id") == ident for item in body):
            found.append(entry)
    return found


def summary(entries):
    """GET 429, GET 200 [truncate], PATCH no answer [drop], ..."""
    parts = []
    for entry in entries:
        text = "%s %s" % (entry["method"], entry["status"] if entry["status"] is not None else "no answer")
        if entry["fault"] and entry["fault"] != "status":
            text += " [%s]" % entry["fault"]
        parts.append(text)
    return ", ".join(parts) or "no request"


def sweep(rec, emulator, run, label, extra=()):
    """Secrets sweep of one playbook run: output, recorded results and emulator log."""
    wanted = [emulator.token] + SECRETS + list(extra)
    texts = {"output": run.output, "results": json.dumps(run.results, ensure_ascii=False),
             "emulator log": json.dumps(emulator.log(), ensure_ascii=False)}
    given = ("ansible-playbook -vvv --diff (%d kB of output), %d recorded results, %d logged requests; "
             "searched for the token and %d other secrets" % (len(run.output) // 1024, len(run.results),
                                                              len(emulator.log()), len(wanted) - 1))
    with rec.scenario("Secrets sweep: " + label, given) as row:
        # Each secret as written and as JSON escapes it (-vvv prints results as ASCII-escaped JSON).
        forms = [(number, form) for number, secret in enumerate(wanted) if secret
                 for form in (secret, json.dumps(secret)[1:-1])]
        hits = sorted({"%s holds secret #%d" % (where, number) for where, text in texts.items()
                       for number, form in forms if form in text})
        row.observed = "0 hits" if not hits else "%d hits: %s" % (len(hits), "; ".join(hits))
        assert not hits, row.observed  # names where and which, never the secret itself


def gap(entries):
    """Seconds between consecutive logged requests."""
    return [round(b["time"] - a["time"], 2) for a, b in zip(entries, entries[1:])]


# -- faults ----------------------------------------------------------------------------------------

def test_transient_faults_are_retried_and_the_run_succeeds(emulator, run_playbook, reliability):
    u = users_by_name(emulator)
    pw = {name: password(name) for name in ("alice", "carol", "erin", "grace-h")}
    steps = [
        ("429 with Retry-After", "alice", [fault(USERS_PATH, "status", status=429, retry_after="1", count=2, method="GET")],
         "GET /users/ answers 429 with Retry-After: 1, twice", {}),
        ("Burst of 500 and 503 (reads and writes)", "bob",
         [fault(USERS_PATH, "status", status=500, method="GET"), fault(USERS_PATH, "status", status=503, count=2, method="GET"),
          fault(USERS_BULK, "status", status=503, count=2)],
         "GET answers 500, 503, 503; the bulk PATCH answers 503, 503", {}),
        ("Connection dropped mid-request (read)", "carol", [fault(USERS_PATH, "drop", method="GET")],
         "the server reads the GET and closes the connection without an answer", {}),
        ("Connection dropped mid-request (write)", "dave", [fault(USERS_BULK, "drop")],
         "the server reads the bulk PATCH and closes the connection without an answer (not applied)", {}),
        ("Server slower than timeout (read)", "erin", [fault(USERS_PATH, "delay", delay=3, method="GET")],
         "timeout: 1; the GET is answered after 3 s", {"timeout": 1}),
        ("Server slower than timeout (write, applied late)", "frank_ops", [fault(USERS_BULK, "delay", delay=2)],
         "timeout: 1; the bulk PATCH is applied and answered after 2 s", {"timeout": 1}),
        ("Truncated JSON (read)", "grace-h", [fault(USERS_PATH, "truncate", method="GET")],
         "the GET answer is cut in half (Content-Length matches the cut body)", {}),
        ("HTML error page from a proxy (read)", "admin", [fault(USERS_PATH, "html", method="GET")],
         "GET answers 502 text/html", {}),
    ]
    tasks = []
    for scenario, name, faults, _given, options in steps:
        item = {"id": u[name]["id"], "firstName": "Recovered-" + name}
        if name in pw:
            item["password"] = pw[name]
            options = dict(options, update_password="always")
        tasks += [inject(emulator, scenario, *faults), users_task(scenario, [item], **options)]
    run = run_hostile(run_playbook, tasks)
    now = users_by_name(emulator)
    for scenario, name, _faults, given, _options in steps:
        with reliability.scenario(scenario, given) as row:
            status, result = outcome(run, scenario)
            seen = traffic(emulator, u[name]["id"])
            row.observed = "%s; requests: %s" % (describe(status, result), summary(seen))
            assert status == "ok" and result["changed"] is True, row.observed
            assert now[name]["firstName"] == "Recovered-" + name
            if name in pw:
                assert emulator.check_password(u[name]["id"], pw[name])
            if scenario.startswith("429"):
                reads = [e for e in seen if e["method"] == "GET"]
                assert [e["status"] for e in reads][:3] == [429, 429, 200]  # then wait's re-read
                waits = gap(reads[:3])
                row.observed += "; waited %s s between tries" % waits
                assert min(waits) >= 0.9, "Retry-After: 1 was not honoured: %s" % waits
            if scenario.startswith("Burst"):
                assert [e["status"] for e in seen if e["method"] == "GET"] == [500, 503, 503, 200, 200]  # + wait's re-read
                assert [e["status"] for e in seen if e["method"] == "PATCH"] == [503, 503, 200]
                row.observed += "; backoff between GET tries %s s" % gap([e for e in seen if e["method"] == "GET"])
            if "write, applied late" in scenario:
                row.observed += ("; the timed-out first PATCH was applied too (same values, so the outcome is the same: "
                                 "bulk writes are safe to repeat)")
    sweep(reliability, emulator, run, "transient faults (8 scenarios)")
    reliability.verify()


def test_persistent_faults_fail_clearly_and_a_rerun_converges(emulator, run_playbook, reliability):
    u = users_by_name(emulator)
    ids = {name: user["id"] for name, user in u.items()}
    pw = password("dave")

    def item(name, value):
        return {"id": ids[name], "lastName": value}

    tasks = [
        inject(emulator, "503 x3", fault(USERS_PATH, "status", status=503, count=3, method="GET")),
        users_task("503 on every try (read)", [item("alice", "P1")], retries=2),
        inject(emulator, "500 x2 on write", fault(USERS_BULK, "status", status=500, count=2)),
        users_task("500 on every try (write)", [item("bob", "P2")], retries=1),
        inject(emulator, "slow read x2", fault(USERS_PATH, "delay", delay=2.5, count=2, method="GET")),
        users_task("Server slower than timeout on every try (read)", [item("carol", "P3")], timeout=1, retries=1),
        inject(emulator, "slow write", fault(USERS_BULK, "delay", delay=2)),
        users_task("Write times out, applied late", [dict(item("dave", "P4"), password=pw)], timeout=1, retries=0,
                   update_password="always"),
        inject(emulator, "drop write", fault(USERS_BULK, "drop")),
        users_task("Connection dropped on the write, no retries left", [item("erin", "P5")], retries=0),
        inject(emulator, "truncate write", fault(USERS_BULK, "truncate")),
        users_task("Truncated JSON answer to the write", [item("frank_ops", "P6")]),
        inject(emulator, "200 not a listing", fault(USERS_PATH, "status", status=200, detail="maintenance", method="GET")),
        users_task("Malformed answer: JSON that is not a listing", [item("grace-h", "P7")]),
        inject(emulator, "html x3", fault(USERS_PATH, "html", count=3, method="GET")),
        users_task("HTML 502 on every try", [item("grace-h", "P8")], retries=2),
        users_task("401: token refused", [item("alice", "P9")], api_token=WRONG_TOKEN),
        users_task("403: read-only token", [item("alice", "P10")], api_token=READONLY_TOKEN),
        users_task("404 for one of the listed ids", [item("admin", "P11"), {"id": UNKNOWN_ID, "lastName": "P11"}]),
        inject(emulator, "404 on read", fault(USERS_PATH, "status", status=404, method="GET")),
        users_task("404 from the API on the lookup", [item("admin", "P12")]),
        users_task("Same user by id and by username", [item("bob", "P13"), {"username": "bob", "firstName": "P13"}]),
        users_task("api_url that is not http(s)", [item("alice", "P14")], api_url="ftp://127.0.0.1/"),
        pause(2.5),
        users_task("rerun: 500 on write", [item("bob", "P2")]),
        users_task("rerun: write timed out", [dict(item("dave", "P4"))]),
        users_task("rerun: dropped write", [item("erin", "P5")]),
        users_task("rerun: truncated write answer", [item("frank_ops", "P6")]),
    ]
    run = run_hostile(run_playbook, tasks)
    log = emulator.log()
    now = users_by_name(emulator)
    writes_of = {name: [e for e in traffic(emulator, ids[name]) if e["method"] != "GET"] for name in ids}

    def failed(scenario, given, expect, wrote=False, maybe=False, rerun=None, rerun_changed=None):
        with reliability.scenario(scenario, given) as row:
            status, result = outcome(run, scenario)
            row.observed = describe(status, result)
            assert status == "failed", row.observed
            for text in expect:
                assert text in result["msg"], "%r not in the message" % text
            if not wrote:
                assert "Nothing was written" in result["msg"] and result["changed"] is False
            if maybe:
                assert "may have been applied" in result["msg"] and result["changed"] is True
            if rerun:
                again_status, again = outcome(run, rerun)
                row.observed += "; re-run: %s" % describe(again_status, again)
                assert again_status == "ok" and again["changed"] is rerun_changed

    failed("503 on every try (read)", "retries: 2; GET answers 503 three times",
           ["GET %s: HTTP 503 after 3 tries" % USERS_PATH])
    failed("500 on every try (write)", "retries: 1; the bulk PATCH answers 500 twice (not applied)",
           ["Bulk request 1 of 1 failed", "HTTP 500 after 2 tries", ids["bob"]], wrote=True, maybe=True,
           rerun="rerun: 500 on write", rerun_changed=True)
    failed("Server slower than timeout on every try (read)", "timeout: 1, retries: 1; both GETs answered after 2.5 s",
           ["timed out after 1s, 2 tries"])
    failed("Write times out, applied late", "timeout: 1, retries: 0; the bulk PATCH is applied and answered after 2 s",
           ["timed out after 1s, 1 try", ids["dave"]], wrote=True, maybe=True,
           rerun="rerun: write timed out", rerun_changed=False)
    failed("Connection dropped on the write, no retries left", "retries: 0; the server closes the connection on the bulk PATCH",
           ["the server closed the connection without an answer", ids["erin"]], wrote=True, maybe=True,
           rerun="rerun: dropped write", rerun_changed=True)
    failed("Truncated JSON answer to the write", "the bulk PATCH is applied, its answer cut in half",
           ["not valid JSON", ids["frank_ops"]], wrote=True, maybe=True,
           rerun="rerun: truncated write answer", rerun_changed=False)
    failed("Malformed answer: JSON that is not a listing", "GET answers 200 {\"detail\": \"maintenance\"}",
           ["is not a paginated listing"])
    failed("HTML 502 on every try", "retries: 2; GET answers 502 text/html three times",
           ["HTTP 502 with a non-JSON answer (text/html) after 3 tries; is api_url the Ubidots API?"])
    failed("401: token refused", "api_token: an unknown token", ["the token was refused (401002"])
    failed("403: read-only token", "api_token: a read-only token (reads pass, the write is refused)",
           ["permission denied (403", "Nothing was written"])
    failed("404 for one of the listed ids", "one existing id and one unknown id",
           ["users[1] (id %s): no user with id %s" % (UNKNOWN_ID, UNKNOWN_ID)])
    failed("404 from the API on the lookup", "GET answers 404", ["not found (404)"])
    failed("Same user by id and by username", "users[0] by id and users[1] by username name the same user",
           ["users[1] (username bob): the same user as users[0]"])
    failed("api_url that is not http(s)", "api_url: ftp://127.0.0.1/", ["InvalidSchema", "check api_url"])
    with reliability.scenario("Faults leave the objects consistent", "state after the failures and re-runs above") as row:
        expected = {"bob": "P2", "dave": "P4", "erin": "P5", "frank_ops": "P6"}
        row.observed = ", ".join("%s.lastName=%s" % (name, now[name]["lastName"]) for name in expected)
        assert all(now[name]["lastName"] == value for name, value in expected.items()), row.observed
        untouched = [name for name in ("alice", "carol", "grace-h", "admin") if now[name]["lastName"] != u[name]["lastName"]]
        assert not untouched, "a failed run wrote %s" % untouched
        assert emulator.check_password(ids["dave"], pw)
        accepted = [name for name in ("alice", "carol", "grace-h", "admin") if any(e["status"] == 200 for e in writes_of[name])]
        assert not accepted, "a failed run had a write accepted for %s" % accepted
        row.observed += "; no write was accepted for alice, carol, grace-h or admin (%d requests in all)" % len(log)
    sweep(reliability, emulator, run, "persistent faults (14 scenarios)", extra=[pw])
    reliability.verify()


def test_batch_2_of_3_fails_names_what_was_accepted_and_a_rerun_sends_the_rest(emulator, run_playbook, reliability):
    users = sorted(emulator.state()["users"], key=lambda x: x["username"])[:5]
    orgs = sorted(emulator.state()["organizations"], key=lambda x: x["label"])
    uitems = [{"id": x["id"], "lastName": "Batch-%d" % i} for i, x in enumerate(users)]
    oitems = [{"id": x["id"], "description": "Batch %d" % i} for i, x in enumerate(orgs)]
    bad = [dict(o) for o in oitems]
    # Valid for the schema and for every reference, refused by the API: labels are unique.
    bad[2]["label"] = orgs[0]["label"]
    bad[3]["label"] = orgs[1]["label"]
    tasks = [
        inject(emulator, "batch 2 refused", fault(USERS_BULK, "delay", delay=0), fault(USERS_BULK, "status", status=503, count=2)),
        users_task("users: batch 2 of 3 fails", uitems, batch_size=2, retries=1),
        users_task("users: re-run", uitems, batch_size=2),
        users_task("users: third run", uitems, batch_size=2),
        orgs_task("organizations: batch 2 of 3 rejected (400001)", bad, batch_size=2),
        orgs_task("organizations: re-run", oitems, batch_size=2),
        orgs_task("organizations: third run", oitems, batch_size=2),
    ]
    run = run_hostile(run_playbook, tasks)
    writes = api_log(emulator, path_part="/bulk/")
    uwrites = [e for e in writes if e["path"] == USERS_BULK]
    owrites = [e for e in writes if e["path"] == ORGS_BULK]
    uid = [x["id"] for x in users]
    oid = [x["id"] for x in orgs]

    with reliability.scenario("Batch 2 of 3 fails (users, 503 until retries run out)",
                              "5 users, batch_size: 2, retries: 1; the 2nd bulk PATCH answers 503 twice") as row:
        status, result = outcome(run, "users: batch 2 of 3 fails")
        row.observed = describe(status, result)
        msg = result["msg"]
        assert status == "failed" and result["changed"] is True
        assert msg.startswith("Bulk request 2 of 3 failed: PATCH %s: HTTP 503 after 2 tries" % USERS_BULK)
        assert "Already accepted: 2 users in request 1 (task %s): %s, %s." % (result["tasks"][0], uid[0], uid[1]) in msg
        assert "Not applied: 2 users (%s, %s). Not sent: 1 user (%s)." % (uid[2], uid[3], uid[4]) in msg
        assert (result["accepted_ids"], result["failed_ids"], result["unsent_ids"]) == (uid[:2], uid[2:4], uid[4:])
        again_status, again = outcome(run, "users: re-run")
        third_status, third = outcome(run, "users: third run")
        sent_again = [i["id"] for e in uwrites[3:] for i in e["body"]]
        row.observed += "; re-run: %s, sent %d users; third run: changed=%s" % (
            describe(again_status, again), len(sent_again), third.get("changed"))
        assert [e["status"] for e in uwrites[:3]] == [200, 503, 503]
        assert again_status == "ok" and sent_again == uid[2:]
        assert third_status == "ok" and third["changed"] is False and len(uwrites) == 5

    with reliability.scenario("Batch 2 of 3 rejected with 400001 per-item detail (organizations)",
                              "5 organizations, batch_size: 2; items 2 and 3 take the labels of items 0 and 1") as row:
        status, result = outcome(run, "organizations: batch 2 of 3 rejected (400001)")
        row.observed = describe(status, result)
        msg = result["msg"]
        assert status == "failed" and result["changed"] is True
        assert "validation error (400001): organizations[2] (id %s, label %s): label:" % (oid[2], orgs[0]["label"]) in msg
        assert "organizations[3] (id %s, label %s): label:" % (oid[3], orgs[1]["label"]) in msg
        assert "Already accepted: 2 organizations in request 1 (task %s)" % result["tasks"][0] in msg
        assert (result["accepted_ids"], result["failed_ids"], result["unsent_ids"]) == (oid[:2], oid[2:4], oid[4:])
        again_status, again = outcome(run, "organizations: re-run")
        third_status, third = outcome(run, "organizations: third run")
        sent_again = [i["id"] for e in owrites[2:] for i in e["body"]]
        row.observed += "; re-run: %s, sent %d organizations; third run: changed=%s" % (
            describe(again_status, again), len(sent_again), third.get("changed"))
        assert again_status == "ok" and sent_again == oid[2:]
        assert third_status == "ok" and third["changed"] is False
        assert [o["description"] for o in sorted(emulator.state()["organizations"], key=lambda x: x["label"])] == \
            ["Batch %d" % i for i in range(5)]
    sweep(reliability, emulator, run, "failed batches")
    reliability.verify()


def test_object_changed_between_read_and_write(emulator, run_playbook, reliability):
    alice = users_by_name(emulator)["alice"]
    acme = orgs_by_label(emulator)["acme-plant"]
    tasks = [
        inject(emulator, "slow writes", fault(USERS_BULK, "delay", delay=2), fault(ORGS_BULK, "delay", delay=2)),
        users_task("users: changed behind our back", [{"id": alice["id"], "firstName": "Ours"}]),
        orgs_task("organizations: changed behind our back", [{"id": acme["id"], "description": "Ours"}]),
        users_task("users: re-run", [{"id": alice["id"], "firstName": "Ours"}]),
        orgs_task("organizations: re-run", [{"id": acme["id"], "description": "Ours"}]),
    ]
    meddled = {}

    def meddle():
        # Once the module has read the object (its GET is logged), change it while the write is delayed.
        deadline = time.monotonic() + 60
        pending = {USERS_PATH: ("users", alice["id"], {"firstName": "Theirs", "lastName": "Concurrent"}),
                   ORGS_PATH: ("organizations", acme["id"], {"description": "Theirs", "name": "Their Name"})}
        while pending and time.monotonic() < deadline:
            for entry in emulator.log():
                change = pending.get(entry["path"])
                if change and entry["method"] == "GET":
                    emulator.update_object(*change)
                    meddled[entry["path"]] = time.time()
                    del pending[entry["path"]]
            time.sleep(0.02)

    watcher = threading.Thread(target=meddle, daemon=True)
    watcher.start()
    run = run_hostile(run_playbook, tasks)
    watcher.join(5)
    user = users_by_name(emulator)["alice"]
    org = orgs_by_label(emulator)["acme-plant"]
    with reliability.scenario("Object changed between read and write (users, partial update)",
                              "after the read, another client sets firstName (the key the task changes) and lastName") as row:
        status, result = outcome(run, "users: changed behind our back")
        again_status, again = outcome(run, "users: re-run")
        row.observed = "%s; then firstName=%s, lastName=%s (last writer wins on the changed key; the other key survives); " \
                       "re-run changed=%s" % (describe(status, result), user["firstName"], user["lastName"], again.get("changed"))
        assert USERS_PATH in meddled, "the object was not changed in time"
        assert status == "ok" and user["firstName"] == "Ours" and user["lastName"] == "Concurrent"
        assert again_status == "ok" and again["changed"] is False
    with reliability.scenario("Object changed between read and write (organizations, full update)",
                              "after the read, another client sets description (the key the task changes) and name") as row:
        status, result = outcome(run, "organizations: changed behind our back")
        again_status, again = outcome(run, "organizations: re-run")
        row.observed = "%s; then description=%s, name=%s (documented: the endpoint is a full update with no conditional " \
                       "write, so the state read before the change is written back: last writer wins for every key); " \
                       "re-run changed=%s" % (describe(status, result), org["description"], org["name"], again.get("changed"))
        assert ORGS_PATH in meddled, "the object was not changed in time"
        assert status == "ok" and org["description"] == "Ours" and org["name"] == acme["name"]
        assert again_status == "ok" and again["changed"] is False
    sweep(reliability, emulator, run, "read/write race")
    reliability.verify()


# -- bad input -------------------------------------------------------------------------------------

_WRONG_VALUES = [12345, "text", True, [1], {"k": 1}, None, 1.5]
_JSON_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}


def _matches_type(value, names):
    for name in names:
        if name == "null" and value is None:
            return True
        if name in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
            if name == "number" or float(value).is_integer():
                return True
        if name in _JSON_TYPES and isinstance(value, _JSON_TYPES[name]) and (name == "boolean" or not isinstance(value, bool)):
            return True
    return False


def valid_value(schema):
    """Some value that `schema` accepts."""
    if "enum" in schema:
        return schema["enum"][0]
    types = schema.get("type", "string")
    kind = types[0] if isinstance(types, list) else types
    if kind == "string":
        return "a@example.com" if schema.get("format") == "email" else "valid-value"
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {key: valid_value(schema["properties"][key]) for key in schema.get("required", [])}
    return None


def violations(schema, path=""):
    """(path, rule, bad value at that path, or a whole object for object rules) for every rule of `schema`."""
    found = []
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        wrong = next(v for v in _WRONG_VALUES if not _matches_type(v, names))
        found.append((path, "type", wrong))
    if "minLength" in schema:
        found.append((path, "minLength", ""))
    if "maxLength" in schema:
        found.append((path, "maxLength", "x" * (schema["maxLength"] + 1)))
    if "pattern" in schema:
        found.append((path, "pattern", "has space ü"))
    if schema.get("format") == "email":
        found.append((path, "format", "not-an-email"))
    if "enum" in schema:
        found.append((path, "enum", "not-one-of-them"))
    if "minimum" in schema:
        found.append((path, "minimum", schema["minimum"] - 1))
    if "maxItems" in schema:
        found.append((path, "maxItems", [valid_value(schema.get("items", {})) + str(i) for i in range(schema["maxItems"] + 1)]))
    if "items" in schema:
        for inner_path, rule, value in violations(schema["items"], path + "[0]"):
            found.append((inner_path, "items." + rule, ("wrap-list", inner_path, value)))
    if schema.get("type") == "object" and path:
        base = valid_value(schema)
        for key in schema.get("required", []):
            found.append((path, "required " + key, {k: v for k, v in base.items() if k != key}))
        if schema.get("additionalProperties") is False:
            found.append((path, "additionalProperties", dict(base, unknownKey=1)))
        for key, sub in schema.get("properties", {}).items():
            for inner_path, rule, value in violations(sub, "%s.%s" % (path, key)):
                found.append((inner_path, "%s.%s" % (key, rule), ("wrap-object", base, key, value)))
    return found


def _build(value):
    if isinstance(value, tuple) and value[0] == "wrap-list":
        return [_build(value[2])]
    if isinstance(value, tuple) and value[0] == "wrap-object":
        return dict(value[1], **{value[2]: _build(value[3])})
    return value


def corpus(schema, option, identity):
    """Items that together break every rule of `schema` (each item one rule), and the error each must give."""
    items, expected = [], []
    for key, sub in schema["properties"].items():
        for path, rule, value in violations(sub, key):
            index = len(items)
            item = {"id": "corpus-%d" % index} if key != "id" else {}
            item[key] = _build(value)  # the bad value, inside the lists and objects that lead to `path`
            items.append(item)
            expected.append((index, "%s[%d]" % (option, index), path, rule))
    index = len(items)
    items.append({"firstName" if option == "users" else "name": "no identity"})
    expected.append((index, "%s[%d]" % (option, index), None, "anyOf: needs %s" % " or ".join(identity)))
    index = len(items)
    items.append({"id": "corpus-%d" % index, "unknownTopKey": 1})
    expected.append((index, "%s[%d]" % (option, index), None, "additionalProperties: unknown key"))
    return items, expected


def test_bad_input_fails_clearly_and_sends_nothing(emulator, run_playbook, reliability, tmp_path):
    user_schema = json.loads((SCHEMAS / "user-bulk-update-item.json").read_text())
    org_schema = json.loads((SCHEMAS / "organization-bulk-update-item.json").read_text())
    user_corpus, user_expected = corpus(user_schema, "users", ("id", "username"))
    org_corpus, org_expected = corpus(org_schema, "organizations", ("id", "label"))
    pw = password("null-item")
    long_name = ("a b" * 3334)[:10000]
    deep = {"leaf": "x"}
    for _level in range(300):
        deep = {"k": deep}
    # Through a file: Ansible's playbook loader itself gives up on JSON nested that deep.
    deep_file = tmp_path / "deep.json"
    deep_file.write_text(json.dumps([{"label": "org1", "properties": deep}]))
    cases = [
        # (scenario, given, task, texts the message must hold)
        ("Corpus breaking every rule of the user schema", "%d items, one broken rule each" % len(user_corpus),
         users_task("user schema corpus", user_corpus), None),
        ("Corpus breaking every rule of the organization schema", "%d items, one broken rule each" % len(org_corpus),
         orgs_task("organization schema corpus", org_corpus), None),
        ("Wrong types: a string for a boolean, a number for a list", "isActive: \"true\", tags: 5, contactMethods: 7",
         users_task("wrong types", [{"id": "w1", "isActive": "true"}, {"id": "w2", "tags": 5}, {"id": "w3", "contactMethods": 7}]),
         ["users[0] (id w1): isActive: must be boolean, got string", "users[1] (id w2): tags: must be list, got integer",
          "users[2] (id w3): contactMethods: must be list, got integer"]),
        ("The list option is a number", "users: 5", users_task("users is a number", 5), ["'users'"]),
        ("The list option is null", "users: null", users_task("users is null", None), ["'users'", "NoneType"]),
        ("An item is null (next to an item with a password)", "users: [{id, password}, null]",
         users_task("null item", [{"id": "n1", "password": pw}, None]), ["'users'", "NoneType"]),
        ("Null values", "firstName, isActive, tags, username: null",
         users_task("null values", [{"id": "n1", "firstName": None, "isActive": None, "tags": None, "username": None}]),
         ["users[0] (id n1): firstName: must be string, got null", "isActive: must be boolean, got null",
          "tags: must be list, got null", "username: must be string, got null"]),
        ("Unknown fields", "nickname and Password next to id",
         users_task("unknown fields", [{"id": "u1", "nickname": "z", "Password": "not-a-key"}]),
         ["users[0] (id u1): unknown keys Password, nickname; allowed keys: id, username"]),
        ("Empty strings", "id, username, password, email, a tag, an organization name and label: \"\"",
         users_task("empty strings", [{"id": ""}, {"username": ""}, {"id": "e3", "password": "", "email": "", "tags": [""]}]),
         ["users[0]: id: must not be empty", "users[1]: username: must not be empty", "users[2] (id e3): password: must not be empty",
          "users[2] (id e3): email: '' is not a valid email address", "users[2] (id e3): tags[0]: must not be empty"]),
        ("Empty strings (organizations)", "name and label: \"\"",
         orgs_task("empty strings (organizations)", [{"id": "o1", "name": "", "label": ""}]),
         ["organizations[0] (id o1): label: must not be empty", "organizations[0] (id o1): name: must not be empty"]),
        ("Unicode and emoji in names that must be ASCII", "username jürgen, username rocket-🚀, label usine-été",
         users_task("unicode identities", [{"username": "jürgen"}, {"username": "rocket-🚀"}]),
         ["users[0] (username jürgen): username: only ASCII letters, digits, dash and underscore are allowed ('jürgen')",
          "users[1] (username rocket-🚀): username: only ASCII letters, digits, dash and underscore are allowed ('rocket-🚀')"]),
        ("10,000-character strings", "a 10,000-character username with spaces, tag and unknown key",
         users_task("long strings", [{"id": "l1", "username": long_name, "tags": ["t" * 10000], "k" * 10000: 1}]),
         ["users[0] (id l1, username a ba ba b", "username: only ASCII letters", "tags[0]: 10000 characters, at most 50",
          "unknown key %s...;" % ("k" * 37)]),
        ("Deeply nested properties (beyond what Ansible can template)", "properties nested 300 levels deep",
         # ansible-core 2.19 names its recursion limit; 2.16 passes the value on as a string, refused as such.
         orgs_task("deep properties", "{{ lookup('file', '%s') | from_json }}" % deep_file),
         [("recursion", "'organizations' is of type <class 'str'>")]),
        ("Duplicate identities", "the same id twice, the same username twice",
         users_task("duplicates", [{"id": "d1"}, {"id": "d1"}, {"username": "dup"}, {"username": "dup"}]),
         ["users[1] (id d1): same id as users[0]; each user may appear once",
          "users[3] (username dup): same username as users[2]; each user may appear once"]),
        ("Duplicate identities (organizations)", "the same label twice",
         orgs_task("duplicates (organizations)", [{"label": "org1"}, {"label": "org1"}]),
         ["organizations[1] (label org1): same label as organizations[0]"]),
        ("Missing identity", "an item without id or username", users_task("no identity", [{"firstName": "x"}]),
         ["users[0]: needs id or username to say which user to update"]),
        ("Options out of range", "batch_size: 0", users_task("batch_size 0", [{"id": "b1"}], batch_size=0),
         ["batch_size must be 1 or more, got 0"]),
        ("Options out of range (connection)", "retries: -1", users_task("retries -1", [{"id": "b1"}], retries=-1),
         ["retries must be 0 or more, got -1"]),
        ("Options of the wrong type", "wait: \"maybe\"", users_task("wait maybe", [{"id": "b1"}], wait="maybe"),
         ["wait", "bool"]),
    ]
    empty = users_task("empty list", [])
    run = run_hostile(run_playbook, [case[2] for case in cases] + [empty])
    log = emulator.log()
    for scenario, given, task, texts in cases:
        with reliability.scenario(scenario, given) as row:
            status, result = outcome(run, task["name"])
            row.observed = describe(status, result)
            assert status == "failed", row.observed
            if texts is None:
                option = "users" if USERS_MODULE in task else "organizations"
                expected = user_expected if option == "users" else org_expected
                errors = result["errors"]
                missing = []
                for index, label, path, rule in expected:
                    mine = [e for e in errors if e.startswith(label + " ") or e.startswith(label + ":")]
                    if path is None:
                        needle = rule.split(": ", 1)[1]
                        ok = any(needle in e for e in mine)
                    else:
                        ok = any((": %s: " % path) in e or (": %s:" % path) in e for e in mine)
                    if not ok:
                        missing.append("%s %s (%s)" % (label, path, rule))
                row.observed += "; %d rules broken, %d errors, each naming its item and field" % (len(expected), len(errors))
                assert not missing, "no error naming item and field for: %s" % missing
                assert "Nothing was sent to the API" in result["msg"]
            else:
                for text in texts:  # a tuple: any one of its texts
                    choices = text if isinstance(text, tuple) else (text,)
                    assert any(choice.lower() in result["msg"].lower() for choice in choices), "%r not in the message" % (text,)
            assert len(result["msg"]) < 20000, "the message grows with the input (%d characters)" % len(result["msg"])
    with reliability.scenario("Empty list", "users: []") as row:
        status, result = outcome(run, "empty list")
        row.observed = describe(status, result)
        assert status == "ok" and result["changed"] is False and result["api_calls"] == {"reads": 0, "writes": 0}
    with reliability.scenario("Bad input writes nothing", "all %d bad-input tasks above (a value an account may already "
                              "hold is refused after one read, only if it would be sent)" % len(cases)) as row:
        row.observed = "%d requests reached the API, %d of them writes" % (len(log), len([e for e in log if e["method"] != "GET"]))
        assert [e for e in log if e["method"] != "GET"] == []
    sweep(reliability, emulator, run, "bad input", extra=[pw])
    reliability.verify()


def test_unusual_but_valid_input_round_trips(emulator, run_playbook, reliability):
    alice = users_by_name(emulator)["alice"]
    acme = orgs_by_label(emulator)["acme-plant"]
    pw = password("unicode-🔑-Pässwört")
    deep = {"leaf": "ünïcødé ✓"}
    for level in range(100):
        deep = {"level%d" % level: deep}
    user = {"id": alice["id"], "firstName": "Zoë 🚀 Ωmega", "lastName": "L" * 10000, "password": pw,
            "tags": ["été", "🚀", "x" * 50]}
    org = {"id": acme["id"], "description": "D" * 10000 + " 🏭", "properties": {"deep": deep, "emoji": "🔥"}}
    run = run_hostile(run_playbook, [
        users_task("unicode, emoji and 10,000 characters (users)", [user], update_password="always"),
        users_task("again (users)", [user], update_password="never"),
        orgs_task("unicode, emoji, 10,000 characters and 100-level properties (organizations)", [org]),
        orgs_task("again (organizations)", [org]),
    ])
    now_user = users_by_name(emulator)["alice"]
    now_org = orgs_by_label(emulator)["acme-plant"]
    with reliability.scenario("Unicode, emoji and 10,000-character values (users)",
                              "firstName with emoji, lastName of 10,000 characters, unicode tags and password") as row:
        status, result = outcome(run, "unicode, emoji and 10,000 characters (users)")
        again_status, again = outcome(run, "again (users)")
        row.observed = "%s; second run: %s" % (describe(status, result), describe(again_status, again))
        assert status == "ok" and result["changed"] is True
        assert now_user["firstName"] == user["firstName"] and now_user["lastName"] == user["lastName"]
        assert sorted(now_user["tags"]) == sorted(user["tags"])
        assert emulator.check_password(alice["id"], pw)
        assert again_status == "ok" and again["changed"] is False
        assert password_digest(pw) in json.dumps(emulator.log(), ensure_ascii=False)
    with reliability.scenario("Unicode, emoji, 10,000 characters and properties 100 levels deep (organizations)",
                              "description of 10,000 characters, properties nested 100 levels") as row:
        status, result = outcome(run, "unicode, emoji, 10,000 characters and 100-level properties (organizations)")
        again_status, again = outcome(run, "again (organizations)")
        row.observed = "%s; second run: %s" % (describe(status, result), describe(again_status, again))
        assert status == "ok" and result["changed"] is True
        assert now_org["description"] == org["description"] and now_org["properties"]["deep"] == deep
        assert now_org["properties"]["site"] == acme["properties"]["site"]  # merged, not replaced
        assert again_status == "ok" and again["changed"] is False
    sweep(reliability, emulator, run, "unusual valid input", extra=[pw])
    reliability.verify()


# ansible-core before 2.19 spends minutes templating a 100,000-item list before the module runs (2.16.19: 257 s on
# 2 idle cores, against 28 s on 2.19), which is Ansible's own cost; what the module does with the list is the same on
# every series, and the newest series (2.21) runs this in `make test`.
@pytest.mark.skipif(tuple(int(p) for p in ANSIBLE_CORE.split(".")[:2]) < (2, 19),
                    reason="ansible-core < 2.19 takes minutes to template a 100,000-item list (257 s on 2.16)")
def test_100000_items_are_validated_and_nothing_is_sent(emulator, run_playbook, reliability, tmp_path):
    count = 100000
    items = [{"id": "%024x" % i, "firstName": "F%d" % i, "tags": ["a", "b"], "isActive": True} for i in range(count)]
    items.append({"id": "last-one", "isActive": "no"})
    data = tmp_path / "items.json"
    data.write_text(json.dumps(items))
    # Through a lookup: a 100,000-item literal costs Ansible's playbook loader minutes before any module runs.
    task = {"name": "100,000 items", USERS_MODULE: {"users": "{{ lookup('file', '%s') | from_json }}" % data},
            "ignore_errors": True}
    run = run_hostile(run_playbook, [task])
    with reliability.scenario("100,000-item list", "100,000 valid users and one invalid last item, through ansible-playbook "
                              "-vvv (which echoes the 10 MB of module arguments)") as row:
        status, result = outcome(run, "100,000 items")
        row.observed = "%s; ansible-playbook took %.0f s" % (describe(status, result), run.seconds)
        assert status == "failed"
        assert result["msg"] == ("1 error in users: users[100000] (id last-one): isActive: must be boolean, got string. "
                                 "Nothing was sent to the API.")
        assert emulator.log() == []
        # No time bound here: how long it takes is measured by make bench, not asserted (run_playbook's own
        # 300 s timeout still ends a run that hangs).
    sweep(reliability, emulator, run, "100,000 items")
    reliability.verify()


# -- TLS -------------------------------------------------------------------------------------------

def self_signed(directory):
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def test_tls_self_signed_certificate(emulator, run_playbook, reliability, tmp_path):
    cert, key = self_signed(tmp_path)
    alice = users_by_name(emulator)["alice"]
    with Emulator(tls=(str(cert), str(key))) as secure:
        assert secure.url.startswith("https://")
        tasks = [
            users_task("validate_certs default (true)", [{"id": alice["id"], "firstName": "TLS-1"}]),
            users_task("validate_certs false", [{"id": alice["id"], "firstName": "TLS-2"}], validate_certs=False),
            dict(users_task("validate_certs true, the certificate trusted through REQUESTS_CA_BUNDLE",
                            [{"id": alice["id"], "firstName": "TLS-3"}]), environment={"REQUESTS_CA_BUNDLE": str(cert)}),
        ]
        # A CA bundle in the environment (as in many containers) must not turn validate_certs: false back on.
        run = run_hostile(run_playbook, tasks, url=secure.url, token=secure.token,
                          env={"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()})
        firsts = [e["body"][0]["firstName"] for e in secure.log() if e["method"] == "PATCH"]
        with reliability.scenario("TLS: self-signed certificate, validate_certs: true (default)",
                                  "the emulator serves HTTPS with a self-signed certificate") as row:
            status, result = outcome(run, "validate_certs default (true)")
            row.observed = describe(status, result)
            assert status == "failed"
            assert "TLS certificate verification failed" in result["msg"]
            assert "self-signed certificate" in result["msg"] and "validate_certs: false" in result["msg"]
        with reliability.scenario("TLS: self-signed certificate, validate_certs: false",
                                  "same server; REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE set in the environment") as row:
            status, result = outcome(run, "validate_certs false")
            row.observed = describe(status, result)
            assert status == "ok" and result["changed"] is True and "TLS-2" in firsts
        with reliability.scenario("TLS: private CA trusted through REQUESTS_CA_BUNDLE, validate_certs: true",
                                  "task environment REQUESTS_CA_BUNDLE=<the self-signed certificate>") as row:
            status, result = outcome(run, "validate_certs true, the certificate trusted through REQUESTS_CA_BUNDLE")
            row.observed = describe(status, result)
            assert status == "ok" and result["changed"] is True and "TLS-3" in firsts
        sweep(reliability, secure, run, "TLS")
    reliability.verify()


def test_the_corpus_covers_every_rule_of_both_schemas():
    """Guards the bad-input test: each keyword of each schema appears among the corpus violations."""
    for name in ("user-bulk-update-item", "organization-bulk-update-item"):
        schema = json.loads((SCHEMAS / (name + ".json")).read_text())
        rules = {(path, rule.split(".")[-1]) for key, sub in schema["properties"].items() for path, rule, _value in violations(sub, key)}
        wanted = set()

        def walk(node, path):
            for keyword in ("type", "minLength", "maxLength", "pattern", "enum", "minimum", "maxItems"):
                if keyword in node:
                    wanted.add((path, keyword))
            if node.get("format") == "email":
                wanted.add((path, "format"))
            if "items" in node:
                walk(node["items"], path + "[0]")
            for key, sub in node.get("properties", {}).items():
                walk(sub, "%s.%s" % (path, key))

        for key, sub in schema["properties"].items():
            walk(sub, key)
        assert wanted <= rules, wanted - rules
        assert Path(SCHEMAS / (name + ".json")).exists()
