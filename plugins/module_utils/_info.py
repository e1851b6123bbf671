# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read side shared by the info modules: select, read and return objects in the bulk item shape."""

from __future__ import annotations


def info_argument_spec(name_option, **extra):
    """Selection options of an info module; `name_option` is usernames or labels; `extra` its own options."""
    return dict(
        ids=dict(type="list", elements="str"),
        **{name_option: dict(type="list", elements="str")},
        filters=dict(type="dict"),
        **extra,
    )


def run_info(module, spec, name_option):
    """Read the selected objects; return them in the shape the bulk module takes."""
    params = module.params
    ids = params["ids"] or []
    names = params[name_option] or []
    name_key = spec.name_key
    # Keys sent with their own endpoints (memberships) cost a larger read: only when asked for.
    keys = [key for key in spec.schema["properties"]
            if not getattr(spec.rule(key), "separate", False) or params.get("memberships")]
    fields = spec.read_fields(keys)
    client = module.client()
    if ids or names:
        found = {}
        for param, values in (("id__in", ids), (name_key + "__in", names)):
            if values:
                for obj in client.lookup(spec.path, param, values, fields):
                    found[obj["id"]] = obj
        objects = list(found.values())
    else:
        query = {key: _query_value(value) for key, value in (params["filters"] or {}).items()}
        query["fields"] = ",".join(fields)
        objects = list(client.list(spec.path, query))
    seen_ids = {obj["id"] for obj in objects}
    seen_names = {obj.get(name_key) for obj in objects}
    return {
        "changed": False,
        spec.option: [spec.to_item(obj, keys) for obj in objects],
        "count": len(objects),
        "missing_ids": [value for value in ids if value not in seen_ids],
        "missing_" + name_option: [value for value in names if value not in seen_names],
    }


def _query_value(value):
    """API filter values: booleans as true/false, lists joined with commas (for __in filters)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value
