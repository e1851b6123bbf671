# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a failure message bounds the errors it lists, and how a warning bounds the names it lists, each run in
process against the emulator as a user would run the module.

Issue 28: written for the survivors of plugins/module_utils/_messages.py, from the promises of docs/reliability.md
(Bad input: "every error of every item (the first 1,000 kept in `errors`, 25 in the message, and the rest
counted)"), docs/how-it-works.md (1. Validation: an error of a kind an account may hold, a format, "is kept aside
and fails the task only if that value would be sent: when the object is created"; the module table: messages
"name and count things ("1 user", "a, b and 7 more")") and plugins/doc_fragments/bulk.py (protected: "With
prune=true, the module reads the whole account and warns of a name that matches no object"), not from a mutant's
diff. Fixture (tests/emulator/fixtures/default.json): the account's organizations are org1, org2, acme-plant,
north_site and legacy-site; no user is named newcomerNN.
"""

from __future__ import annotations

from ubidots_testing import orgs_task, users_task, write_entries

ORG_LABELS = ["org1", "org2", "acme-plant", "north_site", "legacy-site"]


def new_users_with_bad_emails(count):
    """`count` new users, complete but for an email that is not one: a format error, decided after one read."""
    return [{"username": "newcomer%02d" % n, "email": "not-an-email-%02d" % n, "password": "Pw-%02d-long-enough!" % n}
            for n in range(count)]


def bad_email(n):
    return "users[%d] (username newcomer%02d): email: 'not-an-email-%02d' is not a valid email address" % (n, n, n)


# -- 25 errors in the message, and the rest counted (docs/reliability.md, Bad input) ---------------------------------

def test_25_errors_are_all_in_the_message_and_nothing_is_counted(emulator, run_module):
    run = run_module(users_task(new_users_with_bad_emails(25)))
    assert run.rc != 0, run.output
    errors = [bad_email(n) for n in range(25)]
    assert run.result["errors"] == errors
    assert run.result["msg"] == "; ".join(errors) + ". Nothing was written."
    assert write_entries(emulator) == []


def test_errors_past_25_are_counted_in_the_message_and_all_kept_in_errors(emulator, run_module):
    run = run_module(users_task(new_users_with_bad_emails(27)))
    assert run.rc != 0, run.output
    errors = [bad_email(n) for n in range(27)]
    assert run.result["errors"] == errors
    assert run.result["msg"] == "; ".join(errors[:25]) + " (and 2 more, see errors). Nothing was written."
    assert write_entries(emulator) == []


# -- a warning names at most 20 names, "a, b and 7 more" (docs/how-it-works.md; plugins/doc_fragments/bulk.py,
# protected) ---------------------------------------------------------------------------------------------------------
# Every organization of the account is listed, so prune removes nothing; the protected names match nothing.

def unknown_names_warning(run):
    return [w for w in run.result["warnings"] if w.startswith("protected names no organization")]


def test_a_warning_names_20_protected_names_matching_nothing_and_counts_none(emulator, run_module):
    ghosts = ["ghost%02d" % n for n in range(1, 21)]
    items = [{"label": label} for label in ORG_LABELS]
    run = run_module(orgs_task(items, prune=True, protected=ghosts), check=True)
    assert run.rc == 0 and run.result["changed"] is False, run.output
    assert unknown_names_warning(run) == [
        "protected names no organization of the account with id or label %s: check the spelling, as an object "
        "protected under a wrong name is not protected." % ", ".join(ghosts)]
    assert write_entries(emulator) == []


def test_a_warning_names_the_first_20_protected_names_matching_nothing_and_counts_the_rest(emulator, run_module):
    ghosts = ["ghost%02d" % n for n in range(1, 23)]
    items = [{"label": label} for label in ORG_LABELS]
    run = run_module(orgs_task(items, prune=True, protected=ghosts), check=True)
    assert run.rc == 0, run.output
    assert unknown_names_warning(run) == [
        "protected names no organization of the account with id or label %s and 2 more: check the spelling, as an "
        "object protected under a wrong name is not protected." % ", ".join(ghosts[:20])]
