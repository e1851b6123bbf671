# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Constants, error bodies and small helpers shared by the emulator modules."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import secrets
import time


API_PREFIX = "/api/v2.0"
CONTROL_PREFIX = "/_emulator/"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/emulator
DEFAULT_FIXTURE = os.path.join(HERE, "fixtures", "default.json")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_USERNAME_LENGTH = 150
KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
CONTACT_TYPES = ("email", "voice", "telegram", "sms")
FAULT_KINDS = ("status", "delay", "drop", "reset", "truncate", "untyped", "html", "redirect")
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
USER_REQUIRED_CREATE = ("username", "email", "password")  # fact: POST /users/ reference
ORG_REQUIRED_CREATE = ("label",)  # fact: POST /organizations/ reference (name defaults to the label)
# Fields holding references; the "unchanged value" leniency below never applies to them.
REFERENCE_FIELDS = ("defaultOrganization", "defaultRole", "defaultDashboard", "app", "password")
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
# What GET /<kind>/ lists (fields= and filters). roles: fact (documented list); dashboards: client code only;
# apps: ASSUMPTION (no v2.0 list of apps is documented; served so that app references can be resolved).
LIST_FIELDS = {
    "users": USER_FIELDS + ("organizations",), "organizations": ORG_FIELDS,
    "roles": ("url", "label", "name", "createdAt"), "dashboards": ("url", "id", "label", "name"),
    "apps": ("id", "label", "name", "url"),
}
FILTER_OPS = ("exact", "in", "contains", "icontains", "startswith", "isnull")
RESERVED_PARAMS = ("page", "page_size", "fields", "sort_by", "token", "format")

UNSET = object()


def invalid(detail):
    """(status, payload, headers) of a 400001 validation error."""
    return 400, {"code": 400001, "message": "Validation Error.", "detail": detail}, None


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000000Z"


def new_id():
    return secrets.token_hex(12)


def password_digest(password):
    """The tag the request log shows instead of a password: "***sha256:" + 12 hex digits of its SHA-256."""
    return "***sha256:" + hashlib.sha256(str(password).encode("utf-8")).hexdigest()[:12]


def hash_password(password):
    return hashlib.sha256(("ubidots-emulator:" + password).encode("utf-8")).hexdigest()


def dumps(payload):
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_copy(value):
    return json.loads(json.dumps(value))


def is_loopback(host):
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
