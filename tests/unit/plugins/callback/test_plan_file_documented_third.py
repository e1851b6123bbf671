# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file (the ubidots.industrial.plan callback), third part: what plan.json records of each task, the roles'
loops, the layout of plan.md around its notes, and where the Markdown bound cuts.

Issue 28: each test here was checked to fail when the behaviour it covers is taken out of a copy of
plugins/module_utils/_plan_file.py (scripts/mutants.py --check). The promises come from the callback's DOCUMENTATION
(plugins/callback/plan.py), docs/plan-example.md (the plan.md of the demo, line for line) and docs/gitops.md (The plan
on the pull request).
"""

from __future__ import annotations

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._plan_file import (
    make_plan,
    render_markdown,
    task_entries,
)
from ubidots_testing import bulk_result as result_of

USERS = "ubidots.industrial.ubidots_users_bulk"
ORGS = "ubidots.industrial.ubidots_orgs_bulk"
HIDDEN = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"


def delete(oid, name, before=None):
    return {"action": "delete", "id": oid, "username": name, "before": before or {"username": name}, "after": ""}


def create(name):
    return {"action": "create", "id": None, "username": name, "before": "", "after": {"username": name}}


def plan_of(entries, **options):
    return make_plan(entries, version="0.2.0", playbook=options.pop("playbook", "apply.yml"), **options)


def entries_of(result, action=USERS, task="Users are as described", host="localhost", check_mode=True, **options):
    return task_entries(result, task=task, host=host, action=action, check_mode=check_mode, **options)


def call(label, result):
    """One call of the roles' loop (plugins/callback/plan.py: "one result per call of their loop")."""
    return dict(result, _ansible_item_label=label)


# -- plan.json (plugins/callback/plan.py: plan.json holds, per task and kind, every change, "the counts, whether the
# run was in check mode, the collection's version and a digest"; "A failed task is recorded with its message") -------


def test_plan_json_says_which_collection_wrote_it_in_which_format_and_when():
    plan = plan_of(entries_of(result_of([create("grace")])), generated="2026-12-05T04:00:00Z")
    assert plan["format"] == 1
    assert plan["collection"] == "ubidots.industrial" and plan["version"] == "0.2.0"
    assert plan["generated"] == "2026-12-05T04:00:00Z"
    assert "generated" not in plan_of(entries_of(result_of([create("grace")])))


def test_each_task_of_plan_json_says_whether_the_module_changed_anything():
    changed = entries_of(result_of([create("grace")]))
    unchanged = entries_of(result_of([]), task="Users are kept")
    tasks = plan_of(changed + unchanged)["tasks"]
    assert [(task["task"], task["changed"]) for task in tasks] == [
        ("Users are as described", True),
        ("Users are kept", False),
    ]


def test_a_hidden_result_says_why_its_changes_are_missing_in_plan_json():
    # docs/plan-example.md: "a result hidden by `no_log` ... [is] said at the top: nothing is left out silently".
    (entry,) = plan_of(entries_of({"censored": HIDDEN, "changed": True}))["tasks"]
    assert entry["status"] == "hidden"
    assert entry["message"] == "the task's result is hidden by no_log: its changes are not in this plan"


def test_a_failure_that_failed_when_overrides_counts_nothing():
    # A bulk task with `failed_when: false` whose module failed reaches the callback as an ok result holding only the
    # failure's msg and errors (module_utils/_common.py run(): fail_json(msg=..., errors=...)): it changed nothing.
    result = {
        "failed": False,
        "failed_when_result": False,
        "changed": False,
        "msg": "1 error in users: users[0]: email: is not an email address. Nothing was written.",
        "errors": ["users[0]: email: is not an email address"],
    }
    plan = plan_of(entries_of(result))
    assert plan["counts"] == {"users": {"create": 0, "update": 0, "deactivate": 0, "delete": 0, "unchanged": 0}}
    assert plan["tasks"][0]["changes"] == []


def test_the_digest_does_not_depend_on_the_order_of_keys_the_api_returned():
    # docs/plan-example.md: "The digest is the same for the check run and for the real run that applies the same change
    # to the same account": a delete's `before` is the object as read, whose keys the API may list in any order.
    first = result_of([delete("u-1", "dave", {"username": "dave", "email": "dave@example.com", "lastName": "Doe"})])
    again = result_of([delete("u-1", "dave", {"lastName": "Doe", "email": "dave@example.com", "username": "dave"})])
    checked = plan_of(entries_of(first, check_mode=True))
    applied = plan_of(entries_of(again, check_mode=False))
    assert checked["digest"] == applied["digest"]


# -- the roles' loops (plugins/callback/plan.py: "also those that the roles ... run (one result per call of their
# loop)"; "A failed task is recorded with its message and what it applied") -------------------------------------------


def test_every_call_of_a_loop_is_recorded_with_its_task_host_and_check_mode_past_a_skipped_one():
    looped = {
        "changed": True,
        "results": [
            {"skipped": True, "changed": False, "_ansible_item_label": "state absent, hosts nobody"},
            call("state present, hosts plant-north", result_of([create("grace")])),
            call("state absent, hosts leavers", result_of([delete("u-2", "dave")])),
        ],
    }
    entries = entries_of(looped, task="Users are in the desired state", host="plant-north", check_mode=True)
    assert [(e["call"], e["task"], e["host"], e["check_mode"], e["status"]) for e in entries] == [
        ("state present, hosts plant-north", "Users are in the desired state", "plant-north", True, "ok"),
        ("state absent, hosts leavers", "Users are in the desired state", "plant-north", True, "ok"),
    ]
    assert plan_of(entries)["check_mode"] is True


def test_a_failed_call_of_a_loop_is_recorded_as_failed_with_its_message():
    failed_call = call(
        "state absent, hosts leavers",
        {"failed": True, "changed": False, "msg": "max_deletions is 1: 2 users would be deleted. Nothing was written."},
    )
    looped = {"changed": False, "failed": True, "results": [call("state present, hosts all", result_of([])), failed_call]}
    entries = entries_of(looped, failed=True)
    assert [e["status"] for e in entries] == ["ok", "failed"]
    assert entries[1]["message"] == "max_deletions is 1: 2 users would be deleted. Nothing was written."
    lines = render_markdown(plan_of(entries)).splitlines()
    assert (
        "- **Failed**: task `Users are as described` on localhost (state absent, hosts leavers): "
        "`max_deletions is 1: 2 users would be deleted. Nothing was written.`"
    ) in lines


def test_a_note_of_a_loop_call_names_the_call():
    looped = {
        "changed": True,
        "results": [call("state present, hosts plant-north", result_of([create("grace")], warnings=["check this"]))],
    }
    lines = render_markdown(plan_of(entries_of(looped))).splitlines()
    assert "- Warning from task `Users are as described` on localhost (state present, hosts plant-north): check this" in lines


# -- plan.md around its notes (docs/plan-example.md shows the layout: a blank line between blocks; "A failed task, a
# result hidden by `no_log`, or changes past a task's `changes_limit` ... are said at the top") ------------------------


def test_a_plan_without_change_with_an_object_kept_by_protected_reads_whole():
    # A protected object is named by its name, or by its id when the account holds none for it.
    result = result_of([], name_key="label", protected=[{"id": "o-7", "label": ""}])
    result["counts"]["unchanged"] = 2
    plan = plan_of(entries_of(result, action=ORGS, task="Orgs"))
    assert render_markdown(plan) == (
        "## Ubidots plan (check mode)\n"
        "\n"
        "| Kind | Create | Update | Delete | Unchanged |\n"
        "|---|---:|---:|---:|---:|\n"
        "| organizations | 0 | 0 | 0 | 2 |\n"
        "\n"
        "Check mode: nothing was written. This is what a real run would change.\n"
        "\n"
        "`apply.yml` · ubidots.industrial 0.2.0 · digest `%s`\n"
        "\n"
        "**No change**: 2 organizations already as described.\n"
        "\n"
        "**Notes**\n"
        "\n"
        "- task `Orgs` on localhost: kept by protected: `o-7`\n"
    ) % plan["digest"][:23]


def test_a_run_without_bulk_tasks_where_a_host_was_unreachable_reads_whole():
    plan = plan_of([], playbook="site.yml", check_mode=False, problems=["Host plant-south was unreachable."])
    assert render_markdown(plan) == (
        "## Ubidots plan (applied)\n"
        "\n"
        "Applied: a real run made these changes.\n"
        "\n"
        "`site.yml` · ubidots.industrial 0.2.0 · digest `%s`\n"
        "\n"
        "No bulk task of ubidots.industrial ran in this playbook: there is no change to show.\n"
        "\n"
        "**The run did not complete: this plan may be partial.**\n"
        "\n"
        "- Host plant-south was unreachable.\n"
    ) % plan["digest"][:23]


def test_exactly_twenty_protected_names_and_twenty_notes_are_all_shown_and_nothing_more_is_counted():
    # _plan_file.SHOWN: "At most this many failures, notes or protected names are written into plan.md".
    protected = [{"id": "p-%02d" % n, "username": "keep-%02d" % n} for n in range(20)]
    result = result_of([], protected=protected, warnings=["warning %d" % n for n in range(19)])
    lines = render_markdown(plan_of(entries_of(result))).splitlines()
    names = ", ".join("`keep-%02d`" % n for n in range(20))
    assert "- task `Users are as described` on localhost: kept by protected: %s" % names in lines
    assert "- Warning from task `Users are as described` on localhost: warning 18" in lines
    assert not any("more" in line for line in lines)


# -- the bound (plugins/callback/plan.py: plan.md "is at most markdown_limit characters long; what does not fit is
# counted (and 9,412 more updates), never cut in the middle of a line") ----------------------------------------------


def six_deletes():
    return plan_of(entries_of(result_of([delete("id-%d" % n, "leaver-%d" % n) for n in range(6)])))


def test_nothing_of_a_section_fits_its_heading_is_followed_by_the_count_alone():
    plan = six_deletes()
    text = render_markdown(plan, limit=1)
    assert text.endswith("\n### Deletes: cannot be undone (6)\n\n_… and 6 more deletes (every one is in plan.json)._\n")


def test_an_object_is_shown_exactly_when_its_line_fits_in_the_room_left_for_it():
    # The room for objects: the limit, less the text above the sections, less each section's heading and its
    # "and N more" line (with a few line breaks), each object taking its line and a line break.
    plan = six_deletes()
    full = render_markdown(plan, limit=0)
    head = full[: full.index("\n### ")]
    heading = "### Deletes: cannot be undone (6)"
    more = "_… and 6 more deletes (every one is in plan.json)._"
    lines = ["- user `leaver-%d` (id `id-%d`)" % (n, n) for n in range(6)]
    three = len(head) + len(heading) + len(more) + 6 + sum(len(line) + 2 for line in lines[:3])
    text = render_markdown(plan, limit=three)
    assert len(text) <= three
    assert text.endswith("\n".join([heading, ""] + lines[:3] + ["", "_… and 3 more deletes (every one is in plan.json)._"]) + "\n")
    text = render_markdown(plan, limit=three - 1)
    assert text.endswith("\n".join([heading, ""] + lines[:2] + ["", "_… and 4 more deletes (every one is in plan.json)._"]) + "\n")


def test_a_last_line_ending_in_x_keeps_its_x():
    # Two hosts change users: each line says its task and host (docs/gitops.md, One host per plant or site).
    entries = entries_of(result_of([delete("a-1", "dave")]), task="Leavers", host="line-IX") + entries_of(
        result_of([delete("b-1", "erin")]), task="Leavers", host="line-X"
    )
    lines = render_markdown(plan_of(entries)).splitlines()
    assert lines[-1] == "- user `erin` (id `b-1`) · Leavers on line-X"


def test_notes_longer_than_the_limit_are_fewer_and_counted_and_the_plan_stays_within_it():
    # plugins/callback/plan.py: plan.md "is at most markdown_limit characters long; what does not fit is counted".
    # Twenty warnings of about 300 characters do not fit in 2,000: fewer are shown, the rest counted.
    result = result_of([delete("u-1", "dave")], warnings=["warning %d: %s" % (n, "w" * 280) for n in range(20)])
    text = render_markdown(plan_of(entries_of(result)), limit=2000)
    assert len(text) <= 2000
    shown = text.count("- Warning from task")
    assert 0 < shown < 20
    assert "- _… and %d more notes (every one is in plan.json)._" % (20 - shown) in text.splitlines()
    assert text.endswith("_… and 1 more delete (every one is in plan.json)._\n")


@pytest.mark.parametrize("limit", range(1700, 2800, 50))
def test_as_many_notes_are_shown_as_fit_in_the_limit(limit):
    # Within the limit, what does not fit is counted: so the note after the last one shown must not fit. Notes of
    # about 300 characters; the limits step by 50, so some show an odd number of notes and some an even one.
    result = result_of([delete("u-1", "dave")], warnings=["warning %d: %s" % (n, "w" * 280) for n in range(20)])
    plan = plan_of(entries_of(result))
    every = [line for line in render_markdown(plan, limit=0).splitlines() if line.startswith("- Warning from task")]
    text = render_markdown(plan, limit=limit)
    shown = [line for line in text.splitlines() if line.startswith("- Warning from task")]
    assert shown == every[:len(shown)] and len(shown) < 20
    assert len(text) <= limit
    assert len(text) + len(every[len(shown)]) + 1 > limit, "the next note fits: %d shown" % len(shown)
    # A text that fills its limit to the last character fits in it too: the same notes at a limit of exactly its length.
    assert render_markdown(plan, limit=len(text)) == text


def test_the_digest_of_a_plan_does_not_change_between_releases():
    # docs/gitops.md: the real run records "the same digest as the check run that previewed it". The check run of a
    # pull request and the run after its merge may use different releases of the collection (a dependency bump merged
    # in between), so the digest of one plan is pinned here; a release that changes how the plan is serialized for it
    # (separators, escaping of "José", the encoding) breaks that comparison and must say so in its changelog.
    result = result_of([delete("u-1", "José")])
    digest = plan_of(entries_of(result))["digest"]
    assert digest == plan_of(entries_of(result, check_mode=False))["digest"]
    assert digest == "sha256:b88e5d4306db8f81bbf8752546c8805e17428a88985a2553059acff606278d11"
