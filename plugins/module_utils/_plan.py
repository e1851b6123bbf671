# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: what a run will create, update and delete, computed from the desired items and the
current state with no side effect. Check mode is "plan, do not apply"; apply sends exactly this.

Pure functions on plain values: no HTTP, no Ansible, unit-tested on their own.
"""

from __future__ import annotations

import collections

from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure, clip, item_label, join_errors, object_label, plural, some
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import WRITE_ONLY

CREATE, UPDATE, DELETE, DEACTIVATE = "create", "update", "delete", "deactivate"

# What removal (absent, prune) does, as messages say it: deletes, or sets isActive false with the bulk update.
REMOVAL_WORDS = {"delete": ("delete", "deletes", "deleted"), "deactivate": ("deactivate", "deactivates", "deactivated")}


def removal_words(options):
    """(verb, third person, participle) of the removal the options ask for: delete (the default) or deactivate."""
    return REMOVAL_WORDS.get((options or {}).get("removal") or "delete", REMOVAL_WORDS["delete"])


class Change:  # pylint: disable=too-few-public-methods
    """One planned action on one object.

    `before` / `after` are what users see (secrets masked; "" for nothing), `body` what is sent
    (the item to create, the bulk-update item, or the id to delete), `desired` the keys to wait for.
    """

    __slots__ = ("action", "label", "id", "created_id", "name", "before", "after", "body", "desired", "memberships")

    def __init__(self, action, label, obj_id, name, before, after, body, desired=None):  # pylint: disable=too-many-arguments
        self.action = action
        self.label = label            # how messages name it: users[3] (username jdoe), or user <id> (username jdoe)
        self.id = obj_id              # None for an object not created yet
        self.created_id = None        # the id the API gave an object this run created one by one
        self.name = name
        self.before = before
        self.after = after
        self.body = body              # None for an update that only changes memberships
        self.desired = desired or {}
        self.memberships = {}         # {key: (assign, remove)}: sent with their own endpoints after the body

    @property
    def known_id(self):
        """The object's id: the one read, or the one the API gave it when this run created it; None if neither."""
        return self.id or self.created_id

    def as_dict(self, name_key):
        """The change as the module returns it."""
        return {"action": self.action, "id": self.id, name_key: self.name, "before": self.before, "after": self.after}


class Plan:  # pylint: disable=too-many-instance-attributes
    """Creates, updates, deactivations and deletes (in the order they are sent), the ids already right, the objects
    prune keeps because they are protected, warnings, and the errors that forbid sending it."""

    def __init__(self, creates=(), updates=(), deletes=(), unchanged_ids=(), warnings=(), protected=(), errors=(),  # pylint: disable=too-many-arguments
                 deactivates=()):
        self.creates = list(creates)
        self.updates = list(updates)
        self.deactivates = list(deactivates)  # removal: deactivate; isActive false, sent with the bulk update
        self.deletes = list(deletes)
        self.unchanged_ids = list(unchanged_ids)
        self.warnings = list(warnings)
        self.protected = list(protected)   # [{"id": ..., name_key: ...}] of the objects prune keeps
        self.errors = list(errors)

    @property
    def changes(self):
        """Every change in the order apply sends them: creates, updates, deactivations, then deletes.

        Creates first, so that what is new exists before anything refers to it; deactivations travel with the
        updates (the same bulk endpoint); deletes last, because they are the one change that cannot be undone:
        if an earlier request fails, nothing is deleted.
        """
        return self.creates + self.updates + self.deactivates + self.deletes

    @property
    def removals(self):
        """What absent and prune remove: deactivations or deletes (one of them is empty), counted by max_deletions."""
        return self.deactivates + self.deletes

    @property
    def memberships(self):
        """The creates and updates that change memberships, in the order their requests are sent."""
        return [change for change in self.creates + self.updates if change.memberships]

    @property
    def changed(self):
        """Whether anything differs."""
        return bool(self.creates or self.updates or self.deactivates or self.deletes)


# What compare() finds between an item and its object: the keys that differ (`before` / `after`, as the diff shows
# them), what to send for them in the bulk body (`sent`), the keys left out by their rule (`skipped`: a password with
# update_password on_create or never), and {key: (assign, remove)} for keys sent with their own endpoints
# (`separate`: memberships).
Comparison = collections.namedtuple("Comparison", "before after sent skipped separate")


def compare(spec, item, obj, options):
    """The Comparison of `item` with its current object `obj`."""
    before, after, sent, skipped, separate = {}, {}, {}, [], {}
    for key, value in item.items():
        if key == "id" or (key == spec.name_key and "id" not in item):
            continue  # identity keys are not compared: they found the object
        rule = spec.rule(key)
        send, warn = rule.sent_to_existing(options)
        if not send:
            if warn:
                skipped.append(key)
            continue
        if getattr(rule, "separate", False):
            assign, remove = rule.changes(value, obj, key, options)
            if assign or remove:
                before[key] = rule.current(obj, key)
                after[key] = _after_memberships(before[key], assign, remove)
                separate[key] = (assign, remove)
            continue
        wanted = rule.desired(value, obj, key, options)
        if rule.equal(wanted, obj, key):
            continue
        before[key] = WRITE_ONLY if rule.secret else rule.current(obj, key)
        after[key] = rule.shown(wanted)
        sent[key] = wanted
    return Comparison(before, after, sent, skipped, separate)


def _after_memberships(current, assign, remove):
    """The memberships once `assign` and `remove` are done, sorted by label, as the diff shows them."""
    gone = {m.get("label") for m in remove}
    named = {m.get("label", m.get("id")) for m in assign}
    kept = [m for m in current if m["label"] not in gone and m["label"] not in named]
    added = [{"label": m.get("label", m.get("id")), "role": m.get("role")} for m in assign]
    return sorted(kept + added, key=lambda m: str(m["label"]))


def _update(spec, index, item, obj, options, deferred, errors, warnings):
    comparison = compare(spec, item, obj, options)
    sent, skipped, separate = comparison.sent, comparison.skipped, comparison.separate
    if skipped:
        warnings.append("%s: %s given but %s, so it is not sent to an existing %s."
                        % (item_label(spec, index, item), ", ".join(skipped), _option_words(spec, skipped, options), spec.noun))
    for key in sent:
        errors.extend(deferred.get(key, ()))
    for key, (assign, _remove) in separate.items():
        # A membership that is not assigned is not sent: its value is not checked (an export's role: null).
        errors.extend(deferred.get(key, ()))
        for position, entry in enumerate(item[key] if isinstance(item[key], list) else ()):
            if entry in assign:
                errors.extend(deferred.get((key, position), ()))
    if not sent and not separate:
        return None
    body = None
    if sent and spec.full_update_keys:
        body = spec.to_item(obj, spec.full_update_keys)
        body.update(sent)
    elif sent:
        body = dict(sent)
    if body is not None:
        body["id"] = obj["id"]
    desired = _desired(spec, item)
    change = Change(UPDATE, item_label(spec, index, item), obj["id"], obj.get(spec.name_key), comparison.before, comparison.after, body,
                    desired)
    change.memberships = separate
    return change


def _desired(spec, item):
    """What the wait may read back of an item: a copy without its secret keys (the password)."""
    secrets = [key for key in spec.secret_keys if key in item]
    return {key: value for key, value in item.items() if key not in secrets} if secrets else dict(item)


def _option_words(spec, keys, options):
    option = spec.rule(keys[0]).option  # only a SecretRule skips a key with a warning, and it has its option
    return "%s is %s" % (option, options.get(option))


def _create(spec, index, item, deferred, errors):
    missing = [key for key in spec.create_requires if item.get(key) in (None, "")]
    if missing:
        errors.append("%s: no %s with %s %s, and a new %s needs %s (missing: %s)"
                      % (item_label(spec, index, item), spec.noun, spec.name_key, clip(item.get(spec.name_key)),
                         spec.noun, ", ".join(spec.create_requires), ", ".join(missing)))
    for messages in deferred.values():
        errors.extend(messages)
    shown, body, separate = {}, {}, {}
    for key, value in item.items():
        rule = spec.rule(key)
        if getattr(rule, "separate", False):
            separate[key] = (list(value), [])
            shown[key] = _after_memberships([], value, [])
        else:
            body[key] = value
            shown[key] = rule.shown(value)
    desired = _desired(spec, item)
    change = Change(CREATE, item_label(spec, index, item), None, item.get(spec.name_key), "", shown, body, desired)
    change.memberships = separate
    return change


def _delete(spec, index, obj, item=None):
    label = item_label(spec, index, item) if item is not None else object_label(spec, obj["id"], obj.get(spec.name_key))
    return Change(DELETE, label, obj["id"], obj.get(spec.name_key), spec.to_item(obj, sorted(obj)), "", obj["id"])


def _deactivate(spec, index, obj, item=None):
    """isActive false through the bulk update: for a partial update the id and isActive only; for a full update
    (organizations) the object's current fields, so that nothing else is reset. The wait reads isActive back."""
    label = item_label(spec, index, item) if item is not None else object_label(spec, obj["id"], obj.get(spec.name_key))
    body = spec.to_item(obj, spec.full_update_keys) if spec.full_update_keys else {"id": obj["id"]}
    body["isActive"] = False
    return Change(DEACTIVATE, label, obj["id"], obj.get(spec.name_key), {"isActive": True}, {"isActive": False}, body,
                  {"isActive": False})


def _inactive(obj):
    """Whether an object is already off (isActive false; an object read without isActive counts as active)."""
    return obj.get("isActive", True) is False


def _remove(spec, index, obj, options, item=None):
    """The change that removes `obj` under the removal option: a Change to delete or to deactivate, or None for an
    object that is already inactive under deactivate."""
    if options.get("removal") != "deactivate":
        return _delete(spec, index, obj, item)
    return None if _inactive(obj) else _deactivate(spec, index, obj, item)


def _is_protected(spec, obj, protected):
    """Whether `protected` (casefolded names and ids) names `obj`: without regard to case, so that a protection
    never fails for a capital letter."""
    return str(obj["id"]).casefold() in protected or str(obj.get(spec.name_key)).casefold() in protected


def make_plan(spec, items, found, options, deferred=None, account=None, check=True):  # pylint: disable=too-many-arguments
    """The plan for `items`, given `found` (the current object of each item, or None).

    options: state (present|absent), prune, max_deletions, protected, removal (delete|deactivate), and the
    resource's own options. With removal deactivate, absent and prune set isActive false instead of deleting, an
    object already inactive is no change, and a listed item without isActive is wanted active.
    deferred: {index: {key: [messages]}} from validation; an error about a value fails only if that
    value would be sent. account: every object of the account (only with prune).
    With `check`, raises Failure, naming every item, when the plan cannot be carried out as asked, or when
    it would delete more than max_deletions allows; without it, the errors are left in `plan.errors` for
    the caller to report with those it finds next (unknown references), and deletions are not counted.
    """
    deferred = deferred or {}
    state = options.get("state", "present")
    protected = {str(name).casefold() for name in options.get("protected") or ()}
    verb = removal_words(options)[0]
    deactivating = options.get("removal") == "deactivate"
    creates, updates, removals, unchanged, errors, warnings = [], [], [], [], [], []
    for index, (item, obj) in enumerate(zip(items, found)):
        if state == "absent":
            if obj is not None and _is_protected(spec, obj, protected):
                errors.append("%s: is protected (the protected option names it), and state: absent would %s it:"
                              " remove it from %s, or from protected" % (item_label(spec, index, item), verb, spec.option))
            elif obj is not None:
                change = _remove(spec, index, obj, options, item)
                if change is None:
                    unchanged.append(obj["id"])
                else:
                    removals.append(change)
        elif obj is None and "id" in item:
            errors.append("%s: no %s with id %s" % (item_label(spec, index, item), spec.noun, clip(item["id"])))
            for messages in deferred.get(index, {}).values():
                errors.extend(messages)
        elif obj is None:
            creates.append(_create(spec, index, item, deferred.get(index, {}), errors))
        else:
            if deactivating and "isActive" not in item:
                item = dict(item, isActive=True)  # under deactivate, listed means active: a leaver put back returns
            change = _update(spec, index, item, obj, options, deferred.get(index, {}), errors, warnings)
            if change is None:
                unchanged.append(obj["id"])
            else:
                updates.append(change)
    kept = []
    if state == "present" and options.get("prune"):
        listed = {obj["id"] for obj in found if obj is not None}
        for obj in account or ():
            if obj["id"] in listed:
                continue
            if deactivating and _inactive(obj):
                continue  # already off: prune leaves it alone
            if _is_protected(spec, obj, protected):
                kept.append({"id": obj["id"], spec.name_key: obj.get(spec.name_key)})
            else:
                removals.append(_remove(spec, None, obj, options))
        warnings += _protected_warnings(spec, kept, options.get("protected") or (), account or ())
    # One removal per run (the removal option): deletes, or deactivations.
    deactivates = [change for change in removals if change.action == DEACTIVATE]
    deletes = [change for change in removals if change.action == DELETE]
    plan = Plan(creates, updates, deletes, unchanged, warnings, kept, errors, deactivates)
    if check:
        if errors:
            raise Failure("%s. Nothing was written." % join_errors(errors), errors=errors)
        check_deletions(spec, plan.removals, options.get("max_deletions"))
    return plan


def _protected_warnings(spec, kept, protected, account):
    """What prune says of the protected option: the objects it keeps, and the names that match nothing (a typo)."""
    warnings = []
    if kept:
        warnings.append("prune keeps %s that the list does not hold, because they are protected: %s."
                        % (plural(len(kept), spec.noun), some("%s (%s)" % (k["id"], k[spec.name_key]) for k in kept)))
    held = {str(obj["id"]).casefold() for obj in account} | {str(obj.get(spec.name_key)).casefold() for obj in account}
    unknown = sorted(name for name in protected if str(name).casefold() not in held)
    if unknown:
        warnings.append("protected names no %s of the account with id or %s %s: check the spelling, as an object "
                        "protected under a wrong name is not protected." % (spec.noun, spec.name_key, some(unknown)))
    return warnings


def check_deletions(spec, removals, limit):
    """Fail, before any write, when a run would delete (or deactivate) more objects than `limit` allows."""
    if limit is None or len(removals) <= limit:
        return
    deactivating = any(change.action == DEACTIVATE for change in removals)
    verb, verbs, _done = REMOVAL_WORDS["deactivate" if deactivating else "delete"]
    names = ["%s (%s)" % (change.id, change.name) for change in removals]
    values = (verb, plural(len(removals), spec.noun), limit, some(names, 10), verbs, len(removals))
    raise Failure("This run would %s %s, more than max_deletions (%d): %s. Nothing was written. "
                  "Check the list (an empty or truncated list with prune %s everything not listed), "
                  "or raise max_deletions to at least %d." % values,
                  **{"would_" + verb: len(removals)})


def _references(spec, change):
    """(key, kind, value) of every reference `change` would send, memberships included."""
    sent = change.body if change.action == CREATE else change.after
    for key, kind in spec.references.items():
        value = (sent or {}).get(key)
        if isinstance(value, str) and value:
            yield key, kind, value
    for key, (assign, _remove) in change.memberships.items():
        for entry in assign:
            for kind, value in spec.rule(key).references(entry):
                yield key, kind, value


def referenced(spec, plan):
    """{kind: set of values} that the creates and updates of `plan` would send as references."""
    wanted = {}
    for change in plan.creates + plan.updates:
        for _key, kind, value in _references(spec, change):
            wanted.setdefault(kind, set()).add(value)
    return wanted


def unknown_references(spec, plan, known):
    """Errors naming each item that would send a reference to nothing; `known` maps a kind to
    {id or label: object} of what exists."""
    errors = []
    for change in plan.creates + plan.updates:
        for key, kind, value in _references(spec, change):
            if kind in known and value not in known[kind]:
                errors.append("%s: %s: no %s with %s %s" % (change.label, key, kind[:-1],
                                                            "label" if kind == "roles" else "id or label", clip(value)))
    return errors


def membership_problems(spec, items, found, known, options):
    """Errors for memberships that contradict themselves or the item, found once references are resolved:
    one organization listed twice (by label and by id), an entry whose id and label name two organizations,
    and, with the purge option, a default organization the item gives that its memberships leave out: the
    purge would remove the membership the default needs, and the run would never converge."""
    errors = []
    for index, (item, obj) in enumerate(zip(items, found)):
        for key, rule in spec.rules.items():
            listed = item.get(key)
            if not getattr(rule, "separate", False) or not isinstance(listed, list):
                continue
            ids, labels = _organizations_seen(spec, known.get("organizations", {}), obj, key)
            label = item_label(spec, index, item)
            seen = {}
            for position, entry in enumerate(listed):
                if not isinstance(entry, dict):
                    continue
                if entry.get("id") and entry.get("label") and labels.get(entry["id"], entry["label"]) != entry["label"]:
                    errors.append("%s: %s[%d]: id %s is the organization labelled %s, not %s: give the id or the label"
                                  % (label, key, position, clip(entry["id"]), clip(labels[entry["id"]]), clip(entry["label"])))
                name = entry.get("id") or entry.get("label")
                org_id = ids.get(name, name)
                if org_id in seen:
                    first = seen[org_id]
                    errors.append("%s: %s[%d] (%s) and %s[%d] (%s) name the same organization: list it once"
                                  % (label, key, first, _entry_words(listed[first]), key, position, _entry_words(entry)))
                seen.setdefault(org_id, position)
            if options.get(rule.purge_option):
                errors.extend(_default_outside(spec, label, item, key, rule.purge_option, ids, seen))
    return errors


def _default_outside(spec, label, item, key, option, ids, seen):  # pylint: disable=too-many-arguments
    """Errors for each organization reference (defaultOrganization) the item gives that the purge of `key` would
    leave without its membership. (The user's current default, when the item gives none, is left to the API: on
    the emulator, removing its membership clears it, and the next run finds nothing to change.)"""
    errors = []
    for ref_key, kind in spec.references.items():
        value = item.get(ref_key)
        if kind != "organizations" or not isinstance(value, str) or not value or ids.get(value, value) in seen:
            continue
        if value not in ids:
            continue  # an organization nobody knows: the unknown reference is reported on its own
        errors.append("%s: %s %s is not among its %s, and %s: true would remove that membership: add it to %s,"
                      " or change %s" % (label, ref_key, clip(value), key, option, key, ref_key))
    return errors


def _entry_words(entry):
    return "id %s" % clip(entry["id"]) if entry.get("id") else "label %s" % clip(entry.get("label"))


def _organizations_seen(spec, organizations, obj, key):
    """({id or label: id}, {id: label}) of the organizations read for references and of those the current
    object shows (its memberships and its organization references)."""
    ids, labels = {}, {}
    obj = obj or {}
    shown = list(organizations.values()) + list(obj.get(key) or [])
    shown += [obj.get(ref) for ref, kind in spec.references.items() if kind == "organizations"]
    for org in shown:
        if isinstance(org, dict) and org.get("id"):
            ids[org["id"]] = org["id"]
            if org.get("label"):
                ids.setdefault(org["label"], org["id"])
                labels[org["id"]] = org["label"]
    return ids, labels


def name_memberships(plan, known):
    """Memberships given by organization id are assigned by label (the endpoint takes labels)."""
    organizations = known.get("organizations", {})
    for change in plan.creates + plan.updates:
        for key, (assign, remove) in change.memberships.items():
            named = False
            for entry in assign:
                if "id" in entry and entry["id"] in organizations:
                    entry["label"] = organizations[entry.pop("id")]["label"]
                    named = True
            if named:  # the diff names them by label too, and a changed role replaces the membership it changes
                change.after[key] = _after_memberships((change.before or {}).get(key) or [], assign, remove)
