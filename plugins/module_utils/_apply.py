# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending a plan: one bulk request per batch where the API has a bulk endpoint, one request per
object where it has none, in the plan's order (creates, updates, deletes). A failure raises
ApplyError, which says what was accepted, what failed (or may have been applied) and what was not sent.

One object can travel in several requests (a user's create or update, then one request per membership
endpoint), so after a failure it is put in exactly one list: failed if the request that failed carried it,
else not sent if a later request carries it, else accepted. A failed or unsent object that an earlier
request already changed is marked "partly applied", with what was applied of it.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError, format_detail
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import (
    MAX_ERRORS_IN_MESSAGE,
    Failure,
    clip,
    counted,
    plural,
    some,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import CREATE, DEACTIVATE, DELETE, UPDATE, compare
from ansible_collections.ubidots.industrial.plugins.module_utils._read import find


MEMBERSHIPS = "memberships"


PARTS = {CREATE: "created", UPDATE: "updated", DEACTIVATE: "deactivated", DELETE: "deleted"}


class Request:  # pylint: disable=too-few-public-methods
    """One request of a plan: an action, whether it is a bulk request, and the changes it carries.

    A membership request also names its endpoint (`path`, under the user) and its body (`entries`).
    `part` says in a failure message what the request does to each object once accepted ("updated",
    "organizations assigned").
    """

    def __init__(self, action, bulk, changes, path=None, entries=None, part=None):  # pylint: disable=too-many-arguments
        self.action = action
        self.bulk = bulk
        self.changes = changes
        self.path = path
        self.entries = entries
        self.part = part or PARTS.get(action, action)


def requests_of(spec, plan, batch_size):
    """The requests that carry `plan`, in order: creates, updates (deactivations with them), memberships, deletes.

    Deactivations are bulk updates too (isActive false), so they travel in the updates' batches: 1,000 leavers
    take one request per batch_size. Memberships come after creates and updates, so that a user created by this
    task exists; deletes come last, because they are the one change that cannot be undone.
    """
    out = []
    for action, changes, bulk in ((CREATE, plan.creates, spec.create == "bulk"),
                                  (UPDATE, [c for c in plan.updates if c.body is not None] + plan.deactivates, True)):
        size = batch_size if bulk else 1
        for i in range(0, len(changes), size):
            batch = changes[i:i + size]
            only_deactivations = all(change.action == DEACTIVATE for change in batch)
            out.append(Request(action, bulk, batch, part=PARTS[DEACTIVATE] if only_deactivations else None))
    for change in plan.memberships:
        for key, (assign, remove) in change.memberships.items():
            rule = spec.rule(key)
            if assign:
                out.append(Request(MEMBERSHIPS, False, [change], rule.assign_path, [dict(e) for e in assign],
                                   "%s assigned" % key))
            if remove:
                out.append(Request(MEMBERSHIPS, False, [change], rule.remove_path, remove, "%s removed" % key))
    size = batch_size if spec.delete == "bulk" else 1
    out.extend(Request(DELETE, spec.delete == "bulk", plan.deletes[i:i + size]) for i in range(0, len(plan.deletes), size))
    return out


class Applied:
    """What was sent so far: the task ids of the bulk requests, the changes the API accepted (in at least
    one request), how many requests it accepted, what each did to them, and the last change of each accepted request
    (what the wait reads back: see wait_until_visible)."""

    def __init__(self):
        self.tasks = []
        self.accepted = []
        self.last_of_each = []
        self.requests = 0
        self._parts = {}
        self._read_back = set()

    def accept(self, changes, part=None):
        """Record changes the API accepted (once each: a user's memberships follow its body), and `part`,
        what the request did to them."""
        for change in changes:
            if id(change) not in self._parts:
                self._parts[id(change)] = []
                self.accepted.append(change)
            if part and part not in self._parts[id(change)]:
                self._parts[id(change)].append(part)

    def read_back(self, change):
        """Add `change`, the last readable change of an accepted request, to what the wait reads back, once: a
        user's memberships follow its body, in requests of their own, so a user may be the last of several."""
        if id(change) not in self._read_back:
            self._read_back.add(id(change))
            self.last_of_each.append(change)

    def parts(self, change):
        """What accepted requests did to `change` ("created", "organizations assigned"); [] if none was accepted."""
        return self._parts.get(id(change), [])

    @property
    def created(self):
        """Names of the objects created."""
        return [c.name for c in self.accepted if c.action == CREATE]


class ApplyError(Failure):
    """A request of the plan failed; the result keys say what was accepted, failed and not sent."""


def _send(client, spec, request):
    """Send one request; return the task id of a bulk request, or None."""
    bodies = [change.body for change in request.changes]
    if request.action == MEMBERSHIPS:
        change = request.changes[0]
        client.post(spec.path + quote(str(change.known_id), safe="~") + "/" + request.path, request.entries)
        return None
    if request.action == CREATE and request.bulk:
        return client.bulk("POST", spec.create_path, bodies)
    if request.action == CREATE:
        created = client.create(spec.create_path, bodies[0])
        request.changes[0].created_id = created.get("id") if isinstance(created, dict) else None
        return None
    if request.action == UPDATE:
        return client.bulk(spec.update_method, spec.update_path, bodies)
    if request.bulk:
        return client.bulk("POST", spec.delete_path, bodies)
    client.delete(spec.path, bodies[0])
    return None


def apply(client, spec, plan, batch_size):
    """Send every change of `plan`; return Applied, or raise ApplyError."""
    applied = Applied()
    requests = requests_of(spec, plan, batch_size)
    for number, request in enumerate(requests, start=1):
        try:
            task = _send(client, spec, request)
        except UbidotsError as exc:
            raise _failure(spec, exc, requests, number, applied) from None
        if task is not None:
            applied.tasks.append(task)
        applied.accept(request.changes, request.part)
        applied.requests += 1
        applied.read_back(_last_readable(spec, request.changes))
    return applied


def _last_readable(spec, changes):
    """The last change of a request that can be read back: not one that only sets a password."""
    for change in reversed(changes):
        if change.action != UPDATE or change.memberships or set(change.body or {}) - {"id"} - set(spec.secret_keys):
            return change
    return changes[-1]


def _tasks_words(tasks, form="%s"):
    """'task T1' or 'tasks T1, T2' in `form`; "" without tasks."""
    return form % ("%s %s" % ("task" if len(tasks) == 1 else "tasks", ", ".join(tasks))) if tasks else ""


def _name(change):
    """How the wait names a change's object: its id, or "new <name>" for one this run creates (the user gave a name)."""
    return "new %s" % change.name if change.action == CREATE else change.id


def _result_id(change):
    """How accepted_ids, failed_ids and unsent_ids name an object: its id (for one this run created, the id the
    API gave it), else "new <name>" (not created yet, or created by a bulk request, whose answer gives no ids)."""
    return change.known_id if change.known_id is not None else "new %s" % change.name


def _named(spec, change, parts=()):
    """How a failure message names an object: as in the result lists, with the name of one this run created,
    and what earlier requests already applied of one that failed or was not sent."""
    text = str(change.known_id) if change.known_id is not None else "new %s" % clip(change.name)
    notes = []
    if change.action == CREATE and change.known_id is not None:
        notes.append("new, %s %s" % (spec.name_key, clip(change.name)))
    if parts:
        notes.append("partly applied: %s" % ", ".join(parts))
    return text + (" (%s)" % "; ".join(notes) if notes else "")


def classify(requests, number, applied):
    """(accepted, failed, unsent) when request `number` (1-based) of `requests` failed: each object once, in
    exactly one list. Failed: the failed request carried it. Not sent: else, a later request carries it.
    Accepted: every request that carried it was accepted. Each list in the order the objects were sent."""
    failed = list(requests[number - 1].changes)
    seen = {id(change) for change in failed}
    unsent = []
    for request in requests[number:]:
        for change in request.changes:
            if id(change) not in seen:
                seen.add(id(change))
                unsent.append(change)
    accepted = [change for change in applied.accepted if id(change) not in seen]
    return accepted, failed, unsent


def _failure(spec, exc, requests, number, applied):
    accepted, failed, unsent = classify(requests, number, applied)
    reason = exc.message
    if (exc.code == 400001 or exc.status == 400) and isinstance(exc.detail, (dict, list)):
        reason = "%s %s: validation error (%s): %s" % (exc.method, exc.path, exc.code or 400,
                                                       _name_rejected(exc.detail, failed))
    kind = "Bulk request" if requests[number - 1].bulk else "Request"
    msg = "%s %d of %d failed: %s." % (kind, number, len(requests), reason.rstrip("."))
    earlier = "request 1" if number == 2 else "requests 1-%d" % (number - 1)
    if accepted:
        msg += " Already accepted: %s in %s%s: %s." % (
            plural(len(accepted), spec.noun), earlier, _tasks_words(applied.tasks, " (%s)"),
            some([_named(spec, c) for c in accepted]))
    elif applied.accepted:
        # Every object the accepted requests carried failed or was not sent afterwards: say what they did.
        partly = len([c for c in failed + unsent if applied.parts(c)])
        msg += " %s %s accepted%s: only part of the %s below (marked partly applied)." % (
            earlier.capitalize(), "was" if number == 2 else "were", _tasks_words(applied.tasks, " (%s)"),
            spec.noun if partly == 1 else spec.noun + "s")
    elif not exc.maybe_applied:
        msg += " Nothing was written."
    failed_names = [_named(spec, c, applied.parts(c)) for c in failed]
    if exc.maybe_applied:
        # The request reached the server and its fate is unknown: never claim it was not applied.
        msg += (" Request %d may have been applied (the server received it but gave no usable answer): %s."
                % (number, counted(failed_names, spec.noun)))
    else:
        msg += " Not applied: %s." % counted(failed_names, spec.noun)
    if unsent:
        msg += " Not sent: %s." % counted([_named(spec, c, applied.parts(c)) for c in unsent], spec.noun)
    msg += " Running the task again sends only what is still different."
    return ApplyError(msg, changed=bool(applied.accepted) or exc.maybe_applied, tasks=applied.tasks,
                      created=applied.created,
                      accepted_ids=[_result_id(c) for c in accepted], failed_ids=[_result_id(c) for c in failed],
                      unsent_ids=[_result_id(c) for c in unsent], status=exc.status)


def _name_rejected(detail, changes):
    """Map the API's per-position detail ({"3": {...}} or [{}, {...}]) back to the user's items."""
    pairs = detail.items() if isinstance(detail, dict) else enumerate(detail)
    parts = []
    for position, problem in pairs:
        if not problem:
            continue
        if len(parts) == MAX_ERRORS_IN_MESSAGE:
            parts.append("and more")
            break
        try:
            change = changes[int(position)]
        except (TypeError, ValueError, IndexError):
            parts.append("%s: %s" % (position, format_detail(problem)))
            continue
        parts.append("%s: %s" % (change.label, format_detail(problem)))
    return "; ".join(parts) or format_detail(detail)


def wait_until_visible(client, spec, applied, options, timeout):
    """Re-read the last object of each request until it shows what was sent (a created one exists, a
    deleted one is gone), or fail after `timeout` seconds naming those that do not yet.

    The API applies a bulk request as one task, in the order of its items (the emulator applies a task
    at once; tests/live checks it against a real account): once its last object shows, the whole task
    has been applied. So 10,000 users in 20 requests are waited for with one read of 20 users, not with
    a second listing of the account.
    """
    pending = {("id", c.known_id) if c.known_id else (spec.name_key, c.name): c
               for c in applied.last_of_each}
    deadline = time.monotonic() + timeout
    delay = 0.25
    try:
        while pending:
            _check_once(client, spec, pending, options)
            remaining = deadline - time.monotonic()
            if not pending or remaining <= 0:
                break
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)
    except UbidotsError as exc:
        raise Failure("%s. The changes were already accepted%s; only waiting for them to show failed."
                      % (exc.message.rstrip("."), _tasks_words(applied.tasks, " (%s)")),
                      changed=True, tasks=applied.tasks, created=applied.created, status=exc.status) from None
    if pending:
        late = ["%s (%s)" % (_name(c), c.name) for c in pending.values()]
        checked = len(applied.last_of_each)
        sampled = "" if checked == len(applied.accepted) else " (the last %s of each request, %s)" % (
            spec.noun, plural(applied.requests, "request"))
        raise Failure("%d of %s%s did not show the desired values within %d s after %s: %s."
                      % (len(late), plural(checked, spec.noun), sampled, timeout, _tasks_words(applied.tasks) or "the requests",
                         some(late)),
                      changed=True, tasks=applied.tasks, created=applied.created,
                      pending_ids=[_name(c) for c in pending.values()])


def _check_once(client, spec, pending, options):
    """Drop from `pending` the changes the API now shows (write-only secrets cannot be read back)."""
    keys = set()
    for change in pending.values():
        keys.update(change.desired)
    fields = spec.read_fields(keys)
    by_id, by_name = find(client, spec, [value for by, value in pending if by == "id"],
                          [value for by, value in pending if by != "id"], fields)
    for (by, value), change in list(pending.items()):
        obj = (by_id if by == "id" else by_name).get(value)
        if change.action == DELETE:
            done = obj is None
        elif obj is None:
            done = False
        else:
            comparison = compare(spec, change.desired, obj, options)
            done = not comparison.sent and not comparison.separate
        if done:
            del pending[(by, value)]
