# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and writes of the Store (a mixin): updates, creates and deletes, memberships."""

from __future__ import annotations

import copy
import datetime

from .common import (
    Invalid, MAX_USERNAME_LENGTH, ORG_BACKDOOR, ORG_DEFAULTS, ORG_READ_ONLY, ORG_REQUIRED_CREATE, ORG_REQUIRED_FULL,
    REFERENCE_FIELDS, USER_BACKDOOR, USER_DEFAULTS, USER_READ_ONLY, USER_REQUIRED_CREATE, USER_REQUIRED_FULL,
    hash_password, new_id
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

    def validate_item(self, kind, item, full, require_id=True, backdoor=False, checks=None, current=None, create=False):
        """Check one item of a write; return (object id, {field: value to store}) or raise Invalid({field: [..]}).

        current: the record an update writes to (found from item["id"] when require_id). A value equal to what the
        object already holds is accepted as is (ASSUMPTION, issue 11: real accounts hold values the documented rules
        refuse, such as "john.doe" or a null firstName, and the API stores them already; to check live).
        create: the item creates an object: "id" is read-only and the create's required fields apply.
        """
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
                current = (self.users if kind == "users" else self.orgs)[obj_id]
        if create and "id" in item:
            errors["id"] = ["This field is read-only."]
        for name, value in item.items():
            if name == "id":
                continue
            if (current is not None and name not in REFERENCE_FIELDS and name in checks and name in current
                    and value == current[name] and type(value) is type(current[name])):
                changes[name] = copy.deepcopy(value)
                continue
            if name in extra:
                if name == "lastLogin" and not _is_time_or_null(value):
                    errors[name] = ["Datetime has wrong format. Use one of these formats instead: "
                                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]
                    continue
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
        required = ()
        if create:
            required = USER_REQUIRED_CREATE if kind == "users" else ORG_REQUIRED_CREATE
        elif full:
            required = USER_REQUIRED_FULL if kind == "users" else ORG_REQUIRED_FULL
        if required:
            for name in required:
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
                    rec[name] = self.memberships(value, rec["defaultRole"])
                else:
                    rec[name] = copy.deepcopy(value)
            if kind == "users":
                self.add_default_membership(rec)
        for obj_id, changes in updates:
            index[store[obj_id][key_field]] = obj_id

    # -- lifecycle (issue 13) ----------------------------------------------------------------------------------

    def validate_create(self, kind, body):
        """Validate the items of a create (a list); return [{field: value}] or raise Invalid({index: {..}}).

        Facts: the required fields (users: username, email, password; organizations: label) and unique
        username / label. Assumption: the whole body is validated at request time, like bulk update.
        """
        if not isinstance(body, list):
            raise Invalid({"non_field_errors": ['Expected a list of items but got type "%s".' % type(body).__name__]})
        if not body:
            raise Invalid({"non_field_errors": ["This list may not be empty."]})
        errors = {}
        accepted = []
        checks = self.validators(kind)
        for position, item in enumerate(body):
            try:
                _obj_id, values = self.validate_item(kind, item, False, require_id=False, checks=checks, create=True)
            except Invalid as exc:
                errors[str(position)] = exc.errors
                continue
            accepted.append((position, ("new", position), values))
        self.check_unique(kind, accepted, errors)
        if errors:
            raise Invalid(dict(sorted(errors.items(), key=lambda kv: int(kv[0]))))
        return [values for _position, _new, values in accepted]

    def create(self, kind, values):
        """Add one validated object; return its record, or None if its username / label is taken by now."""
        key_field = "username" if kind == "users" else "label"
        index = self.username_index if kind == "users" else self.label_index
        if values[key_field] in index:
            return None
        item = dict(values, id=new_id())
        try:
            rec = self._load_user(item) if kind == "users" else self._load_org(item)
        except ValueError:
            return None  # a reference deleted between the request and the task
        if kind == "users":
            self.users[rec["id"]] = rec
        else:
            self.orgs[rec["id"]] = rec
        index[rec[key_field]] = rec["id"]
        return rec

    def create_all(self, kind, items):
        """Apply a bulk create task: every item whose label is still free."""
        for values in items:
            self.create(kind, values)

    def validate_delete(self, body):
        """Validate a bulk delete of organizations; return [org id] or raise Invalid({index: {"id": [..]}}).

        Fact: items are "<id>", "~label" or {"id": ...}. Assumption: unknown ones and repeats are refused at
        request time with per-position detail, like bulk update.
        """
        if not isinstance(body, list):
            raise Invalid({"non_field_errors": ['Expected a list of items but got type "%s".' % type(body).__name__]})
        if not body:
            raise Invalid({"non_field_errors": ["This list may not be empty."]})
        errors = {}
        ids = []
        for position, item in enumerate(body):
            if isinstance(item, dict) and set(item) == {"id"}:
                item = item["id"]
            if not isinstance(item, str) or not item or item == "~":
                errors[str(position)] = {"id": ['Expected "<id>", "~label" or {"id": "<id>"}.']}
                continue
            org_id = self.label_index.get(item[1:]) if item.startswith("~") else (item if item in self.orgs else None)
            if org_id is None:
                what = "label=%s" % item[1:] if item.startswith("~") else "id=%s" % item
                errors[str(position)] = {"id": ["Object with %s does not exist." % what]}
            elif org_id in ids:
                errors[str(position)] = {"id": ["Object with id=%s appears more than once in this request." % org_id]}
            else:
                ids.append(org_id)
        if errors:
            raise Invalid(errors)
        return ids

    def delete(self, kind, obj_id):
        """Remove an object; deleting an organization clears it from users (defaultOrganization, memberships)."""
        if kind == "users":
            rec = self.users.pop(obj_id, None)
            if rec is not None and self.username_index.get(rec["username"]) == obj_id:
                del self.username_index[rec["username"]]
            return rec is not None
        rec = self.orgs.pop(obj_id, None)
        if rec is None:
            return False
        if self.label_index.get(rec["label"]) == obj_id:
            del self.label_index[rec["label"]]
        for user in self.users.values():
            # Assumption (issue 13): the user keeps existing, without that default organization or membership.
            if user["defaultOrganization"] == obj_id:
                user["defaultOrganization"] = None
            if obj_id in user["organizations"]:
                user["organizations"] = {o: r for o, r in user["organizations"].items() if o != obj_id}
        return True

    def delete_all(self, kind, ids):
        """Apply a bulk delete task (objects already gone are skipped)."""
        for obj_id in ids:
            self.delete(kind, obj_id)

    # -- memberships (issue 14) --------------------------------------------------------------------------------

    def validate_memberships(self, rec, body, remove=False):
        """Validate an assign / remove_organizations body for the user `rec`; return [(org id, role id or None)].

        Facts: assign takes [{label, role, invitation?}]; remove is used by client code with [{label, role}].
        Assumptions: role is required to assign and optional to remove (then checked if given); an unknown
        organization or role, a repeated organization, an empty list, and removing a membership the user does not
        have are refused with per-position detail (400001), nothing applied.
        """
        if not isinstance(body, list):
            raise Invalid({"non_field_errors": ['Expected a list of items but got type "%s".' % type(body).__name__]})
        if not body:
            raise Invalid({"non_field_errors": ["This list may not be empty."]})
        allowed = ("label", "role") if remove else ("label", "role", "invitation")
        errors = {}
        result = []
        for position, item in enumerate(body):
            if not isinstance(item, dict):
                errors[str(position)] = {"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(item).__name__]}
                continue
            item_errors = {name: ["Unknown field."] for name in item if name not in allowed}
            label = item.get("label")
            org_id = self.label_index.get(label) if isinstance(label, str) else None
            if "label" not in item:
                item_errors["label"] = ["This field is required."]
            elif org_id is None:
                item_errors["label"] = ["Object with label=%s does not exist." % (label,)]
            elif any(org_id == o for o, _r in result):
                item_errors["label"] = ["Organization %s appears more than once in this request." % label]
            elif remove and org_id not in rec["organizations"]:
                item_errors["label"] = ["The user is not a member of organization %s." % label]
            role = item.get("role")
            role_id = self.find_role(role) if isinstance(role, str) and role else None
            if "role" not in item and not remove:
                item_errors["role"] = ["This field is required."]
            elif "role" in item and role_id is None:
                item_errors["role"] = ["Object with label=%s does not exist." % (role,)]
            if "invitation" in item and not isinstance(item["invitation"], bool):
                item_errors["invitation"] = ["Must be a valid boolean."]
            if item_errors:
                errors[str(position)] = item_errors
            else:
                result.append((org_id, role_id))
        if errors:
            raise Invalid(errors)
        return result

    def assign(self, rec, pairs):
        """Add or re-role memberships of the user `rec`."""
        rec["organizations"] = dict(rec["organizations"], **dict(pairs))

    def unassign(self, rec, pairs):
        """Remove memberships; the default organization goes too if removed (assumption)."""
        gone = {org_id for org_id, _role in pairs}
        rec["organizations"] = {o: r for o, r in rec["organizations"].items() if o not in gone}
        if rec["defaultOrganization"] in gone:
            rec["defaultOrganization"] = None


def _is_time_or_null(value):
    """lastLogin is a time or null (user read shape: doc); the emulator keeps it as the ISO 8601 text it was given."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return "T" in value
