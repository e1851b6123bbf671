# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The access review's two files, from the accounts ubidots_users_info returns (`accounts`) and the organizations
ubidots_orgs_info returns: a CSV of every (user, organization, role) and a Markdown summary whose every number
can be counted again from the CSV. Pure functions: the time they measure from is a parameter (UTC)."""

from __future__ import annotations

import csv
import io

from ansible_collections.ubidots.industrial.plugins.module_utils._info import format_time, inactive_before, is_unused

CSV_COLUMNS = ("username", "email", "isActive", "lastLogin", "organization", "role")
ADMIN_ROLE = "admin"


def _sorted(accounts):
    return sorted(accounts, key=lambda acc: (str(acc.get("username") or ""), str(acc.get("id") or "")))


def _text(value):
    """A CSV cell: booleans as true/false, null as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def review_rows(accounts):
    """One row per user and organization, sorted by username then organization; a user without any gets one row
    with an empty organization and role."""
    rows = []
    for acc in _sorted(accounts):
        base = [_text(acc.get(key)) for key in CSV_COLUMNS[:4]]
        memberships = sorted(acc.get("organizations") or [], key=lambda m: str(m.get("label")))
        for membership in memberships or [{}]:
            rows.append(base + [_text(membership.get("label")), _text(membership.get("role"))])
    return rows


def review_csv(accounts):
    """The CSV (header first); quoting by the csv module, so commas, quotes and newlines in values stay values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(review_rows(accounts))
    return out.getvalue()


def _cell(value):
    """A Markdown table cell: pipes escaped, line breaks as spaces."""
    return _text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def review_markdown(accounts, organizations, now, days):
    """The summary: counts, the admins of each organization, and the unused active accounts by name."""
    accounts = _sorted(accounts)
    cutoff = inactive_before(days, now)
    active = [acc for acc in accounts if acc.get("isActive") is True]
    never = [acc for acc in accounts if acc.get("lastLogin") is None]
    unused = [acc for acc in accounts if is_unused(acc, cutoff)]
    names = {}
    for org in organizations or []:
        names[org.get("label")] = org.get("name")
    admins = {label: [] for label in names}
    for acc in accounts:
        for membership in acc.get("organizations") or []:
            admins.setdefault(membership.get("label"), [])
            if membership.get("role") == ADMIN_ROLE:
                admins[membership.get("label")].append(
                    str(acc.get("username")) + ("" if acc.get("isActive") is True else " (inactive)"))
    lines = [
        "# Ubidots access review",
        "",
        "Read at %s (UTC). One row per user and organization in `access-review.csv`, beside this file." % format_time(now),
        "Every number below can be counted from that file.",
        "",
        "| accounts | count |",
        "| --- | --- |",
        "| Users | %d |" % len(accounts),
        "| Active (`isActive` true) | %d |" % len(active),
        "| Inactive (`isActive` false) | %d |" % (len(accounts) - len(active)),
        "| Never logged in (`lastLogin` null) | %d |" % len(never),
        "| Unused for %d days: active, last login before %s or never | %d |" % (days, format_time(cutoff), len(unused)),
        "",
        "## Administrators of each organization",
        "",
        "Users whose role in the organization is `%s`; `(inactive)` marks a deactivated account." % ADMIN_ROLE,
        "",
        "| organization | name | administrators |",
        "| --- | --- | --- |",
    ]
    for label in sorted(admins, key=str):
        lines.append("| %s | %s | %s |" % (_cell(label), _cell(names.get(label)), _cell(", ".join(admins[label]) or "none")))
    lines += [
        "",
        "## Unused active accounts (%d days)" % days,
        "",
        "Active accounts that never logged in or last logged in before %s: %d." % (format_time(cutoff), len(unused)),
        "",
        "| username | email | last login | organizations |",
        "| --- | --- | --- | --- |",
    ]
    for acc in unused:
        memberships = ", ".join("%s (%s)" % (m.get("label"), m.get("role"))
                                for m in sorted(acc.get("organizations") or [], key=lambda m: str(m.get("label"))))
        cells = (acc.get("username"), acc.get("email"), acc.get("lastLogin") or "never", memberships)
        lines.append("| %s |" % " | ".join(_cell(cell) for cell in cells))
    return "\n".join(lines) + "\n"
