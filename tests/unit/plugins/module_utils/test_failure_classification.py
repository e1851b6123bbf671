# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failure reports on plain Change and Plan values (issue 21, point 6): a fake client refuses request N.

Every object of the plan is in exactly one of accepted_ids / failed_ids / unsent_ids: failed if a request
that carried it failed (or may have been applied), else not sent if one of its requests was not sent, else
accepted. The message counts objects, each once, and names as many as it counts.
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._apply import ApplyError, apply
from ansible_collections.ubidots.industrial.plugins.module_utils._errors import UbidotsError
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import counted
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import CREATE, DELETE, UPDATE, Change, Plan
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS


class FakeClient:
    """Answers every request, except number `fail` (1-based), which raises; records what was sent."""

    def __init__(self, fail, maybe_applied=False):
        self.fail = fail
        self.maybe_applied = maybe_applied
        self.sent = []

    def _next(self, method, path):
        self.sent.append((method, path))
        if len(self.sent) == self.fail:
            raise UbidotsError("%s %s: HTTP %d: refused" % (method, path, 500 if self.maybe_applied else 409),
                               status=500 if self.maybe_applied else 409, method=method, path=path,
                               maybe_applied=self.maybe_applied)

    def create(self, path, body):
        self._next("POST", path)
        return {"id": "id-" + body.get("username", body.get("label", "?"))}

    def bulk(self, method, path, items):
        self._next(method, path)
        return "task%d" % len(self.sent)

    def post(self, path, body):
        self._next("POST", path)
        return {"results": []}

    def delete(self, path, key):
        self._next("DELETE", path + key)


def create(name, *labels):
    change = Change(CREATE, "users[%s]" % name, None, name, "", {"username": name}, {"username": name})
    if labels:
        change.memberships = {"organizations": ([{"label": label, "role": "viewer"} for label in labels], [])}
    return change


def update(obj_id, body=True, assign=(), remove=()):
    change = Change(UPDATE, "user %s" % obj_id, obj_id, "name-" + obj_id, {}, {},
                    {"id": obj_id, "lastName": "x"} if body else None)
    if assign or remove:
        change.memberships = {"organizations": ([{"label": label, "role": "viewer"} for label in assign],
                                                [{"label": label} for label in remove])}
    return change


def delete(obj_id):
    return Change(DELETE, "user %s" % obj_id, obj_id, "name-" + obj_id, {}, "", obj_id)


def failure(plan, fail, spec=USERS, batch_size=1, maybe_applied=False):
    client = FakeClient(fail, maybe_applied)
    with pytest.raises(ApplyError) as raised:
        apply(client, spec, plan, batch_size)
    return raised.value, client


def lists(error):
    result = error.result
    return result["accepted_ids"], result["failed_ids"], result["unsent_ids"]


def part(msg, head):
    """The sentence of the message that starts with `head`."""
    found = re.search(r"%s[^.]*\." % re.escape(head), msg)
    return found.group(0) if found else ""


def number(msg, head):
    found = re.search(r"%s: (\d+) " % re.escape(head), msg)
    return int(found.group(1)) if found else 0


def assert_one_list_each(error, every):
    accepted, failed, unsent = lists(error)
    together = accepted + failed + unsent
    assert sorted(together) == sorted(every), (accepted, failed, unsent)


# -- classification ------------------------------------------------------------------------------------

def test_second_membership_request_fails_the_first_user_is_accepted_the_second_failed():
    plan = Plan(creates=[create("a", "org1"), create("b", "org2")])
    error, client = failure(plan, 4)  # create a, create b, assign a, assign b (refused)
    assert len(client.sent) == 4
    assert lists(error) == (["id-a"], ["id-b"], [])
    msg = error.msg
    assert "Already accepted: 1 user in requests 1-3: id-a (new, username a)." in msg, msg
    assert "Not applied: 1 user (id-b (new, username b; partly applied: created))." in msg, msg
    assert "Not sent" not in msg and "new a" not in msg and "new b" not in msg, msg
    assert error.result["created"] == ["a", "b"] and error.result["changed"] is True


def test_first_membership_request_fails_no_user_is_accepted_and_none_twice():
    plan = Plan(creates=[create("a", "org1"), create("b", "org2")])
    error, _client = failure(plan, 3)
    assert lists(error) == ([], ["id-a"], ["id-b"])
    msg = error.msg
    assert "Already accepted:" not in msg, msg
    assert "Requests 1-2 were accepted: only part of the users below (marked partly applied)." in msg, msg
    assert "Not applied: 1 user (id-a (new, username a; partly applied: created))." in msg, msg
    assert "Not sent: 1 user (id-b (new, username b; partly applied: created))." in msg, msg
    assert "Nothing was written" not in msg
    assert error.result["changed"] is True


def test_a_user_with_assign_and_remove_not_sent_is_counted_once():
    plan = Plan(updates=[update("u1"), update("u2"), update("u3", assign=["org1"], remove=["org2"]),
                         update("u4", assign=["org1"], remove=["org2"])])
    # PATCH u1, PATCH u2 (refused), PATCH u3, PATCH u4, assign u3, remove u3, assign u4, remove u4
    error, client = failure(plan, 2)
    assert len(client.sent) == 2
    assert lists(error) == (["u1"], ["u2"], ["u3", "u4"])
    assert "Not sent: 2 users (u3, u4)." in error.msg, error.msg
    assert "Not applied: 1 user (u2)." in error.msg, error.msg


def test_a_user_whose_body_was_accepted_and_memberships_not_sent_is_not_sent_and_partly_applied():
    plan = Plan(updates=[update("u1", assign=["org1"], remove=["org2"]), update("u2", assign=["org1"])])
    # PATCH u1, PATCH u2, assign u1 (refused), remove u1, assign u2
    error, _client = failure(plan, 3)
    assert lists(error) == ([], ["u1"], ["u2"])
    assert "Not applied: 1 user (u1 (partly applied: updated))." in error.msg, error.msg
    assert "Not sent: 1 user (u2 (partly applied: updated))." in error.msg, error.msg


def test_a_membership_only_update_names_the_memberships_that_were_applied():
    plan = Plan(updates=[update("u1", body=False, assign=["org1"], remove=["org2"])])
    error, _client = failure(plan, 2)  # assign u1, remove u1 (refused)
    assert lists(error) == ([], ["u1"], [])
    assert "Not applied: 1 user (u1 (partly applied: organizations assigned))." in error.msg, error.msg
    assert "Request 1 was accepted: only part of the user below (marked partly applied)." in error.msg, error.msg


def test_request_3_of_10_counts_objects_and_names_as_many_as_it_counts():
    plan = Plan(updates=[update("u%d" % i) for i in range(10)])
    error, _client = failure(plan, 3)
    assert lists(error) == (["u0", "u1"], ["u2"], ["u%d" % i for i in range(3, 10)])
    msg = error.msg
    assert msg.startswith("Bulk request 3 of 10 failed: PATCH"), msg
    assert "Already accepted: 2 users in requests 1-2 (tasks task1, task2): u0, u1." in msg, msg
    assert "Not applied: 1 user (u2)." in msg and "Not sent: 7 users (u3, u4, u5, u6, u7, u8, u9)." in msg, msg


def test_long_lists_are_bounded_and_the_count_is_of_objects():
    plan = Plan(updates=[update("u%02d" % i, assign=["org1"], remove=["org2"]) for i in range(30)])
    error, _client = failure(plan, 1, batch_size=100)  # the one PATCH of 30 users is refused
    assert lists(error)[1] == ["u%02d" % i for i in range(30)] and lists(error)[2] == []
    sentence = part(error.msg, "Not applied")
    assert number(error.msg, "Not applied") == 30
    assert "and 10 more" in sentence and len(re.findall(r"\bu\d\d\b", sentence)) == 20, sentence


def test_a_request_that_may_have_been_applied_is_failed_never_not_applied():
    plan = Plan(creates=[create("a"), create("b")], updates=[update("u1")])
    error, _client = failure(plan, 2, maybe_applied=True)
    assert lists(error) == (["id-a"], ["new b"], ["u1"])
    msg = error.msg
    assert "Request 2 may have been applied (the server received it but gave no usable answer): 1 user (new b)." in msg
    assert "Not sent: 1 user (u1)." in msg and "Not applied" not in msg, msg
    assert error.result["changed"] is True


def test_nothing_accepted_and_nothing_maybe_applied_says_nothing_was_written():
    plan = Plan(updates=[update("u1")], deletes=[delete("u9")])
    error, _client = failure(plan, 1)
    assert lists(error) == ([], ["u1"], ["u9"])
    assert "Nothing was written. Not applied: 1 user (u1). Not sent: 1 user (u9)." in error.msg, error.msg
    assert error.result["changed"] is False


def test_a_failed_delete_after_creates_and_updates():
    plan = Plan(creates=[create("a", "org1")], updates=[update("u1")], deletes=[delete("u8"), delete("u9")])
    # create a, PATCH u1, assign a, DELETE u8 (refused), DELETE u9
    error, _client = failure(plan, 4)
    assert lists(error) == (["id-a", "u1"], ["u8"], ["u9"])
    assert "Already accepted: 2 users in requests 1-3 (task task2): id-a (new, username a), u1." in error.msg, error.msg
    assert_one_list_each(error, ["id-a", "u1", "u8", "u9"])


def test_organizations_created_in_bulk_are_accepted_by_label():
    def org(action, obj_id, label):
        return Change(action, "organizations[%s]" % label, obj_id, label, "", {}, {"label": label} if obj_id is None else obj_id)
    plan = Plan(creates=[org(CREATE, None, "east"), org(CREATE, None, "west")], deletes=[org(DELETE, "o9", "old")])
    error, _client = failure(plan, 2, spec=ORGANIZATIONS, batch_size=1)
    assert lists(error) == (["new east"], ["new west"], ["o9"])
    assert "Already accepted: 1 organization in request 1 (task task1): new east." in error.msg, error.msg
    assert "Not applied: 1 organization (new west). Not sent: 1 organization (o9)." in error.msg, error.msg
    assert error.result["created"] == ["east"]


@pytest.mark.parametrize("fail", range(1, 9))
def test_every_object_is_in_exactly_one_list_wherever_the_failure_falls(fail):
    plan = Plan(creates=[create("a", "org1"), create("b")],
                updates=[update("u1", assign=["org1"], remove=["org2"]), update("u2", body=False, assign=["org3"])],
                deletes=[delete("u9")])
    # create a, create b, PATCH u1, assign a, assign u1, remove u1, assign u2, DELETE u9
    error, client = failure(plan, fail)
    assert len(client.sent) == fail
    accepted, failed, unsent = lists(error)
    every = accepted + failed + unsent
    assert len(every) == len(set(every)) == 5, (accepted, failed, unsent)
    if fail > 1:  # a has been created: named by its id from then on
        assert "new a" not in every and "new a" not in error.msg, error.msg
    msg = error.msg
    for head, names in (("Already accepted", accepted), ("Not applied", failed), ("Not sent", unsent)):
        assert number(msg, head) == len(names), (head, msg)
        sentence = msg[msg.find(head + ":"):] if names else ""
        for name in names:
            assert name in sentence, (name, msg)
    lists_part = msg.split("refused.", 1)[1]  # the reason names the failed request's path, with its id
    for name in every:
        assert len(re.findall(r"(?<![\w-])%s(?![\w-])" % re.escape(name), lists_part)) == 1, (name, msg)


# -- the message helper --------------------------------------------------------------------------------

def test_counted_names_as_many_as_it_counts():
    assert counted(["a"], "user") == "1 user (a)"
    assert counted(["a", "b"], "user") == "2 users (a, b)"
    assert counted(["n%d" % i for i in range(25)], "user") == "25 users (%s and 5 more)" % ", ".join("n%d" % i for i in range(20))
