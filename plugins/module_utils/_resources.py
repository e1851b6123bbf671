# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two resources the collection manages, each declared once: the engine, the modules, the info
modules, the desired_state filter and the tests read everything that differs between them from here."""

from __future__ import annotations

import collections

from ansible_collections.ubidots.industrial.plugins.module_utils._rules import (
    PLAIN,
    ContactRule,
    ImageRule,
    MembershipRule,
    PropertiesRule,
    RefRule,
    SecretRule,
    SetRule,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import (
    ORGANIZATION_SCHEMA,
    USER_SCHEMA,
)


class ResourceSpec:  # pylint: disable=too-many-instance-attributes
    """What differs between the bulk modules: one declaration, one engine."""

    def __init__(self, option, noun, path, name_key, schema, update_method, create, delete,
                 rules=None, full_update_keys=None, create_requires=None, options=None):
        self.option = option                    # module option holding the list: "users"
        self.noun = noun                        # "user"
        self.path = path                        # "/users/"
        self.name_key = name_key                # the key that names an object: "username"
        self.identity = ("id", name_key)        # an item names its object by id, else by name
        self.schema = schema
        self.update_method = update_method      # bulk update: "PATCH" (partial) or "POST" (full update)
        self.update_path = path + "_/bulk/update/"
        self.create = create                    # "bulk": POST <path>_/bulk/create/; "single": POST <path>
        self.delete = delete                    # "bulk": POST <path>_/bulk/delete/; "single": DELETE <path><id>
        self.create_path = path + "_/bulk/create/" if create == "bulk" else path
        self.delete_path = path + "_/bulk/delete/" if delete == "bulk" else path
        self.rules = rules or {}
        self.secret_keys = tuple(key for key, rule in self.rules.items() if rule.secret)  # keys whose values are secrets
        # A full update resets what is not sent, so these keys always travel, merged with the user's.
        self.full_update_keys = full_update_keys or ()
        self.create_requires = create_requires or (name_key,)
        # The module options this resource adds, as argument-spec entries (documented in each module).
        self.options = options or {}

    @property
    def readable_keys(self):
        """The keys of an object that a listing returns cheaply: every key of the schema but the write-only
        secrets and the keys sent with their own endpoints (memberships, read only when an item lists them)."""
        return tuple(key for key, rule in ((k, self.rule(k)) for k in self.schema["properties"])
                     if not rule.secret and not getattr(rule, "separate", False))

    def rule(self, key):
        """The comparison rule of a key."""
        return self.rules.get(key, PLAIN)

    @property
    def references(self):
        """{key: kind} of the keys that point at other objects, resolved before any write."""
        return {key: rule.kind for key, rule in self.rules.items() if isinstance(rule, RefRule)}

    def read_fields(self, keys):
        """The `fields=` to ask for, to compare `keys` (and, for a full update, to send back)."""
        wanted = set(self.identity) | set(keys) | set(self.full_update_keys)
        return sorted(key for key in wanted if not self.rule(key).secret and key in self.schema["properties"])

    def to_item(self, obj, keys=None):
        """An API object in the item shape the bulk endpoints take (secrets left out, absent keys left out)."""
        item = {"id": obj.get("id")}
        for key in keys or self.schema["properties"]:
            rule = self.rule(key)
            if key != "id" and not rule.secret and key in obj:
                item[key] = rule.write_current(obj, key)
        return item


# Users: partial update (PATCH), so a changed user is sent as its id and the changed keys only.
# No bulk create or delete is documented: one POST /users/ per new user, one DELETE per leaver.
USERS = ResourceSpec(
    option="users",
    noun="user",
    path="/users/",
    name_key="username",
    schema=USER_SCHEMA,
    update_method="PATCH",
    create="single",
    delete="single",
    create_requires=("username", "email", "password"),
    rules={
        "password": SecretRule(option="update_password"),
        "tags": SetRule(),
        "defaultOrganization": RefRule("organizations"),
        "defaultRole": RefRule("roles", ("label",)),
        "defaultDashboard": RefRule("dashboards"),
        "contactMethods": ContactRule(),
        "organizations": MembershipRule(purge_option="purge_organizations"),
    },
    options={
        "update_password": dict(type="str", choices=["always", "on_create", "never"], default="on_create", no_log=False),
        "purge_organizations": dict(type="bool", default=False),
    },
)

# Organizations: the bulk update is a full update (POST "updates all fields"; what is not sent goes
# back to its default), so a changed organization is sent whole: current state merged with the user's keys.
ORGANIZATIONS = ResourceSpec(
    option="organizations",
    noun="organization",
    path="/organizations/",
    name_key="label",
    schema=ORGANIZATION_SCHEMA,
    update_method="POST",
    create="bulk",
    delete="bulk",
    rules={
        "properties": PropertiesRule(purge_option="purge_properties"),
        "app": RefRule("apps"),
        "favicon": ImageRule(),
        "logo": ImageRule(),
    },
    full_update_keys=("label", "name", "description", "properties", "isActive", "app", "favicon", "logo"),
    options={
        "purge_properties": dict(type="bool", default=False),
    },
)

# Every resource by the module option that holds its list (and the kind the desired_state filter takes).
RESOURCES = {spec.option: spec for spec in (USERS, ORGANIZATIONS)}

# Keys holding secrets in any resource: the module layer masks their values wherever they appear in its
# parameters, also when it fails before the engine runs (argument spec errors) and in the invocation log.
SECRET_KEYS = frozenset(key for spec in RESOURCES.values() for key in spec.secret_keys)

# What items only point at, resolved before any write. Each kind says where it is read, the keys an item may
# name it by, and how: looked up by the wanted values (organizations: id__in / label__in, documented; labels
# first, as most items name organizations by label), or listed whole (an account holds few roles, dashboards and
# apps). Roles (GET /roles/, documented, keyed by label) and dashboards (GET /dashboards/, public client code
# only) are listed; a v2.0 list of apps is not documented: GET /apps/ is our assumption, checked by the live
# contract suite.
ReferenceKind = collections.namedtuple("ReferenceKind", "path keys looked_up")

REFERENCE_KINDS = {
    "organizations": ReferenceKind("/organizations/", ("label", "id"), looked_up=True),
    "roles": ReferenceKind("/roles/", ("label",), looked_up=False),
    "dashboards": ReferenceKind("/dashboards/", ("id", "label"), looked_up=False),
    "apps": ReferenceKind("/apps/", ("id", "label"), looked_up=False),
}
