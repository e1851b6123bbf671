# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the current state a plan needs: the listed objects (or the whole account, to prune),
and the objects that references point at."""

from __future__ import annotations

from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure, item_label, join_errors
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import REFERENCE_KINDS


def read_current(client, spec, items, keys, whole_account=False):
    """(found, account): the current object of each item (None when not found), and, with
    `whole_account`, every object of the account (read in one paginated listing instead of lookups).

    Fails when two items name the same object (one by id, one by name).
    """
    fields = spec.read_fields(keys)
    name_key = spec.name_key
    account = None
    if whole_account:
        account = list(client.list(spec.path, {"fields": ",".join(fields)}))
        by_id = {obj["id"]: obj for obj in account}
        by_name = {obj.get(name_key): obj for obj in account}
    else:
        ids = [item["id"] for item in items if "id" in item]
        names = [item[name_key] for item in items if "id" not in item]
        by_id = {obj["id"]: obj for obj in client.lookup(spec.path, "id__in", ids, fields)} if ids else {}
        by_name = {obj.get(name_key): obj for obj in client.lookup(spec.path, name_key + "__in", names, fields)} if names else {}
    found, errors, owner = [], [], {}
    for index, item in enumerate(items):
        obj = by_id.get(item["id"]) if "id" in item else by_name.get(item[name_key])
        if obj is not None and obj["id"] in owner:
            errors.append("%s: the same %s as %s[%d] (id %s); each %s may appear once"
                          % (item_label(spec, index, item), spec.noun, spec.option, owner[obj["id"]], obj["id"], spec.noun))
        elif obj is not None:
            owner[obj["id"]] = index
        found.append(obj)
    if errors:
        raise Failure("%s. Nothing was written." % join_errors(errors), errors=errors)
    _read_missing_keys(client, spec, found)
    return found, account


def _read_missing_keys(client, spec, found):
    """A full update sends every updatable key back. A key the listing did not return is read again
    from the object itself; a key still absent is then left out of the write (never sent as a default)."""
    for obj in found:
        if obj is None:
            continue
        missing = [key for key in spec.full_update_keys if key not in obj]
        if missing:
            again = client.get(spec.path, obj["id"], {"fields": ",".join(missing)})
            obj.update({key: again[key] for key in missing if isinstance(again, dict) and key in again})


def read_references(client, wanted):
    """{kind: {id or label: object}} of what exists, for each kind in `wanted` ({kind: values}).

    One read per kind: organizations are looked up by the wanted ids and labels; the other kinds
    are listed whole (an account holds few roles, dashboards and apps).
    """
    known = {}
    for kind, values in wanted.items():
        path, keys = REFERENCE_KINDS[kind]
        if kind == "organizations":
            # Most items name organizations by label: look those up first, and ids only for the rest.
            objects = list(client.lookup(path, "label__in", sorted(values), list(keys)))
            rest = values - {obj.get(key) for obj in objects for key in keys}
            objects += list(client.lookup(path, "id__in", sorted(rest), list(keys))) if rest else []
        else:
            objects = client.list(path, {"fields": ",".join(keys)})
        known[kind] = {obj.get(key): obj for obj in objects for key in keys if obj.get(key)}
    return known

