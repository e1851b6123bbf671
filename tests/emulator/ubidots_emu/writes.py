# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and writes of the Store (a mixin): bulk and single updates."""

from __future__ import annotations

import copy

from .common import (
    Invalid, MAX_USERNAME_LENGTH, ORG_BACKDOOR, ORG_DEFAULTS, ORG_READ_ONLY, ORG_REQUIRED_FULL, USER_BACKDOOR,
    USER_DEFAULTS, USER_READ_ONLY, USER_REQUIRED_FULL, hash_password, new_id
)
from .validators import v_bool, v_contact_methods, v_decimal_places, v_dict, v_email, v_string, v_tags


class StoreWrites:
    """Validation and writes; mixed into Store."""

    # -- validation --------------------------------------------------------------------------------------------

    def _v_fk(self, finder, nullable=True, what="id or label"):
        def check(value):
            if value is None and nullable:
                return None
            v_string(value, blank=False)
            found = finder(value)
            if found is None:
                raise Invalid(["Object with %s=%s does not exist." % (what, value)])
            return found
        return check

    def validators(self, kind):
        """Map writable field -> function(value) returning the value to store."""
        if kind == "users":
            return {
                "username": lambda v: v_string(v, blank=False, max_length=MAX_USERNAME_LENGTH, key="username"),
                "password": lambda v: v_string(v, blank=False),
                "email": v_email,
                "firstName": v_string, "lastName": v_string, "website": v_string,
                "language": lambda v: v_string(v, nullable=True),
                "timezone": lambda v: v_string(v, nullable=True),
                "numberFormat": lambda v: v_string(v, nullable=True),
                "decimalPlaces": v_decimal_places,
                "isActive": v_bool,
                "tags": v_tags,
                "contactMethods": v_contact_methods,
                "defaultOrganization": self._v_fk(self.find_org),
                "defaultRole": self._v_fk(self.find_role, what="label"),
                "defaultDashboard": self._v_fk(self.find_dashboard),
            }
        return {
            "label": lambda v: v_string(v, blank=False, key="label"),
            "name": lambda v: v_string(v, blank=False),
            "description": v_string,
            "favicon": lambda v: v_string(v, nullable=True, blank=False),
            "logo": lambda v: v_string(v, nullable=True, blank=False),
            "properties": v_dict,
            "isActive": v_bool,
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
                    rec["_password"] = hash_password(value)
                elif name == "contactMethods":
                    rec[name] = [dict(c, id=c.get("id") or new_id()) for c in value]
                elif name == "organizations":
                    rec[name] = [o for o in (self.find_org(k) for k in value) if o]
                else:
                    rec[name] = copy.deepcopy(value)
            if kind == "users" and rec["defaultOrganization"] and rec["defaultOrganization"] not in rec["organizations"]:
                rec["organizations"] = rec["organizations"] + [rec["defaultOrganization"]]
        for obj_id, changes in updates:
            index[store[obj_id][key_field]] = obj_id
