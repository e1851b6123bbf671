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
# Validation keeps at most this many messages (the message shows MAX_ERRORS_IN_MESSAGE of them), so a
# huge invalid list gives a bounded result; every item is still checked and counted.
MAX_ERRORS_KEPT = 1000
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

# Keys holding secrets in any declared resource. The base module masks their values wherever they
# appear in its parameters, also when it fails before the engine runs (argument spec errors).
SECRET_KEYS = set()


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
        SECRET_KEYS.update(self.secret_keys)

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
_FAST_CHECKS = {}


def _validator(schema):
    key = id(schema)
    if key not in _VALIDATORS:
        Draft202012Validator.check_schema(schema)
        _VALIDATORS[key] = Draft202012Validator(schema, format_checker=_format_checker())
    return _VALIDATORS[key]


# -- a fast validity check ------------------------------------------------------------------------
# jsonschema builds a validator object per keyword and per sub-schema of every item (~0.1 ms for a
# user item), which made 100,000 items take 10-50 s. compile_check turns the small subset of
# keywords our schemas use into plain Python closures (~20x faster). It only answers "valid or
# not": items it rejects go through jsonschema for the exact messages. A schema using any other
# keyword gets no fast check (None), and the unit tests check that both always agree.

_ANNOTATIONS = frozenset(("$schema", "$id", "title", "description", "writeOnly", "readOnly", "default",
                          "examples", "$comment", "deprecated"))


def _type_check(names):
    """One isinstance for the listed JSON types (bool is not a number; 2.0 is an integer)."""
    names = set(names)
    python = tuple(t for name, t in (("string", str), ("boolean", bool), ("array", list), ("object", dict),
                                     ("null", type(None))) if name in names)
    number = "number" in names
    integer = "integer" in names and not number
    boolean = "boolean" in names
    if not number and not integer:
        if boolean:
            return lambda v: isinstance(v, python)
        return lambda v: isinstance(v, python) and not isinstance(v, bool)

    def check(v):
        if isinstance(v, bool):
            return boolean
        if isinstance(v, python):
            return True
        if number:
            return isinstance(v, (int, float))
        return isinstance(v, int) or (isinstance(v, float) and v.is_integer())
    return check


class _Unsupported(Exception):
    pass


def _same(a, b):
    """JSON equality as jsonschema's enum sees it (True is not 1)."""
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        raise _Unsupported("enum of containers")
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return a == b


def _all_of(checks):
    checks = tuple(checks)
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def check(value):
        for one in checks:
            if not one(value):
                return False
        return True
    return check


def _object_check(props, closed):
    def check(v):
        if not isinstance(v, dict):
            return True
        get = props.get
        for key, value in v.items():
            test = get(key)
            if test is None:
                if closed:
                    return False
            elif not test(value):
                return False
        return True
    return check


def _compile(schema):  # pylint: disable=too-many-branches
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict):
        raise _Unsupported(type(schema).__name__)
    checks = []
    if "type" in schema:  # first: the later checks are cheaper once the type is known
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        for name in names:
            if name not in ("string", "boolean", "integer", "number", "array", "object", "null"):
                raise _Unsupported("type " + str(name))
        checks.append(_type_check(names))
    for keyword, expected in schema.items():
        if keyword in _ANNOTATIONS or keyword in ("type", "properties", "additionalProperties"):
            continue
        if keyword == "minLength":
            checks.append(lambda v, n=expected: not isinstance(v, str) or len(v) >= n)
        elif keyword == "maxLength":
            checks.append(lambda v, n=expected: not isinstance(v, str) or len(v) <= n)
        elif keyword == "pattern":
            search = re.compile(expected).search
            checks.append(lambda v, search=search: not isinstance(v, str) or search(v) is not None)
        elif keyword == "format":
            if expected == "email":  # the only format checked (FormatChecker(formats=()) ignores the others)
                checks.append(lambda v, match=_EMAIL.match: not isinstance(v, str) or match(v) is not None)
        elif keyword == "enum":
            choices = tuple(expected)
            for choice in choices:
                _same(choice, choice)
            checks.append(lambda v, c=choices: not isinstance(v, (list, dict)) and any(_same(v, x) for x in c))
        elif keyword == "minimum":
            checks.append(lambda v, n=expected: isinstance(v, bool) or not isinstance(v, (int, float)) or v >= n)
        elif keyword == "maxItems":
            checks.append(lambda v, n=expected: not isinstance(v, list) or len(v) <= n)
        elif keyword == "items":
            inner = _compile(expected)
            checks.append(lambda v, f=inner: not isinstance(v, list) or all(map(f, v)))
        elif keyword == "required":
            names = tuple(expected)
            checks.append(lambda v, names=names: not isinstance(v, dict) or all(n in v for n in names))
        elif keyword == "anyOf":
            options = tuple(_compile(option) for option in expected)
            checks.append(lambda v, options=options: any(f(v) for f in options))
        else:
            raise _Unsupported(keyword)
    if "properties" in schema or "additionalProperties" in schema:
        extra = schema.get("additionalProperties", True)
        if extra not in (True, False):
            raise _Unsupported("additionalProperties schema")
        props = {key: _compile(sub) for key, sub in schema.get("properties", {}).items()}
        checks.append(_object_check(props, closed=extra is False))
    return _all_of(checks)


def compile_check(schema):
    """A fast `is_valid(item)` for `schema`, or None when the schema uses a keyword it does not know."""
    try:
        return _compile(schema)
    except (_Unsupported, KeyError, TypeError, re.error):
        return None


def _fast_check(schema):
    key = id(schema)
    if key not in _FAST_CHECKS:
        _FAST_CHECKS[key] = compile_check(schema)
    return _FAST_CHECKS[key]


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
        extra = sorted(set(value) - set(error.schema.get("properties", {})), key=str)
        shown = ", ".join(clip(key, 40) for key in extra[:10]) + (" and %d more" % (len(extra) - 10) if len(extra) > 10 else "")
        allowed = ", ".join(error.schema.get("properties", {}))
        return "unknown key%s %s; allowed keys: %s" % ("s" if len(extra) > 1 else "", shown, allowed)
    return "does not match the schema (%s)" % kind


def clip(text, limit=64):
    """`text` cut to `limit` characters, so that no message grows with the input."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def item_label(spec, index, item):
    """How messages name an item: users[3] (id 409dba9c67d3bb19f554, username jdoe)."""
    parts = []
    if isinstance(item, dict):
        for key in spec.identity:
            value = item.get(key)
            if isinstance(value, str) and value:
                parts.append("%s %s" % (key, clip(value)))
    return "%s[%d]%s" % (spec.option, index, " (%s)" % ", ".join(parts) if parts else "")


class ValidationErrors(list):
    """The error messages of a validation, at most `limit` of them.

    `total` counts the errors found; once `limit` messages are kept, later invalid items are only
    counted (`more_items`), not described, so that a huge invalid list costs bounded time and memory.
    """

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self.total = 0
        self.more_items = 0

    @property
    def full(self):
        """Whether no more messages are kept."""
        return len(self) >= self.limit

    def add(self, message):
        """Count an error; keep its message while under the limit."""
        self.total += 1
        if not self.full:
            self.append(message)

    def __bool__(self):
        return bool(self.total or self.more_items)


def validate_items(spec, items, limit=MAX_ERRORS_KEPT):
    """The errors of every item, as one-line messages naming the item and the key path.

    Returns a ValidationErrors (a list of at most `limit` messages). Every item is checked; valid
    items take the fast path, so 100,000 items take a second or two.
    """
    errors = ValidationErrors(limit)
    validator = _validator(spec.schema)
    fast = _fast_check(spec.schema)
    secrets = set(spec.secret_keys)
    seen = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            if errors.full:
                errors.more_items += 1
            else:
                errors.add("%s: must be an object (a dict), got %s" % (item_label(spec, index, item), json_type(item)))
            continue
        invalid = fast is None or not fast(item)
        if invalid and errors.full and fast is not None:
            errors.more_items += 1
        elif invalid:
            label = item_label(spec, index, item)
            for error in sorted(validator.iter_errors(item), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
                path = list(error.absolute_path)
                if error.validator == "anyOf" and not path:
                    errors.add("%s: needs %s to say which %s to update" % (label, " or ".join(spec.identity), spec.noun))
                    continue
                secret = bool(path) and path[0] in secrets
                errors.add("%s: %s%s" % (label, _path(path) + ": " if path else "", describe_error(error, secret)))
        for key in spec.identity:
            value = item.get(key)
            if isinstance(value, str) and value:
                first = seen.setdefault((key, value), index)
                if first == index:
                    break
                if not errors.full:
                    errors.add("%s: same %s as %s[%d]; each %s may appear once"
                               % (item_label(spec, index, item), key, spec.option, first, spec.noun))
                elif not invalid:
                    errors.more_items += 1
                break
    return errors


def errors_message(spec, errors):
    """One failure message holding (up to a bound) every validation error."""
    total = getattr(errors, "total", len(errors))
    more_items = getattr(errors, "more_items", 0)
    shown = errors[:MAX_ERRORS_IN_MESSAGE]
    more = total - len(shown)
    head = "%d error%s in %s" % (total, "" if total == 1 else "s", spec.option)
    if more_items:
        head += ", and %d more invalid item%s not checked in detail" % (more_items, "" if more_items == 1 else "s")
    tail = ""
    if more:
        tail = "; and %d more (see errors%s)" % (more, "" if total == len(errors) else ", which holds the first %d" % len(errors))
    return "%s: %s%s. Nothing was sent to the API." % (head, "; ".join(shown), tail)


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
