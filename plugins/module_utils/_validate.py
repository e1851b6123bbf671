# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of the desired items against the resource's JSON Schema, before any request.

The rules restrict what is sent, not what is read: an account may hold values older than the
documented rules (a username with a dot, a null first name). So an error about one key of an item is
kept aside (deferred) and decided by the plan: it fails the run only if that value would be sent (the
object is created, or the value differs from the current one). An identity used to find an object is
never refused for its format. Everything else (wrong shapes, unknown keys, a missing or duplicated
identity, a secret) fails at once, before any request.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import re

from ansible_collections.ubidots.industrial.plugins.module_utils._fastcheck import compile_check
from ansible_collections.ubidots.industrial.plugins.module_utils._identity import duplicates
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import MAX_ERRORS_IN_MESSAGE, Failure, clip, item_label, plural
from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import EMAIL_PATTERN

# jsonschema is imported only when an item fails the fast check (compile_check), for the exact messages:
# a run whose items are all valid never pays for its import (its cost: docs/performance.md).
# The module checks that it is installed, and new enough, before any request (jsonschema_problem).
JSONSCHEMA_MAJOR = 4

# Validation keeps at most this many messages (the message shows MAX_ERRORS_IN_MESSAGE of them), so a
# huge invalid list gives a bounded result; every item is still checked and counted.
MAX_ERRORS_KEPT = 1000
# Format errors of a name that only finds an object are not errors (the account may hold it).
_LOOKUP_ONLY = ("pattern", "format")
# Rules an account may break with values it already holds (older than the documented rules): an
# error of these kinds fails the run only if the value is sent. A value of another JSON type than
# the API returns (a string for a boolean), an unknown or missing key, cannot be held, and fails at once.
_HELD_KINDS = frozenset(("pattern", "format", "minLength", "maxLength", "maxItems", "minimum", "enum"))


def _may_be_held(error):
    """Whether the value in `error` could be one the API returns today."""
    return error.validator in _HELD_KINDS or (error.validator == "type" and error.instance is None)


_EMAIL = re.compile(EMAIL_PATTERN)


class Validation:
    """What validation found, in item order: every error, and which of them the plan decides on.

    `errors` holds at most `limit` messages; `total` counts them all and `more_items` counts the
    invalid items left undescribed once the limit is reached (the run fails anyway then).
    `deferred` maps an item index to {key: [messages]}: errors about a value that fail the run only
    if that value is sent. `immediate` counts the others, which fail it before any request.
    """

    def __init__(self, limit=MAX_ERRORS_KEPT):
        self.limit = limit
        self.errors = []
        self.total = 0
        self.more_items = 0
        self.immediate = 0
        self.deferred = {}

    @property
    def full(self):
        """Whether no more messages are kept and the run fails anyway."""
        return len(self.errors) >= self.limit and self.immediate > 0

    def add(self, message, index=None, key=None):
        """Count an error; keep its message while under the limit. With a key, the plan decides on it."""
        self.total += 1
        if len(self.errors) < self.limit:
            self.errors.append(message)
        if key is None:
            self.immediate += 1
        else:
            self.deferred.setdefault(index, {}).setdefault(key, []).append(message)

    def __bool__(self):
        """Whether the run fails before any request (the deferred errors alone are for the plan)."""
        return bool(self.immediate or self.more_items)

    def message(self, spec):
        """One failure message holding (up to a bound) every error."""
        shown = self.errors[:MAX_ERRORS_IN_MESSAGE]
        more = self.total - len(shown)
        head = "%s in %s" % (plural(self.total, "error"), spec.option)
        if self.more_items:
            head += ", and %s not checked in detail" % plural(self.more_items, "more invalid item")
        tail = ""
        if more:
            tail = "; and %d more (see errors%s)" % (
                more, "" if self.total == len(self.errors) else ", which holds the first %d" % len(self.errors))
        return "%s: %s%s. Nothing was sent to the API." % (head, "; ".join(shown), tail)


def _format_checker(jsonschema):
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("email")
    def is_email(value):  # pylint: disable=unused-variable
        return not isinstance(value, str) or bool(_EMAIL.match(value))

    return checker


def jsonschema_problem():
    """Why jsonschema cannot be used (not installed, or older than 4.0), or None; without importing it."""
    if importlib.util.find_spec("jsonschema") is None:
        return "missing"
    try:
        from importlib.metadata import version  # pylint: disable=import-outside-toplevel
        found = version("jsonschema")
    except Exception:  # pylint: disable=broad-except
        return None  # no metadata (a vendored copy): checked when it is imported
    major = found.split(".")[0]
    if major.isdigit() and int(major) < JSONSCHEMA_MAJOR:
        return _too_old(found)
    return None


def _too_old(found):
    return ("jsonschema %s is installed, and the modules need jsonschema 4.0 or later (its Draft 2020-12 "
            "validator): pip install 'jsonschema>=4.0' on the host that runs the module." % found)


def _draft_2020_12(schema):
    """jsonschema's validator of `schema` (imported here, on first use)."""
    jsonschema = importlib.import_module("jsonschema")
    if not hasattr(jsonschema, "Draft202012Validator"):  # jsonschema 3.x without package metadata
        raise Failure(_too_old(getattr(jsonschema, "__version__", "(unknown version)")), changed=False)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker(jsonschema))


class Validator:
    """The checks of one schema, built once per run (jsonschema's validator and the fast check)."""

    def __init__(self, spec):
        self.spec = spec
        self._jsonschema = None
        self.fast = compile_check(spec.schema)
        # Rules that check what a schema cannot say (an organization twice in one user's memberships).
        self.checked = [(key, rule) for key, rule in spec.rules.items() if hasattr(rule, "problems")]

    @property
    def jsonschema(self):
        """jsonschema's validator, built on first use (the unit tests check that the schemas are valid)."""
        if self._jsonschema is None:
            self._jsonschema = _draft_2020_12(self.spec.schema)
        return self._jsonschema

    def is_valid(self, item):
        """Whether `item` is valid (fast path)."""
        return self.fast(item) if self.fast is not None else self.jsonschema.is_valid(item)

    def validate(self, items, limit=MAX_ERRORS_KEPT):
        """Validation of every item: each message names the item and the key path."""
        spec = self.spec
        found = Validation(limit)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                if found.full:
                    found.more_items += 1
                else:
                    found.add("%s: must be an object (a dict), got %s" % (item_label(spec, index, item), json_type(item)))
                continue
            for key, rule in self.checked:
                if key in item:
                    for problem in rule.problems(item[key]):
                        found.add("%s: %s%s" % (item_label(spec, index, item), key, problem))
            if self.is_valid(item):
                continue
            if found.full:
                found.more_items += 1
                continue
            self._describe(index, item, found)
        for index, first, key, _value in duplicates(spec, items):
            found.add("%s: same %s as %s[%d]; each %s may appear once"
                      % (item_label(spec, index, items[index]), key, spec.option, first, spec.noun))
        return found

    def _describe(self, index, item, found):
        spec = self.spec
        label = item_label(spec, index, item)
        lookup_name = spec.name_key if "id" not in item else None
        for error in sorted(self.jsonschema.iter_errors(item), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
            path = list(error.absolute_path)
            if error.validator == "anyOf" and not path:
                found.add("%s: needs %s to say which %s to update" % (label, " or ".join(spec.identity), spec.noun))
                continue
            key = path[0] if path else None
            secret = key in spec.secret_keys
            message = "%s: %s%s" % (label, _path(path) + ": " if path else "", describe_error(error, secret))
            if key == lookup_name and error.validator in _LOOKUP_ONLY:
                found.add(message, index, key)  # a name that finds an object is not sent; one that creates is
            elif key is None or key == "id" or secret or key == lookup_name or not _may_be_held(error):
                found.add(message)
            elif getattr(spec.rule(key), "separate", False):
                # Memberships: a list of objects the API always shows (a null list or entry cannot be held);
                # the value of one membership's key fails only if that membership is sent.
                if len(path) > 2 and isinstance(path[1], int):
                    found.add(message, index, (key, path[1]))
                else:
                    found.add(message)
            else:
                found.add(message, index, key)


@functools.lru_cache(maxsize=None)
def validator(spec):
    """The Validator of a resource, built on first use and reused by the run (a ResourceSpec is hashable)."""
    return Validator(spec)


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


def describe_error(error, secret):  # pylint: disable=too-many-return-statements
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
    if kind == "anyOf" and all(list(choice) == ["required"] for choice in expected):
        return "needs %s" % " or ".join(key for choice in expected for key in choice["required"])
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})), key=str)
        shown = ", ".join(clip(key, 40) for key in extra[:10]) + (" and %d more" % (len(extra) - 10) if len(extra) > 10 else "")
        allowed = ", ".join(error.schema.get("properties", {}))
        return "unknown key%s %s; allowed keys: %s" % ("s" if len(extra) > 1 else "", shown, allowed)
    return "does not match the schema (%s)" % kind
