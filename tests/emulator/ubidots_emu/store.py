# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated data (Store): loading, lookups and the API read format."""

from __future__ import annotations

import collections
import copy

from .common import API_PREFIX, ORG_FIELDS, USER_FIELDS, hash_password, new_id, now_iso
from .writes import StoreWrites


class Store(StoreWrites):
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
            role_id = item.get("id") or new_id()
            self.roles[role_id] = {"id": role_id, "label": item["label"], "name": item.get("name", item["label"]),
                                   "createdAt": item.get("createdAt") or now_iso()}
        self.apps = {}
        for item in fixture.get("apps", []):
            app_id = item.get("id") or new_id()
            self.apps[app_id] = {"id": app_id, "label": item["label"], "name": item.get("name", item["label"])}
        self.dashboards = {}
        for item in fixture.get("dashboards", []):
            dash_id = item.get("id") or new_id()
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
            "id": item.get("id") or new_id(), "label": label, "name": item.get("name") or label,
            "description": item.get("description", ""), "favicon": self._image_raw(item.get("favicon")),
            "logo": self._image_raw(item.get("logo")), "properties": copy.deepcopy(item.get("properties") or {}),
            "isActive": item.get("isActive", True), "app": self._ref(item.get("app"), self.find_app, "app"),
            "devicesCount": item.get("devicesCount", 0), "limits": copy.deepcopy(item.get("limits") or []),
            "createdAt": item.get("createdAt") or now_iso(), "_seq": self._next_seq(),
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
            password_hash = hash_password(item["password"])
        elif password_hash is None and previous is not None:
            password_hash = previous.get("_password")
        orgs = [o for o in (self._ref(o, self.find_org, "organization") for o in item.get("organizations", [])) if o]
        if previous is not None and "organizations" not in item:
            orgs = [o for o in previous.get("organizations", []) if o in self.orgs]
        rec = {
            "id": item.get("id") or new_id(), "username": username, "email": item.get("email", ""),
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
            "createdAt": item.get("createdAt") or now_iso(), "organizations": [],
            "_password": password_hash, "_seq": self._next_seq(),
        }
        for org_id in orgs + ([rec["defaultOrganization"]] if rec["defaultOrganization"] else []):
            if org_id not in rec["organizations"]:
                rec["organizations"].append(org_id)
        return rec

    @staticmethod
    def _contact(item):
        return {"id": item.get("id") or new_id(), "type": item["type"], "values": list(item.get("values") or []),
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
