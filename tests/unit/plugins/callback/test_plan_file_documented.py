# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file (the ubidots.industrial.plan callback) as its documentation promises it, built from the bulk
modules' results.

Issue 28: each test here was checked to fail when the behaviour it covers is taken out of a copy of
plugins/module_utils/_plan_file.py (see docs/development.md, Mutation testing). The promises come from
docs/plan-example.md, docs/gitops.md (The plan on the pull request) and the callback's DOCUMENTATION
(plugins/callback/plan.py), not from a mutant's diff. Secrets first, then deletes and what is cut, then wording.
"""

from __future__ import annotations

import json
import pathlib
import re

from ansible_collections.ubidots.industrial.plugins.module_utils._plan_file import (
    make_plan,
    masked,
    module_name,
    render_markdown,
    task_entries,
)
from ubidots_testing import bulk_result as result_of

USERS = "ubidots.industrial.ubidots_users_bulk"
ORGS = "ubidots.industrial.ubidots_orgs_bulk"
DOCS = pathlib.Path(__file__).resolve().parents[4] / "docs"


def entries_of(result, action=USERS, task="Users are as described", host="localhost", check_mode=True):
    return task_entries(result, task=task, host=host, action=action, check_mode=check_mode)


def update(oid, name, before, after, name_key="username"):
    return {"action": "update", "id": oid, name_key: name, "before": before, "after": after}


def delete(oid, name, name_key="username"):
    return {"action": "delete", "id": oid, name_key: name, "before": {name_key: name}, "after": ""}


def create(name, after, name_key="username"):
    return {"action": "create", "id": None, name_key: name, "before": "", "after": dict(after, **{name_key: name})}


def deactivate(oid, name):
    return {
        "action": "deactivate",
        "id": oid,
        "username": name,
        "before": {"isActive": True},
        "after": {"isActive": False},
    }


def demo_plan(check_mode=True, password="Hana-Clear-Pass-1"):
    """The run of docs/plan-example.md: the demo's organizations and users, then two leavers deleted."""
    orgs = result_of(
        [
            create("south_site", {"description": "Opened in 2026", "name": "South Site"}, name_key="label"),
            update(
                "5fc8e4b7a1c2d3e4f5a6b701",
                "acme-plant",
                {"description": "Main plant", "properties": {"site": "north", "shifts": 3}},
                {"description": "Main plant, rebuilt in 2026", "properties": {"site": "north", "shifts": 4}},
                name_key="label",
            ),
            update(
                "5fc8e4b7a1c2d3e4f5a6b702",
                "north_site",
                {"app": "field-service"},
                {"app": "acme-portal"},
                name_key="label",
            ),
        ],
        name_key="label",
    )
    users = result_of(
        [
            create(
                "hana",
                {
                    "email": "hana@example.com",
                    "firstName": "Hana",
                    "organizations": [{"label": "acme-plant", "role": "operator"}],
                    "password": password,
                },
            ),
            update(
                "409dba9c67d3bb19f554",
                "alice",
                {
                    "defaultOrganization": "org1",
                    "lastName": "Anders",
                    "organizations": [{"label": "org1", "role": "editor"}],
                    "tags": ["berlin", "ops"],
                },
                {
                    "defaultOrganization": "acme-plant",
                    "lastName": "Liddell",
                    "organizations": [{"label": "north_site", "role": "viewer"}, {"label": "org1", "role": "editor"}],
                    "tags": ["engineering", "on-call"],
                },
            ),
            update(
                "445da83878abc3c75756",
                "bob",
                {"contactMethods": [], "timezone": None},
                {
                    "contactMethods": [
                        {"properties": {}, "type": "email", "values": ["bob@example.com"]},
                        {"properties": {}, "type": "sms", "values": ["+15550100"]},
                    ],
                    "timezone": "Europe/Berlin",
                },
            ),
            update(
                "5e8f1c2d3b4a596877665504",
                "carol",
                {"decimalPlaces": 1, "website": ""},
                {"decimalPlaces": 3, "website": "https://carol.example.com"},
            ),
        ]
    )
    leavers = result_of([delete("5e8f1c2d3b4a596877665505", "dave"), delete("5e8f1c2d3b4a596877665507", "frank_ops")])
    entries = (
        entries_of(orgs, action=ORGS, task="Organizations are as described", check_mode=check_mode)
        + entries_of(users, check_mode=check_mode)
        + entries_of(leavers, task="Leavers are deleted", check_mode=check_mode)
    )
    return make_plan(entries, version="0.1.0", playbook="plan-demo.yml")


def documented_example(plan):
    """The plan.md docs/plan-example.md shows (after its `---`), with this plan's digest."""
    shown = (DOCS / "plan-example.md").read_text(encoding="utf-8").split("\n---\n\n", 1)[1]
    return re.sub(r"sha256:[0-9a-f]{16}", plan["digest"][:23], shown)


# -- secrets (docs/plan-example.md: "Passwords show as `********`, and neither file ever holds the token";
# plugins/callback/plan.py: "every key that holds a secret is masked again") -------------------------------------------


def test_the_demo_plan_is_the_one_the_documentation_shows_line_for_line():
    plan = demo_plan()
    text = render_markdown(plan)
    assert text == documented_example(plan)
    assert "Hana-Clear-Pass-1" not in text and "Hana-Clear-Pass-1" not in json.dumps(plan)


def test_a_password_is_masked_at_any_depth_and_nothing_else_is():
    value = {
        "username": "hana",
        "password": "Clear-1",
        "email": "hana@example.com",
        "decimalPlaces": 2,
        "organizations": [{"label": "acme-plant", "role": "operator"}],
        "nested": {"password": "Clear-2", "items": [{"password": "Clear-3", "lastName": "Lee"}, "plain", 7]},
    }
    assert masked(value) == {
        "username": "hana",
        "password": "********",
        "email": "hana@example.com",
        "decimalPlaces": 2,
        "organizations": [{"label": "acme-plant", "role": "operator"}],
        "nested": {"password": "********", "items": [{"password": "********", "lastName": "Lee"}, "plain", 7]},
    }
    assert masked([{"password": "Clear-4"}, {"lastName": "Lee"}]) == [{"password": "********"}, {"lastName": "Lee"}]


def test_the_modules_own_words_for_a_secret_stay_as_they_are():
    # masked(): "the modules' own words for a secret, the mask and "write-only", stay as they are"; no password
    # (empty or null) is not shown as if there were one.
    for word in ("********", "(write-only, not readable)", "", None):
        assert masked({"password": word}) == {"password": word}


def test_a_secret_in_clear_in_a_result_never_reaches_plan_json_or_plan_md():
    result = result_of(
        [
            update(
                "id-1",
                "ada",
                {"password": "Old-Clear-1", "lastName": "Old"},
                {"password": "New-Clear-2", "lastName": "New"},
            ),
            create("grace", {"password": "Grace-Clear-3", "email": "grace@example.com"}),
        ]
    )
    plan = make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")
    text = render_markdown(plan)
    for secret in ("Old-Clear-1", "New-Clear-2", "Grace-Clear-3"):
        assert secret not in text and secret not in json.dumps(plan)
    assert '- lastName: "Old"' in text and '+ lastName: "New"' in text and 'email `"grace@example.com"`' in text


# -- a real run, deletes and deactivations (docs/plan-example.md: "A real run says `(applied)`"; docs/gitops.md:
# "the counts per kind, then the deletes by name"; plugins/callback/plan.py: "then the deletes by name, the
# deactivations, the creates, and the updates") -------------------------------------------------------------------


def test_a_real_run_says_applied_and_not_check_mode():
    plan = demo_plan(check_mode=False)
    lines = render_markdown(plan).splitlines()
    assert lines[0] == "## Ubidots plan (applied)"
    assert "Applied: a real run made these changes." in lines
    assert not any(line.startswith("Check mode") for line in lines)
    assert "**This plan deletes 2 users.** Deletes cannot be undone." in lines
    assert "`plan-demo.yml` · ubidots.industrial 0.1.0 · digest `%s`" % plan["digest"][:23] in lines


def test_deactivations_are_counted_named_and_said_before_the_creates():
    result = result_of(
        [create("grace", {"email": "grace@example.com"}), deactivate("d-1", "dave"), deactivate("d-2", "erin")]
    )
    text = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="leavers.yml"))
    lines = text.splitlines()
    assert "| Kind | Create | Update | Deactivate | Delete | Unchanged |" in lines
    assert "| users | 1 | 0 | 2 | 0 | 0 |" in lines
    assert "**This plan deactivates 2 users.**" in lines  # nothing deleted: no "cannot be undone"
    assert "- user `dave` (id `d-1`) (isActive true → false)" in lines
    assert "- user `erin` (id `d-2`) (isActive true → false)" in lines
    assert lines.index("### Deactivations (2)") < lines.index("### Creates (1)")


def test_one_delete_and_one_deactivation_are_said_in_the_singular_with_the_deletes_warning():
    users = result_of([delete("u-1", "dave"), deactivate("u-2", "erin")])
    orgs = result_of([delete("o-1", "old-plant", name_key="label")], name_key="label")
    text = render_markdown(
        make_plan(entries_of(orgs, action=ORGS) + entries_of(users), version="0.2.0", playbook="apply.yml")
    )
    assert (
        "**This plan deletes 1 organization; deletes 1 user; deactivates 1 user.** Deletes cannot be undone."
        in text.splitlines()
    )
    assert "- organization `old-plant` (id `o-1`)" in text.splitlines()


def test_what_does_not_fit_is_counted_in_the_singular_and_the_plural():
    one_each = result_of(
        [
            delete("u-1", "dave"),
            deactivate("u-2", "erin"),
            create("grace", {}),
            update("u-3", "ada", {"lastName": "Old"}, {"lastName": "New"}),
        ]
    )
    two_each = result_of(
        [
            delete("u-1", "dave"),
            delete("u-4", "fred"),
            deactivate("u-2", "erin"),
            deactivate("u-5", "gus"),
            create("grace", {}),
            create("hana", {}),
            update("u-3", "ada", {"lastName": "Old"}, {"lastName": "New"}),
            update("u-6", "bea", {"lastName": "Old"}, {"lastName": "New"}),
        ]
    )
    text = render_markdown(make_plan(entries_of(one_each), version="0.2.0", playbook="apply.yml"), limit=1)
    for noun in ("delete", "deactivation", "create", "update"):
        assert "_… and 1 more %s (every one is in plan.json)._" % noun in text.splitlines(), noun
    text = render_markdown(make_plan(entries_of(two_each), version="0.2.0", playbook="apply.yml"), limit=1)
    for noun in ("deletes", "deactivations", "creates", "updates"):
        assert "_… and 2 more %s (every one is in plan.json)._" % noun in text.splitlines(), noun
    assert "dave" not in text and "grace" not in text


# -- changes past changes_limit (docs/plan-example.md: "changes past a task's `changes_limit` (listed by id only) are
# said at the top"; plugins/callback/plan.py: "listed by id (a create by its name) without their keys") ----------


def test_changes_past_changes_limit_are_listed_by_id_and_say_why_they_lack_detail():
    result = result_of([update("u-1", "ada", {"lastName": "Old"}, {"lastName": "New"}), delete("u-2", "dave")])
    result["changed_ids"].append("u-9")
    result["deleted_ids"].append("u-8")
    result["created"] = ["zoe"]
    lines = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")).splitlines()
    assert "- user (id `u-8`) (its name is past the task's `changes_limit`: see the account)" in lines
    assert "- user `dave` (id `u-2`)" in lines
    assert "- user (id `u-9`) (its keys are past the task's `changes_limit`)" in lines
    assert "- user `zoe`" in lines
    assert (
        "- task `Users are as described` on localhost: 3 changes past the module's `changes_limit` are listed by id or"
        " name only."
    ) in lines


# -- several calls of one kind (plugins/callback/plan.py: the roles' calls, "one result per call of their loop";
# docs/gitops.md, One host per plant or site): the same name may be in two accounts, so each line says its call ------


def test_changes_of_one_kind_from_several_hosts_say_the_task_and_host_of_each():
    north = result_of(
        [
            delete("n-1", "dave"),
            update("n-2", "ada", {"lastName": "Old"}, {"lastName": "New"}),
            deactivate("n-3", "erin"),
            create("grace", {"email": "g@example.com"}),
        ]
    )
    south = result_of([delete("s-1", "dave")])
    entries = entries_of(north, task="Users <north>", host="plant-north") + entries_of(
        south, task="Users <south>", host="plant-south"
    )
    lines = render_markdown(make_plan(entries, version="0.2.0", playbook="apply-plants.yml")).splitlines()
    assert "- user `dave` (id `n-1`) · Users \\<north\\> on plant-north" in lines
    assert "- user `dave` (id `s-1`) · Users \\<south\\> on plant-south" in lines
    assert "- user `erin` (id `n-3`) (isActive true → false) · Users \\<north\\> on plant-north" in lines
    assert '- user `grace`: email `"g@example.com"` · Users \\<north\\> on plant-north' in lines
    assert (
        "<details><summary>user <b>ada</b> <code>n-2</code>: lastName · Users &lt;north&gt; on plant-north</summary>"
        in lines
    )


def test_a_role_call_is_named_by_its_label_and_one_call_alone_names_none():
    def call(label, changes):
        return dict(result_of(changes), _ansible_item_label=label)

    looped = {
        "changed": True,
        "results": [
            call("state present, hosts plant-north", [update("n-2", "ada", {"lastName": "Old"}, {"lastName": "New"})]),
            call("state absent, hosts leavers", [delete("s-1", "dave")]),
        ],
    }
    lines = render_markdown(make_plan(entries_of(looped), version="0.2.0", playbook="apply.yml")).splitlines()
    assert "- user `dave` (id `s-1`) · state absent, hosts leavers" in lines
    assert (
        "<details><summary>user <b>ada</b> <code>n-2</code>: lastName · state present, hosts plant-north</summary>"
        in lines
    )
    alone = {"changed": True, "results": [call("state absent, hosts leavers", [delete("s-1", "dave")])]}
    lines = render_markdown(make_plan(entries_of(alone), version="0.2.0", playbook="apply.yml")).splitlines()
    assert "- user `dave` (id `s-1`)" in lines


# -- values as plan.md shows them (docs/plan-example.md: each update "folded in a `<details>` block that opens on the
# changed keys, old value (`-`) above new (`+`)"; _plan_file.VALUE_LIMIT: "A value in plan.md is cut after this many
# characters (plan.json has it whole), saying how many are left out") ----------------------------------------------


def test_a_long_value_is_cut_in_plan_md_saying_how_many_characters_are_left_out_and_kept_whole_in_plan_json():
    long_text, fits = "x" * 400, "y" * 298  # 402 and 300 characters as JSON strings
    result = result_of(
        [update("u-1", "ada", {"description": long_text, "website": fits}, {"description": "short", "website": ""})]
    )
    plan = make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")
    lines = render_markdown(plan).splitlines()
    assert '- description: "%s... (102 more characters)' % ("x" * 299) in lines
    assert '- website: "%s"' % fits in lines
    assert plan["tasks"][0]["changes"][0]["before"]["description"] == long_text


def test_a_created_value_is_cut_after_80_characters_and_the_name_is_not_repeated():
    result = result_of([create("grace", {"description": "d" * 100, "email": "grace@example.com"})])
    lines = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")).splitlines()
    assert (
        '- user `grace`: description `"%s... (22 more characters)`, email `"grace@example.com"`' % ("d" * 79)
    ) in lines


def test_an_added_or_removed_key_shows_one_side_and_non_ascii_stays_readable():
    result = result_of(
        [update("o-1", "zürich", {"description": "Zürich Süd"}, {"name": "Zürich Nord"}, name_key="label")],
        name_key="label",
    )
    text = render_markdown(make_plan(entries_of(result, action=ORGS), version="0.2.0", playbook="apply.yml"))
    assert (
        "<details><summary>organization <b>zürich</b> <code>o-1</code>: description, name</summary>\n\n```diff\n"
        '- description: "Zürich Süd"\n+ name: "Zürich Nord"\n```\n\n</details>'
    ) in text


def test_a_value_holding_backticks_gets_a_longer_fence():
    result = result_of([update("u-1", "ada", {"bio": "````"}, {"bio": "```x```"})])
    text = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="apply.yml"))
    assert '\n`````diff\n- bio: "````"\n+ bio: "```x```"\n`````\n' in text


def test_names_holding_backticks_stay_one_code_span():
    # docs/gitops.md: plan.md is a pull-request comment; a name is shown as code whatever it holds.
    result = result_of(
        [
            delete("o-1", "`edge`", name_key="label"),
            delete("o-2", "a``b", name_key="label"),
            delete("o-3", "tail`", name_key="label"),
            delete("o-4", "`head", name_key="label"),
        ],
        name_key="label",
    )
    lines = render_markdown(
        make_plan(entries_of(result, action=ORGS), version="0.2.0", playbook="apply.yml")
    ).splitlines()
    assert "- organization `` `edge` `` (id `o-1`)" in lines
    assert "- organization ```a``b``` (id `o-2`)" in lines
    assert "- organization `` tail` `` (id `o-3`)" in lines
    assert "- organization `` `head `` (id `o-4`)" in lines


def test_a_warning_is_one_line_with_markdown_escaped():
    result = result_of([delete("u-1", "dave")], warnings=["users[0]: a | b\nis *odd*"])
    lines = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")).splitlines()
    assert "- Warning from task `Users are as described` on localhost: users\\[0\\]: a \\| b is \\*odd\\*" in lines


def test_a_created_value_with_accents_stays_readable():
    result = result_of([create("zoe", {"firstName": "Zoë", "lastName": "Ångström"})])
    lines = render_markdown(make_plan(entries_of(result), version="0.2.0", playbook="apply.yml")).splitlines()
    assert '- user `zoe`: firstName `"Zoë"`, lastName `"Ångström"`' in lines


# -- what is said at the top (docs/plan-example.md: "A failed task, a result hidden by `no_log`, or changes past a
# task's `changes_limit` (listed by id only) are said at the top: nothing is left out silently") -------------------


def test_a_failed_task_without_a_message_is_still_said_and_a_plan_without_a_playbook_name_says_playbook():
    failed = task_entries(
        {"failed": True, "changed": False},
        task="Users are as described",
        host="localhost",
        action=USERS,
        check_mode=True,
        failed=True,
    )
    lines = render_markdown(make_plan(failed, version="0.2.0", playbook=None)).splitlines()
    assert "**The run did not complete: this plan may be partial.**" in lines
    assert "- **Failed**: task `Users are as described` on localhost: ` `" in lines
    assert any(line.startswith("`playbook` · ubidots.industrial 0.2.0 · digest `sha256:") for line in lines)


def test_a_failed_task_records_its_message_and_what_it_applied_never_its_arguments():
    # plugins/callback/plan.py: "A failed task is recorded with its message and what it applied"; "It copies only what
    # the modules return ..., never the task's arguments, so no token is written".
    # What the plan file copies as it is (the result's lists of ids and names).
    copied = {
        "errors": ["users[1]: rejected"],
        "accepted_ids": ["u-1"],
        "failed_ids": ["u-2"],
        "unsent_ids": ["u-3"],
        "pending_ids": ["u-4"],
        "created": ["grace"],
        "would_delete": ["u-5"],
        "would_deactivate": ["u-6"],
    }
    result = dict(
        copied,
        failed=True,
        changed=True,
        msg="m" * 350,
        status=502,
        elapsed=3,
        invocation={"module_args": {"api_token": "BBUS-Secret-Token-9", "users": [{"password": "Clear-Pass-9"}]}},
    )
    plan = make_plan(
        task_entries(result, task="Users", host="plant-north", action=USERS, check_mode=False, failed=True),
        version="0.2.0",
        playbook="apply.yml",
    )
    (entry,) = plan["tasks"]
    assert entry == dict(
        copied,
        task="Users",
        host="plant-north",
        kind="users",
        module=USERS,
        check_mode=False,
        status="failed",
        changed=True,
        message="m" * 350,
        http_status=502,
    )
    assert plan["complete"] is False and plan["counts"] == {}
    text = render_markdown(plan)
    for secret in ("BBUS-Secret-Token-9", "Clear-Pass-9"):
        assert secret not in text and secret not in json.dumps(plan)
    assert (
        "- **Failed**: task `Users` on plant-north: `%s... (50 more characters)`" % ("m" * 300)
    ) in text.splitlines()


def test_a_result_hidden_by_no_log_is_said_and_none_of_it_is_copied():
    # docs/plan-example.md: "a result hidden by `no_log` ... [is] said at the top".
    hidden = {
        "censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
        "changed": True,
        "changes": [create("grace", {"password": "Clear-Pass-7"})],
    }
    plan = make_plan(entries_of(hidden, task="Users"), version="0.2.0", playbook="apply.yml")
    (entry,) = plan["tasks"]
    assert entry["status"] == "hidden" and "changes" not in entry and plan["complete"] is False
    text = render_markdown(plan)
    assert "Clear-Pass-7" not in text and "grace" not in text
    assert (
        "- **Not shown**: task `Users` on localhost: its result is hidden by `no_log`,"
        " so its changes are not in this plan."
        in text.splitlines()
    )
    assert "**The run did not complete: this plan may be partial.**" in text.splitlines()


def test_protected_objects_are_named_up_to_twenty_and_the_rest_counted():
    # docs/gitops.md: protected objects are "never deleted: prune keeps them and names them in a warning and in the
    # result's `protected`"; plan.md names at most 20, plan.json has them all.
    protected = [{"id": "p-%02d" % n, "username": "keep-%02d" % n} for n in range(23)] + [
        {"id": "p-99", "username": None}
    ]
    plan = make_plan(entries_of(result_of([], protected=protected)), version="0.2.0", playbook="apply.yml")
    assert len(plan["tasks"][0]["protected"]) == 24 and plan["tasks"][0]["protected"][-1] == {
        "id": "p-99",
        "name": None,
    }
    lines = render_markdown(plan).splitlines()
    names = ", ".join("`keep-%02d`" % n for n in range(20))
    assert "- task `Users are as described` on localhost: kept by protected: %s and 4 more" % names in lines
    assert "**Notes**" in lines


def test_more_than_twenty_notes_are_counted_and_other_failures_make_the_plan_partial():
    result = result_of([], warnings=["warning %d" % n for n in range(23)])
    plan = make_plan(
        entries_of(result),
        version="0.2.0",
        playbook="apply.yml",
        problems=["Task Other failed on localhost: the run stopped there, so this plan may lack what came after."],
    )
    assert plan["complete"] is False and plan["problems"]
    lines = render_markdown(plan).splitlines()
    assert "- Warning from task `Users are as described` on localhost: warning 19" in lines
    assert "- Warning from task `Users are as described` on localhost: warning 20" not in lines
    assert "- _… and 4 more notes (every one is in plan.json)._" in lines
    assert "**The run did not complete: this plan may be partial.**" in lines


def test_a_run_without_bulk_tasks_and_a_run_without_changes_say_so():
    empty = make_plan([], version="0.2.0", playbook="site.yml", check_mode=True)
    assert empty["check_mode"] is True and empty["complete"] is True and empty["tasks"] == []
    lines = render_markdown(empty).splitlines()
    assert lines[0] == "## Ubidots plan (check mode)"
    assert "No bulk task of ubidots.industrial ran in this playbook: there is no change to show." in lines
    assert not any(line.startswith("| Kind") for line in lines)
    users = result_of([])
    users["counts"]["unchanged"] = 1
    orgs = result_of([], name_key="label")
    orgs["counts"]["unchanged"] = 12
    plan = make_plan(entries_of(users) + entries_of(orgs, action=ORGS), version="0.2.0", playbook="apply.yml")
    lines = render_markdown(plan).splitlines()
    assert "**No change**: 12 organizations, 1 user already as described." in lines
    assert not any(line.startswith("###") for line in lines)


def test_only_this_collections_bulk_modules_make_the_plan():
    # plugins/callback/plan.py: "For every task of ubidots_users_bulk and ubidots_orgs_bulk" (FQCN, the collections
    # keyword's short name, or the legacy name).
    assert module_name(USERS) == "ubidots_users_bulk" and module_name(ORGS) == "ubidots_orgs_bulk"
    assert module_name("ubidots_orgs_bulk") == "ubidots_orgs_bulk"
    assert module_name("other.collection.ubidots_users_bulk") is None
    assert module_name("ubidots.industrial.ubidots_users_info") is None and module_name(None) is None
