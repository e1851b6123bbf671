# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field validators: each returns the value to store, or raises Invalid."""

from __future__ import annotations

import copy

from .common import CONTACT_TYPES, EMAIL_RE, Invalid, KEY_RE, MAX_TAGS, MAX_TAG_LENGTH


def v_string(value, nullable=False, blank=True, max_length=None, key=None):
    if value is None:
        if nullable:
            return None
        raise Invalid(["This field may not be null."])
    if not isinstance(value, str):
        raise Invalid(["Not a valid string."])
    if not blank and not value.strip():
        raise Invalid(["This field may not be blank."])
    if max_length and len(value) > max_length:
        raise Invalid(["Ensure this field has no more than %d characters." % max_length])
    if key and not KEY_RE.fullmatch(value):
        raise Invalid(["Enter a valid %s. This value may contain only letters, numbers, dash and underscore characters." % key])
    return value


def v_bool(value):
    if not isinstance(value, bool):
        raise Invalid(["Must be a valid boolean."])
    return value


def v_dict(value):
    if not isinstance(value, dict):
        raise Invalid(['Expected a dictionary of items but got type "%s".' % type(value).__name__])
    return copy.deepcopy(value)


def v_list(value):
    if not isinstance(value, list):
        raise Invalid(['Expected a list of items but got type "%s".' % type(value).__name__])
    return value


def v_email(value):
    value = v_string(value, blank=False)
    if not EMAIL_RE.fullmatch(value):
        raise Invalid(["Enter a valid email address."])
    return value


def v_decimal_places(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(["A valid integer is required."])
    if value < 0:
        raise Invalid(["Ensure this value is greater than or equal to 0."])
    return value


def v_tags(value):
    v_list(value)
    if len(value) > MAX_TAGS:
        raise Invalid(["Ensure this field has no more than %d elements." % MAX_TAGS])
    errors = {}
    for index, tag in enumerate(value):
        try:
            v_string(tag, blank=False, max_length=MAX_TAG_LENGTH)
        except Invalid as exc:
            errors[str(index)] = exc.errors
    if errors:
        raise Invalid(errors)
    return list(value)


def v_contact_methods(value):
    v_list(value)
    errors = {}
    result = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors[str(index)] = {"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(item).__name__]}
            continue
        item_errors = {}
        for name in item:
            if name not in ("id", "type", "values", "properties"):
                item_errors[name] = ["Unknown field."]
        if "type" not in item:
            item_errors["type"] = ["This field is required."]
        elif item["type"] not in CONTACT_TYPES:
            item_errors["type"] = ['"%s" is not a valid choice.' % (item["type"],)]
        if "values" not in item:
            item_errors["values"] = ["This field is required."]
        elif not isinstance(item["values"], list):
            item_errors["values"] = ['Expected a list of items but got type "%s".' % type(item["values"]).__name__]
        elif not all(isinstance(v, str) and v for v in item["values"]):
            item_errors["values"] = ["Every value must be a non-empty string."]
        if "properties" in item and not isinstance(item["properties"], dict):
            item_errors["properties"] = ['Expected a dictionary of items but got type "%s".' % type(item["properties"]).__name__]
        if "id" in item and not (isinstance(item["id"], str) and item["id"]):
            item_errors["id"] = ["Not a valid string."]
        if item_errors:
            errors[str(index)] = item_errors
            continue
        result.append({"id": item.get("id"), "type": item["type"], "values": list(item["values"]),
                       "properties": copy.deepcopy(item.get("properties", {}))})
    if errors:
        raise Invalid(errors)
    return result
