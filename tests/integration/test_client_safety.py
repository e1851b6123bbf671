# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token stays with api_url, whatever the token looks like (issue 11).

Real ansible-playbook runs at -vvv against the emulator, whose output, recorded results and request log are
searched for every part of the token. The redirects and the proxy path are tested in process:
tests/unit/plugins/modules/test_client_safety_engine.py.
"""

from __future__ import annotations

import json

from ubidots_testing import failable_task, outcome, user

USERS_INFO = "ubidots.industrial.ubidots_users_info"
USERS_BULK = "ubidots.industrial.ubidots_users_bulk"


def leaks(run, emulators, secrets):
    """Where any of `secrets` (or its JSON-escaped form) shows: output, recorded results, emulator logs."""
    texts = {"output": run.output, "results": json.dumps(run.results, ensure_ascii=False)}
    for number, emu in enumerate(emulators):
        texts["emulator %d log" % number] = json.dumps(emu.log(), ensure_ascii=False)
    forms = [(number, form) for number, secret in enumerate(secrets) for form in (secret, json.dumps(secret)[1:-1])]
    return sorted({"%s holds secret #%d" % (where, number) for where, text in texts.items()
                   for number, form in forms if form in text})


def test_a_token_with_surrounding_whitespace_works_and_never_shows(emulator, run_playbook, reliability):
    token = emulator.token
    tasks = [
        failable_task("token from UBIDOTS_TOKEN ending in a newline", USERS_INFO, usernames=["alice"]),
        failable_task("token as api_token with spaces and CRLF", USERS_BULK, api_token="  " + token + "\r\n",
                      users=[{"id": user(emulator, "alice")["id"], "firstName": "Stripped"}]),
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
        assert user(emulator, "alice")["firstName"] == "Stripped"
        assert all(entry["token_header"] for entry in emulator.log())
    with reliability.scenario("Secrets sweep: token with surrounding whitespace", "the same run") as row:
        hits = leaks(run, [emulator], [token])
        row.observed = "%d hits" % len(hits) + (": " + "; ".join(hits) if hits else "")
        assert not hits


def test_a_token_with_an_inner_newline_fails_before_any_request_and_shows_no_part(
        emulator, run_playbook, reliability):
    parts = ["BBUS-Kq7vZx31", "Wm2pNa88Tt"]
    tasks = [failable_task("token with an inner newline", USERS_INFO, usernames=["alice"])]
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
