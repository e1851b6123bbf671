# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated API endpoints (a mixin of Emulator), with listing filters and pagination."""

from __future__ import annotations

import json
import secrets
import threading
from urllib.parse import unquote, urlencode

from .common import (
    API_PREFIX, DEFAULT_PAGE_SIZE, ERR_BAD_CREDENTIALS, ERR_BULK_HEADER, ERR_INVALID_PAGE, ERR_NOT_FOUND,
    ERR_NO_CREDENTIALS, ERR_PERMISSION, ERR_THROTTLED, FILTER_OPS, LIST_FIELDS, MAX_PAGE_SIZE, RESERVED_PARAMS, Invalid
)
from .lifecycle import Lifecycle


class Api(Lifecycle):
    """The API endpoints; mixed into Emulator."""

    # -- the API -----------------------------------------------------------------------------------------------

    def strip_prefix(self, path):
        """The path without the path prefix, or None if it does not start with the prefix."""
        if not self.path_prefix:
            return path
        if path.startswith(self.path_prefix + "/"):
            return path[len(self.path_prefix):]
        return None

    def handle_api(self, method, path, pairs, headers, raw, origin):
        """Answer one API request: return (status, JSON payload, extra headers). origin: scheme://Host."""
        inner = self.strip_prefix(path)
        route = self._route(inner) if inner is not None else None
        if route is None:
            return 404, ERR_NOT_FOUND, None
        base = origin + self.path_prefix
        kind, what, key = route
        token = headers.get("X-Auth-Token") or next((v for k, v in pairs if k == "token"), "")
        if not token:
            return 401, ERR_NO_CREDENTIALS, None
        with self._lock:
            info = self._store.tokens.get(token)
        if info is None:
            return 401, ERR_BAD_CREDENTIALS, None
        if method != "GET" and info["role"] != "admin":
            return 403, ERR_PERMISSION, None
        if self._throttled(token):
            return 429, ERR_THROTTLED, {"Retry-After": "1"}
        allowed = {"list": ("GET", "POST") if kind in ("users", "organizations") else ("GET",),
                   "bulk": ("PATCH", "POST"), "bulk_create": ("POST",), "bulk_delete": ("POST",),
                   "assign_organizations": ("POST",), "remove_organizations": ("POST",),
                   "one": ("GET", "PATCH", "DELETE") if kind == "users" else ("GET", "PATCH", "PUT", "DELETE")}[what]
        if method not in allowed:
            return self._not_allowed(method, ", ".join(allowed))
        if what == "list":
            if method == "POST":
                return self._create_one(kind, headers, raw, base)
            # configure(link_base=...): the links name another host (and prefix), as a server behind a reverse
            # proxy that does not pass the Host header would.
            return self._list(kind, pairs, base, (self.link_base + inner) if self.link_base else origin + path)
        if what == "bulk":
            return self._bulk(kind, method, headers, raw)
        if what in ("bulk_create", "bulk_delete"):
            return self._bulk_lifecycle(what, headers, raw)
        if what in ("assign_organizations", "remove_organizations"):
            return self._memberships(what, key, headers, raw, base)
        if method == "GET":
            return self._get_one(kind, key, pairs, base)
        if method == "DELETE":
            return self._delete_one(kind, key)
        return self._write_one(kind, key, method, headers, raw, base)

    @staticmethod
    def _not_allowed(method, allow):
        return 405, {"detail": 'Method "%s" not allowed.' % method}, {"Allow": allow}

    @staticmethod
    def _route(path):
        if not path.startswith(API_PREFIX + "/"):
            return None
        parts = path[len(API_PREFIX) + 1:].split("/")
        if parts and parts[-1] == "":
            parts.pop()
        if not parts or parts[0] not in LIST_FIELDS or "" in parts:
            return None
        if len(parts) == 1:
            return parts[0], "list", None
        if parts[0] not in ("users", "organizations"):
            return None
        if parts[1:] == ["_", "bulk", "update"]:
            return parts[0], "bulk", None
        if parts[0] == "organizations" and parts[1:3] == ["_", "bulk"] and len(parts) == 4 and parts[3] in ("create", "delete"):
            return parts[0], "bulk_" + parts[3], None
        if len(parts) == 2 and parts[1] != "_":
            return parts[0], "one", unquote(parts[1])
        if parts[0] == "users" and len(parts) == 4 and parts[1] != "_" and parts[2] == "_" and \
                parts[3] in ("assign_organizations", "remove_organizations"):
            return parts[0], parts[3], unquote(parts[1])
        return None

    def _fields(self, pairs, kind, listing=False):
        """The fields= asked for; else None, or the default fields minus configure(omit_keys=...) ones.

        With configure(omit_from="lists") a listing leaves the omitted keys out even when fields= names them
        (`listing`); with omit_from="all" every read does."""
        value = next((v for k, v in reversed(pairs) if k == "fields"), None)
        omitted = self.omit_keys.get(kind) or ()
        if value:
            asked = [f.strip() for f in value.split(",") if f.strip()]
            if omitted and (self.omit_from == "all" or (listing and self.omit_from == "lists")):
                # A list that is left empty still selects nothing ("_" names are never rendered).
                asked = [f for f in asked if f not in omitted] or ["_omitted"]
            return asked
        if not omitted:
            return None
        return [f for f in LIST_FIELDS[kind] if f not in omitted and f != "organizations"]

    def _get_one(self, kind, key, pairs, base):
        fields = self._fields(pairs, kind)
        with self._lock:
            store = self._store
            obj_id = store.find(kind, key)
            if obj_id is None:
                return 404, ERR_NOT_FOUND, None
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return 200, store.render(kind, rec, base, fields), None

    def _list(self, kind, pairs, base, page_base):
        fields = self._fields(pairs, kind, listing=True)
        known = LIST_FIELDS[kind]
        filters = []
        sort_by = None
        for name, value in pairs:
            if name in RESERVED_PARAMS:
                if name == "sort_by" and value:
                    sort_by = value
                continue
            negate = name.endswith("!")
            parts = name.rstrip("!").split("__")
            op = parts.pop() if len(parts) > 1 and parts[-1] in FILTER_OPS else "exact"
            if parts[0] not in known or len(parts) > 2:
                return 400, {"code": 400001, "message": "Validation Error.", "detail": {name: ["Unknown filter field or lookup."]}}, None
            filters.append((tuple(parts), op, value, negate))
        if sort_by and sort_by.lstrip("-") not in known:
            return 400, {"code": 400001, "message": "Validation Error.", "detail": {"sort_by": ["Unknown field: %s." % sort_by]}}, None
        # Like DRF's PageNumberPagination: a bad page_size falls back to the default, a big one is clamped.
        try:
            requested = int(next((v for k, v in reversed(pairs) if k == "page_size"), None) or 0)
        except ValueError:
            requested = 0
        page_size = min(requested, MAX_PAGE_SIZE) if requested > 0 else DEFAULT_PAGE_SIZE
        raw_page = next((v for k, v in reversed(pairs) if k == "page"), None) or "1"
        try:
            page = int(raw_page)
        except ValueError:
            page = 0
        with self._lock:
            store = self._store
            objects = store.table(kind)
            index = store.username_index if kind == "users" else store.label_index
            rest = []
            candidates = None
            for flt in filters:
                field, op, value, negate = flt
                field = field[0] if len(field) == 1 else None
                if (op == "in" and not negate and field in ("id", "username", "label") and candidates is None
                        and kind in ("users", "organizations")):
                    wanted = [v for v in value.split(",") if v]
                    if field == "id":
                        found = {objects[v]["_seq"]: objects[v] for v in wanted if v in objects}
                    else:
                        found = {objects[index[v]]["_seq"]: objects[index[v]] for v in wanted if v in index}
                    candidates = [found[s] for s in sorted(found)]
                else:
                    rest.append(flt)
            if candidates is None:
                candidates = list(objects.values())
            counts = store.users_count() if kind == "organizations" and (rest or sort_by or not fields or "usersCount" in fields) else None
            if rest or sort_by:
                needed = sorted({f[0][0] for f in rest} | ({sort_by.lstrip("-")} if sort_by else set()))
                views = [(rec, store.render(kind, rec, base, needed, counts)) for rec in candidates]
                views = [(rec, view) for rec, view in views if all(_filter_match(_lookup(view, f), op, v, n) for f, op, v, n in rest)]
                if sort_by:
                    name = sort_by.lstrip("-")
                    views.sort(key=lambda pair: _sort_key(pair[1].get(name)), reverse=sort_by.startswith("-"))
                candidates = [rec for rec, _view in views]
            count = len(candidates)
            last_page = max(1, -(-count // page_size))
            if raw_page == "last":
                page = last_page
            if page < 1 or page > last_page:
                return 404, ERR_INVALID_PAGE, None
            chunk = candidates[(page - 1) * page_size:page * page_size]
            results = [store.render(kind, rec, base, fields, counts) for rec in chunk]
        return 200, {
            "count": count,
            "next": page_url(page_base, pairs, page + 1) if page < last_page else None,
            "previous": page_url(page_base, pairs, page - 1) if page > 1 else None,
            "results": results,
        }, None

    @staticmethod
    def _json_body(headers, raw):
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return 415, {"detail": 'Unsupported media type "%s" in request.' % (headers.get("Content-Type") or "")}
        try:
            return None, json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return 400, {"detail": "JSON parse error - %s" % exc}

    def _bulk(self, kind, method, headers, raw):
        if (headers.get("X-Bulk-Operation") or "").strip().lower() != "true":
            return 400, ERR_BULK_HEADER, None
        status, body = self._json_body(headers, raw)
        if status:
            return status, body, None
        full = method == "POST"
        with self._lock:
            try:
                updates = self._store.validate_bulk(kind, body, full)
            except Invalid as exc:
                return 400, {"code": 400001, "message": "Validation Error.", "detail": exc.errors}, None
            task_id = self._schedule(self._store.apply, kind, updates, full)
        return 200, {"task": {"id": task_id}}, None

    def _schedule(self, function, *args):
        """Run function(*args) on the store now, or apply_delay seconds later (a bulk task); return a task id.

        Fact: every bulk endpoint answers a task id. Assumption: the changes land all at once after a delay.
        Call with self._lock held. A reset() or set_state() meanwhile cancels the task.
        """
        task_id = secrets.token_hex(12)
        if self.apply_delay and self.apply_delay > 0:
            timer = threading.Timer(self.apply_delay, self._run_task, args=(task_id, function, args))
            timer.daemon = True
            self._tasks[task_id] = timer
            timer.start()
        else:
            function(*args)
        return task_id

    def _run_task(self, task_id, function, args):
        with self._lock:
            if self._tasks.pop(task_id, None) is None:
                return
            function(*args)

    def _write_one(self, kind, key, method, headers, raw, base):
        status, body = self._json_body(headers, raw)
        if status:
            return status, body, None
        full = method == "PUT"
        with self._lock:
            store = self._store
            obj_id = store.find(kind, key)
            if obj_id is None:
                return 404, ERR_NOT_FOUND, None
            if isinstance(body, dict) and "id" in body and body["id"] != obj_id:
                return 400, {"code": 400001, "message": "Validation Error.", "detail": {"id": ["Does not match the URL."]}}, None
            item = {k: v for k, v in body.items() if k != "id"} if isinstance(body, dict) else body
            try:
                _obj_id, values = store.validate_item(kind, item, full, require_id=False, current=store.table(kind)[obj_id])
                errors = {}
                store.check_unique(kind, [(0, obj_id, values)], errors)
                if errors:
                    raise Invalid(errors["0"])
            except Invalid as exc:
                return 400, {"code": 400001, "message": "Validation Error.", "detail": exc.errors}, None
            store.apply(kind, [(obj_id, values)], full)
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return 200, store.render(kind, rec, base), None


def page_url(page_base, pairs, page):
    """The URL of another page: page_base (origin + the request's path, prefix included) and the other parameters."""
    kept = [(k, v) for k, v in pairs if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    query = urlencode(kept)
    return "%s%s" % (page_base, "?" + query if query else "")


def _lookup(view, parts):
    value = view.get(parts[0])
    for part in parts[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _filter_match(value, op, wanted, negate):
    if op == "isnull":
        result = (value is None) == (wanted.lower() in ("true", "1"))
    elif op == "in":
        result = any(_equal(value, w) for w in wanted.split(","))
    elif op == "contains":
        result = any(_equal(v, wanted) for v in value) if isinstance(value, list) else wanted in str(value or "")
    elif op == "icontains":
        result = wanted.lower() in str(value or "").lower()
    elif op == "startswith":
        result = str(value or "").startswith(wanted)
    else:
        result = _equal(value, wanted)
    return result != negate


def _equal(value, wanted):
    if isinstance(value, list):
        return any(_equal(v, wanted) for v in value)
    if isinstance(value, dict):
        return wanted in (value.get("id"), value.get("label"))
    if value is None:
        return wanted.lower() in ("null", "none")
    if isinstance(value, bool):
        return wanted.lower() in (("true", "1") if value else ("false", "0"))
    if isinstance(value, (int, float)):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return str(value) == wanted


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value))
