# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift job's message: what the bulk calls of the roles would change, in a few sentences."""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_summary
short_description: Summarize what the bulk calls of a role would change, for a drift job
version_added: 0.2.0
description:
  - What the roles C(ubidots.industrial.users) and C(ubidots.industrial.organizations) print when a check run with
    C(ubidots_fail_on_drift) finds a difference. Covers every call whose C(fail_on_drift) is true and that reports a
    change; empty when there is none.
  - Per call, up to 20 objects of each kind of change are named, then C(...).
  - With several calls, each summary starts with the call's label (the account's URL, the state and the hosts).
options:
  _input:
    description: The results of the calls (C(ubidots_users_results) or C(ubidots_organizations_results)).
    type: list
    elements: dict
    required: true
  calls:
    description: The calls of P(ubidots.industrial.bulk_calls#filter), in the same order (their C(fail_on_drift) and C(label)).
    type: list
    elements: dict
    required: true
  kind:
    description: V(users) or V(organizations).
    type: str
    required: true
author:
  - Ubidots Industrial collection maintainers (@ubidots)
"""

EXAMPLES = r"""
- name: Fail when anything differs
  ansible.builtin.fail:
    msg: "{{ ubidots_users_results | ubidots.industrial.drift_summary(plan.calls, 'users') }}"
  when: ansible_check_mode and ubidots_users_results | ubidots.industrial.drift_summary(plan.calls, 'users') | length > 0
"""

RETURN = r"""
_value:
  description: "The summary, such as C(Drift: 1 of 3 users differ from the desired state: 409dba9c67d3bb19f554 alice. Changed keys: lastName.)"
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import RESOURCES

SHOWN = 20


def _some(names):
    return "%s%s" % (", ".join(str(name) for name in names[:SHOWN]), " ..." if len(names) > SHOWN else "")


def _summary(result, kind):
    name = RESOURCES[kind].identity[1]
    changes = [change for change in result.get("changes") or [] if change.get("action") == "update"]
    changed, created = (result.get(key) or [] for key in ("changed_ids", "created"))
    listed = len(changed) + len(result.get("unchanged_ids") or []) + len(created)
    sentences = ["Drift: %d of %d %s differ from the desired state%s." % (
        len(changed), listed, kind,
        ": " + _some(["%s %s" % (change.get("id"), change.get(name)) for change in changes]) if changes else "")]
    if changes:
        sentences.append("Changed keys: %s." % ", ".join(sorted({key for change in changes for key in change.get("after") or {}})))
    if created:
        sentences.append("To create (%d): %s." % (len(created), _some(created)))
    for key, action in (("deactivated", "deactivate"), ("deleted_ids", "delete")):
        removed = result.get(key) or []
        if removed:
            # Named as the updates are: id and username / label (from `changes`, which holds up to changes_limit).
            names = {change.get("id"): change.get(name) for change in result.get("changes") or [] if change.get("action") == action}
            sentences.append("To %s (%d): %s." % (action, len(removed), _some(["%s %s" % (i, names[i]) if names.get(i) else i
                                                                               for i in removed])))
    return " ".join(sentences)


def drift_summary(results, calls, kind):
    """The sentences of every call with fail_on_drift that reports a change; empty when there is none."""
    if kind not in RESOURCES:
        raise AnsibleFilterError("drift_summary: kind must be users or organizations, got %r" % (kind,))
    calls = list(calls or [])
    found = []
    for result, call in zip(results or [], calls):
        if call.get("fail_on_drift") and result.get("changed"):
            found.append(_summary(result, kind) if len(calls) == 1 else "%s: %s" % (call.get("label"), _summary(result, kind)))
    return " ".join(found)


class FilterModule:
    """ubidots.industrial filters."""

    def filters(self):
        """Filter names."""
        return {"drift_summary": drift_summary}
