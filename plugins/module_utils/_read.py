# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the current state a plan needs: the listed objects (or the whole account, to prune),
and the objects that references point at."""

from __future__ import annotations

from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure, item_label, join_errors
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import REFERENCE_KINDS


# A listing of the whole account asks for this many objects per page; the server returns at most its own
# maximum (an assumption the live contract suite measures), and the listing follows `next` to the end.
ACCOUNT_PAGE_SIZE = 5000
# Below this many listed objects, lookups (about 138 ids per read) always cost fewer reads than listing.
LISTING_FROM = 300


def find(client, spec, ids, names, fields):
    """(by_id, by_name): the objects with these ids and these names, read the cheaper way.

    Lookups (`id__in` / `<name>__in`, about 138 values per read) for a few objects; for many, the first
    page of the account's listing tells its size, and the listing goes on if its remaining pages cost no
    more reads than the lookups would.
    """
    by_id, by_name = {}, {}
    if len(ids) + len(names) >= LISTING_FROM:
        pages = client.pages(spec.path, {"fields": ",".join(fields)}, page_size=ACCOUNT_PAGE_SIZE)
        first = next(pages)
        per_page = len(first["results"]) or 1
        remaining = -(-first.get("count", 0) // per_page) - 1 if isinstance(first.get("count"), int) else None
        lookups = sum(len(client.lookup_chunks(param, values, fields))
                      for param, values in (("id__in", ids), (spec.name_key + "__in", names)) if values)
        if remaining is not None and remaining <= lookups:
            wanted_ids, wanted_names = set(ids), set(names)
            for page in [first] + list(pages):
                for obj in page["results"]:
                    if obj["id"] in wanted_ids:
                        by_id[obj["id"]] = obj
                    if obj.get(spec.name_key) in wanted_names:
                        by_name[obj[spec.name_key]] = obj
            return by_id, by_name
        pages.close()
    if ids:
        by_id = {obj["id"]: obj for obj in client.lookup(spec.path, "id__in", ids, fields)}
    if names:
        by_name = {obj.get(spec.name_key): obj for obj in client.lookup(spec.path, spec.name_key + "__in", names, fields)}
    return by_id, by_name


def read_current(client, spec, items, keys, whole_account=False):
    """(found, account): the current object of each item (None when not found), and, with
    `whole_account`, every object of the account (read in one paginated listing instead of lookups).

    Fails when two items name the same object (one by id, one by name).
    """
    fields = spec.read_fields(keys)
    name_key = spec.name_key
    account = None
    if whole_account:
        account = list(client.list(spec.path, {"fields": ",".join(fields)}, page_size=ACCOUNT_PAGE_SIZE))
        by_id = {obj["id"]: obj for obj in account}
        by_name = {obj.get(name_key): obj for obj in account}
    else:
        by_id, by_name = find(client, spec, [item["id"] for item in items if "id" in item],
                              [item[name_key] for item in items if "id" not in item], fields)
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
    """{kind: {id or label: object}} of what exists, for each kind in `wanted` ({kind: values}): one read per kind
    and key, as its REFERENCE_KINDS entry says (a key is looked up only for the values the keys before it did not
    find)."""
    known = {}
    for kind, values in wanted.items():
        path, keys, looked_up = REFERENCE_KINDS[kind]
        if looked_up:
            objects, rest = [], set(values)
            for key in keys:
                if rest:
                    objects += client.lookup(path, key + "__in", sorted(rest), sorted(keys))
                    rest = values - {obj.get(k) for obj in objects for k in keys}
        else:
            objects = client.list(path, {"fields": ",".join(keys)}, key=keys[0])
        known[kind] = {obj.get(key): obj for obj in objects for key in keys if obj.get(key)}
    return known
