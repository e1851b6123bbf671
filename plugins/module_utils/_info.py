# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read side shared by the info modules: select, read and return objects in the bulk item shape.

Users also come in an access-review shape (account_view): who can log in, when they last did, and where. Every
time is UTC, and "now" is a parameter, so that a review's numbers can be recomputed from what it shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ansible_collections.ubidots.industrial.plugins.module_utils._client import API_PREFIX, UbidotsError
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure

# The keys of a user in the access-review shape, besides its memberships (organizations).
ACCOUNT_KEYS = ("id", "username", "email", "isActive", "lastLogin")


def info_argument_spec(name_option, **extra):
    """Selection options of an info module; `name_option` is usernames or labels; `extra` its own options."""
    return dict(
        ids=dict(type="list", elements="str"),
        **{name_option: dict(type="list", elements="str")},
        filters=dict(type="dict"),
        **extra,
    )


def run_info(module, spec, name_option, now=None):
    """Read the selected objects; return them in the shape the bulk module takes.

    Users with `inactive_for_days`: also every user read in the access-review shape (`accounts`) and the unused
    ones (`inactive_users`), measured from `now` (default: the time of the read, UTC). With `page`: only that
    page of the listing, and how many pages there are.
    """
    params = module.params
    ids = params["ids"] or []
    names = params[name_option] or []
    days = params.get("inactive_for_days")
    page = params.get("page")
    name_key = spec.name_key
    # Keys sent with their own endpoints (memberships) cost a larger read: only when asked for.
    keys = [key for key in spec.schema["properties"]
            if not getattr(spec.rule(key), "separate", False) or params.get("memberships")]
    fields = spec.read_fields(keys)
    if days is not None:
        # The same requests as an ordinary listing: the API documents no date comparison on lastLogin, and
        # "older or never" would be two filters anyway, so the module filters what the listing returns.
        fields = sorted(set(fields) | set(ACCOUNT_KEYS) | {"organizations"})
    client = module.client()
    result = {"changed": False}
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
        if page is None:
            objects = list(client.list(spec.path, query))
        else:
            objects, paging = _one_page(client, spec.path, query, page)
            result.update(paging)
    seen_ids = {obj["id"] for obj in objects}
    seen_names = {obj.get(name_key) for obj in objects}
    result.update({
        spec.option: [spec.to_item(obj, keys) for obj in objects],
        "count": len(objects),
        "missing_ids": [value for value in ids if value not in seen_ids],
        "missing_" + name_option: [value for value in names if value not in seen_names],
    })
    if days is not None:
        now = now or datetime.now(timezone.utc)
        cutoff = inactive_before(days, now)
        accounts = [account_view(spec, obj) for obj in objects]
        try:
            inactive = [acc for acc in accounts if is_unused(acc, cutoff)]
        except ValueError as exc:
            raise Failure(str(exc))
        result.update({"accounts": accounts, "inactive_users": inactive, "read_at": format_time(now),
                       "inactive_before": format_time(cutoff)})
    return result


def _one_page(client, path, query, page):
    """One page of a listing: (objects, {page, pages, total}); pages counts by the size the server answered.

    Read with the client's listing reader (which checks the envelope and every object), without following `next`.
    """
    reader = client.pages(path, dict(query, page=page))
    try:
        answer = next(reader)
    finally:
        reader.close()
    if not isinstance(answer.get("count"), int):
        raise UbidotsError("GET %s%s: the answer is not a paginated listing {count, next, previous, results}." % (
            API_PREFIX, path), method="GET", path=API_PREFIX + path)
    objects = answer["results"]
    total = answer["count"]
    if not answer.get("next"):
        pages = page
    else:
        pages = max(page + 1, -(-total // max(1, len(objects))))
    return objects, {"page": page, "pages": pages, "total": total}


def parse_time(value):
    """A lastLogin as an aware UTC datetime; None for never. ISO 8601 (no offset: UTC) or epoch milliseconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000.0, timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc)
    raise ValueError("lastLogin %r is not a time this module can read (ISO 8601 or epoch milliseconds)." % (value,))


def format_time(moment):
    """An aware datetime as ISO 8601 UTC with Z, to the second."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def inactive_before(days, now):
    """The cutoff: an account whose last login is before it has not logged in for `days` days."""
    return now.astimezone(timezone.utc) - timedelta(days=days)


def is_unused(account, cutoff):
    """Active (isActive true) and never logged in, or last logged in before `cutoff`."""
    if account.get("isActive") is not True:
        return False
    try:
        last = parse_time(account.get("lastLogin"))
    except ValueError as exc:
        raise ValueError("user %s: %s" % (account.get("username") or account.get("id"), exc))
    return last is None or last < cutoff


def account_view(spec, obj):
    """A user as an access review shows it: id, username, email, isActive, lastLogin (null: never) and its
    memberships as [{label, role}] sorted by label."""
    view = {key: obj.get(key) for key in ACCOUNT_KEYS}
    view["organizations"] = spec.to_item(obj, ["organizations"]).get("organizations") or []
    return view


def _query_value(value):
    """API filter values: booleans as true/false, lists joined with commas (for __in filters)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value
