# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token stays with api_url, whatever the token looks like, the redirects or the proxy path (issue 11).

Real ansible-playbook runs at -vvv against the emulator. A second emulator plays "another origin": its
log tells whether a request reached it and whether an X-Auth-Token came along (never its value).
"""

from __future__ import annotations

import json

from ubidots_testing import api_log

from ubidots_emulator import Emulator, generate

USERS_INFO = "ubidots.industrial.ubidots_users_info"
USERS_BULK = "ubidots.industrial.ubidots_users_bulk"
USERS_PATH = "/api/v2.0/users/"
BULK_PATH = USERS_PATH + "_/bulk/update/"


def task(name, module, **args):
    """A task that may fail without stopping the play."""
    return {"name": name, module: args, "ignore_errors": True}


def outcome(run, name):
    """(status, result) of a task of the run."""
    entry = next((e for e in run.results if e["task"] == name), None)
    assert entry is not None, "task %r has no recorded result (rc %s): %s" % (name, run.rc, run.output[-1500:])
    return entry["status"], entry["result"]


def leaks(run, emulators, secrets):
    """Where any of `secrets` (or its JSON-escaped form) shows: output, recorded results, emulator logs."""
    texts = {"output": run.output, "results": json.dumps(run.results, ensure_ascii=False)}
    for number, emu in enumerate(emulators):
        texts["emulator %d log" % number] = json.dumps(emu.log(), ensure_ascii=False)
    forms = [(number, form) for number, secret in enumerate(secrets) for form in (secret, json.dumps(secret)[1:-1])]
    return sorted({"%s holds secret #%d" % (where, number) for where, text in texts.items()
                   for number, form in forms if form in text})


def alice(emu):
    return next(u for u in emu.state()["users"] if u["username"] == "alice")


def test_a_token_with_surrounding_whitespace_works_and_never_shows(emulator, run_playbook, reliability):
    token = emulator.token
    tasks = [
        task("token from UBIDOTS_TOKEN ending in a newline", USERS_INFO, usernames=["alice"]),
        task("token as api_token with spaces and CRLF", USERS_BULK, api_token="  " + token + "\r\n",
             users=[{"id": alice(emulator)["id"], "firstName": "Stripped"}]),
    ]
    run = run_playbook(tasks, verbosity=3, token=token + "\n")
    with reliability.scenario("Token with surrounding whitespace (a vault value ending in a newline)",
                              "UBIDOTS_TOKEN=<token>\\n for an info task, api_token: '  <token>\\r\\n' for a bulk "
                              "task, -vvv") as row:
        (read_status, read), (write_status, write) = (outcome(run, t["name"]) for t in tasks)
        row.observed = "info: %s (count %s); bulk: %s (changed %s)" % (
            read_status, read.get("count"), write_status, write.get("changed"))
        assert read_status == "ok" and read["count"] == 1, read.get("msg")
        assert write_status == "ok" and write["changed"] is True, write.get("msg")
        assert alice(emulator)["firstName"] == "Stripped"
        assert all(entry["token_header"] for entry in emulator.log())
    with reliability.scenario("Secrets sweep: token with surrounding whitespace", "the same run") as row:
        hits = leaks(run, [emulator], [token])
        row.observed = "%d hits" % len(hits) + (": " + "; ".join(hits) if hits else "")
        assert not hits


def test_a_token_with_an_inner_newline_fails_before_any_request_and_shows_no_part(
        emulator, run_playbook, reliability):
    parts = ["BBUS-Kq7vZx31", "Wm2pNa88Tt"]
    tasks = [task("token with an inner newline", USERS_INFO, usernames=["alice"])]
    run = run_playbook(tasks, verbosity=3, token="\n".join(parts))
    with reliability.scenario("Token with a line break inside it",
                              "UBIDOTS_TOKEN=<part 1>\\n<part 2>, an info task, -vvv") as row:
        status, result = outcome(run, tasks[0]["name"])
        row.observed = "%s, %d requests sent: %s" % (status, len(emulator.log()), " ".join(result.get("msg", "").split())[:160])
        assert status == "failed"
        assert "api_token holds a line break" in json.dumps(result)
        assert emulator.log() == []
    with reliability.scenario("Secrets sweep: token with a line break inside it", "the same run; each part searched") as row:
        hits = leaks(run, [emulator], parts)
        row.observed = "%d hits" % len(hits) + (": " + "; ".join(hits) if hits else "")
        assert not hits


def test_a_redirect_to_another_origin_carries_no_token_and_fails_clearly(emulator, run_playbook, reliability):
    with Emulator() as other:
        # The query of the Location must never show: it could hold anything.
        emulator.inject(USERS_PATH, "redirect", method="GET", status=302,
                        location=other.url + USERS_PATH + "?page_size=500&hint=Zq9SECRETq")
        emulator.inject(BULK_PATH, "redirect", method="PATCH", status=307, location=other.url + BULK_PATH)
        tasks = [
            task("read redirected to another origin", USERS_INFO),
            task("write redirected to another origin", USERS_BULK, users=[{"id": alice(emulator)["id"], "firstName": "X"}]),
        ]
        run = run_playbook(tasks, verbosity=3)
        for name, method in ((tasks[0]["name"], "GET"), (tasks[1]["name"], "PATCH")):
            with reliability.scenario("Redirect to another origin: " + method,
                                      "%s answered with a redirect to a second emulator (another port)" % method) as row:
                status, result = outcome(run, name)
                reached = other.log()
                row.observed = "%s: %s; the other origin got %d requests, %d with X-Auth-Token" % (
                    status, result.get("msg", "")[:200], len(reached), sum(e["token_header"] for e in reached))
                assert status == "failed"
                assert "the server redirected to %s, outside api_url (%s)" % (other.origin, emulator.url) in result["msg"]
                assert "Zq9SECRETq" not in run.output and "page_size=500" not in result["msg"]
                assert not any(e["token_header"] for e in reached)
                assert reached == []
        assert alice(emulator)["firstName"] != "X"


def test_a_redirect_within_api_url_is_followed(emulator, run_playbook, reliability):
    everyone = {u["username"] for u in emulator.state()["users"]}
    emulator.inject(USERS_PATH, "redirect", method="GET", status=301, location=USERS_PATH + "?page_size=2")
    emulator.inject(BULK_PATH, "redirect", method="PATCH", status=307, location=emulator.url + BULK_PATH)
    tasks = [
        task("read redirected within api_url", USERS_INFO),
        task("write redirected within api_url", USERS_BULK, users=[{"id": alice(emulator)["id"], "firstName": "Moved"}]),
    ]
    run = run_playbook(tasks, verbosity=3)
    with reliability.scenario("Redirect within api_url",
                              "GET answered 301 to the same listing with page_size=2; PATCH answered 307 to the same "
                              "origin") as row:
        (read_status, read), (write_status, write) = (outcome(run, t["name"]) for t in tasks)
        patches = api_log(emulator, "PATCH")
        row.observed = "info: %s, %s users; bulk: %s, PATCH statuses %s" % (
            read_status, read.get("count"), write_status, [e["status"] for e in patches])
        assert read_status == "ok" and {u["username"] for u in read["users"]} == everyone
        assert write_status == "ok" and write["changed"] is True and alice(emulator)["firstName"] == "Moved"
        assert [e["status"] for e in patches] == [307, 200] and all(e["token_header"] for e in patches)


def test_api_url_with_a_path_prefix_reads_every_page(run_playbook, reliability):
    with Emulator(fixture=generate(600, 0), path_prefix="/ubidots") as proxied:
        assert proxied.url.endswith("/ubidots")
        tasks = [task("read every user through a path prefix", USERS_INFO)]
        run = run_playbook(tasks, verbosity=1, url=proxied.url + "/", token=proxied.token)
        with reliability.scenario("api_url with a path prefix (reverse proxy), paginated listing",
                                  "api_url https://host/ubidots/ (emulator with path_prefix), 608 users, pages of 500") as row:
            status, result = outcome(run, tasks[0]["name"])
            gets = [(e["path"], e["status"]) for e in proxied.log()]
            row.observed = "%s, count %s, requests %s" % (status, result.get("count"), gets)
            assert status == "ok", result.get("msg")
            assert result["count"] == len(proxied.state()["users"]) == 608
            assert len({u["id"] for u in result["users"]}) == 608
            assert gets == [("/ubidots/api/v2.0/users/", 200)] * 2
