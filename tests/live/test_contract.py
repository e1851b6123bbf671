# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One test per assumption the collection makes about the Ubidots API (docs/how-it-works.md and the
API notes). Written from the public API reference, never from the emulator: run against a real
account, a failure here means the docs (or our reading of them) and the API differ.
"""

from __future__ import annotations

from datetime import datetime

import pytest

BULK = {"X-Bulk-Operation": "True"}


def _two(api, kind, field):
    """Two objects the account already has (read only), or skip."""
    answer = api.request("GET", "/%s/" % kind, params={"fields": "id,%s" % field, "page_size": 2})
    assert answer.status_code == 200, answer.text[:300]
    results = answer.json()["results"]
    if len(results) < 2:
        pytest.skip("the account has fewer than two %s to filter on" % kind)
    return results


def _user(api, what):
    name = api.name(what)
    return api.create("users", {"username": name, "email": "%s@example.com" % name, "password": "Live-%s-9x!" % name,
                                "firstName": "Live"})


def _renamed(api, org_id):
    """The organization once its name reads "Renamed", else None."""
    org = api.request("GET", "/organizations/%s/" % org_id).json()
    return org if org.get("name") == "Renamed" else None


def _org(api, what, **extra):
    return api.create("organizations", dict({"label": api.name(what), "name": api.name(what)}, **extra))


# -- listing -----------------------------------------------------------------------------------------------

def test_list_envelope_and_fields_param(api, observe):
    """GET /users/?fields=id,username answers {count, next, previous, results} with only those keys."""
    answer = api.request("GET", "/users/", params={"fields": "id,username", "page_size": 3})
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    keys = set().union(*(set(item) for item in body["results"])) if body["results"] else set()
    observe("fields=id,username keys", sorted(keys))
    assert keys <= {"id", "username"}


@pytest.mark.parametrize("kind, field", [("users", "id"), ("users", "username"), ("organizations", "id"),
                                         ("organizations", "label")])
def test_in_filters(api, observe, kind, field):
    """id__in / username__in / label__in answer exactly the objects named, whatever else exists."""
    two = _two(api, kind, field)
    wanted = sorted(str(obj[field]) for obj in two)
    answer = api.request("GET", "/%s/" % kind, params={"%s__in" % field: ",".join(wanted), "fields": "id,%s" % field})
    assert answer.status_code == 200, answer.text[:300]
    got = sorted(str(obj[field]) for obj in answer.json()["results"])
    observe("%s %s__in count" % (kind, field), answer.json()["count"])
    assert got == wanted


def test_largest_page_size(api, observe):
    """The server clamps page_size somewhere and says so through `next`: the client follows `next`."""
    answer = api.request("GET", "/users/", params={"fields": "id", "page_size": 100000})
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    observe("users count", body["count"])
    observe("users returned for page_size=100000", len(body["results"]))
    if len(body["results"]) < body["count"]:
        assert body["next"], "fewer results than count but no next link"
    else:
        assert body["next"] is None


def test_fields_organizations_shape(api, observe):
    """fields=organizations gives each user a list of organizations, each with at least id and label."""
    answer = api.request("GET", "/users/", params={"fields": "id,username,organizations", "page_size": 20})
    assert answer.status_code == 200, answer.text[:300]
    memberships = [org for user in answer.json()["results"] for org in user.get("organizations") or []]
    for user in answer.json()["results"]:
        assert isinstance(user.get("organizations"), list), user
    if not memberships:
        pytest.skip("no user of the first 20 belongs to an organization")
    observe("organization keys under fields=organizations", sorted(set().union(*(set(org) for org in memberships))))
    assert all(isinstance(org, dict) and {"id", "label"} <= set(org) for org in memberships)


# -- error bodies ----------------------------------------------------------------------------------------

def test_error_body_without_token(api, observe):
    """No token: 401 with a JSON body (code 401001 in the docs)."""
    answer = api.request("GET", "/users/", token=False)
    observe("no token", "%d %s" % (answer.status_code, answer.text[:200]))
    assert answer.status_code == 401
    assert isinstance(answer.json(), dict)


def test_error_body_wrong_token(api, observe):
    """A wrong token: 401 with a JSON body (code 401002 in the docs)."""
    answer = api.request("GET", "/users/", token="BBUS-not-a-real-token-%s" % api.prefix)
    observe("wrong token", "%d %s" % (answer.status_code, answer.text[:200]))
    assert answer.status_code == 401
    assert isinstance(answer.json(), dict)


def test_error_body_not_found(api, observe):
    """An unknown user: 404 with a JSON body (code 404001)."""
    answer = api.request("GET", "/users/~%s/" % api.name("missing"))
    observe("unknown user", "%d %s" % (answer.status_code, answer.text[:200]))
    assert answer.status_code == 404
    assert isinstance(answer.json(), dict)


def test_error_body_validation(api, observe):
    """A refused body: 400 with {code: 400001, message, detail: {field: [...]}} naming the field."""
    name = api.name("bad name!")
    api.created.append(("users", "~" + name))  # should it be accepted after all
    answer = api.request("POST", "/users/", json={"username": name, "email": "not-an-email"})
    observe("invalid user create", "%d %s" % (answer.status_code, answer.text[:300]))
    if answer.status_code in (404, 405):
        pytest.skip("POST /users/ answered %d: no create endpoint on this server" % answer.status_code)
    assert answer.status_code == 400
    body = answer.json()
    assert isinstance(body.get("detail"), dict) and body["detail"], body


# -- bulk updates ------------------------------------------------------------------------------------------

def test_bulk_update_requires_header(api, observe):
    """Without X-Bulk-Operation: True the bulk endpoint refuses (400) and changes nothing."""
    user = _user(api, "nohdr")
    answer = api.request("PATCH", "/users/_/bulk/update/", json=[{"id": user["id"], "firstName": "Changed"}])
    observe("bulk update without header", "%d %s" % (answer.status_code, answer.text[:200]))
    assert answer.status_code == 400
    assert api.request("GET", "/users/%s/" % user["id"]).json()["firstName"] == "Live"


def test_bulk_update_answers_task_and_applies(api, observe, wait_until):
    """With the header: 2xx and {"task": {"id": ...}}; the change shows on a later read (time observed)."""
    user = _user(api, "bulk")
    answer = api.request("PATCH", "/users/_/bulk/update/", headers=BULK, json=[{"id": user["id"], "lastName": "Bulk"}])
    observe("bulk update answer", "%d %s" % (answer.status_code, answer.text[:200]))
    assert answer.status_code in (200, 201, 202)
    assert isinstance(answer.json().get("task", {}).get("id"), str)
    shown, seconds = wait_until(lambda: api.request("GET", "/users/%s/" % user["id"]).json().get("lastName") == "Bulk")
    observe("seconds until a bulk update shows", seconds)
    assert shown, "the bulk update did not show within 120 s"


def test_bulk_update_of_is_active_reads_back(api, observe, wait_until):
    """isActive is written by the bulk update and reads back; lastLogin (read-only, null: never logged in) is null
    for a new user and no update changes it. The access review and inactive_for_days read both."""
    user = _user(api, "active")
    created = api.request("GET", "/users/%s/" % user["id"], params={"fields": "id,isActive,lastLogin"}).json()
    observe("a new user's isActive, lastLogin", "%r, %r" % (created.get("isActive"), created.get("lastLogin")))
    assert created.get("isActive") is True and "lastLogin" in created and created["lastLogin"] is None
    answer = api.request("PATCH", "/users/_/bulk/update/", headers=BULK, json=[{"id": user["id"], "isActive": False}])
    assert answer.status_code in (200, 201, 202), answer.text[:300]

    def deactivated():
        read = api.request("GET", "/users/%s/" % user["id"], params={"fields": "id,isActive,lastLogin"}).json()
        return read if read.get("isActive") is False else None

    read, seconds = wait_until(deactivated)
    observe("seconds until isActive false shows", seconds)
    assert read, "isActive false did not show within %s s" % seconds
    assert read["lastLogin"] is None


def test_last_login_is_an_iso_time_or_null(api, observe):
    """The users' lastLogin values the account holds (read only) are ISO 8601 times or null, as the modules read them."""
    answer = api.request("GET", "/users/", params={"fields": "id,lastLogin", "page_size": 50})
    assert answer.status_code == 200, answer.text[:300]
    values = [user.get("lastLogin") for user in answer.json()["results"]]
    shown = [value for value in values if value is not None]
    observe("lastLogin values (first 3 that are set)", shown[:3])
    for value in shown:
        assert isinstance(value, str), value
        datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)


def test_bulk_update_items_show_in_their_order(api, observe, wait_until):
    """A bulk request is applied as one task, in the order of its items: whenever a later item shows, every
    earlier one shows too. The modules' wait reads back only the last object of each request (_apply.py)."""
    users = [_user(api, "order%d" % i) for i in range(4)]
    ids = [user["id"] for user in users]
    answer = api.request("PATCH", "/users/_/bulk/update/", headers=BULK,
                         json=[{"id": user_id, "lastName": "Ordered"} for user_id in ids])
    assert answer.status_code in (200, 201, 202), answer.text[:300]
    seen = []

    def shown():
        listing = api.request("GET", "/users/", params={"id__in": ",".join(ids), "fields": "id,lastName"}).json()
        done = {user["id"] for user in listing["results"] if user.get("lastName") == "Ordered"}
        seen.append([user_id in done for user_id in ids])
        return len(done) == len(ids)

    everything, seconds = wait_until(shown, step=0.1)
    observe("a bulk update of 4 users, what each read showed (in item order)", seen[:10])
    assert everything, "the bulk update did not show within %s s" % seconds
    out_of_order = [row for row in seen if any(row[later] and not row[earlier]
                                               for later in range(len(row)) for earlier in range(later))]
    assert not out_of_order, "a later item showed before an earlier one: %s" % out_of_order


def test_orgs_bulk_update_post_is_full_update(api, observe, wait_until):
    """POST .../organizations/_/bulk/update/ "updates all fields": fields not sent go back to their defaults."""
    org = _org(api, "full", description="kept?", properties={"color": "#BADA55"})
    answer = api.request("POST", "/organizations/_/bulk/update/", headers=BULK,
                         json=[{"id": org["id"], "label": org["label"], "name": "Renamed"}])
    assert answer.status_code in (200, 201, 202), answer.text[:300]
    read, seconds = wait_until(lambda: _renamed(api, org["id"]))
    assert read, "the full update did not show within %s s" % seconds
    observe("after a full update without them: description, properties", "%r, %r" % (read.get("description"),
                                                                                     read.get("properties")))
    assert read.get("description") in ("", None) and not read.get("properties")


def test_orgs_bulk_update_patch_is_partial(api, observe, wait_until):
    """PATCH .../organizations/_/bulk/update/ changes only what is sent."""
    org = _org(api, "part", description="kept")
    answer = api.request("PATCH", "/organizations/_/bulk/update/", headers=BULK, json=[{"id": org["id"], "name": "Renamed"}])
    assert answer.status_code in (200, 201, 202), answer.text[:300]
    read, seconds = wait_until(lambda: _renamed(api, org["id"]))
    assert read, "the partial update did not show within %s s" % seconds
    observe("after a partial update: description", repr(read.get("description")))
    assert read.get("description") == "kept"


# -- create and delete -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["users", "organizations"])
def test_create_then_delete(api, observe, wait_until, kind):
    """POST /<kind>/ creates (readable by ~key), DELETE /<kind>/~key/ removes (then 404)."""
    obj = _user(api, "cd") if kind == "users" else _org(api, "cd")
    key = "~" + (obj.get("username") or obj.get("label"))
    assert api.request("GET", "/%s/%s/" % (kind, key)).status_code == 200
    answer = api.request("DELETE", "/%s/%s/" % (kind, key))
    observe("DELETE /%s/~key/" % kind, answer.status_code)
    if answer.status_code in (404, 405):
        pytest.skip("DELETE /%s/<key>/ answered %d: no delete endpoint on this server" % (kind, answer.status_code))
    assert answer.status_code in (200, 202, 204)
    gone, _seconds = wait_until(lambda: api.request("GET", "/%s/%s/" % (kind, key)).status_code == 404, timeout=60)
    assert gone


def test_orgs_bulk_create_and_delete(api, observe, wait_until):
    """POST .../organizations/_/bulk/create/ and .../bulk/delete/ (with the header) answer a task and apply."""
    labels = [api.name("bc%d" % n) for n in range(2)]
    api.created.extend(("organizations", "~" + label) for label in labels)
    answer = api.request("POST", "/organizations/_/bulk/create/", headers=BULK, json=[{"label": label, "name": label} for label in labels])
    observe("bulk create answer", "%d %s" % (answer.status_code, answer.text[:200]))
    if answer.status_code in (404, 405):
        pytest.skip("POST /organizations/_/bulk/create/ answered %d: no bulk create on this server" % answer.status_code)
    assert answer.status_code in (200, 201, 202)
    made, _seconds = wait_until(lambda: api.request("GET", "/organizations/", params={"label__in": ",".join(labels)}).json()["count"] == 2)
    assert made
    answer = api.request("POST", "/organizations/_/bulk/delete/", headers=BULK, json=["~" + label for label in labels])
    observe("bulk delete answer", "%d %s" % (answer.status_code, answer.text[:200]))
    if answer.status_code in (404, 405):
        pytest.skip("POST /organizations/_/bulk/delete/ answered %d: no bulk delete on this server" % answer.status_code)
    assert answer.status_code in (200, 202, 204)
    gone, _seconds = wait_until(lambda: api.request("GET", "/organizations/", params={"label__in": ",".join(labels)}).json()["count"] == 0)
    assert gone
