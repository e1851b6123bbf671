# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk pipeline shared by ubidots_users_bulk and ubidots_orgs_bulk:

    validate -> read current -> plan -> resolve references -> (apply -> wait) -> result

Each step lives in its own file and raises Failure; UbidotsModule.run turns the result or the
failure into exit_json / fail_json. Check mode is "plan, do not apply".
"""

from __future__ import annotations

from ansible_collections.ubidots.industrial.plugins.module_utils._apply import apply, wait_until_visible
from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsError
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure, join_errors, object_label
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import (
    check_deletions,
    make_plan,
    removal_words,
    membership_problems,
    name_memberships,
    referenced,
    unknown_references,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._read import read_current, read_references
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import validator


def bulk_argument_spec(spec):
    """The options of a bulk module: its list, the lifecycle and pipeline options, and the resource's own."""
    options = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        prune=dict(type="bool", default=False),
        max_deletions=dict(type="int", default=10),
        protected=dict(type="list", elements="str", default=[]),
        allow_empty_prune=dict(type="bool", default=False),
        batch_size=dict(type="int", default=500),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
        changes_limit=dict(type="int", default=1000),
        removal=dict(type="str", choices=["delete", "deactivate"], default="delete"),
    )
    options[spec.option] = dict(type="list", elements="dict", required=True)
    options.update(spec.options)
    return options


def _check_options(params):
    """What the options say together (each number's lowest value is checked with the connection options: _common)."""
    if params["prune"] and params["state"] == "absent":
        raise Failure("prune %s what is not listed, so it works only with state: present." % removal_words(params)[1])


def _check_empty_prune(spec, params):
    """An empty list with prune would delete (or deactivate) the whole account: refuse it, before any request, unless
    asked for."""
    if params["prune"] and not params[spec.option] and not params["allow_empty_prune"]:
        raise Failure("%s is empty and prune is true: this would %s every %s of the account (an empty list often"
                      " comes from a misspelt variable or a directory without YAML files). Nothing was written. List"
                      " the %s to keep, or set allow_empty_prune: true (role variable ubidots_allow_empty_prune) to"
                      " empty the account on purpose." % (spec.option, removal_words(params)[0], spec.noun, spec.option))


def run_bulk(module, spec):
    """Bring the listed objects to the desired state; return the module's result (or raise Failure)."""
    params = module.params
    items = params[spec.option]
    validation = validator(spec).validate(items)
    if validation:
        raise Failure(validation.message(spec), errors=list(validation.errors))
    _check_options(params)
    _check_empty_prune(spec, params)
    options = {name: params[name] for name in ("state", "prune", "max_deletions", "protected", "removal")}
    options.update((name, params[name]) for name in spec.options)
    prune = options["state"] == "present" and options["prune"]
    if not items and not prune:
        return result(module, spec, make_plan(spec, [], [], options), None, params["changes_limit"])
    client = module.client()
    keys = set()
    if options["state"] == "absent":
        items = [{key: item[key] for key in spec.identity if key in item} for item in items]
    if options["state"] == "absent" or prune:
        keys.update(spec.readable_keys)  # a delete's diff shows the object as it is; a deactivation reads isActive
    if options["removal"] == "deactivate":
        keys.add("isActive")  # under deactivate, a listed item is wanted active unless it says otherwise
    for item in items:
        keys.update(item)
    try:
        found, account = read_current(client, spec, items, keys, whole_account=prune)
    except UbidotsError as exc:
        raise Failure("%s. Nothing was written." % exc.message.rstrip("."), status=exc.status) from None
    plan = make_plan(spec, items, found, options, validation.deferred, account, check=False)
    try:
        known = read_references(client, referenced(spec, plan))
    except UbidotsError as exc:
        errors = plan.errors + [exc.message.rstrip(".")]
        raise Failure("%s. Nothing was written." % join_errors(errors), errors=errors, status=exc.status) from None
    # Every error at once: an item's own, its unknown references, and what its memberships contradict.
    errors = plan.errors + unknown_references(spec, plan, known) + membership_problems(spec, items, found, known, options)
    if errors:
        raise Failure("%s. Nothing was written." % join_errors(errors), errors=errors)
    check_deletions(spec, plan.removals, options["max_deletions"])
    name_memberships(plan, known)
    for warning in plan.warnings:
        module.warn(warning)
    applied = None
    if plan.changed and not module.check_mode:
        applied = apply(client, spec, plan, params["batch_size"])
        if params["wait"]:
            wait_until_visible(client, spec, applied, options, params["wait_timeout"])
    return result(module, spec, plan, applied, params["changes_limit"])


def result(module, spec, plan, applied, limit):
    """The module's result for a plan (and what apply did, None in check mode or with nothing to do).

    The id lists are always complete. `changes` and the diff describe every deletion and deactivation (a reviewer
    must see each by name; max_deletions bounds them), then at most `limit` objects in all (0: all), so that a run
    over a whole account stays cheap to return and readable; `changes_omitted` counts the rest.
    """
    changes = plan.changes
    shown = changes
    if limit and len(changes) > limit:
        room = max(limit - len(plan.removals), 0)
        shown = (plan.creates + plan.updates)[:room] + plan.removals  # in the order of apply
    out = dict(
        changed=plan.changed,
        tasks=applied.tasks if applied else [],
        created=[c.name for c in plan.creates],
        changed_ids=[c.id for c in plan.updates],
        deleted_ids=[c.id for c in plan.deletes],
        deactivated=[c.id for c in plan.deactivates],
        unchanged_ids=plan.unchanged_ids,
        counts=dict(created=len(plan.creates), updated=len(plan.updates), deleted=len(plan.deletes),
                    deactivated=len(plan.deactivates), unchanged=len(plan.unchanged_ids)),
        protected=plan.protected,
        changes=[c.as_dict(spec.name_key) for c in shown],
        changes_omitted=len(changes) - len(shown),
    )
    if module._diff:  # pylint: disable=protected-access
        out["diff"] = [diff_entry(spec, c) for c in shown]
        if len(shown) < len(changes):
            hidden = len(changes) - len(shown)
            more = "... and %d more %s (not shown: changes_limit is %d)\n" % (hidden, spec.noun if hidden == 1 else spec.option, limit)
            out["diff"].append({"before_header": "more", "after_header": "more", "before": "", "after": more})
    return out


def diff_entry(spec, change):
    """One diff entry: a header naming the object, then only what changes ("" stands for nothing)."""
    header = object_label(spec, change.id, change.name)
    words = {"create": " (created)", "delete": " (deleted)", "deactivate": " (deactivated)"}.get(change.action, "")
    return {"before_header": header + words, "after_header": header + words, "before": change.before, "after": change.after}
