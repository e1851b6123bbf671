# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Emulator: life cycle, request log, state, faults, configuration and the control API."""

from __future__ import annotations

import collections
import copy
import json
import secrets
import socket
import ssl
import threading
import time
from urllib.parse import parse_qsl, unquote

from .common import CONTROL_PREFIX, DEFAULT_FIXTURE, Invalid, UNSET, hash_password, is_loopback, json_copy
from .faults import Fault, redact_body, redact_text
from .fixtures import read_fixture
from .store import Store
from .api import Api
from .server import Handler, Server

# configure(omit_from=...): where the omit_keys knob applies (see _fields in api.py).
OMIT_FROM = ("unasked", "lists", "all")


class Emulator(Api):
    """A running (or ready to run) emulated Ubidots API.

    Emulator(fixture=None|path|dict, host='127.0.0.1', port=0, idle_timeout=300.0, apply_delay=0.0,
             rate_limit=None, tls=None, path_prefix=""); tls is (certfile, keyfile). Binds at construction, serves
    after start(). path_prefix ("/ubidots") serves the API under that path, as behind a reverse proxy.
    """

    def __init__(self, fixture=None, host="127.0.0.1", port=0, idle_timeout=300.0, apply_delay=0.0, rate_limit=None, tls=None,
                 path_prefix=""):
        if not is_loopback(host):
            raise ValueError("the emulator only binds to loopback addresses (127.0.0.0/8, ::1), not %r" % (host,))
        self.path_prefix = normalize_prefix(path_prefix)
        self._initial = read_fixture(DEFAULT_FIXTURE if fixture is None else fixture)
        self._lock = threading.RLock()
        self._store = Store(self._initial)
        self._initial_config = (rate_limit, apply_delay)
        self.rate_limit = rate_limit
        self.apply_delay = apply_delay
        self.omit_keys = {}
        self.omit_from = "unasked"
        self.link_base = None
        self.idle_timeout = idle_timeout
        self._log = []
        self._log_lock = threading.Lock()
        self._seq = 0
        self._faults = []
        self._windows = {}
        self._tasks = {}
        self._last_activity = time.monotonic()
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._serve_thread = None
        self._watchdog = None
        host = "127.0.0.1" if host == "localhost" else host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._server = Server((host, port), Handler, self, family)
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"
        bound = self._server.server_address
        self.host = bound[0]
        self.port = bound[1]
        self.netloc = ("[%s]:%d" if family == socket.AF_INET6 else "%s:%d") % (self.host, self.port)

    # -- life cycle --------------------------------------------------------------------------------------------

    @property
    def origin(self):
        """scheme://host:port, without the path prefix."""
        return "%s://%s" % (self.scheme, self.netloc)

    @property
    def url(self):
        """Base URL, e.g. http://127.0.0.1:PORT, plus the path prefix if any (no trailing slash): the api_url."""
        return self.origin + self.path_prefix

    def control_path(self, path):
        """The control path (/_emulator/...) of a request path, at the root or under the prefix; else None."""
        if path.startswith(CONTROL_PREFIX):
            return path
        if self.path_prefix and path.startswith(self.path_prefix + CONTROL_PREFIX):
            return path[len(self.path_prefix):]
        return None

    @property
    def token(self):
        """The fixture's default admin token."""
        return self._store.default_token

    @property
    def tokens(self):
        """Map token -> role (admin or readonly)."""
        with self._lock:
            return {t: v["role"] for t, v in self._store.tokens.items()}

    def start(self):
        """Serve in a daemon thread; return self."""
        if self._serve_thread is None:
            self._last_activity = time.monotonic()
            self._serve_thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.005},
                                                  name="ubidots-emulator", daemon=True)
            self._serve_thread.start()
            if self.idle_timeout:
                self._watchdog = threading.Thread(target=self._watch_idle, name="ubidots-emulator-idle", daemon=True)
                self._watchdog.start()
        return self

    def stop(self):
        """Stop serving, close every connection and cancel pending tasks. Safe to call twice, from any thread."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        if self._serve_thread is not None:
            self._server.shutdown()
        with self._server.connections_lock:
            connections = list(self._server.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        with self._lock:
            for timer in self._tasks.values():
                timer.cancel()
            self._tasks.clear()
        if self._serve_thread is not None and self._serve_thread is not threading.current_thread():
            self._serve_thread.join(5)

    @property
    def stopped(self):
        """Whether the emulator has stopped (stop(), idle timeout, /_emulator/shutdown)."""
        return self._stopped.is_set()

    def wait(self, timeout=None):
        """Block until the emulator stops or `timeout` passes; return whether it stopped."""
        return self._stopped.wait(timeout)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def touch(self):
        """Note activity (resets the idle timer)."""
        self._last_activity = time.monotonic()

    def _watch_idle(self):
        while not self._stopped.is_set():
            remaining = self.idle_timeout - (time.monotonic() - self._last_activity)
            if remaining <= 0:
                self.stop()
                return
            self._stopped.wait(min(remaining, 0.25))

    # -- log ---------------------------------------------------------------------------------------------------

    def new_entry(self, method, path, pairs, headers, raw):
        """Build the (redacted) log entry of an API request; record() completes and stores it."""
        tokens = list(self._store.tokens)
        header_token = headers.get("X-Auth-Token")
        query_token = [v for k, v in pairs if k == "token"]
        tokens.extend(t for t in [header_token] + query_token if t)
        query = {}
        for key, value in pairs:
            query.setdefault(key, []).append("***" if key in ("token", "password") else value)
        shown_headers = {}
        for key, value in headers.items():
            lowered = key.lower()
            shown_headers[key] = "***" if lowered in ("x-auth-token", "authorization", "cookie") else value
        body = None
        if raw:
            try:
                body = redact_body(json.loads(raw), set(tokens))
            except ValueError:
                body = redact_text(raw.decode("utf-8", "replace"), tokens)
        # Whether a token came along, never its value: a test of redirects reads these in a second emulator's log.
        return {"seq": None, "time": None, "method": method, "path": path, "query": query, "headers": shown_headers,
                "token_header": header_token is not None, "token_query": bool(query_token),
                "body": body, "status": None, "fault": None}

    def record(self, entry, status, fault):
        """Store a finished log entry."""
        with self._log_lock:
            self._seq += 1
            entry.update(seq=self._seq, time=time.time(), status=status, fault=fault)
            self._log.append(entry)

    def log(self, since=0):
        """Copies of the request log entries (those with seq > since)."""
        with self._log_lock:
            entries = [e for e in self._log if e["seq"] > since] if since else list(self._log)
            return json_copy(entries)

    def clear_log(self):
        """Forget the request log; return how many entries it held."""
        with self._log_lock:
            count = len(self._log)
            self._log = []
            return count

    # -- state -------------------------------------------------------------------------------------------------

    def state(self):
        """{"users": [...], "organizations": [...]} as the API returns them (deep copies)."""
        with self._lock:
            store = self._store
            counts = store.users_count()
            return json_copy({
                "users": [store.render_user(rec, self.url) for rec in store.users.values()],
                "organizations": [store.render_org(rec, self.url, counts=counts) for rec in store.orgs.values()],
            })

    def set_state(self, state=None, **collections_):
        """Replace collections: keys users, organizations, roles, apps, dashboards, tokens (fixture or read format).

        Collections not given are kept. A user given without password keeps the password of the same id.
        """
        state = dict(state or {}, **collections_)
        unknown = set(state) - {"users", "organizations", "roles", "apps", "dashboards", "tokens", "default_token"}
        if unknown:
            raise ValueError("unknown state keys: %s" % ", ".join(sorted(unknown)))
        with self._lock:
            current = self._store.export()
            previous = {rec["id"]: rec for rec in self._store.users.values()}
            merged = dict(current, **copy.deepcopy(state))
            if "tokens" in state and "default_token" not in state:
                merged.pop("default_token", None)
            store = Store({})
            store.load(merged, previous=previous, strict=False)
            self._store = store

    def reset(self):
        """Back to the initial fixture and configuration; clears the log, faults, rate windows and pending tasks."""
        with self._lock:
            for timer in self._tasks.values():
                timer.cancel()
            self._tasks.clear()
            self._store = Store(copy.deepcopy(self._initial))
            self._faults = []
            self._windows = {}
            self.rate_limit, self.apply_delay = self._initial_config
            self.omit_keys = {}
            self.omit_from = "unasked"
            self.link_base = None
        self.clear_log()

    def update_object(self, kind, key, changes):
        """Change a user or organization now, as someone else would (API write format, partial); return it.

        Also accepts some read-only fields (users: lastLogin, firstTime, properties, organizations, createdAt;
        organizations: devicesCount, limits, createdAt). Raises KeyError if unknown, ValueError if invalid.
        """
        if kind not in ("users", "organizations"):
            raise ValueError("kind must be users or organizations")
        with self._lock:
            store = self._store
            obj_id = store.find(kind, key)
            if obj_id is None:
                raise KeyError(key)
            try:
                _obj_id, values = store.validate_item(kind, dict(changes), full=False, require_id=False, backdoor=True)
                errors = {}
                store.check_unique(kind, [(0, obj_id, values)], errors)
                if errors:
                    raise Invalid(errors["0"])
            except Invalid as exc:
                raise ValueError(json.dumps(exc.errors)) from None
            store.apply(kind, [(obj_id, values)], full=False)
            rec = (store.users if kind == "users" else store.orgs)[obj_id]
            return json_copy(store.render(kind, rec, self.url))

    def check_password(self, user_key, password):
        """Whether `password` is the current password of the user (id or username)."""
        with self._lock:
            obj_id = self._store.find_user(user_key)
            if obj_id is None:
                raise KeyError(user_key)
            stored = self._store.users[obj_id]["_password"]
            return stored is not None and secrets.compare_digest(stored, hash_password(password))

    def pending_tasks(self):
        """Number of accepted bulk updates not applied yet."""
        with self._lock:
            return len(self._tasks)

    def wait_tasks(self, timeout=10.0):
        """Wait until every accepted bulk update is applied; return whether it happened in time."""
        end = time.monotonic() + timeout
        while self.pending_tasks():
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True

    # -- faults and configuration ------------------------------------------------------------------------------

    def inject(self, path, kind, count=1, method=None, **params):
        """Queue a fault for requests to `path` (exact, or prefix ending in *): params status, retry_after, delay, detail."""
        fault = Fault(path, kind, count=count, method=method, **params)
        with self._lock:
            self._faults.append(fault)
        return fault.as_dict()

    def faults(self):
        """Faults still queued."""
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def clear_faults(self):
        """Drop every queued fault."""
        with self._lock:
            self._faults = []

    def take_fault(self, path, method):
        """Consume and return the first queued fault matching the request, or None.

        With a path prefix, a fault path matches with or without the prefix ("/api/v2.0/users/*" still works).
        """
        inner = self.strip_prefix(path)
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, method) or (inner is not None and inner != path and fault.matches(inner, method)):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def configure(self, rate_limit=UNSET, apply_delay=UNSET, omit_keys=UNSET, omit_from=UNSET, link_base=UNSET):
        """Change the rate limit (requests per second per token; None or 0 = off) and/or the apply delay."""
        with self._lock:
            if rate_limit is not UNSET:
                if rate_limit is not None and (isinstance(rate_limit, bool) or not isinstance(rate_limit, (int, float)) or rate_limit < 0):
                    raise ValueError("rate_limit must be a non-negative number or null")
                self.rate_limit = rate_limit
                self._windows = {}
            if apply_delay is not UNSET:
                if isinstance(apply_delay, bool) or not isinstance(apply_delay, (int, float)) or apply_delay < 0:
                    raise ValueError("apply_delay must be a non-negative number")
                self.apply_delay = apply_delay
            if omit_keys is not UNSET:
                # Our test knob (issue 11): reads leave these keys out unless fields= asks for them, as an API
                # that omits a key would. {kind: [key, ...]}, kind users or organizations; None or {} = off.
                omit_keys = omit_keys or {}
                if not isinstance(omit_keys, dict) or set(omit_keys) - {"users", "organizations"} or not all(
                        isinstance(v, (list, tuple)) and all(isinstance(k, str) for k in v) for v in omit_keys.values()):
                    raise ValueError("omit_keys must be {users|organizations: [key, ...]}")
                self.omit_keys = {kind: list(keys) for kind, keys in omit_keys.items() if keys}
            if omit_from is not UNSET:
                # Where omit_keys applies (issue 28): "unasked" (default) reads without fields= naming the key;
                # "lists" also listings whose fields= names it (a single GET still returns it when asked); "all"
                # every read, whatever fields= says.
                if omit_from not in OMIT_FROM:
                    raise ValueError("omit_from must be one of %s" % ", ".join(OMIT_FROM))
                self.omit_from = omit_from
            if link_base is not UNSET:
                # Issue 28: the base URL (scheme://host[:port][/prefix]) that a listing's next and previous links
                # are built on instead of the request's origin and path prefix; None = the request's.
                if link_base is not None and (not isinstance(link_base, str) or not link_base.startswith(
                        ("http://", "https://")) or "?" in link_base or link_base.endswith("/")):
                    raise ValueError("link_base must be null or an http(s) URL without a query or a trailing slash")
                self.link_base = link_base
            config = {"rate_limit": self.rate_limit, "apply_delay": self.apply_delay}
            if self.omit_keys:
                config["omit_keys"] = dict(self.omit_keys)
            if self.omit_from != "unasked":
                config["omit_from"] = self.omit_from
            if self.link_base:
                config["link_base"] = self.link_base
            return config

    def _throttled(self, token):
        if not self.rate_limit:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(token, collections.deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.rate_limit:
                return True
            window.append(now)
            return False

    # -- the control API ---------------------------------------------------------------------------------------

    def control(self, method, path, raw, query):
        """Answer one /_emulator/ request: return (status, payload, function to run after answering or None)."""
        name = path[len(CONTROL_PREFIX):].strip("/")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return 400, {"detail": "The body is not JSON."}, None
        params = dict(parse_qsl(query))
        try:
            return self._control(method, name, body, params)
        except (ValueError, TypeError) as exc:
            return 400, {"detail": str(exc)}, None
        except KeyError:
            return 404, {"detail": "No such object."}, None

    def _control(self, method, name, body, params):
        if name == "health" and method == "GET":
            return 200, {"ok": True, "url": self.url}, None
        if name == "log":
            if method == "GET":
                return 200, self.log(since=int(params.get("since", 0))), None
            if method == "DELETE":
                return 200, {"cleared": self.clear_log()}, None
        if name == "state":
            if method == "GET":
                return 200, self.state(), None
            if method == "PUT":
                if not isinstance(body, dict):
                    raise ValueError("the state must be a JSON object")
                self.set_state(body)
                return 200, self.state(), None
        if name == "reset" and method == "POST":
            self.reset()
            return 200, {"ok": True}, None
        if name == "faults":
            if method == "GET":
                return 200, self.faults(), None
            if method == "DELETE":
                self.clear_faults()
                return 200, {"ok": True}, None
            if method == "POST":
                specs = body if isinstance(body, list) else [body]
                for spec in specs:
                    if not isinstance(spec, dict) or "path" not in spec or "kind" not in spec:
                        raise ValueError("a fault needs at least path and kind")
                for spec in specs:
                    spec = dict(spec)
                    self.inject(spec.pop("path"), spec.pop("kind"), **spec)
                return 200, {"ok": True, "faults": self.faults()}, None
        if name == "config":
            if method == "GET":
                return 200, self.configure(), None
            if method == "POST":
                if not isinstance(body, dict) or set(body) - {"rate_limit", "apply_delay", "omit_keys", "omit_from", "link_base"}:
                    raise ValueError("config takes rate_limit, apply_delay, omit_keys, omit_from and/or link_base")
                return 200, self.configure(**body), None
        if name == "tasks" and method == "GET":
            return 200, {"pending": self.pending_tasks()}, None
        if name == "password-check" and method == "POST":
            if not isinstance(body, dict):
                raise ValueError("send {\"user\": id or username, \"password\": ...}")
            return 200, {"match": self.check_password(body.get("user"), body.get("password") or "")}, None
        if name.startswith("objects/") and method == "PATCH":
            parts = name.split("/")
            if len(parts) != 3 or not isinstance(body, dict):
                raise ValueError("use PATCH /_emulator/objects/{users|organizations}/{id} with a JSON object")
            return 200, self.update_object(parts[1], unquote(parts[2]), body), None
        if name == "shutdown" and method == "POST":
            return 200, {"ok": True}, lambda: threading.Thread(target=self.stop, daemon=True).start()
        return 404, {"detail": "Unknown control endpoint %s %s." % (method, path_name(name))}, None


def path_name(name):
    """The control path shown in error messages."""
    return CONTROL_PREFIX + name


def normalize_prefix(prefix):
    """"" or "/a/b" (leading slash, no trailing slash) from "", "/", "a/b/", "/a/b"."""
    if prefix is None:
        return ""
    if not isinstance(prefix, str) or "?" in prefix or "#" in prefix:
        raise ValueError("path_prefix must be a path such as /ubidots")
    prefix = prefix.strip("/")
    return "/" + prefix if prefix else ""
