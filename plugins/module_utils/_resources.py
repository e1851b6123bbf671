# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two resources the collection manages, declared once for the engine, the modules and the tests."""

from __future__ import annotations

from ansible_collections.ubidots.industrial.plugins.module_utils._compare import (
    ContactRule,
    ImageRule,
    PropertiesRule,
    RefRule,
    ResourceSpec,
    SecretRule,
    SetRule,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._schemas import (
    ORGANIZATION_SCHEMA,
    USER_SCHEMA,
)

# Users: partial update (PATCH), so a changed user is sent as its id and the changed keys only.
USERS = ResourceSpec(
    option="users",
    noun="user",
    path="/users/",
    bulk_method="PATCH",
    identity=("id", "username"),
    name_key="username",
    schema=USER_SCHEMA,
    rules={
        "password": SecretRule(),
        "tags": SetRule(),
        "defaultOrganization": RefRule(("id", "label")),
        "defaultRole": RefRule(("label",)),
        "defaultDashboard": RefRule(("id", "label")),
        "contactMethods": ContactRule(),
    },
)

# Organizations: the endpoint is a full update (POST "updates all fields"; what is not sent goes
# back to its default), so a changed organization is sent whole: current state merged with the user's keys.
ORGANIZATIONS = ResourceSpec(
    option="organizations",
    noun="organization",
    path="/organizations/",
    bulk_method="POST",
    identity=("id", "label"),
    name_key="label",
    schema=ORGANIZATION_SCHEMA,
    rules={
        "properties": PropertiesRule(purge_option="purge_properties"),
        "app": RefRule(("id", "label")),
        "favicon": ImageRule(),
        "logo": ImageRule(),
    },
    full_update_keys=("label", "name", "description", "properties", "isActive", "app", "favicon", "logo"),
)

# Every resource by the module option that holds its list (and the kind the desired_state filter takes).
RESOURCES = {spec.option: spec for spec in (USERS, ORGANIZATIONS)}
