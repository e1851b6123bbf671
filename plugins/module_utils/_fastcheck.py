# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fast "valid or not" check compiled from the small subset of JSON Schema our schemas use."""

from __future__ import annotations

import re

from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import EMAIL_PATTERN

_EMAIL = re.compile(EMAIL_PATTERN)

# -- a fast validity check ------------------------------------------------------------------------
# jsonschema builds a validator object per keyword and per sub-schema of every item, too slow for
# 100,000 items (docs/performance.md). compile_check turns the small subset of
# keywords our schemas use into plain Python closures. It only answers "valid or
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
