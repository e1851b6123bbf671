# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every test of the collection shares: the request log readers, task builders, lookups of the account's objects and the in-process module runner.

`run_module_tasks` runs the collection's modules the way ansible-playbook would run one play of plain module tasks
(arguments, check mode, diff, environment, `module_defaults`, `ignore_errors`), but in this process: each task's
arguments go to the module's `main()` through ansible-core's module-args patching (the way ansible-core's own unit
tests, amazon.aws and community.hashi_vault test modules), and the real client talks to the emulator over loopback.
A run takes milliseconds where ansible-playbook takes seconds. What only Ansible shows (no_log in its output, -vvv,
callbacks, roles, loops, templating, ansible-runner) stays in tests/integration.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import json
import os
import sys
from pathlib import Path
from unittest import mock

import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CALLBACKS = REPO / "tests" / "integration" / "callback_plugins"
NAMESPACE = "ubidots.industrial."
USERS_MODULE = NAMESPACE + "ubidots_users_bulk"
ORGS_MODULE = NAMESPACE + "ubidots_orgs_bulk"
MODULES = {"users": USERS_MODULE, "organizations": ORGS_MODULE}
# What names an object of each kind: users by username, organizations by label.
NAME = {"users": "username", "organizations": "label"}
USERS_LIST = "/api/v2.0/users"
TASK_KEYS = {"name", "register", "check_mode", "diff", "ignore_errors"}
# The API the `client` fixture talks to: answers are mocked with `responses`, nothing leaves the process.
MOCK_URL = "https://api.test"
MOCK_TOKEN = "tok-SECRET-123"


# -- the request log -------------------------------------------------------------------------------------------

def api_log(emulator, method=None, path_part=None):
    """The emulator's request log, filtered."""
    return [e for e in emulator.log()
            if (method is None or e["method"] == method) and (path_part is None or path_part in e["path"])]


def writes(emulator):
    """The bulk writes the emulator received."""
    return api_log(emulator, path_part="/bulk/")


def header(entry, name):
    """A header of a logged request, whatever its case."""
    return next((value for key, value in entry["headers"].items() if key.lower() == name.lower()), None)


def write_entries(emulator):
    """Every request that is not a read, as the emulator logged it."""
    return [e for e in emulator.log() if e["method"] != "GET"]


def sent(emulator, keys=("method", "path", "body"), strip_slash=False):
    """Every request that is not a read, as tuples of `keys` of its log entry; `strip_slash` drops the path's trailing /."""
    return [tuple(e["path"].rstrip("/") if strip_slash and key == "path" else e[key] for key in keys)
            for e in write_entries(emulator)]


def user_reads(emulator):
    """The reads of the users listing (not of one user)."""
    return [e for e in api_log(emulator, "GET") if e["path"].rstrip("/") == USERS_LIST]


# -- tasks ----------------------------------------------------------------------------------------------------------

def bulk_task(module, key, items, name=None, **options):
    """One task of a bulk module: `key` (users or organizations) holds `items`, plus options; named `key` unless `name` is given."""
    return {"name": name or key, module: dict({key: items}, **options), "register": "result"}


def users_task(users, name="users", **options):
    """One ubidots_users_bulk task."""
    return bulk_task(USERS_MODULE, "users", users, name=name, **options)


def orgs_task(organizations, name="organizations", **options):
    """One ubidots_orgs_bulk task."""
    return bulk_task(ORGS_MODULE, "organizations", organizations, name=name, **options)


def kind_task(kind, items, **options):
    """One bulk module task of `kind` (users or organizations)."""
    return bulk_task(MODULES[kind], kind, items, **options)


def failable_task(name, module, **args):
    """A task of any module that may fail without stopping the play."""
    return {"name": name, module: args, "ignore_errors": True}


def membership(label, role):
    """One membership in the bulk module's item shape."""
    return {"label": label, "role": role}


def outcome(run, name):
    """(status, result) of a task of a run (run_module or run_playbook)."""
    entry = next((e for e in run.results if e["task"] == name), None)
    assert entry is not None, "task %r has no recorded result (rc %s): %s" % (name, run.rc, run.output[-1500:])
    return entry["status"], entry["result"]


# -- the account's objects ------------------------------------------------------------------------------------------

def by_name(emulator, kind):
    """The emulator's current users (by username) or organizations (by label)."""
    return {o[NAME[kind]]: o for o in emulator.state()[kind]}


def users_by_name(emulator):
    """Current users by username."""
    return by_name(emulator, "users")


def orgs_by_label(emulator):
    """Current organizations by label."""
    return by_name(emulator, "organizations")


def user(emulator, username):
    """One user as the API shows it."""
    return users_by_name(emulator)[username]


def org(emulator, label):
    """One organization as the API shows it."""
    return orgs_by_label(emulator)[label]


def names(emulator, kind):
    """The usernames / labels the account holds, sorted."""
    return sorted(by_name(emulator, kind))


def active(emulator, kind):
    """{username or label: isActive} of the account."""
    return {name: o["isActive"] for name, o in by_name(emulator, kind).items()}


def some_users(emulator, count):
    """The first `count` users of the account, by username."""
    return sorted(emulator.state()["users"], key=lambda u: u["username"])[:count]


def mixed_orgs():
    """A create, an update, two unchanged and (by prune) a delete of organizations, in one task (lifecycle tests)."""
    return [{"label": "plant-east", "name": "Plant East"},
            {"label": "org1", "description": "Mixed run"},
            {"label": "org2"}, {"label": "acme-plant"}, {"label": "north_site"}]


def mixed_users(emulator):
    """A create, an update, unchanged users and (by prune) a delete, in one task (lifecycle tests)."""
    others = [u["username"] for u in emulator.state()["users"] if u["username"] not in ("alice", "grace-h")]
    return ([{"username": "newbie", "email": "newbie@example.com", "password": "Newbie-Pass-1"},
             {"username": "alice", "lastName": "Mixed"}]
            + [{"username": name} for name in others])


def iso(moment):
    """A datetime in the API's format of dates."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- files -------------------------------------------------------------------------------------------------------

def to_yaml(value):
    """JSON is YAML: playbooks are written as JSON so that every value stays what the test meant."""
    return json.dumps(value, indent=2)


def write_yaml(path, content):
    """Write a YAML file, creating its directory; keys stay in their order (the order of the hosts)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def inventory(tmp_path, hosts, group_vars=None):
    """An inventory file: group `plants` holding `hosts` ({name: host vars}, in this order), with group vars."""
    plants = {"hosts": hosts}
    if group_vars:
        plants["vars"] = group_vars
    return write_yaml(tmp_path / "inventory.yml", {"all": {"children": {"plants": plants}}})


def runner_env(emulator, collections_path, home, **variables):
    """The environment of an ansible-runner job against the emulator: this Python and its tools, the built collection,
    `home` as HOME; plus `variables`."""
    env = {
        "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "")),
        "HOME": str(home),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "UBIDOTS_API_URL": emulator.url,
        "UBIDOTS_TOKEN": emulator.token,
    }
    env.update(variables)
    return env


# -- the in-process runner --------------------------------------------------------------------------------------

class ModuleRun:
    """What a run of tasks showed, with the names ansible-playbook runs use: exit status, results, output.

    Warnings are text on every ansible-core series, as the user reads them."""

    def __init__(self, results, logged):
        self.results = results
        self.rc = 2 if any(r["status"] == "failed" and not r["ignored"] for r in results) else 0
        self.logged = logged

    @property
    def result(self):
        """The result of the first task."""
        return self.results[0]["result"]

    @property
    def output(self):
        """What a user would read of the results: every message and warning, then the results as JSON."""
        lines = []
        for entry in self.results:
            result = entry["result"]
            lines += [str(result.get("msg", ""))] + ["[WARNING]: %s" % w for w in result.get("warnings", [])]
            lines.append(json.dumps(result, sort_keys=True))
        return "\n".join(lines)


def _warning_text(warning):
    """A warning as the user reads it: ansible-core 2.19+ modules return {"event": {"msg": ...}} summaries."""
    if isinstance(warning, dict):
        event = warning.get("event") or {}
        return str(event.get("msg", warning.get("msg", warning)))
    return str(warning)


@functools.lru_cache(maxsize=None)
def _action_groups():
    """meta/runtime.yml's action groups, by `group/<fqcn>` name."""
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    groups = {}
    for name, members in (runtime.get("action_groups") or {}).items():
        modules = {NAMESPACE + m for m in members if isinstance(m, str)}
        groups["group/" + NAMESPACE + name] = modules
        groups["group/" + name] = modules
    return groups


def _defaults_for(module, module_defaults):
    """The `module_defaults` that apply to `module` (its FQCN or a group naming it), as Ansible merges them."""
    merged = {}
    groups = _action_groups()
    for key, values in (module_defaults or {}).items():
        if key == module or module in groups.get(key, ()):
            merged.update(values)
    return merged


def _call_main(module, args, check, diff):
    """Run `module`'s main() with `args`; its printed JSON result, and what it logged (syslog or journal)."""
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.common import warnings  # pylint: disable=import-outside-toplevel

    params = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    logged = []
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    warnings._global_deprecations.clear()  # pylint: disable=protected-access
    name = module[len(NAMESPACE):]
    main = importlib.import_module("ansible_collections.ubidots.industrial.plugins.modules." + name).main
    out = io.StringIO()
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(basic.AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg)))
        # ansible-core 2.19+ sends a module's warnings to the controller's display, not to its result, once any
        # controller code is imported in the process (other tests do): the module runs as on a target.
        internal = sys.modules.get("ansible.module_utils._internal")
        if hasattr(internal, "is_controller"):
            patches.enter_context(mock.patch.object(internal, "is_controller", False))
        patches.enter_context(_patched_args(basic, params))
        patches.enter_context(contextlib.redirect_stdout(out))
        try:
            main()
        except SystemExit:
            pass
    text = out.getvalue()
    if not text.strip():
        raise AssertionError("%s printed no result" % module)
    result = json.loads(text)
    if "warnings" in result:
        result["warnings"] = [_warning_text(w) for w in result["warnings"]]
    return result, logged


def _patched_args(basic, params):
    """ansible-core's own module-args patching (2.19+), or the same done by hand (2.16-2.18)."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": params}).encode())
    return patch_module_args(params)


@contextlib.contextmanager
def _environment(values):
    """os.environ with `values` set (None removes a variable), restored afterwards."""
    with mock.patch.dict(os.environ):
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = str(value)
        yield


def _module_of(task):
    """The task's module FQCN and arguments; refuses what this runner does not do (ansible-playbook does)."""
    modules = [k for k in task if k.startswith(NAMESPACE)]
    others = set(task) - TASK_KEYS - set(modules)
    if len(modules) != 1 or others:
        raise ValueError("run_module runs one collection module per task (keys %s); use run_playbook for %s"
                         % (sorted(TASK_KEYS), sorted(others) or "this task"))
    args = task[modules[0]] or {}
    if "{{" in json.dumps(args):
        raise ValueError("run_module does not template; use run_playbook for a task using Jinja")
    return modules[0], args


def run_module_tasks(emulator, tasks, check=False, diff=False, env=None, token=None, url=None, play=None):
    """Run `tasks` (a task or a list of plain module tasks) in this process, as one play would.

    The module reads UBIDOTS_API_URL and UBIDOTS_TOKEN from the environment (the emulator's, or `url` / `token`;
    in `env`, a value of None unsets a variable). `play` may give `module_defaults`. A failed task ends the run unless it has
    `ignore_errors`. Returns a ModuleRun.
    """
    if isinstance(tasks, dict):
        tasks = [tasks]
    play = play or {}
    unknown = set(play) - {"module_defaults"}
    if unknown:
        raise ValueError("run_module takes only module_defaults of a play, not %s; use run_playbook" % sorted(unknown))
    variables = {"UBIDOTS_API_URL": url or emulator.url,
                 "UBIDOTS_TOKEN": token if token is not None else emulator.token}
    variables.update(env or {})
    results, logged = [], []
    with _environment(variables):
        for task in tasks:
            module, args = _module_of(task)
            args = dict(_defaults_for(module, play.get("module_defaults")), **args)
            # The client's own rate limit (4 requests/s) is off unless a task sets it: in-process runs would spend
            # most of their time waiting. The limiter has its own tests (test_rate_limiter_window.py); the
            # emulator's server-side limits and 429 answers work as ever.
            args.setdefault("rate_limit", 0)
            task_check = task.get("check_mode", check)
            task_diff = task.get("diff", diff)
            result, lines = _call_main(module, args, task_check, task_diff)
            logged += lines
            failed = bool(result.get("failed"))
            results.append({"task": task.get("name", module), "status": "failed" if failed else "ok",
                            "ignored": failed and bool(task.get("ignore_errors")), "result": result})
            if failed and not task.get("ignore_errors"):
                break
    return ModuleRun(results, logged)


def echoed(run):
    """The module arguments a result echoes (`invocation`). ansible-core 2.21 returns them only when the controller
    asks for them (`_ansible_inject_invocation`), which an in-process run does not: the test is skipped there."""
    import pytest  # pylint: disable=import-outside-toplevel
    if "invocation" not in run.result:
        pytest.skip("this ansible-core returns the invocation echo only when the controller asks for it")
    return run.result["invocation"]["module_args"]


# -- the wait in virtual time, and a bulk module's result for the plan file -------------------------------------------

class Clock:
    """The wait's clock (time.monotonic and time.sleep of _apply, patched by a test's fixture): each pause is
    recorded, moves the clock on at once, then calls on_sleep(number of pauses so far). More than `limit` pauses is a
    wait that never ends: the test fails instead of hanging."""

    def __init__(self, limit=100):
        self.now = 1000.0
        self.sleeps = []
        self.on_sleep = None
        self.limit = limit

    def monotonic(self):
        """Now, in seconds."""
        return self.now

    def sleep(self, seconds):
        """Record the pause and let it pass."""
        self.sleeps.append(seconds)
        assert len(self.sleeps) <= self.limit, "the wait never ends: %s" % self.sleeps[:20]
        self.now += seconds
        if self.on_sleep:
            self.on_sleep(len(self.sleeps))


def reads_after_the_writes(emulator):
    """The GETs the emulator received after the last write: the wait's re-reads."""
    log = emulator.log()
    last_write = max(i for i, e in enumerate(log) if e["method"] != "GET")
    return [e for e in log[last_write + 1:] if e["method"] == "GET"]


def bulk_result(changes=(), name_key="username", **extra):
    """A bulk module's result (module_utils/_bulk.py result()) holding `changes`, with their id lists and counts."""
    changes = list(changes)

    def of(action, key):
        return [change[key] for change in changes if change["action"] == action]

    result = {
        "changed": bool(changes),
        "created": of("create", name_key),
        "changed_ids": of("update", "id"),
        "deactivated": of("deactivate", "id"),
        "deleted_ids": of("delete", "id"),
        "unchanged_ids": [],
        "counts": {
            "created": len(of("create", name_key)),
            "updated": len(of("update", "id")),
            "deactivated": len(of("deactivate", "id")),
            "deleted": len(of("delete", "id")),
            "unchanged": 0,
        },
        "protected": [],
        "changes": changes,
        "changes_omitted": 0,
        "tasks": [],
    }
    result.update(extra)
    return result
