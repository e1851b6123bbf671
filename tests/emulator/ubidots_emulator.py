# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An emulator of the Ubidots API v2.0 (users and organizations), Python standard library only.

It serves the endpoints the ubidots.industrial collection uses, with the answers, error bodies and
bulk semantics that the public documentation describes, plus a control API under /_emulator/ that
tests use to read the request log, change the data, inject faults and tune rate limits.

Use it from Python::

    from ubidots_emulator import Emulator
    with Emulator() as emu:
        requests.get(emu.url + "/api/v2.0/users/", headers={"X-Auth-Token": emu.token})

or from a shell::

    python tests/emulator/ubidots_emulator.py --port 0 --port-file /tmp/ubidots.url

See README.md beside this file.
"""

from __future__ import annotations

import argparse
import collections
import copy
import hashlib
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode

API_PREFIX = "/api/v2.0"
CONTROL_PREFIX = "/_emulator/"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "fixtures", "default.json")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_USERNAME_LENGTH = 150
KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
CONTACT_TYPES = ("email", "voice", "telegram", "sms")
FAULT_KINDS = ("status", "delay", "drop", "truncate", "html", "redirect")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
HTML_BODY = b"<html><body>Bad Gateway</body></html>"

ERR_NO_CREDENTIALS = {"code": 401001, "message": "Authentication credentials were not provided.",
                      "detail": "Authentication credentials were not provided."}
ERR_BAD_CREDENTIALS = {"code": 401002, "message": "Incorrect authentication credentials.",
                       "detail": "Incorrect authentication credentials."}
ERR_PERMISSION = {"code": 403001, "message": "Permission denied.",
                  "detail": "You do not have permission to perform this action."}
ERR_NOT_FOUND = {"code": 404001, "message": "Not found.", "detail": "Not found."}
ERR_INVALID_PAGE = {"code": 404001, "message": "Not found.", "detail": "Invalid page."}
ERR_BULK_HEADER = {"detail": "Header `X-BULK-OPERATION` should be provided for bulk operation."}
ERR_THROTTLED = {"detail": "Request was throttled. Expected available in 1 second."}
STATUS_DETAILS = {
    429: "Request was throttled.",
    500: "A server error occurred.",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Fields a full update (POST .../_/bulk/update/) resets when they are not sent, from the docs' tables.
USER_DEFAULTS = {
    "firstName": "", "lastName": "", "defaultOrganization": None, "defaultRole": None, "defaultDashboard": None,
    "language": None, "website": "", "timezone": None, "decimalPlaces": None, "numberFormat": None,
    "isActive": True, "tags": [], "contactMethods": [],
}
USER_REQUIRED_FULL = ("username", "email")
ORG_DEFAULTS = {"description": "", "favicon": None, "logo": None, "properties": {}, "isActive": True, "app": None}
ORG_REQUIRED_FULL = ("label",)
USER_READ_ONLY = ("url", "createdAt", "lastLogin", "firstTime", "properties", "organizations")
ORG_READ_ONLY = ("url", "createdAt", "devicesCount", "usersCount", "limits")
# Read-only fields that update_object() (a change "behind the module's back") may still set.
USER_BACKDOOR = ("lastLogin", "firstTime", "properties", "organizations", "createdAt")
ORG_BACKDOOR = ("devicesCount", "limits", "createdAt")

USER_FIELDS = ("url", "id", "username", "firstName", "lastName", "email", "defaultOrganization", "defaultRole",
               "defaultDashboard", "language", "website", "timezone", "decimalPlaces", "numberFormat", "firstTime",
               "properties", "isActive", "lastLogin", "tags", "createdAt", "contactMethods")
ORG_FIELDS = ("id", "label", "name", "createdAt", "app", "description", "devicesCount", "favicon", "isActive",
              "limits", "logo", "properties", "usersCount", "url")
FILTER_OPS = ("exact", "in", "contains", "icontains", "startswith", "isnull")
RESERVED_PARAMS = ("page", "page_size", "fields", "sort_by", "token", "format")

_UNSET = object()


def _now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000000Z"


def _new_id():
    return secrets.token_hex(12)


def password_digest(password):
    """The tag the request log shows instead of a password: "***sha256:" + 12 hex digits of its SHA-256."""
    return "***sha256:" + hashlib.sha256(str(password).encode("utf-8")).hexdigest()[:12]


def _hash_password(password):
    return hashlib.sha256(("ubidots-emulator:" + password).encode("utf-8")).hexdigest()


def _dumps(payload):
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _json_copy(value):
    return json.loads(json.dumps(value))


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Invalid(Exception):
    """A validation failure; `errors` is a DRF-style list of messages or dict of them."""

    def __init__(self, errors):
        super().__init__("validation error")
        self.errors = errors


# -- field validators: each returns the value to store, or raises Invalid ------------------------------------------


def _v_string(value, nullable=False, blank=True, max_length=None, key=None):
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


def _v_bool(value):
    if not isinstance(value, bool):
        raise Invalid(["Must be a valid boolean."])
    return value


def _v_dict(value):
    if not isinstance(value, dict):
        raise Invalid(['Expected a dictionary of items but got type "%s".' % type(value).__name__])
    return copy.deepcopy(value)


def _v_list(value):
    if not isinstance(value, list):
        raise Invalid(['Expected a list of items but got type "%s".' % type(value).__name__])
    return value


def _v_email(value):
    value = _v_string(value, blank=False)
    if not EMAIL_RE.fullmatch(value):
        raise Invalid(["Enter a valid email address."])
    return value


def _v_decimal_places(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(["A valid integer is required."])
    if value < 0:
        raise Invalid(["Ensure this value is greater than or equal to 0."])
    return value


def _v_tags(value):
    _v_list(value)
    if len(value) > MAX_TAGS:
        raise Invalid(["Ensure this field has no more than %d elements." % MAX_TAGS])
    errors = {}
    for index, tag in enumerate(value):
        try:
            _v_string(tag, blank=False, max_length=MAX_TAG_LENGTH)
        except Invalid as exc:
            errors[str(index)] = exc.errors
    if errors:
        raise Invalid(errors)
    return list(value)


def _v_contact_methods(value):
    _v_list(value)
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


class Store:
    """The emulated data: users, organizations, roles, apps, dashboards and tokens, with their indexes.

    Internal records keep references by id (defaultOrganization, defaultRole, defaultDashboard, app) and the
    favicon/logo raw URL; render_user() / render_org() turn them into the API's read format.
    """

    def __init__(self, fixture):
        self.tokens = {}
        self.default_token = None
        self.roles = {}
        self.apps = {}
        self.dashboards = {}
        self.orgs = {}
        self.users = {}
        self.username_index = {}
        self.label_index = {}
        self._seq = 0
        self._strict = True
        self.load(fixture)

    # -- loading -----------------------------------------------------------------------------------------------

    def load(self, fixture, previous=None, strict=True):
        """Replace every collection with the ones of `fixture` (fixture format, or the API read format).

        strict: an unknown reference (organization, role, app, dashboard) raises ValueError; else it becomes null.
        """
        self._strict = strict
        fixture = fixture or {}
        previous = previous or {}
        tokens = fixture.get("tokens", [])
        if isinstance(tokens, dict):
            tokens = [{"token": k, "role": v} for k, v in tokens.items()]
        self.tokens = {}
        for item in tokens:
            role = item.get("role", "admin")
            if role not in ("admin", "readonly"):
                raise ValueError("token role must be admin or readonly, not %r" % (role,))
            self.tokens[item["token"]] = {"role": role, "name": item.get("name", role)}
        self.default_token = fixture.get("default_token") or next(
            (t for t, v in self.tokens.items() if v["role"] == "admin"), None)
        self.roles = {}
        for item in fixture.get("roles", []):
            role_id = item.get("id") or _new_id()
            self.roles[role_id] = {"id": role_id, "label": item["label"], "name": item.get("name", item["label"]),
                                   "createdAt": item.get("createdAt") or _now_iso()}
        self.apps = {}
        for item in fixture.get("apps", []):
            app_id = item.get("id") or _new_id()
            self.apps[app_id] = {"id": app_id, "label": item["label"], "name": item.get("name", item["label"])}
        self.dashboards = {}
        for item in fixture.get("dashboards", []):
            dash_id = item.get("id") or _new_id()
            self.dashboards[dash_id] = {"id": dash_id, "label": item["label"], "name": item.get("name", item["label"])}
        self.orgs = {}
        self.label_index = {}
        for item in fixture.get("organizations", []):
            rec = self._load_org(item)
            if rec["id"] in self.orgs or rec["label"] in self.label_index:
                raise ValueError("duplicate organization id or label in the fixture: %s" % rec["label"])
            self.orgs[rec["id"]] = rec
            self.label_index[rec["label"]] = rec["id"]
        self.users = {}
        self.username_index = {}
        for item in fixture.get("users", []):
            rec = self._load_user(item, previous.get(item.get("id")))
            if rec["id"] in self.users or rec["username"] in self.username_index:
                raise ValueError("duplicate user id or username in the fixture: %s" % rec["username"])
            self.users[rec["id"]] = rec
            self.username_index[rec["username"]] = rec["id"]

    def _next_seq(self):
        self._seq += 1
        return self._seq

    def _ref(self, value, finder, what, field="id"):
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            value = value.get(field) or value.get("id") or value.get("label")
        found = finder(value)
        if found is None and self._strict:
            raise ValueError("fixture references an unknown %s: %r" % (what, value))
        return found

    def _load_org(self, item):
        label = item["label"]
        rec = {
            "id": item.get("id") or _new_id(), "label": label, "name": item.get("name") or label,
            "description": item.get("description", ""), "favicon": self._image_raw(item.get("favicon")),
            "logo": self._image_raw(item.get("logo")), "properties": copy.deepcopy(item.get("properties") or {}),
            "isActive": item.get("isActive", True), "app": self._ref(item.get("app"), self.find_app, "app"),
            "devicesCount": item.get("devicesCount", 0), "limits": copy.deepcopy(item.get("limits") or []),
            "createdAt": item.get("createdAt") or _now_iso(), "_seq": self._next_seq(),
        }
        return rec

    @staticmethod
    def _image_raw(value):
        if isinstance(value, dict):
            return value.get("raw")
        return value or None

    def _load_user(self, item, previous=None):
        username = item["username"]
        password_hash = item.get("_passwordHash")
        if item.get("password") is not None:
            password_hash = _hash_password(item["password"])
        elif password_hash is None and previous is not None:
            password_hash = previous.get("_password")
        orgs = [o for o in (self._ref(o, self.find_org, "organization") for o in item.get("organizations", [])) if o]
        if previous is not None and "organizations" not in item:
            orgs = [o for o in previous.get("organizations", []) if o in self.orgs]
        rec = {
            "id": item.get("id") or _new_id(), "username": username, "email": item.get("email", ""),
            "firstName": item.get("firstName", ""), "lastName": item.get("lastName", ""),
            "defaultOrganization": self._ref(item.get("defaultOrganization"), self.find_org, "organization"),
            "defaultRole": self._ref(item.get("defaultRole"), self.find_role, "role", field="label"),
            "defaultDashboard": self._ref(item.get("defaultDashboard"), self.find_dashboard, "dashboard"),
            "language": item.get("language"), "website": item.get("website", ""), "timezone": item.get("timezone"),
            "decimalPlaces": item.get("decimalPlaces"), "numberFormat": item.get("numberFormat"),
            "firstTime": item.get("firstTime", False), "properties": copy.deepcopy(item.get("properties") or {}),
            "isActive": item.get("isActive", True), "lastLogin": item.get("lastLogin"),
            "tags": list(item.get("tags") or []),
            "contactMethods": [self._contact(c) for c in item.get("contactMethods") or []],
            "createdAt": item.get("createdAt") or _now_iso(), "organizations": [],
            "_password": password_hash, "_seq": self._next_seq(),
        }
        for org_id in orgs + ([rec["defaultOrganization"]] if rec["defaultOrganization"] else []):
            if org_id not in rec["organizations"]:
                rec["organizations"].append(org_id)
        return rec

    @staticmethod
    def _contact(item):
        return {"id": item.get("id") or _new_id(), "type": item["type"], "values": list(item.get("values") or []),
                "properties": copy.deepcopy(item.get("properties") or {})}

    def export(self):
        """The whole store in fixture format (password hashes included), for set_state() and reset()."""
        users = []
        for rec in self.users.values():
            item = {k: copy.deepcopy(v) for k, v in rec.items() if not k.startswith("_")}
            item["_passwordHash"] = rec["_password"]
            users.append(item)
        return {
            "tokens": [{"token": t, "role": v["role"], "name": v["name"]} for t, v in self.tokens.items()],
            "default_token": self.default_token,
            "roles": copy.deepcopy(list(self.roles.values())),
            "apps": copy.deepcopy(list(self.apps.values())),
            "dashboards": copy.deepcopy(list(self.dashboards.values())),
            "organizations": [{k: copy.deepcopy(v) for k, v in rec.items() if not k.startswith("_")} for rec in self.orgs.values()],
            "users": users,
        }

    # -- lookups -----------------------------------------------------------------------------------------------

    @staticmethod
    def _strip(key):
        return key[1:] if isinstance(key, str) and key.startswith("~") else key

    def find_org(self, key):
        """Id of the organization whose id or label is `key` (a leading ~ is allowed), or None."""
        if not isinstance(key, str):
            return None
        if key in self.orgs:
            return key
        return self.label_index.get(self._strip(key))

    def find_user(self, key):
        """Id of the user whose id or username is `key` (a leading ~ is allowed), or None."""
        if not isinstance(key, str):
            return None
        if key in self.users:
            return key
        return self.username_index.get(self._strip(key))

    def _find_by_label(self, table, key):
        """Id of the object of `table` whose id or label is `key` (with or without "~"), or None."""
        if not isinstance(key, str):
            return None
        if key in table:
            return key
        key = self._strip(key)
        return next((obj["id"] for obj in table.values() if obj["label"] == key), None)

    def find_role(self, key):
        """Id of the role whose label (or id) is `key`, or None."""
        return self._find_by_label(self.roles, key)

    def find_app(self, key):
        """Id of the app whose id or label is `key`, or None."""
        return self._find_by_label(self.apps, key)

    def find_dashboard(self, key):
        """Id of the dashboard whose id or label is `key`, or None."""
        return self._find_by_label(self.dashboards, key)

    def find(self, kind, key):
        """Id of the user or organization `key` (id, or ~username / ~label), or None."""
        return self.find_user(key) if kind == "users" else self.find_org(key)

    # -- rendering ---------------------------------------------------------------------------------------------

    def users_count(self):
        """Map org id -> number of its users (one pass over the users)."""
        counts = collections.Counter()
        for rec in self.users.values():
            counts.update(rec["organizations"])
        return counts

    def _org_ref(self, org_id, base):
        org = self.orgs.get(org_id)
        if org is None:
            return None
        return {"url": "%s%s/organizations/%s" % (base, API_PREFIX, org["id"]), "id": org["id"], "label": org["label"],
                "name": org["name"], "createdAt": org["createdAt"]}

    def render_user(self, rec, base, fields=None):
        """A user in the API's read format (never the password); `fields` selects top-level fields."""
        wanted = fields or USER_FIELDS
        out = {}
        for name in wanted:
            if name == "url":
                out[name] = "%s%s/users/%s" % (base, API_PREFIX, rec["id"])
            elif name == "defaultOrganization":
                out[name] = self._org_ref(rec["defaultOrganization"], base)
            elif name == "defaultRole":
                role = self.roles.get(rec["defaultRole"])
                out[name] = None if role is None else {
                    "url": "%s%s/roles/%s" % (base, API_PREFIX, role["id"]), "label": role["label"],
                    "name": role["name"], "createdAt": role["createdAt"]}
            elif name == "defaultDashboard":
                dash = self.dashboards.get(rec["defaultDashboard"])
                out[name] = None if dash is None else {
                    "url": "%s%s/dashboards/%s" % (base, API_PREFIX, dash["id"]), "id": dash["id"],
                    "label": dash["label"], "name": dash["name"]}
            elif name == "organizations":
                out[name] = [{"id": o["id"], "label": o["label"], "name": o["name"],
                              "url": "%s%s/organizations/%s" % (base, API_PREFIX, o["id"])}
                             for o in (self.orgs.get(i) for i in rec["organizations"]) if o is not None]
            elif name in rec and not name.startswith("_"):
                # No copy: records are never changed in place, writes replace whole values.
                out[name] = rec[name]
        return out

    @staticmethod
    def _image(raw):
        if raw is None:
            return None
        sep = "&" if "?" in raw else "?"
        return {"h36": raw + sep + "h=36", "h50": raw + sep + "h=50", "raw": raw}

    def render_org(self, rec, base, fields=None, counts=None):
        """An organization in the API's read format; `counts` is a users_count() result to reuse."""
        wanted = fields or ORG_FIELDS
        out = {}
        for name in wanted:
            if name == "url":
                out[name] = "%s%s/organizations/%s" % (base, API_PREFIX, rec["id"])
            elif name == "app":
                app = self.apps.get(rec["app"])
                out[name] = None if app is None else {
                    "id": app["id"], "label": app["label"], "name": app["name"],
                    "url": "%s%s/apps/%s" % (base, API_PREFIX, app["id"])}
            elif name in ("favicon", "logo"):
                out[name] = self._image(rec[name])
            elif name == "usersCount":
                out[name] = (counts if counts is not None else self.users_count()).get(rec["id"], 0)
            elif name in rec and not name.startswith("_"):
                out[name] = rec[name]
        return out

    def render(self, kind, rec, base, fields=None, counts=None):
        """Render a user or an organization."""
        if kind == "users":
            return self.render_user(rec, base, fields)
        return self.render_org(rec, base, fields, counts)

    # -- validation --------------------------------------------------------------------------------------------

    def _v_fk(self, finder, nullable=True, what="id or label"):
        def check(value):
            if value is None and nullable:
                return None
            _v_string(value, blank=False)
            found = finder(value)
            if found is None:
                raise Invalid(["Object with %s=%s does not exist." % (what, value)])
            return found
        return check

    def validators(self, kind):
        """Map writable field -> function(value) returning the value to store."""
        if kind == "users":
            return {
                "username": lambda v: _v_string(v, blank=False, max_length=MAX_USERNAME_LENGTH, key="username"),
                "password": lambda v: _v_string(v, blank=False),
                "email": _v_email,
                "firstName": _v_string, "lastName": _v_string, "website": _v_string,
                "language": lambda v: _v_string(v, nullable=True),
                "timezone": lambda v: _v_string(v, nullable=True),
                "numberFormat": lambda v: _v_string(v, nullable=True),
                "decimalPlaces": _v_decimal_places,
                "isActive": _v_bool,
                "tags": _v_tags,
                "contactMethods": _v_contact_methods,
                "defaultOrganization": self._v_fk(self.find_org),
                "defaultRole": self._v_fk(self.find_role, what="label"),
                "defaultDashboard": self._v_fk(self.find_dashboard),
            }
        return {
            "label": lambda v: _v_string(v, blank=False, key="label"),
            "name": lambda v: _v_string(v, blank=False),
            "description": _v_string,
            "favicon": lambda v: _v_string(v, nullable=True, blank=False),
            "logo": lambda v: _v_string(v, nullable=True, blank=False),
            "properties": _v_dict,
            "isActive": _v_bool,
            "app": self._v_fk(self.find_app),
        }

    def validate_item(self, kind, item, full, require_id=True, backdoor=False, checks=None):
        """Check one item of a write; return (object id, {field: value to store}) or raise Invalid({field: [..]})."""
        if not isinstance(item, dict):
            raise Invalid({"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(item).__name__]})
        checks = checks or self.validators(kind)
        read_only = USER_READ_ONLY if kind == "users" else ORG_READ_ONLY
        extra = (USER_BACKDOOR if kind == "users" else ORG_BACKDOOR) if backdoor else ()
        errors = {}
        changes = {}
        obj_id = None
        if require_id:
            if "id" not in item:
                errors["id"] = ["This field is required."]
            elif not isinstance(item["id"], str) or not item["id"]:
                errors["id"] = ["Not a valid string."]
            elif item["id"] not in (self.users if kind == "users" else self.orgs):
                errors["id"] = ["Object with id=%s does not exist." % item["id"]]
            else:
                obj_id = item["id"]
        for name, value in item.items():
            if name == "id":
                continue
            if name in extra:
                changes[name] = copy.deepcopy(value)
                continue
            if name in read_only:
                errors[name] = ["This field is read-only."]
                continue
            if name not in checks:
                errors[name] = ["Unknown field."]
                continue
            try:
                changes[name] = checks[name](value)
            except Invalid as exc:
                errors[name] = exc.errors
        if full:
            for name in (USER_REQUIRED_FULL if kind == "users" else ORG_REQUIRED_FULL):
                if name not in item:
                    errors[name] = ["This field is required."]
        if errors:
            raise Invalid(errors)
        return obj_id, changes

    def check_unique(self, kind, items, errors):
        """Add to `errors` (index -> {field: [..]}) the usernames / labels the write would duplicate."""
        field = "username" if kind == "users" else "label"
        index = self.username_index if kind == "users" else self.label_index
        message = "A user with that username already exists." if kind == "users" else \
            "organization with this label already exists."
        renamed = {obj_id: changes[field] for _position, obj_id, changes in items if field in changes}
        seen = {}
        for position, obj_id, changes in items:
            value = changes.get(field)
            if value is None:
                continue
            owner = index.get(value)
            clash = seen.get(value, obj_id) != obj_id
            if owner is not None and owner != obj_id and renamed.get(owner, value) == value:
                clash = True
            if clash:
                errors.setdefault(str(position), {})[field] = [message]
            seen.setdefault(value, obj_id)

    def validate_bulk(self, kind, body, full):
        """Validate a whole bulk body; return [(id, changes)] or raise Invalid(detail)."""
        if not isinstance(body, list):
            raise Invalid({"non_field_errors": ['Expected a list of items but got type "%s".' % type(body).__name__]})
        if not body:
            raise Invalid({"non_field_errors": ["This list may not be empty."]})
        errors = {}
        accepted = []
        seen_ids = set()
        checks = self.validators(kind)
        for position, item in enumerate(body):
            try:
                obj_id, changes = self.validate_item(kind, item, full, checks=checks)
            except Invalid as exc:
                errors[str(position)] = exc.errors
                continue
            if obj_id in seen_ids:
                errors[str(position)] = {"id": ["Object with id=%s appears more than once in this request." % obj_id]}
                continue
            seen_ids.add(obj_id)
            accepted.append((position, obj_id, changes))
        self.check_unique(kind, accepted, errors)
        if errors:
            raise Invalid(dict(sorted(errors.items(), key=lambda kv: int(kv[0]))))
        return [(obj_id, changes) for _position, obj_id, changes in accepted]

    # -- writes ------------------------------------------------------------------------------------------------

    def apply(self, kind, updates, full):
        """Apply validated [(id, changes)] in one step; objects removed meanwhile are skipped."""
        store = self.users if kind == "users" else self.orgs
        key_field = "username" if kind == "users" else "label"
        index = self.username_index if kind == "users" else self.label_index
        updates = [(obj_id, changes) for obj_id, changes in updates if obj_id in store]
        for obj_id, changes in updates:
            if key_field in changes and index.get(store[obj_id][key_field]) == obj_id:
                del index[store[obj_id][key_field]]
        for obj_id, changes in updates:
            rec = store[obj_id]
            if full:
                defaults = USER_DEFAULTS if kind == "users" else ORG_DEFAULTS
                for name, value in defaults.items():
                    rec[name] = copy.deepcopy(value)
                if kind == "organizations":
                    rec["name"] = changes.get("label", rec["label"])
            for name, value in changes.items():
                if name == "password":
                    rec["_password"] = _hash_password(value)
                elif name == "contactMethods":
                    rec[name] = [dict(c, id=c.get("id") or _new_id()) for c in value]
                elif name == "organizations":
                    rec[name] = [o for o in (self.find_org(k) for k in value) if o]
                else:
                    rec[name] = copy.deepcopy(value)
            if kind == "users" and rec["defaultOrganization"] and rec["defaultOrganization"] not in rec["organizations"]:
                rec["organizations"] = rec["organizations"] + [rec["defaultOrganization"]]
        for obj_id, changes in updates:
            index[store[obj_id][key_field]] = obj_id


class _Fault:
    """One injected fault, consumed `count` times by matching requests."""

    def __init__(self, path, kind, count=1, method=None, status=None, retry_after=None, delay=None, detail=None,
                 location=None):
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("fault path must start with /")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("fault count must be a positive integer")
        self.path = path
        self.kind = kind
        self.count = count
        self.method = method.upper() if method else None
        self.status = int(status) if status is not None else {"html": 502, "redirect": 302}.get(kind, 503)
        if kind == "redirect":
            if self.status not in REDIRECT_STATUSES:
                raise ValueError("a redirect status must be one of %s" % ", ".join(map(str, REDIRECT_STATUSES)))
            if not isinstance(location, str) or not location:
                raise ValueError("a redirect needs location (an absolute URL or a path)")
        self.location = location
        self.retry_after = retry_after
        self.delay = float(delay) if delay is not None else 1.0
        self.detail = detail

    def matches(self, path, method):
        """Whether this fault applies to a request."""
        if self.method and self.method != method:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path.rstrip("/") == self.path.rstrip("/")

    def as_dict(self):
        """A JSON-able description."""
        return {"path": self.path, "kind": self.kind, "count": self.count, "method": self.method, "status": self.status,
                "retry_after": self.retry_after, "delay": self.delay, "detail": self.detail, "location": self.location}


def _redact_body(value, tokens):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "password" and item is not None:
                out[key] = password_digest(item) if isinstance(item, str) else "***"
            else:
                out[key] = _redact_body(item, tokens)
        return out
    if isinstance(value, list):
        return [_redact_body(item, tokens) for item in value]
    if isinstance(value, str) and value in tokens:
        return "***"
    return value


_RAW_PASSWORD_RE = re.compile(r'("password"\s*:\s*)"(?:[^"\\]|\\.)*"?')


def _redact_text(text, tokens):
    text = _RAW_PASSWORD_RE.sub(r'\1"***"', text)
    for token in tokens:
        if token and token in text:
            text = text.replace(token, "***")
    return text


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its Emulator and its open connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address, handler, emulator, family):
        self.address_family = family
        self.emulator = emulator
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self):
        """Bind without HTTPServer's reverse DNS lookup of the address (slow on some hosts)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        """Report a broken connection in one line (never a request's content)."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            sys.stderr.write("ubidots-emulator: error while serving a request: %s\n" % type(exc).__name__)


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler for the API and the control endpoints."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1
    server_version = "UbidotsEmulator/1.0"
    sys_version = ""

    def setup(self):
        """Register the connection (stop() closes it) and finish a TLS handshake in this thread."""
        with self.server.connections_lock:
            self.server.connections.add(self.request)
        try:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.settimeout(30)
                self.request.do_handshake()
                self.request.settimeout(None)
            super().setup()
        except BaseException:
            with self.server.connections_lock:
                self.server.connections.discard(self.request)
            raise

    def finish(self):
        """Unregister the connection."""
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.request)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence the default access log: it would print query strings, tokens included."""
        return

    def do_GET(self):
        """Serve GET."""
        self._dispatch()

    def do_POST(self):
        """Serve POST."""
        self._dispatch()

    def do_PATCH(self):
        """Serve PATCH."""
        self._dispatch()

    def do_PUT(self):
        """Serve PUT."""
        self._dispatch()

    def do_DELETE(self):
        """Serve DELETE."""
        self._dispatch()

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self):
        emulator = self.server.emulator
        emulator.touch()
        path, _sep, query = self.path.partition("?")
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(400, _dumps({"detail": "Malformed request body framing."}))
            return
        try:
            control = emulator.control_path(path)
            if control is not None:
                status, payload, after = emulator.control(self.command, control, raw, query)
                self._send(status, _dumps(payload))
                self.wfile.flush()
                if after:
                    after()
            else:
                self._api(path, query, raw)
        except OSError:
            # The client went away, or stop() closed the connection.
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            # Never echo the exception text: it could hold request content.
            sys.stderr.write("ubidots-emulator: internal error %s on %s %s\n" % (type(exc).__name__, self.command, path))
            self.close_connection = True
            self._send(500, _dumps({"detail": "A server error occurred."}))
        finally:
            emulator.touch()

    def _api(self, path, query, raw):
        emulator = self.server.emulator
        method = self.command
        pairs = parse_qsl(query, keep_blank_values=True)
        entry = emulator.new_entry(method, path, pairs, self.headers, raw)
        fault = emulator.take_fault(path, method)
        kind = fault.kind if fault else None
        if kind == "drop":
            emulator.record(entry, None, kind)
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
            detail = fault.detail or STATUS_DETAILS.get(fault.status, "Injected fault.")
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, _dumps({"detail": detail}), headers=headers)
            return
        if kind == "html":
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, HTML_BODY, content_type="text/html; charset=utf-8")
            return
        if kind == "redirect":
            # Answers like a proxy or a moved API would; whether the client follows it (and with which headers)
            # shows in the log of whoever serves the Location (for example a second Emulator).
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, _dumps({"detail": "Moved."}), headers={"Location": fault.location})
            return
        if kind == "delay":
            time.sleep(fault.delay)
        origin = "%s://%s" % (emulator.scheme, self.headers.get("Host") or emulator.netloc)
        status, payload, headers = emulator.handle_api(method, path, pairs, self.headers, raw, origin)
        body = _dumps(payload)
        if kind == "truncate":
            body = body[:len(body) // 2]
        emulator.record(entry, status, kind)
        self._send(status, body, headers=headers)


class Emulator:
    """A running (or ready to run) emulated Ubidots API.

    Emulator(fixture=None|path|dict, host='127.0.0.1', port=0, idle_timeout=300.0, apply_delay=0.0,
             rate_limit=None, tls=None, path_prefix=""); tls is (certfile, keyfile). Binds at construction, serves
    after start(). path_prefix ("/ubidots") serves the API under that path, as behind a reverse proxy.
    """

    def __init__(self, fixture=None, host="127.0.0.1", port=0, idle_timeout=300.0, apply_delay=0.0, rate_limit=None, tls=None,
                 path_prefix=""):
        if not _is_loopback(host):
            raise ValueError("the emulator only binds to loopback addresses (127.0.0.0/8, ::1), not %r" % (host,))
        self.path_prefix = _normalize_prefix(path_prefix)
        if fixture is None:
            fixture = DEFAULT_FIXTURE
        if isinstance(fixture, (str, os.PathLike)):
            with open(fixture, encoding="utf-8") as handle:
                fixture = json.load(handle)
        self._initial = copy.deepcopy(fixture)
        self._lock = threading.RLock()
        self._store = Store(self._initial)
        self._initial_config = (rate_limit, apply_delay)
        self.rate_limit = rate_limit
        self.apply_delay = apply_delay
        self.idle_timeout = idle_timeout
        self._log = []
        self._log_lock = threading.Lock()
        self._seq = 0
        self._faults = []
        self._windows = {}
        self._tasks = {}
        self._last_activity = time.monotonic()
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._serve_thread = None
        self._watchdog = None
        host = "127.0.0.1" if host == "localhost" else host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._server = _Server((host, port), _Handler, self, family)
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"
        bound = self._server.server_address
        self.host = bound[0]
        self.port = bound[1]
        self.netloc = ("[%s]:%d" if family == socket.AF_INET6 else "%s:%d") % (self.host, self.port)

    # -- life cycle --------------------------------------------------------------------------------------------

    @property
    def origin(self):
        """scheme://host:port, without the path prefix."""
        return "%s://%s" % (self.scheme, self.netloc)

    @property
    def url(self):
        """Base URL, e.g. http://127.0.0.1:PORT, plus the path prefix if any (no trailing slash): the api_url."""
        return self.origin + self.path_prefix

    def control_path(self, path):
        """The control path (/_emulator/...) of a request path, at the root or under the prefix; else None."""
        if path.startswith(CONTROL_PREFIX):
            return path
        if self.path_prefix and path.startswith(self.path_prefix + CONTROL_PREFIX):
            return path[len(self.path_prefix):]
        return None

    @property
    def token(self):
        """The fixture's default admin token."""
        return self._store.default_token

    @property
    def tokens(self):
        """Map token -> role (admin or readonly)."""
        with self._lock:
            return {t: v["role"] for t, v in self._store.tokens.items()}

    def start(self):
        """Serve in a daemon thread; return self."""
        if self._serve_thread is None:
            self._last_activity = time.monotonic()
            self._serve_thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                                  name="ubidots-emulator", daemon=True)
            self._serve_thread.start()
            if self.idle_timeout:
                self._watchdog = threading.Thread(target=self._watch_idle, name="ubidots-emulator-idle", daemon=True)
                self._watchdog.start()
        return self

    def stop(self):
        """Stop serving, close every connection and cancel pending tasks. Safe to call twice, from any thread."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        if self._serve_thread is not None:
            self._server.shutdown()
        with self._server.connections_lock:
            connections = list(self._server.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        with self._lock:
            for timer in self._tasks.values():
                timer.cancel()
            self._tasks.clear()
        if self._serve_thread is not None and self._serve_thread is not threading.current_thread():
            self._serve_thread.join(5)

    @property
    def stopped(self):
        """Whether the emulator has stopped (stop(), idle timeout, /_emulator/shutdown)."""
        return self._stopped.is_set()

    def wait(self, timeout=None):
        """Block until the emulator stops or `timeout` passes; return whether it stopped."""
        return self._stopped.wait(timeout)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def touch(self):
        """Note activity (resets the idle timer)."""
        self._last_activity = time.monotonic()

    def _watch_idle(self):
        while not self._stopped.is_set():
            remaining = self.idle_timeout - (time.monotonic() - self._last_activity)
            if remaining <= 0:
                self.stop()
                return
            self._stopped.wait(min(remaining, 0.25))

    # -- log ---------------------------------------------------------------------------------------------------

    def new_entry(self, method, path, pairs, headers, raw):
        """Build the (redacted) log entry of an API request; record() completes and stores it."""
        tokens = list(self._store.tokens)
        header_token = headers.get("X-Auth-Token")
        query_token = [v for k, v in pairs if k == "token"]
        tokens.extend(t for t in [header_token] + query_token if t)
        query = {}
        for key, value in pairs:
            query.setdefault(key, []).append("***" if key in ("token", "password") else value)
        shown_headers = {}
        for key, value in headers.items():
            lowered = key.lower()
            shown_headers[key] = "***" if lowered in ("x-auth-token", "authorization", "cookie") else value
        body = None
        if raw:
            try:
                body = _redact_body(json.loads(raw), set(tokens))
            except ValueError:
                body = _redact_text(raw.decode("utf-8", "replace"), tokens)
        # Whether a token came along, never its value: a test of redirects reads these in a second emulator's log.
        return {"seq": None, "time": None, "method": method, "path": path, "query": query, "headers": shown_headers,
                "token_header": header_token is not None, "token_query": bool(query_token),
                "body": body, "status": None, "fault": None}

    def record(self, entry, status, fault):
        """Store a finished log entry."""
        with self._log_lock:
            self._seq += 1
            entry.update(seq=self._seq, time=time.time(), status=status, fault=fault)
            self._log.append(entry)

    def log(self, since=0):
        """Copies of the request log entries (those with seq > since)."""
        with self._log_lock:
            entries = [e for e in self._log if e["seq"] > since] if since else list(self._log)
            return _json_copy(entries)

    def clear_log(self):
        """Forget the request log; return how many entries it held."""
        with self._log_lock:
            count = len(self._log)
            self._log = []
            return count

    # -- state -------------------------------------------------------------------------------------------------

    def state(self):
        """{"users": [...], "organizations": [...]} as the API returns them (deep copies)."""
        with self._lock:
            store = self._store
            counts = store.users_count()
            return _json_copy({
                "users": [store.render_user(rec, self.url) for rec in store.users.values()],
                "organizations": [store.render_org(rec, self.url, counts=counts) for rec in store.orgs.values()],
            })

    def set_state(self, state=None, **collections_):
        """Replace collections: keys users, organizations, roles, apps, dashboards, tokens (fixture or read format).

        Collections not given are kept. A user given without password keeps the password of the same id.
        """
        state = dict(state or {}, **collections_)
        unknown = set(state) - {"users", "organizations", "roles", "apps", "dashboards", "tokens", "default_token"}
        if unknown:
            raise ValueError("unknown state keys: %s" % ", ".join(sorted(unknown)))
        with self._lock:
            current = self._store.export()
            previous = {rec["id"]: rec for rec in self._store.users.values()}
            merged = dict(current, **copy.deepcopy(state))
            if "tokens" in state and "default_token" not in state:
                merged.pop("default_token", None)
            store = Store({})
            store.load(merged, previous=previous, strict=False)
            self._store = store

    def reset(self):
        """Back to the initial fixture and configuration; clears the log, faults, rate windows and pending tasks."""
        with self._lock:
            for timer in self._tasks.values():
                timer.cancel()
            self._tasks.clear()
            self._store = Store(copy.deepcopy(self._initial))
            self._faults = []
            self._windows = {}
            self.rate_limit, self.apply_delay = self._initial_config
        self.clear_log()

    def update_object(self, kind, key, changes):
        """Change a user or organization now, as someone else would (API write format, partial); return it.

        Also accepts some read-only fields (users: lastLogin, firstTime, properties, organizations, createdAt;
        organizations: devicesCount, limits, createdAt). Raises KeyError if unknown, ValueError if invalid.
        """
        if kind not in ("users", "organizations"):
            raise ValueError("kind must be users or organizations")
        with self._lock:
            store = self._store
            obj_id = store.find(kind, key)
            if obj_id is None:
                raise KeyError(key)
            try:
                _obj_id, values = store.validate_item(kind, dict(changes), full=False, require_id=False, backdoor=True)
                errors = {}
                store.check_unique(kind, [(0, obj_id, values)], errors)
                if errors:
                    raise Invalid(errors["0"])
            except Invalid as exc:
                raise ValueError(json.dumps(exc.errors)) from None
            store.apply(kind, [(obj_id, values)], full=False)
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return _json_copy(store.render(kind, rec, self.url))

    def check_password(self, user_key, password):
        """Whether `password` is the current password of the user (id or username)."""
        with self._lock:
            obj_id = self._store.find_user(user_key)
            if obj_id is None:
                raise KeyError(user_key)
            stored = self._store.users[obj_id]["_password"]
            return stored is not None and secrets.compare_digest(stored, _hash_password(password))

    def pending_tasks(self):
        """Number of accepted bulk updates not applied yet."""
        with self._lock:
            return len(self._tasks)

    def wait_tasks(self, timeout=10.0):
        """Wait until every accepted bulk update is applied; return whether it happened in time."""
        end = time.monotonic() + timeout
        while self.pending_tasks():
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True

    # -- faults and configuration ------------------------------------------------------------------------------

    def inject(self, path, kind, count=1, method=None, **params):
        """Queue a fault for requests to `path` (exact, or prefix ending in *): params status, retry_after, delay, detail."""
        fault = _Fault(path, kind, count=count, method=method, **params)
        with self._lock:
            self._faults.append(fault)
        return fault.as_dict()

    def faults(self):
        """Faults still queued."""
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def clear_faults(self):
        """Drop every queued fault."""
        with self._lock:
            self._faults = []

    def take_fault(self, path, method):
        """Consume and return the first queued fault matching the request, or None.

        With a path prefix, a fault path matches with or without the prefix ("/api/v2.0/users/*" still works).
        """
        inner = self.strip_prefix(path)
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, method) or (inner is not None and inner != path and fault.matches(inner, method)):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def configure(self, rate_limit=_UNSET, apply_delay=_UNSET):
        """Change the rate limit (requests per second per token; None or 0 = off) and/or the apply delay."""
        with self._lock:
            if rate_limit is not _UNSET:
                if rate_limit is not None and (isinstance(rate_limit, bool) or not isinstance(rate_limit, (int, float)) or rate_limit < 0):
                    raise ValueError("rate_limit must be a non-negative number or null")
                self.rate_limit = rate_limit
                self._windows = {}
            if apply_delay is not _UNSET:
                if isinstance(apply_delay, bool) or not isinstance(apply_delay, (int, float)) or apply_delay < 0:
                    raise ValueError("apply_delay must be a non-negative number")
                self.apply_delay = apply_delay
            return {"rate_limit": self.rate_limit, "apply_delay": self.apply_delay}

    def _throttled(self, token):
        if not self.rate_limit:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(token, collections.deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.rate_limit:
                return True
            window.append(now)
            return False

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
        if what == "list":
            if method != "GET":
                return self._not_allowed(method, "GET")
            return self._list(kind, pairs, base, origin + path)
        if what == "bulk":
            if method not in ("PATCH", "POST"):
                return self._not_allowed(method, "PATCH, POST")
            return self._bulk(kind, method, headers, raw)
        allowed = ("GET", "PATCH") if kind == "users" else ("GET", "PATCH", "PUT")
        if method not in allowed:
            return self._not_allowed(method, ", ".join(allowed))
        if method == "GET":
            return self._get_one(kind, key, pairs, base)
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
        if not parts or parts[0] not in ("users", "organizations") or "" in parts:
            return None
        if len(parts) == 1:
            return parts[0], "list", None
        if parts[1:] == ["_", "bulk", "update"]:
            return parts[0], "bulk", None
        if len(parts) == 2 and parts[1] != "_":
            return parts[0], "one", unquote(parts[1])
        return None

    @staticmethod
    def _fields(pairs):
        value = next((v for k, v in reversed(pairs) if k == "fields"), None)
        if not value:
            return None
        return [f.strip() for f in value.split(",") if f.strip()]

    def _get_one(self, kind, key, pairs, base):
        fields = self._fields(pairs)
        with self._lock:
            store = self._store
            obj_id = store.find(kind, key)
            if obj_id is None:
                return 404, ERR_NOT_FOUND, None
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return 200, store.render(kind, rec, base, fields), None

    def _list(self, kind, pairs, base, page_base):
        fields = self._fields(pairs)
        known = USER_FIELDS + ("organizations",) if kind == "users" else ORG_FIELDS
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
            objects = store.users if kind == "users" else store.orgs
            index = store.username_index if kind == "users" else store.label_index
            rest = []
            candidates = None
            for flt in filters:
                field, op, value, negate = flt
                field = field[0] if len(field) == 1 else None
                if op == "in" and not negate and field in ("id", "username", "label") and candidates is None:
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
            "next": _page_url(page_base, pairs, page + 1) if page < last_page else None,
            "previous": _page_url(page_base, pairs, page - 1) if page > 1 else None,
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
            task_id = secrets.token_hex(12)
            if self.apply_delay and self.apply_delay > 0:
                timer = threading.Timer(self.apply_delay, self._run_task, args=(task_id, kind, updates, full))
                timer.daemon = True
                self._tasks[task_id] = timer
                timer.start()
            else:
                self._store.apply(kind, updates, full)
        return 200, {"task": {"id": task_id}}, None

    def _run_task(self, task_id, kind, updates, full):
        with self._lock:
            if self._tasks.pop(task_id, None) is None:
                return
            self._store.apply(kind, updates, full)

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
                _obj_id, values = store.validate_item(kind, item, full, require_id=False)
                errors = {}
                store.check_unique(kind, [(0, obj_id, values)], errors)
                if errors:
                    raise Invalid(errors["0"])
            except Invalid as exc:
                return 400, {"code": 400001, "message": "Validation Error.", "detail": exc.errors}, None
            store.apply(kind, [(obj_id, values)], full)
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return 200, store.render(kind, rec, base), None

    # -- the control API ---------------------------------------------------------------------------------------

    def control(self, method, path, raw, query):
        """Answer one /_emulator/ request: return (status, payload, function to run after answering or None)."""
        name = path[len(CONTROL_PREFIX):].strip("/")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return 400, {"detail": "The body is not JSON."}, None
        params = dict(parse_qsl(query))
        try:
            return self._control(method, name, body, params)
        except (ValueError, TypeError) as exc:
            return 400, {"detail": str(exc)}, None
        except KeyError:
            return 404, {"detail": "No such object."}, None

    def _control(self, method, name, body, params):
        if name == "health" and method == "GET":
            return 200, {"ok": True, "url": self.url}, None
        if name == "log":
            if method == "GET":
                return 200, self.log(since=int(params.get("since", 0))), None
            if method == "DELETE":
                return 200, {"cleared": self.clear_log()}, None
        if name == "state":
            if method == "GET":
                return 200, self.state(), None
            if method == "PUT":
                if not isinstance(body, dict):
                    raise ValueError("the state must be a JSON object")
                self.set_state(body)
                return 200, self.state(), None
        if name == "reset" and method == "POST":
            self.reset()
            return 200, {"ok": True}, None
        if name == "faults":
            if method == "GET":
                return 200, self.faults(), None
            if method == "DELETE":
                self.clear_faults()
                return 200, {"ok": True}, None
            if method == "POST":
                specs = body if isinstance(body, list) else [body]
                for spec in specs:
                    if not isinstance(spec, dict) or "path" not in spec or "kind" not in spec:
                        raise ValueError("a fault needs at least path and kind")
                for spec in specs:
                    spec = dict(spec)
                    self.inject(spec.pop("path"), spec.pop("kind"), **spec)
                return 200, {"ok": True, "faults": self.faults()}, None
        if name == "config":
            if method == "GET":
                return 200, self.configure(), None
            if method == "POST":
                if not isinstance(body, dict) or set(body) - {"rate_limit", "apply_delay"}:
                    raise ValueError("config takes rate_limit and/or apply_delay")
                return 200, self.configure(**body), None
        if name == "tasks" and method == "GET":
            return 200, {"pending": self.pending_tasks()}, None
        if name == "password-check" and method == "POST":
            if not isinstance(body, dict):
                raise ValueError("send {\"user\": id or username, \"password\": ...}")
            return 200, {"match": self.check_password(body.get("user"), body.get("password") or "")}, None
        if name.startswith("objects/") and method == "PATCH":
            parts = name.split("/")
            if len(parts) != 3 or not isinstance(body, dict):
                raise ValueError("use PATCH /_emulator/objects/{users|organizations}/{id} with a JSON object")
            return 200, self.update_object(parts[1], unquote(parts[2]), body), None
        if name == "shutdown" and method == "POST":
            return 200, {"ok": True}, lambda: threading.Thread(target=self.stop, daemon=True).start()
        return 404, {"detail": "Unknown control endpoint %s %s." % (method, path_name(name))}, None


def path_name(name):
    """The control path shown in error messages."""
    return CONTROL_PREFIX + name


def _page_url(page_base, pairs, page):
    """The URL of another page: page_base (origin + the request's path, prefix included) and the other parameters."""
    kept = [(k, v) for k, v in pairs if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    query = urlencode(kept)
    return "%s%s" % (page_base, "?" + query if query else "")


def _normalize_prefix(prefix):
    """"" or "/a/b" (leading slash, no trailing slash) from "", "/", "a/b/", "/a/b"."""
    if prefix is None:
        return ""
    if not isinstance(prefix, str) or "?" in prefix or "#" in prefix:
        raise ValueError("path_prefix must be a path such as /ubidots")
    prefix = prefix.strip("/")
    return "/" + prefix if prefix else ""


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


def generate(n_users, n_orgs, base=None):
    """A fixture: `base` (a fixture dict, default the default fixture) plus n_users users and n_orgs organizations.

    Generated ids are deterministic 24-hex strings; usernames user-00001..., labels org-00001...
    """
    if base is None:
        with open(DEFAULT_FIXTURE, encoding="utf-8") as handle:
            base = json.load(handle)
    fixture = copy.deepcopy(base)
    orgs = fixture.setdefault("organizations", [])
    users = fixture.setdefault("users", [])
    roles = [r["label"] for r in fixture.get("roles", [])]
    new_orgs = []
    for i in range(1, n_orgs + 1):
        org = {"id": "a0a0%020x" % i, "label": "org-%05d" % i, "name": "Generated Organization %d" % i,
               "description": "", "properties": {}, "isActive": True, "createdAt": "2024-01-01T00:00:00.000000Z"}
        new_orgs.append(org)
    orgs.extend(new_orgs)
    for i in range(1, n_users + 1):
        user = {"id": "b0b0%020x" % i, "username": "user-%05d" % i, "email": "user-%05d@example.com" % i,
                "firstName": "User", "lastName": "%05d" % i, "createdAt": "2024-01-01T00:00:00.000000Z",
                "tags": [], "isActive": True}
        if new_orgs:
            user["defaultOrganization"] = new_orgs[i % len(new_orgs)]["id"]
        if roles:
            user["defaultRole"] = roles[i % len(roles)]
        users.append(user)
    return fixture


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Emulated Ubidots API v2.0 for tests.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 = any free one (default)")
    parser.add_argument("--fixture", help="JSON fixture (default: fixtures/default.json)")
    parser.add_argument("--port-file", help="write the base URL to this file once listening")
    parser.add_argument("--idle-timeout", type=float, default=300.0, help="stop after this many idle seconds (0 = never)")
    parser.add_argument("--apply-delay", type=float, default=0.0, help="seconds before an accepted bulk update is applied")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second per token (default: off)")
    parser.add_argument("--generate-users", type=int, default=0, help="add this many generated users")
    parser.add_argument("--generate-orgs", type=int, default=0, help="add this many generated organizations")
    parser.add_argument("--tls-cert", help="certificate file (PEM) to serve https")
    parser.add_argument("--tls-key", help="key file (PEM) of --tls-cert")
    parser.add_argument("--path-prefix", default="", help="serve the API under this path (e.g. /ubidots), as behind a proxy")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    fixture = args.fixture
    if args.generate_users or args.generate_orgs:
        base = None
        if fixture:
            with open(fixture, encoding="utf-8") as handle:
                base = json.load(handle)
        fixture = generate(args.generate_users, args.generate_orgs, base)
    try:
        emulator = Emulator(fixture, host=args.host, port=args.port, idle_timeout=args.idle_timeout,
                            apply_delay=args.apply_delay, rate_limit=args.rate_limit,
                            tls=(args.tls_cert, args.tls_key) if args.tls_cert else None, path_prefix=args.path_prefix)
    except (ValueError, OSError) as exc:
        sys.stderr.write("ubidots-emulator: %s\n" % exc)
        return 2
    emulator.start()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        threading.Thread(target=emulator.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.port_file:
        # Written first and atomically: whoever reads the URL on stdout also finds the file complete.
        temporary = args.port_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
        os.replace(temporary, args.port_file)
    sys.stdout.write("UBIDOTS_API_URL=%s\n" % emulator.url)
    sys.stdout.flush()
    while not emulator.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
