# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and comparison: pure functions on plain dicts, no HTTP and no Ansible.

A resource (users, organizations) is declared as a ResourceSpec: its schema, identity keys,
endpoint, and one comparison rule per key. `validate_items` checks a whole list against the schema;
`compare_item` says what of one desired item differs from the object the API returned, and what to
send for it.
"""

from __future__ import annotations

import json
import re

try:
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    Draft202012Validator = FormatChecker = None

MASK = "********"
WRITE_ONLY = "(write-only, not readable)"
MAX_ERRORS_IN_MESSAGE = 25
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- comparison rules, one per kind of key --------------------------------------------------------

class Rule:
    """Plain value: equal when equal."""

    secret = False

    def current(self, obj, key):
        """The current value in the item shape the bulk endpoint takes."""
        return obj.get(key)

    def desired(self, value, current_obj, key, options):  # pylint: disable=unused-argument
        """The desired value, normalised; what is sent for it."""
        return value

    def equal(self, desired, current_obj, key):
        """Whether the object already has the desired value."""
        return desired == self.current(current_obj, key)

    def shown(self, value):
        """How a value appears in diffs and results."""
        return value


class SetRule(Rule):
    """A list whose order and repetitions do not count (tags)."""

    def current(self, obj, key):
        value = obj.get(key)
        return sorted(set(value)) if isinstance(value, list) else value

    def desired(self, value, current_obj, key, options):
        return sorted(set(value)) if isinstance(value, list) else value


class RefRule(Rule):
    """A reference to another object, given as one of `keys` (id or label); the API returns the object."""

    def __init__(self, keys=("id", "label")):
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
            return desired is None and not ref or desired == ref
        return any(ref.get(name) == desired for name in self.keys)

    def write_current(self, obj, key):
        """The reference as sent back in a full update: its first key (the id)."""
        ref = obj.get(key)
        return ref.get(self.keys[0]) if isinstance(ref, dict) else ref


def _canonical_contact(method):
    return {
        "type": method.get("type"),
        "values": sorted(method.get("values") or []),
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
        return sorted((_canonical_contact(m) for m in value), key=_contact_sort_key)


class PropertiesRule(Rule):
    """A free-form object compared deeply; merged into the current one unless purge is asked for."""

    def __init__(self, purge_option):
        self.purge_option = purge_option

    def current(self, obj, key):
        value = obj.get(key)
        return value if isinstance(value, dict) else {}

    def desired(self, value, current_obj, key, options):
        if options.get(self.purge_option):
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
    """A write-only secret (password): cannot be read back, so giving it is always a change."""

    secret = True

    def current(self, obj, key):
        return None

    def equal(self, desired, current_obj, key):
        return False

    def shown(self, value):
        return MASK


PLAIN = Rule()


class ResourceSpec:
    """What differs between the two bulk modules: one declaration, one engine."""

    def __init__(self, option, noun, path, bulk_method, identity, name_key, schema, rules=None,
                 full_update_keys=None):
        self.option = option                  # module option holding the list: "users"
        self.noun = noun                      # "user"
        self.path = path                      # "/users/"
        self.bulk_path = path + "_/bulk/update/"
        self.bulk_method = bulk_method        # "PATCH" (partial) or "POST" (full update)
        self.identity = identity              # ("id", "username")
        self.name_key = name_key              # key that names an object in messages: "username"
        self.schema = schema
        self.rules = rules or {}
        # A full update resets what is not sent, so these keys always travel, merged with the user's.
        self.full_update_keys = full_update_keys

    def rule(self, key):
        """The comparison rule of a key."""
        return self.rules.get(key, PLAIN)

    @property
    def secret_keys(self):
        """Keys whose values are secrets."""
        return [key for key, rule in self.rules.items() if rule.secret]

    def read_fields(self, keys):
        """The `fields=` to ask for, to compare `keys` (and, for a full update, to send back)."""
        wanted = set(self.identity) | set(keys) | set(self.full_update_keys or ())
        return sorted(key for key in wanted if not self.rule(key).secret)

    def to_item(self, obj, keys=None):
        """An API object in the item shape the bulk endpoint takes (secrets left out)."""
        item = {"id": obj.get("id")}
        for key in keys or self.schema["properties"]:
            rule = self.rule(key)
            if key != "id" and not rule.secret and key in obj:
                item[key] = rule.write_current(obj, key) if isinstance(rule, RefRule) else rule.current(obj, key)
        return item


# -- validation -----------------------------------------------------------------------------------

def _format_checker():
    checker = FormatChecker(formats=())

    @checker.checks("email")
    def is_email(value):  # pylint: disable=unused-variable
        return not isinstance(value, str) or bool(_EMAIL.match(value))

    return checker


_VALIDATORS = {}


def _validator(schema):
    key = id(schema)
    if key not in _VALIDATORS:
        Draft202012Validator.check_schema(schema)
        _VALIDATORS[key] = Draft202012Validator(schema, format_checker=_format_checker())
    return _VALIDATORS[key]


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
               (list, "list"), (dict, "object"), (type(None), "null"))


def json_type(value):
    """The JSON name of a Python value's type."""
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _path(parts):
    text = ""
    for part in parts:
        text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def describe_error(error, secret):
    """One schema error in words; never shows the value of a secret."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        names = [{"array": "list", "object": "object (dict)"}.get(t, t) for t in types]
        return "must be %s, got %s" % (" or ".join(names), json_type(value))
    if kind == "maxItems":
        return "%d items, at most %d" % (len(value), expected)
    if kind == "maxLength":
        return "%d characters, at most %d" % (len(value), expected)
    if kind == "minLength":
        return "must not be empty"
    if kind == "minimum":
        return "must be %s or more, got %s" % (expected, value)
    if kind == "pattern":
        shown = "" if secret else " (%s)" % _short(value)
        return "only ASCII letters, digits, dash and underscore are allowed%s" % shown
    if kind == "format":
        shown = "the value" if secret else _short(value)
        return "%s is not a valid %s" % (shown, "email address" if expected == "email" else expected)
    if kind == "enum":
        return "must be one of %s, got %s" % (", ".join(expected), "a secret" if secret else _short(value))
    if kind == "required":
        return error.message
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        return "unknown key%s %s; allowed keys: %s" % ("s" if len(extra) > 1 else "", ", ".join(extra),
                                                         ", ".join(error.schema.get("properties", {})))
    return "does not match the schema (%s)" % kind


def item_label(spec, index, item):
    """How messages name an item: users[3] (id 409dba9c67d3bb19f554, username jdoe)."""
    parts = []
    if isinstance(item, dict):
        for key in spec.identity:
            value = item.get(key)
            if isinstance(value, str) and value:
                parts.append("%s %s" % (key, value if len(value) <= 64 else value[:61] + "..."))
    return "%s[%d]%s" % (spec.option, index, " (%s)" % ", ".join(parts) if parts else "")


def validate_items(spec, items):
    """Every error of every item, as one-line messages naming the item and the key path."""
    errors = []
    validator = _validator(spec.schema)
    secrets = set(spec.secret_keys)
    seen = {}
    for index, item in enumerate(items):
        label = item_label(spec, index, item)
        if not isinstance(item, dict):
            errors.append("%s: must be an object (a dict), got %s" % (label, json_type(item)))
            continue
        for error in sorted(validator.iter_errors(item), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
            path = list(error.absolute_path)
            if error.validator == "anyOf" and not path:
                errors.append("%s: needs %s to say which %s to update" % (label, " or ".join(spec.identity), spec.noun))
                continue
            secret = bool(path) and path[0] in secrets
            errors.append("%s: %s%s" % (label, _path(path) + ": " if path else "", describe_error(error, secret)))
        for key in spec.identity:
            value = item.get(key)
            if isinstance(value, str) and value:
                first = seen.setdefault((key, value), index)
                if first != index:
                    errors.append("%s: same %s as %s[%d]; each %s may appear once" % (label, key, spec.option, first, spec.noun))
                break
    return errors


def errors_message(spec, errors):
    """One failure message holding (up to a bound) every validation error."""
    shown = errors[:MAX_ERRORS_IN_MESSAGE]
    more = len(errors) - len(shown)
    return "%d error%s in %s: %s%s. Nothing was sent to the API." % (
        len(errors), "" if len(errors) == 1 else "s", spec.option, "; ".join(shown),
        "; and %d more (see errors)" % more if more else "")


# -- comparison -----------------------------------------------------------------------------------

def compare_item(spec, desired, current_obj, options):
    """Compare one desired item with the object the API returned.

    Returns (before, after, write): the changed keys' current and desired values (as shown to users,
    secrets masked), and the item to send, or write=None when nothing changes.
    """
    before, after, sent = {}, {}, {}
    for key, value in desired.items():
        if key == "id" or (key == spec.identity[-1] and "id" not in desired):
            continue  # identity keys are not compared: they found the object
        rule = spec.rule(key)
        wanted = rule.desired(value, current_obj, key, options)
        if rule.equal(wanted, current_obj, key):
            continue
        before[key] = WRITE_ONLY if rule.secret else rule.current(current_obj, key)
        after[key] = rule.shown(wanted)
        sent[key] = wanted
    if not sent:
        return before, after, None
    if spec.full_update_keys:
        write = spec.to_item(current_obj, spec.full_update_keys)
        write.update(sent)
    else:
        write = dict(sent)
    write["id"] = current_obj["id"]
    return before, after, write
