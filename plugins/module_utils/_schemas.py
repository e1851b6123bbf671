# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON Schemas (Draft 2020-12) of one item of the Ubidots bulk-update bodies.

They are Python dicts because AnsiballZ only ships .py files; `scripts/export_schemas.py` writes
them to docs/schemas/*.json and a unit test keeps both equal.

Derived from the body tables of "Bulk Update Users" and "Bulk Update Organizations" (docs.ubidots.com):
- The users table marks username, password and email "Required": that holds for creating a user.
  These endpoints update existing objects, so only the identity (id, or username/label) is required.
- "Only alphanumeric characters, dash or hyphen" is read as: ASCII letters, digits, "-" and "_"
  (a hyphen is a dash, so the second word is taken to mean the underscore). The page's own example
  username "User 1" breaks that rule and is rejected.
"""

from __future__ import annotations

DRAFT = "https://json-schema.org/draft/2020-12/schema"
KEY_PATTERN = "^[A-Za-z0-9_-]+$"
# The "email" format as checked here: something@something.something, no spaces.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
CONTACT_TYPES = ["email", "voice", "telegram", "sms"]

_NULLABLE_KEY = {"type": ["string", "null"], "minLength": 1}

USER_SCHEMA = {
    "$schema": DRAFT,
    "$id": "https://github.com/ubidots/ansible-collection-industrial/docs/schemas/user-bulk-update-item.json",
    "title": "Ubidots User, one item of PATCH /api/v2.0/users/_/bulk/update/",
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["id"]}, {"required": ["username"]}],
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Id of the user to update."},
        "username": {"type": "string", "minLength": 1, "pattern": KEY_PATTERN,
                     "description": "ASCII letters, digits, dash and underscore."},
        "password": {"type": "string", "minLength": 1, "writeOnly": True},
        "firstName": {"type": "string"},
        "lastName": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "defaultOrganization": dict(_NULLABLE_KEY, description="Organization id or label."),
        "defaultRole": dict(_NULLABLE_KEY, description="Role label."),
        "defaultDashboard": dict(_NULLABLE_KEY, description="Dashboard id or label."),
        "language": {"type": ["string", "null"]},
        "website": {"type": "string"},
        "timezone": {"type": ["string", "null"]},
        "decimalPlaces": {"type": ["integer", "null"], "minimum": 0},
        "numberFormat": {"type": ["string", "null"]},
        "isActive": {"type": "boolean"},
        "tags": {
            "type": "array",
            "maxItems": 20,
            "items": {"type": "string", "minLength": 1, "maxLength": 50},
        },
        "organizations": {
            "type": "array",
            "description": "Memberships: the organizations the user belongs to, each with a role.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role"],
                "anyOf": [{"required": ["label"]}, {"required": ["id"]}],
                "properties": {
                    "label": {"type": "string", "minLength": 1, "description": "Organization label."},
                    "id": {"type": "string", "minLength": 1, "description": "Organization id (instead of label)."},
                    "role": {"type": "string", "minLength": 1, "description": "Role label."},
                },
            },
        },
        "contactMethods": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "values"],
                "properties": {
                    "type": {"enum": CONTACT_TYPES},
                    "values": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "properties": {"type": "object"},
                },
            },
        },
    },
}

ORGANIZATION_SCHEMA = {
    "$schema": DRAFT,
    "$id": "https://github.com/ubidots/ansible-collection-industrial/docs/schemas/organization-bulk-update-item.json",
    "title": "Ubidots Organization, one item of POST /api/v2.0/organizations/_/bulk/update/",
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["id"]}, {"required": ["label"]}],
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Id of the organization to update."},
        "label": {"type": "string", "minLength": 1, "pattern": KEY_PATTERN,
                  "description": "API label: ASCII letters, digits, dash and underscore."},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "favicon": {"type": ["string", "null"], "minLength": 1, "description": "Image URL, or null for none."},
        "logo": {"type": ["string", "null"], "minLength": 1, "description": "Image URL, or null for none."},
        "properties": {"type": "object"},
        "isActive": {"type": "boolean"},
        "app": dict(_NULLABLE_KEY, description="App id or label, or null for none."),
    },
}

SCHEMAS = {
    "user-bulk-update-item": USER_SCHEMA,
    "organization-bulk-update-item": ORGANIZATION_SCHEMA,
}
