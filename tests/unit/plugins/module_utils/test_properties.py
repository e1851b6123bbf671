# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (Hypothesis) of the comparison engine, the bulk engine and validation.

- Applying the computed write to the current object (as the API does: PATCH partial, POST full)
  gives an object the engine then finds equal to the desired state.
- An object that already has the desired values is never sent.
- Check mode and real mode report the same plan; check mode writes nothing; a real run converges.
- No generated password or token appears in a diff, a result or a message.
- The fast validity check agrees with jsonschema on any input; validation is bounded on 100,000 items.
"""

from __future__ import annotations

import copy
import json
import time
import tracemalloc

import pytest
import responses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.ubidots.industrial.plugins.module_utils._bulk import bulk_argument_spec, run_bulk
from ansible_collections.ubidots.industrial.plugins.module_utils._client import UbidotsClient, UbidotsError
from ansible_collections.ubidots.industrial.plugins.module_utils._common import UbidotsModule
from ansible_collections.ubidots.industrial.plugins.module_utils._fastcheck import compile_check
from ansible_collections.ubidots.industrial.plugins.module_utils._plan import make_plan
from ansible_collections.ubidots.industrial.plugins.module_utils._rules import MASK
from ansible_collections.ubidots.industrial.plugins.module_utils._validate import MAX_ERRORS_KEPT, validator
from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS


def validate_items(spec, items):
    """The validation of `items` (its errors as a list, with total and more_items)."""
    found = validator(spec).validate(items)
    errors = list(found.errors)
    return errors if not found else _Errors(errors, found)


class _Errors(list):
    def __init__(self, errors, found):
        super().__init__(errors)
        self.total = found.total
        self.more_items = found.more_items
        self.found = found


def errors_message(spec, errors):
    """The module's failure message for a validation."""
    return errors.found.message(spec)


def compare_item(spec, item, obj, options):
    """(before, after, body) of the update the plan makes for `item` against `obj`; body None when unchanged."""
    plan = make_plan(spec, [item], [obj], dict({"update_password": "always"}, **options))
    return (plan.updates[0].before, plan.updates[0].after, plan.updates[0].body) if plan.updates else ({}, {}, None)


# How many examples each property draws comes from the Hypothesis profile tests/conftest.py loads: `quick` for
# `make units`, `full` (200; the engine's properties, which run whole plans, 80) for `make test`.
PROPERTY_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENGINE_SETTINGS = settings(max_examples=max(10, settings().max_examples * 2 // 5), deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])


def record(node, scenario, given_text, observed):
    """A row of docs/reliability.md, once per test; it passes if the test passes.

    Collected when tests/integration's reliability plugin is loaded in the same run; harmless otherwise.
    """
    if any(key == "reliability" and row["scenario"] == scenario for key, row in node.user_properties):
        return
    node.user_properties.append(("reliability", {"scenario": scenario, "given": given_text, "observed": observed,
                                                 "passed": True, "requires_test_pass": True, "test": node.nodeid}))


ROWS = {
    "applying": ("Property: applying the computed changes gives the desired state",
                 "Hypothesis, 200 random objects and desired items per resource, on a model of the API "
                 "(users PATCH partial, organizations POST full)",
                 "held for every example: the engine then finds nothing to send; plain keys equal; a full update "
                 "keeps every key not mentioned"),
    "unchanged": ("Property: an unchanged object is never sent",
                  "Hypothesis, 200 objects per resource, desired values rebuilt from the current ones (references by "
                  "id or label, tags reordered and repeated, contact methods reordered without ids, properties subsets)",
                  "held for every example: no write, empty diff"),
    "check": ("Property: check mode and real mode agree",
              "Hypothesis, 80 runs of the bulk engine per resource (1-5 objects, batch_size 1-3) against an in-memory API",
              "held for every example: same changed/unchanged ids, changes and diff; check mode wrote nothing; the real "
              "run sent exactly the changed objects and a second run sent nothing"),
    "secrets-diff": ("Property: a password never appears in a diff",
                     "Hypothesis, 200 users and desired items with a generated password",
                     "held for every example: the diff shows ********, the write holds the password"),
    "secrets-engine": ("Property: no password in a result or message of the engine",
                       "Hypothesis, 80 engine runs (check or real mode) with generated passwords in valid items and in "
                       "invalid ones (wrong type, in a list or dict, next to a broken key); results before Ansible's masking",
                       "held for every example: 0 occurrences"),
    "secrets-client": ("Property: the token never appears in a client error",
                       "Hypothesis, 200 generated tokens echoed by the API in 400-503 answers (string, per-item, list, "
                       "message and HTML details)", "held for every example: 0 occurrences in messages and details"),
    "fast": ("Property: the fast validity check agrees with jsonschema",
             "Hypothesis, 200 items per schema: valid, near misses and arbitrary JSON",
             "held for every example"),
}


def record_property(request, key):
    """Record one of ROWS for the running test (named after its parameter, if any)."""
    scenario, given_text, observed = ROWS[key]
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None:
        scenario += " (%s)" % callspec.id
    record(request.node, scenario, given_text, observed)


# -- a model of the API: the objects it returns, and how a bulk update changes them -----------------

ORG_REFS = [{"id": "o1", "label": "plant-north", "name": "Plant North"},
            {"id": "o2", "label": "plant-south", "name": "Plant South"}]
DASHBOARDS = [{"id": "d1", "label": "energy", "name": "Energy"}]
ROLES = [{"label": "editor", "name": "Editor"}, {"label": "viewer", "name": "Viewer"}]
APPS = [{"id": "a1", "label": "main-app", "name": "Main"}, {"id": "a2", "label": "field", "name": "Field"}]
CATALOG = {"/organizations/": ORG_REFS, "/dashboards/": DASHBOARDS, "/roles/": ROLES, "/apps/": APPS}


def _find(catalog, value, keys=("id", "label")):
    if value is None:
        return None
    return copy.deepcopy(next(ref for ref in catalog if any(ref.get(k) == value for k in keys)))


def _image(url):
    return None if url is None else {"raw": url, "h36": url + "?h=36", "h50": url + "?h=50"}


def apply_user(obj, write, passwords):
    """PATCH semantics: only the sent keys change."""
    new = copy.deepcopy(obj)
    for key, value in write.items():
        if key == "id":
            continue
        if key == "password":
            passwords[obj["id"]] = value
        elif key == "defaultOrganization":
            new[key] = _find(ORG_REFS, value)
        elif key == "defaultDashboard":
            new[key] = _find(DASHBOARDS, value)
        elif key == "defaultRole":
            new[key] = _find(ROLES, value, ("label",))
        elif key == "contactMethods":
            new[key] = [dict(method, id="cm%d" % i) for i, method in enumerate(value)]
        else:
            new[key] = copy.deepcopy(value)
    return new


ORG_DEFAULTS = {"name": None, "description": "", "properties": {}, "isActive": True, "app": None, "favicon": None, "logo": None}


def apply_org(obj, write, _passwords):
    """POST semantics: a full update; what is not sent goes back to its default."""
    new = {"id": obj["id"], "label": write.get("label", obj["label"])}
    for key, default in ORG_DEFAULTS.items():
        value = write.get(key, default)
        if key == "app":
            new[key] = _find(APPS, value)
        elif key in ("favicon", "logo"):
            new[key] = _image(value)
        elif key == "name" and value is None:
            new[key] = new["label"]
        else:
            new[key] = copy.deepcopy(value)
    new["usersCount"] = obj.get("usersCount", 0)
    return new


# -- strategies -------------------------------------------------------------------------------------

texts = st.text(max_size=12)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10)
emails = st.builds(lambda a, b: "%s@%s.com" % (a, b), names, names)
tags = st.lists(st.text(min_size=1, max_size=8), max_size=6)
contacts = st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["email", "voice", "telegram", "sms"]), "values": st.lists(st.text(min_size=1, max_size=6), max_size=3)},
    optional={"properties": st.dictionaries(names, st.integers(0, 3), max_size=2)}), max_size=3)
json_leaves = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=6)
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                           max_leaves=8)
passwords_st = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#%&*+-=?@^_~äö€🔑",
                       min_size=8, max_size=16).map(lambda s: "PW~" + s)
urls = st.builds(lambda n: "https://img.example/%s.png" % n, names)

USER_DESIRED = {
    "firstName": texts, "lastName": texts, "email": emails, "isActive": st.booleans(), "tags": tags,
    "decimalPlaces": st.none() | st.integers(0, 6), "timezone": st.none() | texts,
    "defaultOrganization": st.sampled_from([None, "o1", "plant-north", "o2", "plant-south"]),
    "defaultDashboard": st.sampled_from([None, "d1", "energy"]),
    "defaultRole": st.sampled_from([None, "editor", "viewer"]),
    "contactMethods": contacts,
}
ORG_DESIRED = {
    "name": st.text(min_size=1, max_size=10), "description": texts, "isActive": st.booleans(),
    "properties": st.dictionaries(names, json_values, max_size=4),
    "app": st.sampled_from([None, "a1", "main-app", "a2", "field"]),
    "favicon": st.none() | urls, "logo": st.none() | urls,
}


@st.composite
def current_user(draw, uid):
    return {
        "id": uid, "username": "user-" + uid,
        "firstName": draw(texts), "lastName": draw(texts), "email": draw(emails), "isActive": draw(st.booleans()),
        "tags": draw(tags), "decimalPlaces": draw(st.none() | st.integers(0, 6)), "timezone": draw(st.none() | texts),
        "defaultOrganization": draw(st.sampled_from([None] + ORG_REFS)),
        "defaultDashboard": draw(st.sampled_from([None] + DASHBOARDS)),
        "defaultRole": draw(st.sampled_from([None] + ROLES)),
        "contactMethods": [dict(m, id="old%d" % i) for i, m in enumerate(draw(contacts))],
    }


@st.composite
def current_org(draw, oid):
    label = "org-" + oid
    return {
        "id": oid, "label": label, "name": draw(st.text(min_size=1, max_size=10)), "description": draw(texts),
        "isActive": draw(st.booleans()), "properties": draw(st.dictionaries(names, json_values, max_size=4)),
        "app": draw(st.sampled_from([None] + APPS)), "favicon": _image(draw(st.none() | urls)),
        "logo": _image(draw(st.none() | urls)), "usersCount": draw(st.integers(0, 9)),
    }


@st.composite
def desired_for(draw, spec, obj, with_password=True):
    """A desired item for `obj`: some keys, by id or by name."""
    table = USER_DESIRED if spec is USERS else ORG_DESIRED
    keys = draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=len(table)))
    item = {"id": obj["id"]} if draw(st.booleans()) else {spec.identity[1]: obj[spec.identity[1]]}
    for key in keys:
        item[key] = draw(table[key])
    if spec is USERS and with_password and draw(st.integers(0, 3)) == 0:
        item["password"] = draw(passwords_st)
    return item


def as_desired(spec, obj, key, draw):
    """The current value of `key`, written the way a user would give it (an unchanged value)."""
    value = obj[key]
    if key in ("defaultOrganization", "defaultDashboard", "app"):
        return None if value is None else value[draw(st.sampled_from(["id", "label"]))]
    if key == "defaultRole":
        return None if value is None else value["label"]
    if key in ("favicon", "logo"):
        return None if value is None else value["raw"]
    if key == "tags":
        return draw(st.permutations(value)) + value[:draw(st.integers(0, len(value)))]  # order and repeats do not count
    if key == "contactMethods":
        methods = [{k: v for k, v in m.items() if k != "id"} for m in value]
        return draw(st.permutations(methods))
    if key == "properties":
        return {k: value[k] for k in draw(st.lists(st.sampled_from(sorted(value)), unique=True))} if value else {}
    return copy.deepcopy(value)


# -- comparison properties --------------------------------------------------------------------------

SPECS = {"users": (USERS, current_user, apply_user, {"update_password": "always"}),
         "organizations": (ORGANIZATIONS, current_org, apply_org, None)}


@pytest.mark.parametrize("resource", sorted(SPECS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_applying_the_write_gives_the_desired_state(request, resource, data):
    spec, current, apply, options = SPECS[resource]
    options = options or {"purge_properties": data.draw(st.booleans())}
    obj = data.draw(current("5e8f1c2d3b4a596877665501"))
    desired = data.draw(desired_for(spec, obj))
    assert validate_items(spec, [desired]) == []
    before, after, write = compare_item(spec, desired, obj, options)
    new = apply(obj, write, {}) if write is not None else obj
    readable = {k: v for k, v in desired.items() if k not in spec.secret_keys}
    # Converged: the engine finds nothing left to send, and plain keys hold exactly the desired value.
    assert compare_item(spec, readable, new, options)[2] is None
    for key, value in readable.items():
        if key in ("firstName", "lastName", "email", "isActive", "decimalPlaces", "timezone", "name", "description"):
            assert new[key] == value
    if write is not None:
        assert write["id"] == obj["id"] and set(before) == set(after)
    if spec.full_update_keys and write is not None:
        # A full update never loses what the user did not mention.
        for key in spec.full_update_keys:
            if key not in desired:
                assert spec.to_item(new, [key]).get(key) == spec.to_item(obj, [key]).get(key), key
    if spec is USERS and write is not None:
        # A partial update sends the id and the changed keys only.
        assert set(write) == set(after) | {"id"}
    record_property(request, "applying")


@pytest.mark.parametrize("resource", sorted(SPECS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_unchanged_object_is_never_sent(request, resource, data):
    spec, current, _apply, options = SPECS[resource]
    options = options or {"purge_properties": False}
    obj = data.draw(current("445da83878abc3c75756"))
    keys = data.draw(st.lists(st.sampled_from(sorted(USER_DESIRED if spec is USERS else ORG_DESIRED)), unique=True))
    desired = {"id": obj["id"]}
    for key in keys:
        desired[key] = as_desired(spec, obj, key, data.draw)
    before, after, write = compare_item(spec, desired, obj, options)
    assert write is None and before == {} and after == {}
    record_property(request, "unchanged")


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_password_is_always_masked_in_the_diff(request, data):
    obj = data.draw(current_user("u1"))
    secret = data.draw(passwords_st)
    desired = dict(data.draw(desired_for(USERS, obj, with_password=False)), password=secret)
    before, after, write = compare_item(USERS, desired, obj, {"update_password": "always"})
    assert after["password"] == MASK and write["password"] == secret
    assert secret not in json.dumps([before, after], ensure_ascii=False)
    record_property(request, "secrets-diff")


# -- the bulk engine, check mode against real mode ----------------------------------------------------

class Exit(Exception):
    """How the fake module leaves, like AnsibleModule's exit_json/fail_json."""

    def __init__(self, status, result):
        super().__init__(status)
        self.status = status
        self.result = result


class FakeClient:
    """The API client over an in-memory store that applies bulk updates like the API."""

    def __init__(self, spec, store, apply):
        self.spec = spec
        self.store = store
        self.apply = apply
        self.passwords = {}
        self.sent = []
        self.calls = {"reads": 0, "writes": 0}

    def lookup(self, path, param, values, fields=None):  # pylint: disable=unused-argument
        self.calls["reads"] += 1
        key = param[:-len("__in")]
        wanted = set(values)
        objects = self.store.values() if path == self.spec.path else CATALOG[path]
        for obj in objects:
            if obj.get(key) in wanted:
                yield copy.deepcopy(obj)

    def list(self, path, params=None, key="id"):  # pylint: disable=unused-argument
        """The objects references point at (roles, dashboards, apps)."""
        self.calls["reads"] += 1
        return copy.deepcopy(CATALOG[path])

    def bulk(self, method, path, items):  # pylint: disable=unused-argument
        self.calls["writes"] += 1
        self.sent.append(copy.deepcopy(items))
        for item in items:
            self.store[item["id"]] = self.apply(self.store[item["id"]], item, self.passwords)
        return "task%d" % len(self.sent)

    def close(self):
        """Nothing to close."""


class FakeModule:
    """What the engine uses of UbidotsModule (hide is the real one)."""

    hide = UbidotsModule.hide
    run = UbidotsModule.run
    _calls = UbidotsModule._calls

    def __init__(self, client, check_mode, batch_size):
        self._client = client
        self.check_mode = check_mode
        self._diff = True
        self.params = {"batch_size": batch_size, "wait": False, "wait_timeout": 5, "state": "present", "prune": False,
                       "max_deletions": 10}
        self.no_log_values = set()
        self.warnings = []

    def client(self):
        """The fake client."""
        return self._client

    def warn(self, message):
        """Keep warnings."""
        self.warnings.append(message)

    def exit_json(self, **result):
        """Leave with a result."""
        raise Exit("ok", dict(result, warnings=self.warnings))

    def fail_json(self, msg, **result):
        """Leave with a failure."""
        raise Exit("failed", dict(result, msg=msg, warnings=self.warnings))


def run_engine(spec, store, apply, items, options, check_mode, batch_size):
    """One module run; returns (status, result, client). The result is not masked: it must hold no secret by itself."""
    client = FakeClient(spec, store, apply)
    module = FakeModule(client, check_mode, batch_size)
    module.params.update(options, **{spec.option: copy.deepcopy(items)})
    for name, option in bulk_argument_spec(spec).items():
        module.params.setdefault(name, option.get("default"))
    with pytest.raises(Exit) as leave:
        module.run(run_bulk, spec)
    return leave.value.status, leave.value.result, client


@st.composite
def scenario(draw, spec, current):
    count = draw(st.integers(1, 5))
    objects = [draw(current("%024x" % (i + 1))) for i in range(count)]
    items = [draw(desired_for(spec, obj)) for obj in objects]
    return {obj["id"]: obj for obj in objects}, draw(st.permutations(items))


PLAN_KEYS = ("changed", "changed_ids", "unchanged_ids", "changes", "diff")


@pytest.mark.parametrize("resource", sorted(SPECS))
@ENGINE_SETTINGS
@given(data=st.data())
def test_check_mode_and_real_mode_agree_and_a_real_run_converges(request, resource, data):
    spec, current, apply, options = SPECS[resource]
    options = options or {"purge_properties": data.draw(st.booleans())}
    store, items = data.draw(scenario(spec, current))
    batch_size = data.draw(st.integers(1, 3))
    check_store = copy.deepcopy(store)
    check_status, check, check_client = run_engine(spec, check_store, apply, items, options, True, batch_size)
    real_status, real, real_client = run_engine(spec, store, apply, items, options, False, batch_size)
    assert check_status == real_status == "ok"
    for key in PLAN_KEYS:
        assert check[key] == real[key], key
    assert check_client.sent == [] and check["tasks"] == []
    assert len(real["tasks"]) == len(real_client.sent) == -(-len(real["changed_ids"]) // batch_size)
    sent_ids = [item["id"] for body in real_client.sent for item in body]
    assert sent_ids == real["changed_ids"] and not set(sent_ids) & set(real["unchanged_ids"])
    # Converged: a second run has nothing to send (passwords, write-only, always count as a change).
    again = [{k: v for k, v in item.items() if k not in spec.secret_keys} for item in items]
    status, second, second_client = run_engine(spec, store, apply, again, options, False, batch_size)
    assert status == "ok" and second["changed"] is False and second_client.sent == []
    record_property(request, "check")


@ENGINE_SETTINGS
@given(data=st.data())
def test_no_password_or_token_appears_in_a_diff_result_or_message(request, data):
    spec, current, apply, options = SPECS["users"]  # organizations hold no secret
    store, items = data.draw(scenario(spec, current))
    secrets = [item["password"] for item in items if "password" in item]
    # Also invalid items holding passwords: of the wrong type, or next to a broken key.
    bad = data.draw(passwords_st)
    secrets.append(bad)
    invalid = data.draw(st.sampled_from([
        {"id": "x1", "password": bad, "email": "not-an-email"},
        {"id": "x1", "password": bad, "isActive": "yes"},
        {"id": "x1", "password": [bad]},
        {"id": "x1", "password": {"value": bad}},
        {"id": "x1", "password": bad, "username": "has space"},
    ]))
    failing = items + [invalid]
    check = data.draw(st.booleans())
    outputs = []
    for batch in (items, failing):
        raw = run_engine(spec, copy.deepcopy(store), apply, batch, options, check, 2)[1]
        outputs.append(json.dumps(raw, ensure_ascii=False, default=str))
    for text in outputs:
        for secret in secrets:
            assert secret not in text
    record_property(request, "secrets-engine")


TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@PROPERTY_SETTINGS
@given(token=st.text(alphabet=TOKEN_ALPHABET, min_size=12, max_size=40).map(lambda s: "BBUS-" + s),
       status=st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502, 503]),
       shape=st.sampled_from(["string", "dict", "list", "message", "html"]))
def test_the_token_never_appears_in_a_client_error(request, token, status, shape):
    url = "https://api.test"
    echo = "the token %s is refused" % token
    body = {"string": {"detail": echo}, "dict": {"code": 400001, "detail": {"0": {"name": [echo]}}},
            "list": {"detail": [echo, {"x": echo}]}, "message": {"message": echo}, "html": None}[shape]
    with responses.RequestsMock() as mock:
        if body is None:
            mock.add(responses.PATCH, url + "/api/v2.0/users/_/bulk/update/", status=status, body="<p>%s</p>" % echo,
                     content_type="text/html")
        else:
            mock.add(responses.PATCH, url + "/api/v2.0/users/_/bulk/update/", status=status, json=body)
        client = UbidotsClient(url, token, rate_limit=0, retries=0, sleep=lambda seconds: None)
        with pytest.raises(UbidotsError) as err:
            client.bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "1", "password": "pw"}])
    assert token not in err.value.message
    assert token not in json.dumps(err.value.detail, default=str)
    record_property(request, "secrets-client")


listing_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"results": json_values}, optional={"next": json_values, "count": json_values}),
    st.fixed_dictionaries({"results": st.lists(st.dictionaries(st.sampled_from(["id", "username", "x"]), json_values), max_size=3)},
                          optional={"next": st.sampled_from([None, "", "/api/v2.0/users/?page=1", "https://evil.test/steal",
                                                             "not a url", 5])}),
)


@PROPERTY_SETTINGS
@given(body=listing_bodies, write_body=json_values)
@example(body={"results": [{"id": "a"}], "next": "https://evil.test/steal?page=2"}, write_body={"task": {"id": 7}})
@example(body={"results": [{"id": "a"}], "next": "/api/v2.0/users/"}, write_body={"task": "t"})
def test_any_json_answer_gives_objects_or_a_clear_error(request, body, write_body):
    url = "https://api.test"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, url + "/api/v2.0/users/", json=body)
        mock.add(responses.PATCH, url + "/api/v2.0/users/_/bulk/update/", json=write_body)
        client = UbidotsClient(url, "BBUS-token-123456", rate_limit=0, retries=0, sleep=lambda seconds: None)
        try:
            objects = list(client.lookup("/users/", "id__in", ["a", "b"], ["id"]))
            assert all(isinstance(obj, dict) and "id" in obj for obj in objects)
        except UbidotsError as exc:
            assert exc.message.startswith("GET /")
        try:
            assert isinstance(client.bulk_update("PATCH", "/users/_/bulk/update/", [{"id": "a"}]), str)
        except UbidotsError as exc:
            assert exc.maybe_applied  # a 2xx answer without a task id: the write may have been applied
        hosts = {call.request.url.split("/")[2] for call in mock.calls}
    assert hosts <= {"api.test"}, "the token was sent to another host: %s" % hosts
    record(request.node, "Property: any JSON answer gives objects or a clear error",
           "Hypothesis, 200 arbitrary JSON answers to a lookup (including next links to other hosts and loops) and to a "
           "bulk write", "held for every example: objects with ids, or an UbidotsError; requests only to api_url's host")


# -- validation: the fast check, and bounded cost ----------------------------------------------------

def _values_for(schema):
    """Values around what `schema` accepts: valid ones, near misses, and anything at all."""
    options = [json_values]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds or "enum" in schema:
        options.append(st.sampled_from(["", "a", "User 1", "a-b_C9", "x" * 51, "abc\n", "a@b.co", "a@b", "é", "email", "sms"]
                                       + list(schema.get("enum", []))))
    if "integer" in kinds:
        options.append(st.sampled_from([-1, 0, 2, 2.0, 2.5, True]))
    if "array" in kinds:
        inner = schema.get("items", {})
        options.append(st.lists(_values_for(inner), max_size=22 if "maxItems" in schema else 3))
    if "object" in kinds and "properties" in schema:
        options.append(_objects_for(schema))
    return st.one_of(*options)


def _objects_for(schema):
    props = schema.get("properties", {})
    optional = {key: _values_for(sub) for key, sub in props.items()}
    return st.fixed_dictionaries({}, optional=optional).flatmap(
        lambda d: st.dictionaries(st.sampled_from(["zz", "Password", "id"]), json_values, max_size=1).map(
            lambda extra: {**extra, **d}))


@pytest.mark.parametrize("spec", [USERS, ORGANIZATIONS], ids=["users", "organizations"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema(request, spec, data):
    check = compile_check(spec.schema)
    assert check is not None
    item = data.draw(_objects_for(spec.schema) | json_values)
    assert check(item) == validator(spec).jsonschema.is_valid(item)
    record_property(request, "fast")


def test_a_schema_with_an_unknown_keyword_gets_no_fast_check():
    assert compile_check({"type": "object", "properties": {"a": {"type": "string", "const": "x"}}}) is None
    assert compile_check({"type": "object", "additionalProperties": {"type": "string"}}) is None


def test_100000_items_are_validated_in_bounded_memory(request):
    count = 100000 if settings().max_examples >= 200 else 10000  # the full profile (make test) checks 100,000
    items = [{"id": "%024x" % i, "username": "user-%06d" % i, "firstName": "F%d" % i, "email": "u%d@example.com" % i,
              "tags": ["a", "b"], "isActive": True, "contactMethods": [{"type": "email", "values": ["u%d@example.com" % i]}]}
             for i in range(count)]
    started = time.monotonic()
    assert validate_items(USERS, items) == []
    valid_seconds = time.monotonic() - started
    bad = [{"id": "%024x" % i, "isActive": "yes", "tags": 5, "nick": 1} for i in range(count)]
    tracemalloc.start()
    started = time.monotonic()
    errors = validate_items(USERS, bad)
    bad_seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    message = errors_message(USERS, errors)
    assert len(errors) == MAX_ERRORS_KEPT and errors.total == 1002  # item 333's 3 errors cross the limit
    assert errors.more_items == count - 334
    assert message.startswith("1002 errors in users, and %d more invalid items not checked in detail: "
                              "users[0] (id %024x): unknown key nick; " % (count - 334, 0))
    assert message.endswith("; and 977 more (see errors, which holds the first 1000). Nothing was sent to the API.")
    assert len(message) < 10000 and peak < 50 * 1024 * 1024
    # The times are recorded, not asserted: make bench measures validation at 10,000 and 100,000 items.
    record(request.node, "{:,} items through validate_items (the engine)".format(count),
           "{0:,} valid users; then {0:,} users with 3 errors each".format(count),
           "valid: %.1f s, no error; invalid: %.1f s, peak %.1f MB extra, %d messages kept, %d errors counted, "
           "%d more invalid items counted; message of %d characters"
           % (valid_seconds, bad_seconds, peak / 1e6, len(errors), errors.total, errors.more_items, len(message)))


def test_properties_nested_deeply_are_validated_and_compared(request):
    deep = {"leaf": 1}
    for level in range(150):
        deep = {"l%d" % level: deep}
    current = {"id": "o1", "label": "org1", "name": "Org", "properties": {"deep": deep}}
    assert validate_items(ORGANIZATIONS, [{"id": "o1", "properties": {"deep": deep}}]) == []
    assert compare_item(ORGANIZATIONS, {"id": "o1", "properties": {"deep": copy.deepcopy(deep)}}, current, {})[2] is None
    record(request.node, "Properties nested 150 levels (the engine)", "validate_items and compare_item",
           "valid, and found equal to the same value")
