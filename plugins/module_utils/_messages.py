# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How messages name things and count them: bounded, and with the right grammar."""

from __future__ import annotations

SHOWN = 20
MAX_ERRORS_IN_MESSAGE = 25


class Failure(Exception):
    """Why a run stops, and the result keys that say what was done (changed, accepted_ids, ...).

    Raised anywhere below the module layer; the module layer alone turns it into fail_json.
    """

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def plural(count, noun, nouns=None):
    """'1 user', '2 users', '1 request', '3 batches' (nouns for irregular plurals)."""
    return "%d %s" % (count, noun if count == 1 else (nouns or noun + "s"))


def clip(text, limit=64):
    """`text` cut to `limit` characters, so that no message grows with the input."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def some(values, shown=SHOWN):
    """'a, b, c' or 'a, b, c and 7 more': at most `shown` values, and how many were left out."""
    values = [str(value) for value in values]
    text = ", ".join(values[:shown])
    return text + (" and %d more" % (len(values) - shown) if len(values) > shown else "")


def join_errors(errors, limit=MAX_ERRORS_IN_MESSAGE):
    """Error messages joined with '; ', at most `limit` of them, then how many more the result holds."""
    text = "; ".join(errors[:limit])
    if len(errors) > limit:
        text += " (and %d more, see errors)" % (len(errors) - limit)
    return text


def item_label(spec, index, item):
    """How messages name an item: users[3] (id 409dba9c67d3bb19f554, username jdoe)."""
    parts = []
    if isinstance(item, dict):
        for key in spec.identity:
            value = item.get(key)
            if isinstance(value, str) and value:
                parts.append("%s %s" % (key, clip(value)))
    return "%s[%d]%s" % (spec.option, index, " (%s)" % ", ".join(parts) if parts else "")


def object_label(spec, obj_id, name):
    """How messages and diff headers name an object: 'user 409dba9c (username jdoe)'."""
    if obj_id is None:
        return "new %s (%s %s)" % (spec.noun, spec.name_key, clip(name))
    return "%s %s (%s %s)" % (spec.noun, obj_id, spec.name_key, clip(name))


def counted(names, noun, nouns=None):
    """'3 users (a, b, c)': the count and the names of one list, so that they always agree (names bounded by some())."""
    return "%s (%s)" % (plural(len(names), noun, nouns), some(names))
