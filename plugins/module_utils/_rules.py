# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparison rules, one per kind of key: how a desired value compares with what the API returned.

Pure functions on plain values: no HTTP, no Ansible. Values compare as JSON does (see json_equal).
"""

from __future__ import annotations

import json

MASK = "********"
WRITE_ONLY = "(write-only, not readable)"


_SCALARS = frozenset((str, int, float, bool, type(None)))


def json_equal(a, b):
    """Equality as JSON sees it: a boolean is not a number, 1 and 1.0 are the same number, key order does not count."""
    kind = a.__class__
    if kind in _SCALARS and b.__class__ is kind:  # the common case, first: two scalars of one JSON type
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(value, b[key]) for key, value in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, (int, float)) != isinstance(b, (int, float)):
        return False
    return a == b


class Rule:
    """Plain value: equal when JSON-equal."""

    secret = False

    def sent_to_existing(self, options):  # pylint: disable=unused-argument
        """(send, warn): whether a given value is compared and sent to an object that exists, and whether
        leaving it out deserves a warning."""
        return True, False

    def current(self, obj, key):
        """The current value in the item shape the endpoints take."""
        return obj.get(key)

    def desired(self, value, current_obj, key, options):  # pylint: disable=unused-argument
        """The desired value, normalised: what is sent for it."""
        return value

    def equal(self, desired, current_obj, key):
        """Whether the object already has the desired value."""
        return json_equal(desired, self.current(current_obj, key))

    def shown(self, value):
        """How a value appears in diffs and results."""
        return value

    def write_current(self, obj, key):
        """The current value as sent back in a full update."""
        return self.current(obj, key)


def _sorted_unique(value):
    return sorted(set(value), key=str) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value


class SetRule(Rule):
    """A list of strings whose order and repetitions do not count (tags)."""

    def current(self, obj, key):
        return _sorted_unique(obj.get(key))

    def desired(self, value, current_obj, key, options):
        return _sorted_unique(value)


class RefRule(Rule):
    """A reference to another object given as one of `keys` (id or label); the API returns the object.

    `kind` names the resource it points to, so that the plan can resolve it before any write.
    """

    def __init__(self, kind, keys=("id", "label")):
        self.kind = kind
        self.keys = keys

    def current(self, obj, key):
        ref = obj.get(key)
        if isinstance(ref, dict):
            for name in reversed(self.keys):
                if ref.get(name):
                    return ref[name]
            return None
        return ref

    def equal(self, desired, current_obj, key):
        ref = current_obj.get(key)
        if desired is None or not isinstance(ref, dict):
            return (desired is None and not ref) or json_equal(desired, ref)
        return any(json_equal(ref.get(name), desired) for name in self.keys)

    def write_current(self, obj, key):
        """The reference as sent back in a full update: its first key (the id)."""
        ref = obj.get(key)
        return ref.get(self.keys[0]) if isinstance(ref, dict) else ref


def _canonical_contact(method):
    return {
        "type": method.get("type"),
        "values": sorted(method.get("values") or [], key=str),
        "properties": method.get("properties") or {},
    }


def _contact_sort_key(method):
    return json.dumps(method, sort_keys=True)


class ContactRule(Rule):
    """Contact methods: server-side ids do not count, nor the order of methods or of their values."""

    def current(self, obj, key):
        value = obj.get(key)
        if not isinstance(value, list):
            return value
        return sorted((_canonical_contact(m) for m in value if isinstance(m, dict)), key=_contact_sort_key)

    def desired(self, value, current_obj, key, options):
        if not isinstance(value, list):
            return value
        return sorted((_canonical_contact(m) for m in value if isinstance(m, dict)), key=_contact_sort_key)


class PropertiesRule(Rule):
    """A free-form object compared deeply; merged into the current one unless the purge option is set."""

    def __init__(self, purge_option):
        self.purge_option = purge_option

    def current(self, obj, key):
        value = obj.get(key)
        return value if isinstance(value, dict) else {}

    def desired(self, value, current_obj, key, options):
        if options.get(self.purge_option) or not isinstance(value, dict):
            return value
        merged = dict(self.current(current_obj, key))
        merged.update(value)
        return merged


class ImageRule(Rule):
    """An image (favicon, logo): given as a URL, returned as {raw, h36, h50}; compared by the raw URL."""

    def current(self, obj, key):
        value = obj.get(key)
        return value.get("raw") if isinstance(value, dict) else value


class SecretRule(Rule):
    """A write-only secret (password): cannot be read back, so giving it is always a change.

    `option` (update_password) says when it is sent to an object that exists: always; on_create (never
    to an existing object, so that a play that lists passwords is idempotent); never (and warn). A new
    object always gets it: the API requires it.
    """

    secret = True

    def __init__(self, option):
        self.option = option

    def sent_to_existing(self, options):
        choice = options.get(self.option, "on_create")
        return choice == "always", choice == "never"

    def current(self, obj, key):
        return None

    def equal(self, desired, current_obj, key):
        return False

    def shown(self, value):
        return MASK


PLAIN = Rule()


def _membership_key(entry):
    """The organization of a membership: ("id", x) or ("label", x)."""
    return ("id", entry["id"]) if entry.get("id") else ("label", entry.get("label"))


class MembershipRule(Rule):
    """A user's memberships: a set of (organization, role), sent with their own endpoints, not the bulk body.

    Given as [{label (or id), role}]; read as [{id, label, name, role: {label, ...}}]. A listed membership
    that is missing or has another role is assigned; an unlisted one is kept, or removed with the purge option.
    """

    separate = True
    assign_path = "_/assign_organizations/"   # documented
    remove_path = "_/remove_organizations/"   # used by public client code; missing from the API reference

    def __init__(self, purge_option):
        self.purge_option = purge_option

    @staticmethod
    def references(entry):
        """(kind, value) of what one membership entry points at: its organization (id, else label) and its role.
        A value that is not a non-empty string is not a reference: validation names it (a null role)."""
        for kind, value in (("organizations", entry.get("id") or entry.get("label")), ("roles", entry.get("role"))):
            if isinstance(value, str) and value:
                yield kind, value

    @staticmethod
    def problems(value):
        """Messages for an organization listed twice in one user's memberships (the schema cannot say it)."""
        seen, out = set(), []
        for position, entry in enumerate(value if isinstance(value, list) else []):
            key = _membership_key(entry) if isinstance(entry, dict) else None
            # An organization that is not a string or a number is the schema's to name (a YAML typo: [org1]).
            if key is not None and isinstance(key[1], (str, int)):
                if key in seen:
                    out.append("[%d]: organization %s %s is listed twice" % (position, key[0], key[1]))
                seen.add(key)
        return out

    def current(self, obj, key):
        value = obj.get(key)
        if not isinstance(value, list):
            return []
        out = [{"label": m.get("label"), "role": (m.get("role") or {}).get("label") if isinstance(m.get("role"), dict) else m.get("role")}
               for m in value if isinstance(m, dict)]
        return sorted(out, key=lambda m: str(m["label"]))

    def write_current(self, obj, key):
        return self.current(obj, key)

    def changes(self, value, obj, key, options):
        """(assign, remove): the memberships to assign ([{label or id, role}]) and to remove ([{label}])."""
        held = {}
        for membership in obj.get(key) or []:
            if isinstance(membership, dict):
                role = membership.get("role")
                role = role.get("label") if isinstance(role, dict) else role
                for name in ("id", "label"):
                    if membership.get(name):
                        held[(name, membership[name])] = (membership, role)
        assign, listed = [], set()
        for entry in value:
            found = held.get(_membership_key(entry))
            if found is not None:
                listed.add(id(found[0]))
            if found is None or found[1] != entry.get("role"):
                assign.append(dict(entry))
        remove = []
        if options.get(self.purge_option):
            remove = [{"label": m.get("label")} for m in obj.get(key) or [] if isinstance(m, dict) and id(m) not in listed]
        return assign, remove
