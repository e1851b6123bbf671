# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unused accounts and the access review: pure functions of the accounts read and of "now" (UTC, injected)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.ubidots.industrial.plugins.module_utils._access_review import review_csv, review_markdown
from ansible_collections.ubidots.industrial.plugins.module_utils._info import (
    account_view,
    inactive_before,
    is_unused,
    parse_time,
    run_info,
)
from ansible_collections.ubidots.industrial.plugins.module_utils._messages import Failure
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import USERS

NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
CUTOFF = NOW - timedelta(days=90)


def account(username, last_login=None, active=True, orgs=(), email=None):
    return {"id": "id-" + username, "username": username, "email": email or username + "@example.com",
            "isActive": active, "lastLogin": last_login, "organizations": [{"label": o, "role": r} for o, r in orgs]}


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- time ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2024-05-01T10:00:00.000000Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),
    ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),
    ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),
    ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),  # no offset: UTC
    (1714557600000, datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),  # epoch milliseconds
    (None, None),
])
def test_last_login_values_are_read_as_utc(value, expected):
    assert parse_time(value) == expected


def test_an_unreadable_last_login_raises_naming_the_value():
    with pytest.raises(ValueError, match="yesterday"):
        parse_time("yesterday")


def test_inactive_before_is_now_minus_n_days_in_utc():
    assert inactive_before(90, NOW) == datetime(2026, 9, 5, 12, tzinfo=timezone.utc)
    assert inactive_before(0, NOW) == NOW


def test_unused_means_active_and_last_login_older_than_the_cutoff_or_never():
    assert is_unused(account("a", iso(CUTOFF - timedelta(seconds=1))), CUTOFF)
    assert not is_unused(account("a", iso(CUTOFF)), CUTOFF), "exactly N days ago is not older than N days"
    assert not is_unused(account("a", iso(CUTOFF + timedelta(seconds=1))), CUTOFF)
    assert is_unused(account("a", None), CUTOFF), "never logged in"
    assert not is_unused(account("a", None, active=False), CUTOFF), "a deactivated account is not an unused active one"
    assert not is_unused(account("a", iso(CUTOFF - timedelta(days=400)), active=False), CUTOFF)


def test_account_view_keeps_identity_email_activity_last_login_and_memberships():
    obj = {"id": "u1", "username": "ada", "email": "ada@example.com", "isActive": True, "lastLogin": None,
           "firstName": "Ada", "organizations": [
               {"id": "o2", "label": "south", "name": "South", "role": {"label": "viewer"}},
               {"id": "o1", "label": "north", "name": "North", "role": {"label": "admin"}}]}
    assert account_view(USERS, obj) == {
        "id": "u1", "username": "ada", "email": "ada@example.com", "isActive": True, "lastLogin": None,
        "organizations": [{"label": "north", "role": "admin"}, {"label": "south", "role": "viewer"}]}


# -- the CSV -------------------------------------------------------------------------------------------------

def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_one_row_per_user_and_organization_and_one_for_a_user_without_any():
    text = review_csv([
        account("bob", None, orgs=[("north", "viewer"), ("south", "admin")]),
        account("ada", "2026-12-01T08:00:00Z", orgs=[("north", "admin")]),
        account("cid", None, active=False),
    ])
    assert rows_of(text) == [
        ["username", "email", "isActive", "lastLogin", "organization", "role"],
        ["ada", "ada@example.com", "true", "2026-12-01T08:00:00Z", "north", "admin"],
        ["bob", "bob@example.com", "true", "", "north", "viewer"],
        ["bob", "bob@example.com", "true", "", "south", "admin"],
        ["cid", "cid@example.com", "false", "", "", ""],
    ]


def test_csv_escapes_commas_quotes_and_newlines():
    text = review_csv([account("ada", None, email='"Ada, the first"\n@example.com', orgs=[("north", "admin")])])
    assert rows_of(text)[1][1] == '"Ada, the first"\n@example.com'


# -- the Markdown --------------------------------------------------------------------------------------------

ACCOUNTS = [
    account("admin", iso(NOW - timedelta(days=1)), orgs=[("north", "admin"), ("south", "admin")]),
    account("old", iso(CUTOFF - timedelta(minutes=1)), orgs=[("north", "viewer")]),
    account("recent", iso(CUTOFF + timedelta(minutes=1)), orgs=[("north", "editor")]),
    account("never", None),
    account("gone", None, active=False, orgs=[("south", "admin")]),
]
ORGS = [{"label": "south", "name": "South | plant"}, {"label": "north", "name": "North"}, {"label": "empty", "name": "Empty"}]


def test_markdown_counts_each_number_from_the_accounts():
    text = review_markdown(ACCOUNTS, ORGS, NOW, 90)
    assert "| Users | 5 |" in text
    assert "| Active (`isActive` true) | 4 |" in text
    assert "| Inactive (`isActive` false) | 1 |" in text
    assert "| Never logged in (`lastLogin` null) | 2 |" in text
    assert "| Unused for 90 days: active, last login before 2026-09-05T12:00:00Z or never | 2 |" in text
    assert "2026-12-04T12:00:00Z" in text


def test_markdown_names_the_admins_of_each_organization_and_those_without_any():
    text = review_markdown(ACCOUNTS, ORGS, NOW, 90)
    assert "| empty | Empty | none |" in text
    assert "| north | North | admin |" in text
    assert "| south | South \\| plant | admin, gone (inactive) |" in text
    assert text.index("| empty |") < text.index("| north |") < text.index("| south |")


def test_markdown_lists_the_unused_active_accounts_by_name():
    text = review_markdown(ACCOUNTS, ORGS, NOW, 90)
    section = text.split("## Unused active accounts")[1]
    assert "| never | never@example.com | never |  |" in section
    assert "| old | old@example.com | %s | north (viewer) |" % iso(CUTOFF - timedelta(minutes=1)) in section
    assert "recent" not in section and "gone" not in section and "| admin |" not in section


def test_markdown_days_change_the_unused_count():
    text = review_markdown(ACCOUNTS, ORGS, NOW, 0)
    assert "| Unused for 0 days: active, last login before 2026-12-04T12:00:00Z or never | 4 |" in text


# -- run_info with inactive_for_days, "now" injected -----------------------------------------------------------

class FakeClient:
    """The one listing run_info reads, recorded."""

    def __init__(self, objects):
        self.objects = objects
        self.listed = []

    def list(self, path, params=None):
        self.listed.append((path, dict(params or {})))
        return iter(self.objects)


class FakeModule:  # pylint: disable=too-few-public-methods
    def __init__(self, objects, **params):
        self.params = dict({"ids": None, "usernames": None, "filters": None, "memberships": False,
                            "inactive_for_days": None, "page": None}, **params)
        self._client = FakeClient(objects)

    def client(self):
        return self._client


def api_user(username, last_login, active=True):
    return {"id": "id-" + username, "username": username, "email": username + "@example.com", "isActive": active,
            "lastLogin": last_login, "organizations": [{"id": "o1", "label": "north", "role": {"label": "viewer"}}]}


def test_run_info_lists_the_unused_users_from_one_listing_measured_from_now():
    module = FakeModule([api_user("old", iso(CUTOFF - timedelta(seconds=1))), api_user("edge", iso(CUTOFF)),
                         api_user("never", None), api_user("off", None, active=False)], inactive_for_days=90)
    result = run_info(module, USERS, "usernames", now=NOW)
    assert [u["username"] for u in result["inactive_users"]] == ["old", "never"]
    assert result["inactive_users"][0]["organizations"] == [{"label": "north", "role": "viewer"}]
    assert [u["username"] for u in result["accounts"]] == ["old", "edge", "never", "off"]
    assert result["read_at"] == "2026-12-04T12:00:00Z" and result["inactive_before"] == "2026-09-05T12:00:00Z"
    assert len(module.client().listed) == 1
    fields = module.client().listed[0][1]["fields"].split(",")
    assert "lastLogin" in fields and "organizations" in fields and "isActive" in fields
    assert all("lastLogin" not in u and "organizations" not in u for u in result["users"])


def test_run_info_fails_naming_the_user_whose_last_login_it_cannot_read():
    module = FakeModule([api_user("odd", "last tuesday")], inactive_for_days=30)
    with pytest.raises(Failure, match="user odd: lastLogin 'last tuesday'"):
        run_info(module, USERS, "usernames", now=NOW)


def test_a_negative_number_of_days_or_page_0_is_refused_before_any_request(emulator, run_module):
    run = run_module({"ubidots.industrial.ubidots_users_info": {"inactive_for_days": -1, "page": 0}})
    assert run.rc != 0
    assert run.result["msg"] == "inactive_for_days must be 0 or more, got -1. page must be 1 or more, got 0."
    assert emulator.log() == []
