# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk engine shared by ubidots_users_bulk and ubidots_orgs_bulk.

    validate -> resolve identities and read current -> compare -> diff -> batch -> write -> (wait)

Every step that can be a pure function lives in _compare; this file drives the API client and
turns its errors into one clear failure.
"""

from __future__ import annotations

import time

from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError, format_detail
from ansible_collections.ubidots.industrial.plugins.module_utils._compare import (
    MAX_ERRORS_IN_MESSAGE,
    clip,
    compare_item,
    errors_message,
    item_label,
    validate_items,
)

SHOWN_IDS = 20


def bulk_argument_spec():
    """Options of the bulk pipeline that both modules take (documented in the bulk doc fragment)."""
    return dict(
        batch_size=dict(type="int", default=500),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=120),
    )


def _some(ids):
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (" and %d more" % (len(ids) - SHOWN_IDS) if len(ids) > SHOWN_IDS else "")


class Change:
    """One object that differs from what the user wants."""

    def __init__(self, index, desired, current, before, after, write, name_key):
        self.index = index
        self.desired = desired
        self.id = current["id"]
        self.name = current.get(name_key)
        self.before = before
        self.after = after
        self.write = write


class BulkPlan:
    """What one run found: the changes to send and the objects already right."""

    def __init__(self, changes, unchanged_ids):
        self.changes = changes
        self.unchanged_ids = unchanged_ids

    def batches(self, size):
        """The changes cut into bulk requests of at most `size` items."""
        return [self.changes[i:i + size] for i in range(0, len(self.changes), size)]


class BulkEngine:
    """Runs the pipeline for one resource inside one module run."""

    def __init__(self, module, spec, items, options=None):
        self.module = module
        self.spec = spec
        self.items = items
        self.options = options or {}
        self.client = None
        self.tasks = []

    # -- the pipeline ----------------------------------------------------------------------------

    def run(self):
        """Run everything and exit the module."""
        params = self.module.params
        for item in self.items:
            if isinstance(item, dict):
                for key in self.spec.secret_keys:
                    self.module.hide(item.get(key))
        errors = validate_items(self.spec, self.items)
        if errors:
            self.module.fail_json(msg=errors_message(self.spec, errors), errors=list(errors))
        if params["batch_size"] < 1:
            self.module.fail_json(msg="batch_size must be 1 or more, got %d." % params["batch_size"])
        items = self._drop_unwanted_secrets(self.items)
        if not items:
            self._exit(BulkPlan([], []))
        self.client = self.module.client()
        try:
            plan = self.plan(items)
            if plan.changes and not self.module.check_mode:
                self.write(plan, params["batch_size"])
                if params["wait"]:
                    self.wait(plan, params["wait_timeout"])
        except UbidotsError as exc:
            # A read failed: before any write (nothing was written), or while waiting after them.
            if self.tasks:
                msg = "%s. The changes were already accepted (task%s %s); only waiting for them to show failed." % (
                    exc.message.rstrip("."), "s" if len(self.tasks) > 1 else "", ", ".join(self.tasks))
            else:
                msg = "%s. Nothing was written." % exc.message.rstrip(".")
            self.module.fail_json(msg=msg, status=exc.status, api_calls=dict(self.client.calls),
                                  tasks=self.tasks, changed=bool(self.tasks))
        finally:
            self.client.close()
        self._exit(plan)

    def _drop_unwanted_secrets(self, items):
        if self.options.get("update_password", "always") != "never":
            return items
        kept = []
        for index, item in enumerate(items):
            given = [key for key in self.spec.secret_keys if key in item]
            if given:
                self.module.warn("%s: %s given but update_password is never, so it is not sent."
                                 % (item_label(self.spec, index, item), ", ".join(given)))
                item = {key: value for key, value in item.items() if key not in given}
            kept.append(item)
        return kept

    def read(self, items, keys):
        """The current objects for the items, in order; fails naming every item not found."""
        spec = self.spec
        name_key = spec.identity[1]
        fields = spec.read_fields(keys)
        ids = [item["id"] for item in items if "id" in item]
        names = [item[name_key] for item in items if "id" not in item]
        by_id, by_name = {}, {}
        if ids:
            by_id = {obj["id"]: obj for obj in self.client.lookup(spec.path, "id__in", ids, fields)}
        if names:
            by_name = {obj.get(name_key): obj for obj in self.client.lookup(spec.path, name_key + "__in", names, fields)}
        current, errors, owner = [], [], {}
        for index, item in enumerate(items):
            obj = by_id.get(item["id"]) if "id" in item else by_name.get(item[name_key])
            if obj is None:
                key = "id" if "id" in item else name_key
                errors.append("%s: no %s with %s %s" % (item_label(spec, index, item), spec.noun, key, clip(item[key])))
            elif obj["id"] in owner:
                errors.append("%s: the same %s as %s[%d] (id %s); each %s may appear once"
                              % (item_label(spec, index, item), spec.noun, spec.option, owner[obj["id"]], obj["id"], spec.noun))
            else:
                owner[obj["id"]] = index
            current.append(obj)
        if errors:
            self.module.fail_json(
                msg="%s. Nothing was written." % "; ".join(errors[:MAX_ERRORS_IN_MESSAGE])
                + (" (and %d more, see errors)" % (len(errors) - MAX_ERRORS_IN_MESSAGE) if len(errors) > MAX_ERRORS_IN_MESSAGE else ""),
                errors=errors, api_calls=dict(self.client.calls))
        return current

    def plan(self, items):
        """Read the listed objects and compare them with the items."""
        keys = set()
        for item in items:
            keys.update(item)
        current = self.read(items, keys)
        changes, unchanged = [], []
        for index, (item, obj) in enumerate(zip(items, current)):
            before, after, write = compare_item(self.spec, item, obj, self.options)
            if write is None:
                unchanged.append(obj["id"])
            else:
                changes.append(Change(index, item, obj, before, after, write, self.spec.name_key))
        return BulkPlan(changes, unchanged)

    def write(self, plan, batch_size):
        """Send the changes, one bulk request per batch; on failure, say what was and was not applied."""
        batches = plan.batches(batch_size)
        for number, batch in enumerate(batches, start=1):
            try:
                self.tasks.append(self.client.bulk_update(self.spec.bulk_method, self.spec.bulk_path,
                                                          [change.write for change in batch]))
            except UbidotsError as exc:
                self._fail_batch(exc, batches, number)

    def _fail_batch(self, exc, batches, number):
        spec = self.spec
        accepted = [c.id for batch in batches[:number - 1] for c in batch]
        failed = [c.id for c in batches[number - 1]]
        unsent = [c.id for batch in batches[number:] for c in batch]
        reason = exc.message
        if (exc.code == 400001 or exc.status == 400) and isinstance(exc.detail, (dict, list)):
            rejected = self._name_rejected(exc.detail, batches[number - 1])
            reason = "%s %s: validation error (%s): %s" % (exc.method, exc.path, exc.code or 400, rejected)
        msg = "Bulk request %d of %d failed: %s." % (number, len(batches), reason.rstrip("."))
        if accepted:
            msg += " Already accepted: %d %s in request%s 1-%d (task%s %s): %s." % (
                len(accepted), spec.option, "s" if number > 2 else "", number - 1,
                "s" if len(self.tasks) > 1 else "", ", ".join(self.tasks), _some(accepted))
        elif not exc.maybe_applied:
            msg += " Nothing was written."
        if exc.maybe_applied:
            # The request reached the server and its fate is unknown: never claim it was not applied.
            msg += (" Request %d may have been applied (the server received it but gave no usable answer): "
                    "%d %s (%s)." % (number, len(failed), spec.option, _some(failed)))
            if unsent:
                msg += " Not sent: %d %s (%s)." % (len(unsent), spec.option, _some(unsent))
        else:
            msg += " Not applied: %d %s (%s)." % (len(failed) + len(unsent), spec.option, _some(failed + unsent))
        msg += " Running the task again sends only what is still different."
        self.module.fail_json(msg=msg, changed=bool(accepted) or exc.maybe_applied, tasks=self.tasks,
                              accepted_ids=accepted, failed_ids=failed, unsent_ids=unsent, status=exc.status,
                              api_calls=dict(self.client.calls))

    def _name_rejected(self, detail, batch):
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
                change = batch[int(position)]
            except (TypeError, ValueError, IndexError):
                parts.append("%s: %s" % (position, format_detail(problem)))
                continue
            parts.append("%s: %s" % (item_label(self.spec, change.index, change.desired), format_detail(problem)))
        return "; ".join(parts) or format_detail(detail)

    def wait(self, plan, timeout):
        """Re-read the changed objects until they show the desired values, or fail after `timeout` seconds."""
        spec = self.spec
        secrets = set(spec.secret_keys)
        pending = {c.id: c for c in plan.changes}
        deadline = time.monotonic() + timeout
        delay = 0.25
        while True:
            keys = set()
            for change in pending.values():
                keys.update(change.desired)
            for obj in self.client.lookup(spec.path, "id__in", list(pending), spec.read_fields(keys)):
                change = pending.get(obj.get("id"))
                if change is None:
                    continue
                desired = {k: v for k, v in change.desired.items() if k not in secrets}
                if compare_item(spec, desired, obj, self.options)[2] is None:
                    del pending[change.id]
            remaining = deadline - time.monotonic()
            if not pending or remaining <= 0:
                break
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)
        if pending:
            late = ["%s (%s)" % (c.id, c.name) for c in pending.values()]
            self.module.fail_json(
                msg="%d of %d %s did not show the desired values within %d s after task%s %s: %s."
                    % (len(late), len(plan.changes), spec.option, timeout, "s" if len(self.tasks) > 1 else "",
                       ", ".join(self.tasks), _some(late)),
                changed=True, tasks=self.tasks, pending_ids=list(pending), api_calls=dict(self.client.calls))

    # -- results ---------------------------------------------------------------------------------

    def _exit(self, plan):
        spec = self.spec
        changes = [{"id": c.id, spec.name_key: c.name, "before": c.before, "after": c.after} for c in plan.changes]
        result = dict(
            changed=bool(plan.changes),
            tasks=self.tasks,
            changed_ids=[c.id for c in plan.changes],
            unchanged_ids=plan.unchanged_ids,
            changes=changes,
            api_calls=dict(self.client.calls) if self.client else {"reads": 0, "writes": 0},
        )
        if self.module._diff:  # pylint: disable=protected-access
            header = "%s %%s (%s %%s)" % (spec.noun, spec.name_key)
            result["diff"] = [
                {"before_header": header % (c.id, c.name), "after_header": header % (c.id, c.name),
                 "before": c.before, "after": c.after}
                for c in plan.changes
            ]
        self.module.exit_json(**result)
