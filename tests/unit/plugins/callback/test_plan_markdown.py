# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file of a run (the ubidots.industrial.plan callback): plan.json built from what the bulk modules return,
and plan.md, the pull-request comment, bounded, parsed by a real Markdown parser (markdown-it-py)."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._plan_file import (
    MARKDOWN_LIMIT,
    make_plan,
    render_markdown,
    task_entries,
)

USERS = "ubidots.industrial.ubidots_users_bulk"
ORGS = "ubidots.industrial.ubidots_orgs_bulk"


def users_result(creates=(), updates=(), deletes=(), deactivates=(), unchanged=0, limit=1000, **extra):
    """A result of ubidots_users_bulk as the module returns it (module_utils/_bulk.py result())."""
    changes = ([{"action": "create", "id": None, "username": name, "before": "",
                 "after": {"username": name, "email": name + "@example.com", "password": "********"}}
                for name in creates]
               + [{"action": "update", "id": oid, "username": name, "before": {"lastName": "Old"}, "after": {"lastName": "New"}}
                  for oid, name in updates]
               + [{"action": "deactivate", "id": oid, "username": name, "before": {"isActive": True}, "after": {"isActive": False}}
                  for oid, name in deactivates]
               + [{"action": "delete", "id": oid, "username": name, "before": {"username": name, "email": name + "@example.com"}, "after": ""}
                  for oid, name in deletes])
    shown = changes[:limit] if limit else changes
    result = {
        "changed": bool(changes), "created": list(creates), "changed_ids": [oid for oid, _name in updates],
        "deleted_ids": [oid for oid, _name in deletes], "deactivated": [oid for oid, _name in deactivates],
        "unchanged_ids": ["u%05d" % n for n in range(unchanged)],
        "counts": {"created": len(creates), "updated": len(updates), "deleted": len(deletes),
                   "deactivated": len(deactivates), "unchanged": unchanged},
        "protected": [], "changes": shown, "changes_omitted": len(changes) - len(shown), "tasks": [],
    }
    result.update(extra)
    return result


def plan_of(result, action=USERS, check_mode=True, task="Users are as described"):
    return make_plan(task_entries(result, task=task, host="localhost", action=action, check_mode=check_mode),
                     version="0.2.0", playbook="apply.yml")


def big_plan(creates, updates, deletes):
    result = users_result(creates=["new-%05d" % n for n in range(creates)],
                          updates=[("id-u%05d" % n, "member-%05d" % n) for n in range(updates)],
                          deletes=[("id-d%05d" % n, "leaver-%05d" % n) for n in range(deletes)], limit=0)
    return plan_of(result)


def parse(text):
    """The tokens of a real CommonMark parser with GitHub's tables (markdown-it-py: in .venv, not in the matrix venvs)."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def test_ten_thousand_changes_stay_under_the_bound_with_every_delete_named():
    text = render_markdown(big_plan(creates=500, updates=9000, deletes=500))
    assert len(text) <= MARKDOWN_LIMIT == 60000
    for n in range(500):
        assert "leaver-%05d" % n in text
    shown = len(re.findall(r"<details>", text))
    more = re.search(r"and ([\d,]+) more updates", text)
    assert more, text[-2000:]
    assert shown + int(more.group(1).replace(",", "")) == 9000
    print("plan.md for 10,000 changes: %d characters" % len(text))


def test_ten_thousand_changes_parse_as_markdown_with_every_delete_a_list_item():
    tokens = parse(render_markdown(big_plan(creates=500, updates=9000, deletes=500)))
    assert [t.type for t in tokens if t.type in ("table_open", "table_close")] == ["table_open", "table_close"]
    items = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert sum(1 for item in items if re.match(r"user `leaver-\d{5}`", item)) == 500
    fences = [t for t in tokens if t.type == "fence"]
    assert fences and all(t.info == "diff" for t in fences)


def test_deletes_are_the_last_thing_dropped():
    text = render_markdown(big_plan(creates=3000, updates=3000, deletes=10000))
    assert len(text) <= MARKDOWN_LIMIT
    assert "<details>" not in text  # no update shown while deletes do not fit
    assert not re.search(r"^- .*new-0", text, re.M)  # nor any create
    assert re.search(r"and 3,000 more creates", text) and re.search(r"and 3,000 more updates", text)
    named = len(re.findall(r"leaver-\d{5}", text))
    more = re.search(r"and ([\d,]+) more deletes", text)
    assert named > 500 and more and named + int(more.group(1).replace(",", "")) == 10000


def test_bounded_text_is_whole_lines_of_the_full_text():
    plan = big_plan(creates=2000, updates=2000, deletes=2000)
    full = render_markdown(plan, limit=0)
    assert len(full) > MARKDOWN_LIMIT
    full_lines = set(full.splitlines())
    for line in render_markdown(plan).splitlines():
        assert line in full_lines or re.search(r"and [\d,]+ more", line), line


def test_counts_table_first_then_deletes_then_creates_then_updates():
    result = users_result(creates=["grace"], updates=[("id-1", "ada")], deletes=[("id-2", "bob")], unchanged=3)
    text = render_markdown(plan_of(result))
    tokens = parse(text)
    first_block = next(t for t in tokens if t.type in ("table_open", "bullet_list_open", "html_block", "paragraph_open"))
    assert first_block.type == "table_open"
    header = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert header == ["Kind", "Create", "Update", "Delete", "Unchanged"] or header == [
        "Kind", "Create", "Update", "Deactivate", "Delete", "Unchanged"]
    assert text.index("bob") < text.index("grace") < text.index("ada")
    row = next(line for line in text.splitlines() if line.startswith("| users"))
    assert [cell.strip() for cell in row.strip("|").split("|")][1:] in (["1", "1", "1", "3"], ["1", "1", "0", "1", "3"])
    assert re.search(r"<details>\s*<summary>.*ada", text, re.S)  # updates folded


def test_nothing_to_change_says_so():
    text = render_markdown(plan_of(users_result(unchanged=40)))
    assert "No change" in text and "40" in text


def test_passwords_and_the_token_never_reach_either_file():
    result = users_result(creates=["grace"], updates=[("id-1", "ada")])
    # Even if a result carried a secret in clear (a bug, or a module of another version), the plan masks it,
    # and never copies the invocation (its api_token).
    result["changes"][0]["after"]["password"] = "Clear-Text-Pass-1"
    result["changes"][1]["after"]["password"] = "Other-Pass-2"
    result["invocation"] = {"module_args": {"api_token": "BBUS-secret-token", "users": [{"password": "Clear-Text-Pass-1"}]}}
    plan = plan_of(result)
    for text in (json.dumps(plan), render_markdown(plan)):
        assert "Clear-Text-Pass-1" not in text and "Other-Pass-2" not in text and "BBUS-secret-token" not in text
    assert plan["tasks"][0]["changes"][0]["after"]["password"] == "********"


def test_digest_is_the_same_in_check_mode_and_in_a_real_run():
    result = users_result(creates=["grace"], updates=[("id-1", "ada")], deletes=[("id-2", "bob")])
    checked, applied = plan_of(result, check_mode=True), plan_of(result, check_mode=False)
    assert checked["check_mode"] is True and applied["check_mode"] is False
    assert checked["digest"] == applied["digest"]
    other = plan_of(users_result(creates=["grace"], updates=[("id-1", "ada")], deletes=[("id-3", "carl")]))
    assert other["digest"] != checked["digest"]
    assert "check mode" in render_markdown(checked).lower() and "applied" in render_markdown(applied).lower()


def test_plan_json_counts_per_kind_and_lists_every_change_with_id_and_name():
    users = task_entries(users_result(creates=["grace"], updates=[("id-1", "ada")], deletes=[("id-2", "bob")], unchanged=2),
                         task="users", host="localhost", action=USERS, check_mode=True)
    orgs = task_entries({"changed": True, "created": ["plant-east"], "changed_ids": [], "deleted_ids": ["o-9"], "deactivated": [],
                         "unchanged_ids": [], "counts": {"created": 1, "updated": 0, "deleted": 1, "deactivated": 0, "unchanged": 0},
                         "protected": [], "changes_omitted": 0,
                         "changes": [{"action": "create", "id": None, "label": "plant-east", "before": "", "after": {"label": "plant-east"}},
                                     {"action": "delete", "id": "o-9", "label": "old-plant", "before": {"label": "old-plant"}, "after": ""}]},
                        task="orgs", host="localhost", action=ORGS, check_mode=True)
    plan = make_plan(users + orgs, version="0.2.0", playbook="apply.yml")
    assert plan["counts"]["users"] == {"create": 1, "update": 1, "deactivate": 0, "delete": 1, "unchanged": 2}
    assert plan["counts"]["organizations"] == {"create": 1, "update": 0, "deactivate": 0, "delete": 1, "unchanged": 0}
    assert plan["version"] == "0.2.0" and plan["digest"].startswith("sha256:")
    kinds = [task["kind"] for task in plan["tasks"]]
    assert kinds == ["users", "organizations"]
    names = [(c["action"], c["id"], c["name"]) for task in plan["tasks"] for c in task["changes"]]
    assert names == [("create", None, "grace"), ("update", "id-1", "ada"), ("delete", "id-2", "bob"),
                     ("create", None, "plant-east"), ("delete", "o-9", "old-plant")]
    text = render_markdown(plan)
    assert "old-plant" in text and "bob" in text


def test_a_role_call_loop_gives_one_entry_per_call():
    looped = {"changed": True, "results": [
        dict(users_result(creates=["grace"]), _ansible_item_label="default URL, state present, hosts plant-north", __ubidots_index=0),
        dict(users_result(deletes=[("id-2", "bob")]), _ansible_item_label="default URL, state absent, hosts leavers", __ubidots_index=1),
        {"skipped": True, "changed": False},
    ]}
    entries = task_entries(looped, task="Users are in the desired state", host="localhost", action=USERS, check_mode=True)
    assert [e["call"] for e in entries] == ["default URL, state present, hosts plant-north", "default URL, state absent, hosts leavers"]
    plan = make_plan(entries, version="0.2.0", playbook="apply.yml")
    assert plan["counts"]["users"]["create"] == 1 and plan["counts"]["users"]["delete"] == 1


def test_changes_past_changes_limit_are_still_listed_by_id_and_said_to_lack_detail():
    result = users_result(updates=[("id-%d" % n, "user-%d" % n) for n in range(5)], deletes=[("id-d%d" % n, "gone-%d" % n) for n in range(3)],
                          limit=4)
    plan = plan_of(result)
    changes = plan["tasks"][0]["changes"]
    assert [c["action"] for c in changes].count("delete") == 3 and [c["action"] for c in changes].count("update") == 5
    assert {c["id"] for c in changes if c["action"] == "delete"} == {"id-d0", "id-d1", "id-d2"}
    assert plan["tasks"][0]["without_detail"] == 4
    text = render_markdown(plan)
    assert "id-d2" in text  # a delete without its name is still listed, by id
    assert "changes_limit" in text


def test_a_failed_task_and_a_hidden_result_are_said_not_skipped():
    failed = task_entries({"failed": True, "msg": "3 errors in users: ...", "errors": ["users[0]: tags: must be list"], "status": 400},
                          task="users", host="localhost", action=USERS, check_mode=True, failed=True)
    hidden = task_entries({"censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
                           "changed": True}, task="orgs", host="localhost", action=ORGS, check_mode=True)
    plan = make_plan(failed + hidden, version="0.2.0", playbook="apply.yml")
    text = render_markdown(plan)
    assert "failed" in text.lower() and "3 errors in users" in text
    assert "no_log" in text
    assert plan["complete"] is False
    assert [entry["status"] for entry in plan["tasks"]] == ["failed", "hidden"] and plan["tasks"][0]["http_status"] == 400


def test_names_that_look_like_markdown_do_not_break_the_comment():
    result = {"changed": True, "created": [], "changed_ids": ["o-1"], "deleted_ids": ["o-2"], "deactivated": [], "unchanged_ids": [],
              "counts": {"created": 0, "updated": 1, "deleted": 1, "deactivated": 0, "unchanged": 0}, "protected": [], "changes_omitted": 0,
              "changes": [{"action": "update", "id": "o-1", "label": "a|b", "before": {"description": "```\n<script>x</script>"},
                           "after": {"description": "| col | `tick`"}},
                          {"action": "delete", "id": "o-2", "label": "<img src=x onerror=alert(1)> | **bold**", "before": {"label": "x"}, "after": ""}]}
    text = render_markdown(plan_of(result, action=ORGS))
    tokens = parse(text)
    inline_html = [child.content for t in tokens if t.type == "inline" for child in (t.children or []) if child.type == "html_inline"]
    assert not any("<img" in h or "<script" in h for h in inline_html)
    assert not any("<img" in t.content or "<script" in t.content for t in tokens if t.type == "html_block")
    rows = [line for line in text.splitlines() if line.startswith("| organizations")]
    assert len(rows) == 1
