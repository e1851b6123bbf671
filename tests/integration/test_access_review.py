# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The access review playbook (its CSV and Markdown report, a line per page), run for real.

ubidots_users_info inactive_for_days runs in-process in tests/unit/plugins/modules/test_access_review_engine.py."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import requests
from ubidots_emulator import generate

from ubidots_testing import USERS_LIST, iso, user_reads


def memberships(emulator):
    """{username: [(organization label, role label)]}, as the API shows them (state() leaves memberships out)."""
    answer = requests.get(emulator.url + USERS_LIST + "/", params={"fields": "username,organizations", "page_size": 1000},
                          headers={"X-Auth-Token": emulator.token}, timeout=10)
    return {u["username"]: [(m["label"], m["role"]["label"]) for m in u["organizations"]] for u in answer.json()["results"]}


def test_access_review_writes_a_csv_and_a_summary_whose_numbers_match_the_account(emulator, run_playbook, tmp_path):
    now = datetime.now(timezone.utc)
    emulator.update_object("users", "~alice", {"lastLogin": iso(now - timedelta(days=1))})
    emulator.update_object("users", "~bob", {"lastLogin": iso(now - timedelta(days=45))})
    emulator.update_object("users", "~carol", {"lastLogin": iso(now - timedelta(days=100)), "firstName": "C"})
    work = tmp_path / "work"
    work.mkdir()
    run = run_playbook([], playbook="ubidots.industrial.access_review",
                       extra_vars={"report_dir": "reports", "unused_days": 30}, cwd=str(work))
    assert run.rc == 0, run.output
    assert not [e for e in emulator.log() if e["method"] != "GET"], "nothing written to the account"
    state = emulator.state()
    users = {u["username"]: u for u in state["users"]}

    rows = list(csv.DictReader(io.StringIO((work / "reports/access-review.csv").read_text())))
    assert list(rows[0]) == ["username", "email", "isActive", "lastLogin", "organization", "role"]
    held = memberships(emulator)
    expected = [(name, label, role) for name, pairs in held.items() for label, role in pairs]
    expected += [(name, "", "") for name, pairs in held.items() if not pairs]
    assert sorted(held) == sorted(users)
    assert sorted((r["username"], r["organization"], r["role"]) for r in rows) == sorted(expected)
    bob = next(r for r in rows if r["username"] == "bob")
    assert bob["lastLogin"] == users["bob"]["lastLogin"] and bob["isActive"] == "true"
    assert next(r for r in rows if r["username"] == "erin")["isActive"] == "false"

    summary = (work / "reports/access-review.md").read_text()
    active = [u for u in users.values() if u["isActive"]]
    never = [u for u in users.values() if u["lastLogin"] is None]
    unused = sorted(u["username"] for u in active if u["lastLogin"] is None or u["username"] in ("admin", "bob", "carol"))
    assert "| Users | %d |" % len(users) in summary
    assert "| Active (`isActive` true) | %d |" % len(active) in summary
    assert "| Inactive (`isActive` false) | %d |" % (len(users) - len(active)) in summary
    assert "| Never logged in (`lastLogin` null) | %d |" % len(never) in summary
    assert "| Unused for 30 days: active, last login before " in summary
    assert " or never | %d |" % len(unused) in summary
    listed = summary.split("## Unused active accounts")[1]
    assert sorted(line.split("|")[1].strip() for line in listed.splitlines()
                  if line.startswith("| ") and not line.startswith(("| username", "| ---"))) == unused
    assert "| org1 | Organization 1 | admin |" in summary
    assert "| legacy-site |" in summary and "| legacy-site | %s | none |" % next(
        o["name"] for o in state["organizations"] if o["label"] == "legacy-site") in summary

    for text in (summary, (work / "reports/access-review.csv").read_text()):
        assert emulator.token not in text and "Pass-1" not in text and "password" not in text.lower()
    assert str(work / "reports/access-review.csv") in run.stdout


def test_access_review_prints_a_line_per_page_on_a_large_account(emulator, run_playbook, tmp_path):
    emulator.set_state(users=generate(1100, 0)["users"])
    run = run_playbook([], playbook="ubidots.industrial.access_review", extra_vars={"report_dir": str(tmp_path / "r")})
    assert run.rc == 0, run.output
    assert "users page 1 of 3" in run.stdout
    assert "users page 2 of 3" in run.stdout and "users page 3 of 3" in run.stdout
    assert len(user_reads(emulator)) == 3, "one request per page"
    assert not [e for e in emulator.log() if e["method"] != "GET"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r/access-review.csv").read_text())))
    assert len({r["username"] for r in rows}) == len(emulator.state()["users"])
    assert "| Users | %d |" % len(emulator.state()["users"]) in (tmp_path / "r/access-review.md").read_text()
