# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift_summary filter: the drift job's message, for every call of a role."""

from __future__ import annotations

from ansible_collections.ubidots.industrial.plugins.filter.drift_summary import drift_summary


def result(changed_ids=(), unchanged_ids=(), created=(), deleted_ids=(), changes=()):
    return {"changed": bool(changed_ids or created or deleted_ids), "changed_ids": list(changed_ids),
            "unchanged_ids": list(unchanged_ids), "created": list(created), "deleted_ids": list(deleted_ids),
            "changes": list(changes)}


def update(object_id, name, **after):
    return {"action": "update", "id": object_id, "username": name, "after": after}


def call(label, fail_on_drift=True):
    return {"label": label, "fail_on_drift": fail_on_drift}


def test_one_call_reads_as_before():
    found = result(["a1", "b2"], ["c3"], ["new-user"], ["d4"],
                   [update("a1", "alice", lastName="X"), update("b2", "bob", tags=[], lastName="Y"),
                    {"action": "create", "username": "new-user", "after": {"email": "n@example.com"}}])
    assert drift_summary([found], [call("ignored")], "users") == (
        "Drift: 2 of 4 users differ from the desired state: a1 alice, b2 bob. Changed keys: lastName, tags."
        " To create (1): new-user. To delete (1): d4.")


def test_nothing_changed_or_no_fail_on_drift_says_nothing():
    assert drift_summary([result(unchanged_ids=["a1"])], [call("x")], "users") == ""
    assert drift_summary([result(["a1"], changes=[update("a1", "alice", lastName="X")])], [call("x", False)], "users") == ""


def test_every_call_that_drifted_is_named_by_its_label():
    calls = [call("https://a.example, state present, hosts a"), call("https://b.example, state present, hosts b"),
             call("https://c.example, state present, hosts c", fail_on_drift=False)]
    results = [result(["a1"], changes=[update("a1", "alice", lastName="A")]), result(unchanged_ids=["b1"]),
               result(deleted_ids=["c1"])]
    assert drift_summary(results, calls, "users") == (
        "https://a.example, state present, hosts a: Drift: 1 of 1 users differ from the desired state: a1 alice."
        " Changed keys: lastName.")
    results[1] = result(created=["org-x"])
    assert drift_summary(results, calls, "organizations").endswith(
        " https://b.example, state present, hosts b: Drift: 0 of 1 organizations differ from the desired state."
        " To create (1): org-x.")


def test_long_lists_show_twenty_names_then_dots():
    ids = ["id%02d" % i for i in range(25)]
    summary = drift_summary([result(deleted_ids=ids, created=ids)], [call("x")], "users")
    assert "To delete (25): %s ...." % ", ".join(ids[:20]) in summary
    assert "To create (25): %s ...." % ", ".join(ids[:20]) in summary


def test_deletions_are_named_by_id_and_username_as_the_updates_are():
    found = result(["a1"], deleted_ids=["d4", "e5"],
                   changes=[update("a1", "alice", lastName="X"), {"action": "delete", "id": "d4", "username": "dave"}])
    summary = drift_summary([found], [call("only")], "users")
    assert summary.endswith("To delete (2): d4 dave, e5.")  # e5 past changes_limit: its id alone


def test_deactivations_are_named_to_deactivate_not_to_delete():
    found = dict(result(unchanged_ids=["a1"]), changed=True, deactivated=["d4", "e5"],
                 changes=[{"action": "deactivate", "id": "d4", "username": "dave", "before": {"isActive": True},
                           "after": {"isActive": False}}])
    summary = drift_summary([found], [call("x")], "users")
    assert summary == "Drift: 0 of 1 users differ from the desired state. To deactivate (2): d4 dave, e5."
