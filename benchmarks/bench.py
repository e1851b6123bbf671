# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: the bulk modules against the Ubidots API emulator, compared with what people write today.

For N users (and N organizations) it runs real `ansible-playbook` processes against
tests/emulator/ubidots_emulator.py (rate limit off, module rate_limit: 0, every other option at the
module's default, so wait: true re-reads what was written):

    a  the bulk module, every object changed        (emulator reset before each run)
    b  the same playbook again, nothing to change
    c  check mode with --diff, every object changed  (nothing written)
    d  a uri loop, one GET and one PATCH per object  (measured at small N, extrapolated above)
    e  the floor: one raw uri bulk request of a prepared body

then (a) and (b) of users at --large-sizes (100,000), (a) of users at --rate-size (10,000) with every
option at its default (rate_limit 4/s) against an emulator limited to 4 requests/s, and the lifecycle
rows of organizations at --lifecycle-size (create N new ones; prune half of an account of N), each
beside its raw uri floor, and the leavers rows of users at --leavers-size (N users removed with state: absent,
removal: deactivate against removal: delete, at 4 requests/s). Each measurement is the median of --repeat runs (--small-repeat at N <= 1,000,
--rate-repeat for the rate-limited row). For every run it records
the wall time of ansible-playbook, the HTTP requests the emulator logged (reads, writes, the reads of
the wait, HTTP 429), and the peak RSS of the module process (through a wrapper interpreter, see
WRAPPER). Then the micro-benchmark (test_micro_bench.py) runs, and issue 15's goal table is computed.

Output: benchmarks/results/results.md, results.json, micro.json and chart.png.

    python benchmarks/bench.py                      # what `make bench` runs
    python benchmarks/bench.py --sizes 10,100 --large-sizes "" --repeat 1 --small-repeat 1 --uri-sizes 10 \
        --rate-size 100 --rate-repeat 1 --lifecycle-size 100 --no-micro                         # a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PLAYBOOKS = HERE / "playbooks"
EMULATOR = REPO / "tests" / "emulator" / "ubidots_emulator.py"
TOKEN = "BBUS-emulator-admin-token-000000"
BATCH_SIZE = 500  # the modules' default batch_size
LABELS = {
    "a": "module, all changed",
    "b": "module, nothing to change",
    "c": "module, --check --diff",
    "d": "uri loop (GET + PATCH each)",
    "e": "floor: one raw uri bulk request",
}
KINDS = ("users", "orgs")
WRITE_METHODS = ("PATCH", "POST", "PUT", "DELETE")
# 1,000 -> 10,000: linear is 10x, n log n about 13x, quadratic 100x. Below 20x there is no quadratic step
# (the rest is noise from other processes on the machine).
LINEAR_LIMIT = 20
MET = {True: "yes", False: "**no**", "cpu": "**no** on wall time; yes on CPU time (noise: see the load average)",
       None: "not run"}
GOAL_MET = {True: "met", False: "**not met**", None: "not run"}

# The module process is started by Ansible as `<interpreter> AnsiballZ_<module>.py`. Pointing
# ansible_python_interpreter at this wrapper runs the real Python as its only child (fork + exec) and
# records, from wait4(), the child's peak RSS (ru_maxrss, which also covers any descendant it waited
# for) and wall time, one JSON line per module process, in $BENCH_RSS_FILE. It starts with -S and
# imports nothing but os, sys and time, so it adds about 20-40 ms per module process.
WRAPPER = '''#!{python} -S
"""Benchmark wrapper interpreter: runs Python as its only child, records the child's peak RSS and wall time."""
import os, sys, time
start = time.time()
pid = os.fork()
if pid == 0:
    try:
        os.execv({python!r}, [{python!r}] + sys.argv[1:])
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
scale = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KiB on Linux
script = [a for a in sys.argv[1:] if a.endswith(".py")]
with open(os.environ["BENCH_RSS_FILE"], "a", encoding="utf-8") as handle:
    handle.write('{{"module": "%s", "start": %.6f, "wall": %.6f, "cpu": %.6f, "maxrss_kib": %d}}\\n'
                 % (os.path.basename(script[0]) if script else "-", start, time.time() - start,
                    usage.ru_utime + usage.ru_stime, usage.ru_maxrss // scale))
sys.exit(os.waitstatus_to_exitcode(status))
'''


def log(message):
    """Progress on stderr, with the elapsed time."""
    sys.stderr.write("[bench %6.1fs] %s\n" % (time.monotonic() - START, message))
    sys.stderr.flush()


START = time.monotonic()


# -- the emulator -------------------------------------------------------------------------------------------

class EmulatorProcess:
    """tests/emulator/ubidots_emulator.py in its own process, with N generated users and organizations."""

    def __init__(self, workdir, n_users, n_orgs):
        port_file = workdir / ("emulator-%d-%d.url" % (n_users, n_orgs))
        if port_file.exists():
            port_file.unlink()
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(EMULATOR), "--port", "0", "--port-file", str(port_file), "--idle-timeout", "900",
             "--generate-users", str(n_users), "--generate-orgs", str(n_orgs)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not port_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited: %s" % self.proc.stderr.read().decode(errors="replace"))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start in 120 s")
            time.sleep(0.05)
        self.url = port_file.read_text(encoding="utf-8").strip()

    def call(self, method, path, body=None):
        """A control request (/_emulator/...): the decoded JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read())

    def stop(self):
        """Shut it down (control API, then SIGTERM, then SIGKILL)."""
        if self.proc.poll() is None:
            try:
                self.call("POST", "shutdown")
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


# -- data ---------------------------------------------------------------------------------------------------

def user_id(i):
    """Id of generated user i (tests/emulator: generate())."""
    return "b0b0%020x" % i


def org_id(i):
    """Id of generated organization i."""
    return "a0a0%020x" % i


def write_items(workdir, n, kinds=KINDS):
    """The item files for N: every generated object changed (module input and uri loop), and the floor's bodies."""
    users = [{"id": user_id(i), "firstName": "Bench", "lastName": "Run %05d" % i, "tags": ["bench", "n%d" % n]}
             for i in range(1, n + 1)]
    orgs = [{"id": org_id(i), "name": "Bench Organization %d" % i, "description": "benchmark %d" % n}
            for i in range(1, n + 1)]
    # The organizations endpoint is a full update: the floor sends what the module would, every updatable field.
    orgs_full = [{"id": org_id(i), "label": "org-%05d" % i, "name": "Bench Organization %d" % i,
                  "description": "benchmark %d" % n, "properties": {}, "isActive": True, "app": None,
                  "favicon": None, "logo": None} for i in range(1, n + 1)]
    files = {}
    for name, data in (("users", users), ("orgs", orgs), ("users-floor", users), ("orgs-floor", orgs_full)):
        if name.split("-", maxsplit=1)[0] not in kinds:
            continue
        path = workdir / ("%s-%d.json" % (name, n))
        path.write_text(json.dumps(data), encoding="utf-8")
        files[name] = path
    return files


# -- one ansible-playbook run -------------------------------------------------------------------------------

class Runner:
    """Runs playbooks against one emulator and measures them."""

    def __init__(self, workdir, collections):
        self.workdir = workdir
        self.rss_file = workdir / "rss.jsonl"
        self.wrapper = workdir / "python-rss"
        self.wrapper.write_text(WRAPPER.format(python=sys.executable), encoding="utf-8")
        self.wrapper.chmod(0o755)
        bindir = Path(sys.executable).parent
        self.playbook = str(bindir / "ansible-playbook")
        if not os.path.exists(self.playbook):
            self.playbook = shutil.which("ansible-playbook") or "ansible-playbook"
        self.base_env = {
            "PATH": "%s:%s" % (bindir, os.environ.get("PATH", "/usr/bin:/bin")),
            "HOME": str(workdir / "home"),
            "LANG": "C.UTF-8",
            "ANSIBLE_HOME": str(workdir / "home" / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"),
            "ANSIBLE_REMOTE_TMP": str(workdir / "tmp"),
            "ANSIBLE_COLLECTIONS_PATH": str(collections),
            "ANSIBLE_PYTHON_INTERPRETER": str(self.wrapper),
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "UBIDOTS_TOKEN": TOKEN,
            "BENCH_RSS_FILE": str(self.rss_file),
        }
        (workdir / "home").mkdir(exist_ok=True)
        self.emulator = None

    def run(self, playbook, items, check=False, diff=False, extra=None):
        """One ansible-playbook run: wall time, requests the emulator saw, module processes' time and peak RSS."""
        emu = self.emulator
        emu.call("DELETE", "log")
        if self.rss_file.exists():
            self.rss_file.unlink()
        command = [self.playbook, "-i", "localhost,", "-c", "local", str(PLAYBOOKS / playbook),
                   "-e", "bench_items=%s" % items]
        for key, value in (extra or {}).items():
            command += ["-e", "%s=%s" % (key, value)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        env = dict(self.base_env, UBIDOTS_API_URL=emu.url)
        load_before = os.getloadavg()[0]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        if proc.returncode != 0:
            raise RuntimeError("%s failed (rc %d):\n%s\n%s"
                               % (" ".join(command), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        entries = emu.call("GET", "log")
        requests = {}
        wait_reads = 0  # GETs after the first write: the wait's re-read (wait: true)
        written = False
        for entry in sorted(entries, key=lambda e: e["seq"]):
            key = entry["method"] if entry["status"] != 429 else "429"
            requests[key] = requests.get(key, 0) + 1
            written = written or key in WRITE_METHODS
            wait_reads += written and key == "GET"
        modules = []
        if self.rss_file.exists():
            modules = [json.loads(line) for line in self.rss_file.read_text(encoding="utf-8").splitlines() if line]
        recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost")]
        return {
            "wall": wall,
            "cpu": cpu,
            "requests": requests,
            "reads": requests.get("GET", 0),
            "writes": sum(v for k, v in requests.items() if k in WRITE_METHODS),
            "wait_reads": wait_reads,
            "throttled": requests.get("429", 0),
            "module_processes": len(modules),
            "module_wall": sum(m["wall"] for m in modules),
            "module_cpu": sum(m["cpu"] for m in modules),
            "module_maxrss_kib": max((m["maxrss_kib"] for m in modules), default=0),
            "recap": recap[-1].split(":", 1)[1].split() if recap else [],
            "output_bytes": len(proc.stdout),
            "loadavg_before": load_before,
        }


def _children_cpu():
    """CPU seconds (user + system) of every child process waited for so far: ansible-playbook and its own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_run(runs):
    """The median of several runs of one measurement (wall and module wall: medians; counts: of the median run)."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    middle = dict(ordered[len(ordered) // 2])
    middle["wall"] = statistics.median(r["wall"] for r in runs)
    for key in ("cpu", "module_wall", "module_cpu"):
        middle[key] = statistics.median(r[key] for r in runs)
    middle["module_maxrss_kib"] = max(r["module_maxrss_kib"] for r in runs)
    middle["walls"] = [round(r["wall"], 3) for r in runs]
    middle["runs"] = len(runs)
    return middle


# -- the scenarios ------------------------------------------------------------------------------------------

def bench_size(runner, files, n, kind, repeat, scenarios="abce"):
    """Scenarios a, b, c and e (those in `scenarios`) for one resource and one N.

    The repetitions are interleaved (a b c e, a b c e, ...) so that a burst of load from other
    processes hits every scenario alike instead of one of them.
    """
    emu = runner.emulator
    module_book = "bulk_%s.yml" % kind
    module_vars = {"bench_rate_limit": 0}
    runs = {key: [] for key in "abce" if key in scenarios or (key == "a" and "b" in scenarios)}
    for _run in range(repeat):
        if "a" in runs:
            # (a) from the generated state, where every object differs.
            emu.call("POST", "reset")
            runs["a"].append(runner.run(module_book, files[kind], extra=module_vars))
        if "b" in runs:
            # (b) from the state (a) left: nothing differs any more.
            runs["b"].append(runner.run(module_book, files[kind], extra=module_vars))
        if "c" in runs:
            emu.call("POST", "reset")
            runs["c"].append(runner.run(module_book, files[kind], check=True, diff=True, extra=module_vars))
        if "e" in runs:
            emu.call("POST", "reset")
            runs["e"].append(runner.run("raw_bulk_%s.yml" % kind, files[kind + "-floor"]))
    results = {key: median_run(value) for key, value in runs.items()}
    for key, result in sorted(results.items()):
        log("%s N=%d %s %.2fs cpu %.2fs %s" % (kind, n, key, result["wall"], result["cpu"], result["requests"]))
    return results


def bench_uri(runner, files, n, kind, repeat):
    """(d): the uri loop, every object changed (emulator reset before each run)."""
    runs = []
    for _run in range(repeat):
        runner.emulator.call("POST", "reset")
        runs.append(runner.run("uri_loop_%s.yml" % kind, files[kind]))
    result = median_run(runs)
    log("%s N=%d d %.2fs cpu %.2fs %s" % (kind, n, result["wall"], result["cpu"], result["requests"]))
    return result


def bench_rate_limited(runner, files, n, repeat):
    """(a) for users with every option at the module's default (rate_limit 4/s, wait: true) against an
    emulator limited to 4 requests/s."""
    emu = runner.emulator
    runs = []
    for _run in range(repeat):
        emu.call("POST", "reset")  # also restores the constructor's rate limit (off)
        emu.call("POST", "config", {"rate_limit": 4})
        runs.append(runner.run("bulk_users.yml", files["users"]))
    emu.call("POST", "config", {"rate_limit": 0})
    result = median_run(runs)
    result["throttled_all_runs"] = sum(r["throttled"] for r in runs)
    log("users N=%d rate-limited a %.2fs cpu %.2fs %s" % (n, result["wall"], result["cpu"], result["requests"]))
    return result


def bench_large(runner, files, n, repeat):
    """(a) and (b) for users at a large N (100,000): does the module scale linearly from 10,000?"""
    return bench_size(runner, files, n, "users", repeat, scenarios="ab")


def bench_lifecycle(workdir, runner, n, repeat):
    """The lifecycle rows of issue 13, for organizations, each with its raw uri floor:

    create  n new organizations (state: present, every item new: one bulk/create per batch) in an account
            of n generated ones; floor: one raw POST bulk/create/ of the same items.
    prune   an account of n generated organizations (plus the fixture's), n/2 of them listed unchanged,
            prune: true, max_deletions high enough; floor: one raw POST bulk/delete/ of the ids prune deletes.
    Module defaults otherwise (wait: true), rate_limit 0 against an emulator without a limit.
    """
    emu = runner.emulator
    new = [{"label": "new-org-%05d" % i, "name": "New Organization %d" % i, "description": "bench create"}
           for i in range(1, n + 1)]
    listed = [{"id": org_id(i), "label": "org-%05d" % i, "name": "Generated Organization %d" % i}
              for i in range(1, n // 2 + 1)]
    emu.call("POST", "reset")
    listed_ids = {item["id"] for item in listed}
    account = [o["id"] for o in emu.call("GET", "state")["organizations"]]
    unlisted = [obj_id for obj_id in account if obj_id not in listed_ids]
    files = {}
    for name, data in (("create", new), ("prune", listed), ("prune-floor", unlisted)):
        files[name] = workdir / ("lifecycle-%s-%d.json" % (name, n))
        files[name].write_text(json.dumps(data), encoding="utf-8")
    module = {"bench_rate_limit": 0}
    prune = dict(module, bench_prune="true", bench_max_deletions=len(unlisted))
    cases = (("create", "bulk_orgs.yml", files["create"], module),
             ("create-floor", "raw_bulk_orgs.yml", files["create"], {"bench_action": "create"}),
             ("prune", "bulk_orgs.yml", files["prune"], prune),
             ("prune-floor", "raw_bulk_orgs.yml", files["prune-floor"], {"bench_action": "delete"}))
    runs = {name: [] for name, *_rest in cases}
    for _run in range(repeat):
        for name, book, items, extra in cases:
            emu.call("POST", "reset")
            runs[name].append(runner.run(book, items, extra=extra))
    results = {name: median_run(value) for name, value in runs.items()}
    for name, result in results.items():
        result.update(n=n, listed=len(new) if name.startswith("create") else len(listed), account=len(account),
                      deleted=len(unlisted) if name.startswith("prune") else 0)
        log("orgs lifecycle %s N=%d %.2fs cpu %.2fs %s" % (name, n, result["wall"], result["cpu"], result["requests"]))
    return results


def bench_leavers(runner, n, repeat):
    """The leavers rows of issue 25, for users, at the module's defaults (rate_limit 4/s, wait: true) against an
    emulator limiting the token to 4 requests/s: n listed users removed with `state: absent`, by `removal: delete`
    (one DELETE per user: the API documents no bulk delete of users) and by `removal: deactivate` (isActive false
    through the bulk update, one request per batch)."""
    emu = runner.emulator
    path = runner.workdir / ("leavers-%d.json" % n)
    path.write_text(json.dumps([{"username": "user-%05d" % i} for i in range(1, n + 1)]), encoding="utf-8")
    results = {}
    for removal in ("deactivate", "delete"):
        runs = []
        for _run in range(repeat):
            emu.call("POST", "reset")
            emu.call("POST", "config", {"rate_limit": 4})
            runs.append(runner.run("bulk_users.yml", path, extra={"bench_state": "absent", "bench_removal": removal,
                                                                  "bench_max_deletions": n}))
        result = median_run(runs)
        result.update(n=n, throttled_all_runs=sum(r["throttled"] for r in runs))
        results[removal] = result
        log("users leavers N=%d %s %.2fs cpu %.2fs %s" % (n, removal, result["wall"], result["cpu"], result["requests"]))
    emu.call("POST", "config", {"rate_limit": 0})
    return results


def fit_line(points):
    """Least-squares t = a + b*N through (N, t) points; one point: through the origin."""
    if len(points) == 1:
        (n, t), = points
        return 0.0, t / n
    mean_n = statistics.mean(point[0] for point in points)
    mean_t = statistics.mean(point[1] for point in points)
    slope = sum((n - mean_n) * (t - mean_t) for n, t in points) / sum((point[0] - mean_n) ** 2 for point in points)
    return mean_t - slope * mean_n, slope


def extrapolate_uri(results, sizes):
    """Fill (d) for the sizes where it was not run, linearly from the measured ones (marked extrapolated)."""
    for kind in KINDS:
        measured = sorted((n, r["d"]) for n, r in results[kind].items() if "d" in r)
        if not measured:
            continue
        intercept, slope = fit_line([(n, r["wall"]) for n, r in measured])
        cpu_intercept, cpu_slope = fit_line([(n, r["cpu"]) for n, r in measured])
        rss = max(point[1]["module_maxrss_kib"] for point in measured)
        per_item = max(r["module_processes"] / n for n, r in measured)
        basis = ", ".join("N=%d" % point[0] for point in measured)
        for n in sizes:
            if n not in results[kind] or "d" in results[kind][n]:
                continue
            results[kind][n]["d"] = {
                "wall": intercept + slope * n, "cpu": cpu_intercept + cpu_slope * n, "extrapolated": True,
                "basis": basis,
                "per_item": slope, "intercept": intercept,
                "reads": n, "writes": n, "requests": {"GET": n, "PATCH": n}, "throttled": 0,
                "module_processes": int(per_item * n), "module_wall": None, "module_cpu": None,
                "module_maxrss_kib": rss,
            }


# -- micro-benchmark ----------------------------------------------------------------------------------------

def run_micro(workdir, collections, out):
    """benchmarks/test_micro_bench.py under pytest-benchmark; returns its JSON (or None if it failed)."""
    env = dict(os.environ, PYTHONPATH=str(collections) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "pytest", str(HERE / "test_micro_bench.py"), "-q", "-p", "no:cacheprovider",
               "--rootdir", str(HERE), "--benchmark-json", str(out), "--benchmark-storage", str(workdir / "storage"),
               "--benchmark-columns", "min,median,max,rounds"]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False, cwd=str(HERE))
    sys.stderr.write(proc.stdout[-4000:])
    if proc.returncode != 0 or not out.exists():
        sys.stderr.write(proc.stderr[-4000:])
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def micro_summary(data):
    """name -> {median, min, max, rounds, extra} from the pytest-benchmark JSON."""
    summary = {}
    for bench in (data or {}).get("benchmarks", []):
        stats = bench["stats"]
        summary[bench["name"]] = {"median": stats["median"], "min": stats["min"], "max": stats["max"],
                                  "rounds": stats["rounds"], "extra": bench.get("extra_info", {})}
    return summary


# -- report -------------------------------------------------------------------------------------------------

def machine_info(collection):
    """What the numbers were measured on (and which commit of the collection)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
                    break
    except OSError:
        pass
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = "?"
    try:
        head = subprocess.run(["git", "-C", str(collection), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(collection), "status", "--porcelain", "--", "plugins"],
                               capture_output=True, text=True, check=True).stdout.strip()
        commit = head + (" (plugins/ with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {
        "commit": commit,
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": "%s %s" % (platform.system(), platform.release()),
        "python": platform.python_version(),
        "ansible_core": ansible_version,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "loadavg_start": os.getloadavg(),
    }


def fmt_s(value):
    """Seconds, with sensible precision."""
    if value is None:
        return "-"
    return "%.0f" % value if value >= 100 else "%.2f" % value if value < 10 else "%.1f" % value


def fmt_requests(result):
    """GET/PATCH counts as `reads + writes`."""
    text = "%d + %d" % (result["reads"], result["writes"])
    if result.get("throttled"):
        text += " (%d x 429)" % result["throttled"]
    return text


def runs_at(runs, n):
    """'3 runs at 10'."""
    return "%d run%s at %d" % (runs, "s" if runs > 1 else "", n)


def fmt_mib(kib):
    """KiB as MiB."""
    return "-" if not kib else "%.0f" % (kib / 1024.0)


def ids_per_lookup(kind):
    """How many ids one lookup request holds (the client's own chunking of 10,000 ids, with the playbook's keys)."""
    sys.path.insert(0, str(COLLECTIONS))
    # pylint: disable=import-outside-toplevel
    from ansible_collections.ubidots.industrial.plugins.module_utils import _client
    from ansible_collections.ubidots.industrial.plugins.module_utils._resources import ORGANIZATIONS, USERS

    class Fake(_client.UbidotsClient):
        """Counts the lookup requests instead of sending them."""

        def __init__(self):  # pylint: disable=super-init-not-called
            self.sent = []

        def list(self, path, params=None, page_size=None):
            self.sent.append(params)
            return iter(())

    spec, keys = (USERS, ("id", "firstName", "lastName", "tags")) if kind == "users" else \
        (ORGANIZATIONS, ("id", "name", "description"))
    fake = Fake()
    ids = [user_id(i) if kind == "users" else org_id(i) for i in range(1, 10001)]
    list(fake.lookup(spec.path, "id__in", ids, spec.read_fields(keys)))
    return max(len(p["id__in"].split(",")) for p in fake.sent)


def targets(results, sizes, rate, micro):
    """Every target of the issue: (what, value, met)."""
    rows = []
    for kind in KINDS:
        res = results[kind]
        for n, limit in ((1000, 1.5), (10000, 2.0)):
            if n in res:
                ratio = res[n]["a"]["wall"] / res[n]["e"]["wall"]
                cpu_ratio = res[n]["a"]["cpu"] / res[n]["e"]["cpu"]
                met = ratio <= limit or ("cpu" if cpu_ratio <= limit else False)
                rows.append(("%s: (a) within %.1fx of (e) at N=%d (wall; CPU)" % (kind, limit, n),
                             "%.2fx; %.2fx" % (ratio, cpu_ratio), met))
        for n in sizes:
            # A difference inside the spread of (a)'s own runs is noise, not "slower".
            a, b = res[n]["a"], res[n]["b"]
            ok = b["wall"] <= max(a["wall"] * 1.05, *a["walls"]) or (
                "cpu" if b["module_cpu"] <= a["module_cpu"] * 1.05 else False)
            rows.append(("%s: (b) no slower than (a) at N=%d (wall; module CPU)" % (kind, n),
                         "%s s vs %s s; %s s vs %s s" % (fmt_s(b["wall"]), fmt_s(a["wall"]),
                                                         fmt_s(b["module_cpu"]), fmt_s(a["module_cpu"])), ok))
        if 1000 in res and "d" in res[1000]:
            speedup = res[1000]["d"]["wall"] / res[1000]["a"]["wall"]
            rows.append(("%s: (a) at least 100x faster than (d) at N=1000%s"
                         % (kind, " (d extrapolated)" if res[1000]["d"].get("extrapolated") else ""),
                         "%.0fx" % speedup, speedup >= 100))
        for n in sizes:
            a, b, c = res[n]["a"], res[n]["b"], res[n]["c"]
            want_w = math.ceil(n / BATCH_SIZE)
            rows.append(("%s N=%d: (a) writes = ceil(N/%d) = %d; (b), (c) no write (reads: see the goals)"
                         % (kind, n, BATCH_SIZE, want_w),
                         "a %s, b %s, c %s" % (fmt_requests(a), fmt_requests(b), fmt_requests(c)),
                         a["writes"] == want_w and b["writes"] == 0 and c["writes"] == 0))
        if 1000 in res and 10000 in res and 10 in res:
            base = res[10]["a"]["module_maxrss_kib"]
            grow_1k = res[1000]["a"]["module_maxrss_kib"] - base
            grow_10k = res[10000]["a"]["module_maxrss_kib"] - base
            ratio = grow_10k / grow_1k if grow_1k > 0 else float("inf")
            rows.append(("%s: module memory linear in N (growth over N=10, 1,000 -> 10,000; linear 10x, "
                         "quadratic 100x)" % kind,
                         "%.0f -> %.0f MiB (+%.1f -> +%.1f MiB, %.1fx)" % (
                             res[1000]["a"]["module_maxrss_kib"] / 1024, res[10000]["a"]["module_maxrss_kib"] / 1024,
                             grow_1k / 1024, grow_10k / 1024, ratio),
                         ratio < LINEAR_LIMIT))
    for kind in KINDS:
        small = micro.get("test_validate_and_compare[%s-1000]" % kind)
        big = micro.get("test_validate_and_compare[%s-10000]" % kind)
        if small and big:
            time_ratio = big["min"] / small["min"]  # min: the least disturbed by other load
            mem_ratio = big["extra"].get("peak_alloc_bytes", 0) / max(small["extra"].get("peak_alloc_bytes", 1), 1)
            rows.append(("%s: validation + plan linear (1,000 -> 10,000; linear 10x, quadratic 100x)" % kind,
                         "time (min) %.1fx, peak allocation %.1fx" % (time_ratio, mem_ratio),
                         time_ratio < LINEAR_LIMIT and mem_ratio < LINEAR_LIMIT))
    return rows


# Issue 15's goal table: (measure, goal, limit). Ratios of wall times measured in one run.
GOALS_15 = (
    ("(a) all changed / (e) raw uri floor, 1,000 users", "<= 1.1x"),
    ("(a) / (e), 10,000 users", "<= 1.2x"),
    ("(c) --check --diff / (e), 10,000 users", "<= 1.6x"),
    ("(b) nothing to change / (e), 10,000 users", "<= 1.0x"),
    ("requests of (a) for 10,000 listed users in an account of 10,000", "<= 12 reads + ceil(N / batch_size) writes"),
    ("rate-limited run, 10,000 users, emulator at 4 requests/s, default options", "<= 12 s, zero HTTP 429"),
    ("module peak RSS of (a) / (e)'s, 10,000 users", "<= 1.2x"),
    ("100,000 users, (a) and (b): time and memory / the 10,000 figures", "completes; <= 11x"),
)


def goals(results, rate, micro):
    """Issue 15's goal table from this run: [(measure, goal, measured, met)], met None when not run."""
    users = results["users"]
    k1, k10, k100 = users.get(1000, {}), users.get(10000, {}), users.get(100000, {})
    rows = []

    def ratio(res, top, limit, both=("a", "e")):
        if top not in res or both[1] not in res:
            return "not run", None
        value = res[top]["wall"] / res[both[1]]["wall"]
        cpu = res[top]["cpu"] / res[both[1]]["cpu"]
        return "%.2fx (CPU %.2fx; %s s / %s s)" % (value, cpu, fmt_s(res[top]["wall"]), fmt_s(res[both[1]]["wall"])), \
            value <= limit

    ratios = ((k1, "a", 1.1), (k10, "a", 1.2), (k10, "c", 1.6), (k10, "b", 1.0))
    for (what, goal), (res, top, limit) in zip(GOALS_15[:4], ratios):
        rows.append((what, goal) + ratio(res, top, limit))
    what, goal = GOALS_15[4]
    if "a" in k10:
        a = k10["a"]
        rows.append((what, goal, "%d reads (%d of them the wait's re-read) + %d writes; (b) %s, (c) %s"
                     % (a["reads"], a["wait_reads"], a["writes"], fmt_requests(k10["b"]), fmt_requests(k10["c"])),
                     a["reads"] <= 12 and a["writes"] == math.ceil(10000 / BATCH_SIZE)))
    else:
        rows.append((what, goal, "not run", None))
    what, goal = GOALS_15[5]
    if rate and rate["n"] == 10000:
        rows.append((what, goal, "%s s, %s, %d x 429 in %d run%s" % (
            fmt_s(rate["wall"]), fmt_requests(rate), rate["throttled_all_runs"], rate["runs"],
            "" if rate["runs"] == 1 else "s"), rate["wall"] <= 12 and rate["throttled_all_runs"] == 0))
    else:
        rows.append((what, goal, "not run at 10,000" + (" (ran at %d)" % rate["n"] if rate else ""), None))
    what, goal = GOALS_15[6]
    if "a" in k10 and "e" in k10:
        value = k10["a"]["module_maxrss_kib"] / k10["e"]["module_maxrss_kib"]
        rows.append((what, goal, "%.2fx (%s / %s MiB)" % (value, fmt_mib(k10["a"]["module_maxrss_kib"]),
                                                          fmt_mib(k10["e"]["module_maxrss_kib"])), value <= 1.2))
    else:
        rows.append((what, goal, "not run", None))
    what, goal = GOALS_15[7]
    if "a" in k100 and "a" in k10:
        parts, ok = [], True
        for key in ("a", "b"):
            time_x = k100[key]["wall"] / k10[key]["wall"]
            mem_x = k100[key]["module_maxrss_kib"] / k10[key]["module_maxrss_kib"]
            ok = ok and time_x <= 11 and mem_x <= 11
            parts.append("(%s) %s s, %s MiB: time %.1fx, memory %.1fx" % (
                key, fmt_s(k100[key]["wall"]), fmt_mib(k100[key]["module_maxrss_kib"]), time_x, mem_x))
        rows.append((what, goal, "; ".join(parts), ok))
    else:
        rows.append((what, goal, "not run", None))
    # The direction on validation and comparison (not in the table, measured by the micro-benchmark).
    for n, limit in ((10000, 0.25), (100000, 2.5)):
        for kind in KINDS:
            name = "test_validate_and_compare[%s-%d]" % (kind, n)
            if name in micro:
                value = micro[name]["median"]
                rows.append(("direction: validation + plan of %s %s (micro, median)" % ("{:,}".format(n), kind),
                             "< %.2f s" % limit, "%.3f s" % value, value < limit))
    return rows


OPTIONS_TEXT = (
    "Options: every module run uses the module's defaults (`wait: true`, so the module re-reads the last object of "
    "each request until it shows; `batch_size: 500`; `update_password: on_create`; `state: present`, `prune: false`, "
    "`max_deletions: 10`) except `rate_limit: 0`, because the emulator's rate limit is off, in every row but the "
    "rate-limited one, which uses the defaults only (`rate_limit: 4`) against an emulator limiting the token to "
    "4 requests in any 1-second window. The prune row sets `prune: true` and `max_deletions` to the number of "
    "organizations it deletes. The emulator applies bulk tasks at once (`apply_delay` 0), so the wait's re-read "
    "is a single pass: one lookup for up to about 135 requests.")


def write_report(path, machine, results, sizes, rate, micro, target_rows, elapsed, goal_rows=(), lifecycle=None,  # pylint: disable=too-many-arguments
                 leavers=None):
    """results.md: the tables."""
    out = ["# Benchmark results", ""]
    out.append("Generated by `make bench` (`benchmarks/bench.py`) on %s in %.0f s." % (machine["date"], elapsed))
    out.append("")
    out.append("Machine: %s CPU(s), %s, %s RAM, %s; Python %s, ansible-core %s. Commit %s. "
               "Load average (1, 5, 15 min) at start: %s; at the end: %s."
               % (machine["nproc"], machine["cpu"], machine["memory"], machine["os"], machine["python"],
                  machine["ansible_core"], machine["commit"],
                  ", ".join("%.2f" % x for x in machine["loadavg_start"]),
                  ", ".join("%.2f" % x for x in machine["loadavg_end"])))
    out.append("")
    out.append(OPTIONS_TEXT)
    out.append("")
    out.append("Cost model inputs (see docs/performance.md): one `id__in` lookup holds %d user ids or %d organization "
               "ids (the client keeps URLs under 3,800 characters); writes are ceil(N / %d)."
               % (ids_per_lookup("users"), ids_per_lookup("orgs"), BATCH_SIZE))
    out.append("")
    out.append("Every value is the median of %d runs (%d at N <= %s) of a whole `ansible-playbook` process "
               "(start-up included). "
               "Requests are what the emulator logged, `reads + writes`; `wait` counts the reads sent after the "
               "first write (the wait's re-read). Module RSS is the peak resident set of "
               "the module process (for (d): the largest of its 2N `uri` processes). The input list is read with "
               "`lookup('file', ...) | from_json` in every playbook." % (REPEAT, SMALL_REPEAT, "{:,}".format(SMALL_N)))
    out.append("")
    if goal_rows:
        out.append("## Goals of issue 15 (ratios from this run)")
        out.append("")
        out.append("| measure | goal | measured | |")
        out.append("| --- | --- | --- | --- |")
        for what, goal, value, met in goal_rows:
            out.append("| %s | %s | %s | %s |" % (what, goal, value, GOAL_MET[met]))
        out.append("")
    for kind in KINDS:
        out.append("## %s" % ("Users (`ubidots_users_bulk`)" if kind == "users" else
                              "Organizations (`ubidots_orgs_bulk`)"))
        out.append("")
        out.append("| N | scenario | wall s | vs (e) | CPU s | requests | wait | module wall s | module CPU s "
                   "| module RSS MiB |")
        out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in sorted(results[kind]):
            res = results[kind][n]
            floor = res["e"]["wall"] if "e" in res else None
            for key in ("a", "b", "c", "d", "e"):
                if key not in res:
                    continue
                r = res[key]
                label = "(%s) %s" % (key, LABELS[key])
                if r.get("extrapolated"):
                    label += ", **extrapolated** from %s" % r["basis"]
                elif r.get("runs", REPEAT) < (SMALL_REPEAT if n <= SMALL_N else REPEAT):
                    label += ", %d run%s" % (r["runs"], "" if r["runs"] == 1 else "s")
                out.append("| %s | %s | %s%s | %s | %s%s | %s | %s | %s | %s | %s |" % (
                    "{:,}".format(n), label, "~" if r.get("extrapolated") else "", fmt_s(r["wall"]),
                    "%.2fx" % (r["wall"] / floor) if floor else "-", "~" if r.get("extrapolated") else "",
                    fmt_s(r["cpu"]), fmt_requests(r), r.get("wait_reads", "-"), fmt_s(r["module_wall"]),
                    fmt_s(r["module_cpu"]), fmt_mib(r["module_maxrss_kib"])))
        out.append("")
        measured = [n for n in sorted(results[kind])
                    if "d" in results[kind][n] and not results[kind][n]["d"].get("extrapolated")]
        extra = [n for n in sorted(results[kind]) if results[kind][n].get("d", {}).get("extrapolated")]
        if extra:
            d = results[kind][extra[0]]["d"]
            out.append("(d) was run at N = %s only (%s): a `uri` loop costs about %.2f s per %s here (two `uri` "
                       "module processes, each mostly start-up). The other sizes are the least-squares line "
                       "t = %.2f + %.3f N through those medians, and their requests are 2N by construction."
                       % (" and ".join(str(n) for n in measured),
                          ", ".join(runs_at(results[kind][n]["d"]["runs"], n) for n in measured),
                          d["per_item"], "user" if kind == "users" else "organization", d["intercept"], d["per_item"]))
            out.append("")
    if lifecycle:
        out.append("## Lifecycle rows (organizations, issue 13)")
        out.append("")
        out.append("create: N new organizations (`state: present`, every item new: one `bulk/create/` per batch) "
                   "in an account of N generated ones; its floor is one raw `uri` POST to `bulk/create/` of the same "
                   "items. prune: an account of N generated organizations plus the fixture's, N/2 of them listed "
                   "unchanged, `prune: true`, `max_deletions` = what it deletes; its floor is one raw `uri` POST to "
                   "`bulk/delete/` of the ids prune deletes (known in advance, no read).")
        out.append("")
        out.append("| row | N listed | account | deleted | wall s | vs floor | CPU s | requests | wait | module RSS MiB |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name in ("create", "create-floor", "prune", "prune-floor"):
            r = lifecycle[name]
            floor = lifecycle[name.split("-", maxsplit=1)[0] + "-floor"]["wall"]
            out.append("| %s | %s | %s | %s | %s | %.2fx | %s | %s | %s | %s |" % (
                name.replace("-floor", ": floor, one raw uri request"), "{:,}".format(r["listed"]),
                "{:,}".format(r["account"]), "{:,}".format(r["deleted"]), fmt_s(r["wall"]), r["wall"] / floor,
                fmt_s(r["cpu"]), fmt_requests(r), r.get("wait_reads", "-"), fmt_mib(r["module_maxrss_kib"])))
        out.append("")
    if leavers:
        out.extend(leavers_table(leavers))
    if rate:
        out.append("## Rate-limited run (what a real account takes)")
        out.append("")
        out.append("Users, N = %s, scenario (a) with every option at the module's default (`rate_limit: 4`, "
                   "`wait: true`), the emulator limiting the token to 4 requests in any 1-second window (the median "
                   "of %d runs):" % ("{:,}".format(rate["n"]), rate["runs"]))
        out.append("")
        out.append("| N | wall s | requests | wait | HTTP 429 (all %d runs) | module s | requests / 4 s |" % rate["runs"])
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        out.append("| %s | %s | %s | %d | %d | %s | %s |" % (
            "{:,}".format(rate["n"]), fmt_s(rate["wall"]), fmt_requests(rate), rate["wait_reads"],
            rate["throttled_all_runs"], fmt_s(rate["module_wall"]), fmt_s((rate["reads"] + rate["writes"]) / 4.0)))
        out.append("")
    if micro:
        out.append("## Micro-benchmark: validation + plan outside Ansible (pytest-benchmark)")
        out.append("")
        out.append("| benchmark | median s | min s | max s | rounds | peak allocation MiB |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, stats in sorted(micro.items()):
            peak = stats["extra"].get("peak_alloc_bytes")
            out.append("| `%s` | %.3f | %.3f | %.3f | %d | %s |" % (
                name, stats["median"], stats["min"], stats["max"], stats["rounds"],
                "%.1f" % (peak / 1048576.0) if peak else "-"))
        out.append("")
    out.append("## Standing checks (earlier issues)")
    out.append("")
    out.append("| target | measured | met |")
    out.append("| --- | --- | --- |")
    for what, value, met in target_rows:
        out.append("| %s | %s | %s |" % (what, value, MET[met]))
    out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def leavers_table(leavers):
    """The lines of the leavers section of results.md."""
    deactivate, delete = leavers["deactivate"], leavers["delete"]
    out = ["## Leavers (users, issue 25)", "",
           "%s listed users removed with `state: absent` at the module's defaults (`rate_limit: 4`, `wait: true`), the "
           "emulator limiting the token to 4 requests in any 1-second window (the median of %d runs): `removal: "
           "deactivate` sets `isActive: false` with the bulk update (one request per batch of 500); `removal: delete` "
           "sends one `DELETE` per user (the API documents no bulk delete of users)." % (
               "{:,}".format(delete["n"]), delete["runs"]), "",
           "| removal | N | wall s | requests | wait | HTTP 429 (all runs) | vs deactivate |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in (("deactivate", deactivate), ("delete", delete)):
        out.append("| %s | %s | %s | %s | %d | %d | %.1fx |" % (
            name, "{:,}".format(r["n"]), fmt_s(r["wall"]), fmt_requests(r), r["wait_reads"], r["throttled_all_runs"],
            r["wall"] / deactivate["wall"]))
    out.append("")
    return out


def write_chart(path, results, sizes, rate, lifecycle=None):
    """chart.png: wall time per scenario and N (log-log) for both resources, the module's peak RSS, and the
    requests (reads and writes) per scenario and N, with the rate-limited and lifecycle rows."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    styles = {"a": ("tab:blue", "o"), "b": ("tab:green", "s"), "c": ("tab:purple", "^"),
              "d": ("tab:red", "x"), "e": ("black", "D")}
    figure, grid = plt.subplots(2, 2, figsize=(15, 11))
    axes = grid.flatten()
    for axis, kind in zip(axes[:2], KINDS):
        res = results[kind]
        for key in ("a", "b", "c", "d", "e"):
            color, marker = styles[key]
            points = [(n, res[n][key]) for n in sorted(res) if key in res[n]]
            real = [(n, r["wall"]) for n, r in points if not r.get("extrapolated")]
            guessed = [(n, r["wall"]) for n, r in points if r.get("extrapolated")]
            if real:
                axis.plot([p[0] for p in real], [p[1] for p in real], marker=marker, color=color,
                          label="(%s) %s" % (key, LABELS[key]))
            if guessed:
                joined = real[-1:] + guessed
                axis.plot([p[0] for p in joined], [p[1] for p in joined], linestyle="--", color=color,
                          marker=marker, markerfacecolor="none", label="(%s) extrapolated" % key)
        if kind == "users" and rate:
            axis.plot([rate["n"]], [rate["wall"]], marker="*", markersize=13, color="tab:orange", linestyle="none",
                      label="(a) defaults, emulator at 4 requests/s")
        if kind == "orgs" and lifecycle:
            for name, marker in (("create", "P"), ("prune", "X")):
                r = lifecycle[name]
                axis.plot([r["listed"]], [r["wall"]], marker=marker, markersize=10, color="tab:brown",
                          linestyle="none", label="%s (%s)" % (name, "vs floor %.2fx" % (
                              r["wall"] / lifecycle[name + "-floor"]["wall"])))
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("N %s" % ("users" if kind == "users" else "organizations"))
        axis.set_ylabel("ansible-playbook wall time, s")
        axis.set_title("ubidots_%s_bulk: wall time (median)" % kind)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7.5, loc="upper left")
    axis = axes[2]
    for kind, color in (("users", "tab:blue"), ("orgs", "tab:cyan")):
        res = results[kind]
        for key, style in (("a", "-"), ("c", ":"), ("e", "--")):
            points = [(n, res[n][key]["module_maxrss_kib"] / 1024.0) for n in sorted(res)
                      if key in res[n] and not res[n][key].get("extrapolated")]
            if points:
                axis.plot([p[0] for p in points], [p[1] for p in points], style, marker="D" if key == "e" else "o",
                          color=color, alpha=0.6 if key == "e" else 1.0, label="%s (%s) %s" % (kind, key, LABELS[key]))
    axis.set_xscale("log")
    axis.set_xlabel("N")
    axis.set_ylabel("peak RSS of the module process, MiB")
    axis.set_title("module process memory (N on a log axis: linear growth curves upward)", fontsize=9)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7.5, loc="upper left")
    axis = axes[3]
    for kind, style in (("users", "-"), ("orgs", ":")):
        res = results[kind]
        for key in ("a", "b", "c", "e"):
            color, marker = styles[key]
            for what, fill in (("reads", "full"), ("writes", "none")):
                points = [(n, res[n][key][what]) for n in sorted(res) if key in res[n] and res[n][key][what]]
                if points and not (key == "e" and what == "reads"):
                    axis.plot([p[0] for p in points], [p[1] for p in points], style, marker=marker, color=color,
                              fillstyle=fill, alpha=0.85,
                              label="%s (%s) %s" % (kind, key, what) if kind == "users" or key == "a" else None)
    if rate:
        axis.plot([rate["n"]], [rate["reads"] + rate["writes"]], marker="*", markersize=13, color="tab:orange",
                  linestyle="none", label="users (a) rate-limited: %s requests, %s s, %d x 429" % (
                      fmt_requests(rate), fmt_s(rate["wall"]), rate["throttled_all_runs"]))
    if lifecycle:
        for name, marker in (("create", "P"), ("prune", "X")):
            r = lifecycle[name]
            axis.plot([r["listed"]], [r["reads"] + r["writes"]], marker=marker, markersize=10, color="tab:brown",
                      linestyle="none", label="orgs %s: %s" % (name, fmt_requests(r)))
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("N (users: solid, organizations: dotted; filled: reads, hollow: writes)")
    axis.set_ylabel("HTTP requests the emulator logged")
    axis.set_title("requests per run: reads (wait re-read included) and writes", fontsize=9)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# -- main ---------------------------------------------------------------------------------------------------

REPEAT = 3
SMALL_REPEAT = 5
SMALL_N = 1000  # up to this N, a measurement is the median of SMALL_REPEAT runs
COLLECTIONS = None


def main(argv=None):
    """Command line entry point."""
    global REPEAT, SMALL_REPEAT, COLLECTIONS  # pylint: disable=global-statement
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="N values (default 10,100,1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, the median is kept (default 3)")
    parser.add_argument("--small-repeat", type=int, default=5,
                        help="runs per measurement at N <= %d, where a run takes 2-3 s and the noise of a shared "
                             "machine is a larger part of it (default 5)" % SMALL_N)
    parser.add_argument("--uri-sizes", default="10,25",
                        help="N values at which (d) really runs; the others are extrapolated (default 10,25)")
    parser.add_argument("--uri-repeat-max", type=int, default=10,
                        help="(d) runs --repeat times up to this N, once above it (default 10)")
    parser.add_argument("--large-sizes", default="100000",
                        help="N values at which only (a) and (b) of users run, empty to skip (default 100000)")
    parser.add_argument("--rate-size", type=int, default=10000,
                        help="N users for the rate-limited run, 0 to skip (default 10000; must be one of --sizes)")
    parser.add_argument("--rate-repeat", type=int, default=3,
                        help="runs of the rate-limited row, the median is kept (default 3)")
    parser.add_argument("--lifecycle-size", type=int, default=1000,
                        help="N organizations of the lifecycle rows (create; prune), 0 to skip (default 1000)")
    parser.add_argument("--leavers-size", type=int, default=1000,
                        help="N users of the leavers rows (removal deactivate vs delete at 4 requests/s), 0 to skip"
                             " (default 1000; the delete row takes about N / 4 seconds)")
    parser.add_argument("--leavers-repeat", type=int, default=1, help="runs of each leavers row (default 1)")
    parser.add_argument("--kinds", default="users,orgs", help="users,orgs")
    parser.add_argument("--scenarios", default="abce", help="which of a, b, c, e to run (default abce)")
    parser.add_argument("--no-micro", action="store_true", help="skip the pytest-benchmark micro-benchmark")
    parser.add_argument("--collection", default=str(REPO),
                        help="checkout to benchmark as ubidots.industrial (default: this one); to compare a patch")
    parser.add_argument("--workdir", default=str(REPO / ".build" / "bench"), help="scratch directory")
    parser.add_argument("--results", default=str(HERE / "results"), help="output directory")
    args = parser.parse_args(argv)
    REPEAT = args.repeat
    SMALL_REPEAT = args.small_repeat
    sizes = sorted(int(x) for x in args.sizes.split(","))
    large_sizes = sorted(int(x) for x in args.large_sizes.split(",") if x)
    uri_sizes = {int(x) for x in args.uri_sizes.split(",") if x}
    kinds = [k for k in args.kinds.split(",") if k]
    workdir = Path(args.workdir).resolve()
    results_dir = Path(args.results).resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "tmp").mkdir(parents=True)
    results_dir.mkdir(parents=True, exist_ok=True)
    COLLECTIONS = workdir / "collections"
    link = COLLECTIONS / "ansible_collections" / "ubidots" / "industrial"
    link.parent.mkdir(parents=True)
    link.symlink_to(Path(args.collection).resolve(), target_is_directory=True)

    machine = machine_info(Path(args.collection).resolve())
    log("machine: %s" % json.dumps(machine))
    runner = Runner(workdir, COLLECTIONS)
    results = {kind: {} for kind in KINDS}
    rate = None
    for index, n in enumerate(sizes):
        files = write_items(workdir, n)
        # (d) at M runs against the emulator of the smallest N >= M (the last one for bigger M).
        uri_here = sorted(m for m in uri_sizes if m <= n and (index == 0 or m > sizes[index - 1])
                          or index == len(sizes) - 1 and m > n)
        runner.emulator = EmulatorProcess(workdir, max([n] + uri_here), max([n] + uri_here))
        try:
            for kind in kinds:
                results[kind][n] = bench_size(runner, files, n, kind, args.small_repeat if n <= SMALL_N else args.repeat,
                                              args.scenarios)
                for m in uri_here:
                    uri_files = files if m == n else write_items(workdir, m)
                    results[kind].setdefault(m, {})["d"] = bench_uri(
                        runner, uri_files, m, kind, args.repeat if m <= args.uri_repeat_max else 1)
            if n == args.rate_size:
                rate = bench_rate_limited(runner, files, n, args.rate_repeat)
                rate["n"] = n
        finally:
            runner.emulator.stop()
    extrapolate_uri(results, sizes)
    lifecycle = None
    if args.lifecycle_size:
        runner.emulator = EmulatorProcess(workdir, 0, args.lifecycle_size)
        try:
            lifecycle = bench_lifecycle(workdir, runner, args.lifecycle_size, args.repeat)
        finally:
            runner.emulator.stop()
    leavers = None
    if args.leavers_size and "users" in kinds:
        runner.emulator = EmulatorProcess(workdir, args.leavers_size, 0)
        try:
            leavers = bench_leavers(runner, args.leavers_size, args.leavers_repeat)
        finally:
            runner.emulator.stop()
    for n in large_sizes if "users" in kinds else ():
        files = write_items(workdir, n, kinds=("users",))
        runner.emulator = EmulatorProcess(workdir, n, 0)
        try:
            results["users"][n] = bench_large(runner, files, n, args.repeat)
        finally:
            runner.emulator.stop()

    micro = {}
    micro_raw = None
    if not args.no_micro:
        log("micro-benchmark")
        micro_raw = run_micro(workdir, COLLECTIONS, results_dir / "micro.json")
        micro = micro_summary(micro_raw)

    kinds_done = [k for k in KINDS if results[k]]
    complete = kinds_done == list(KINDS) and set(args.scenarios) >= set("abce")
    elapsed = time.monotonic() - START
    machine["loadavg_end"] = os.getloadavg()
    rows = targets(results, sizes, rate, micro) if complete else []
    goal_rows = goals(results, rate, micro) if "users" in kinds_done else []
    raw = {"machine": machine, "sizes": sizes, "large_sizes": large_sizes, "repeat": args.repeat, "small_repeat": args.small_repeat,
           "batch_size": BATCH_SIZE, "options": OPTIONS_TEXT,
           "results": {k: {str(n): v for n, v in results[k].items()} for k in kinds_done},
           "rate_limited": rate, "lifecycle": lifecycle, "leavers": leavers, "micro": micro, "targets": [list(r) for r in rows],
           "goals": [list(r) for r in goal_rows], "elapsed_s": elapsed}
    (results_dir / "results.json").write_text(json.dumps(raw, indent=1, sort_keys=True), encoding="utf-8")
    for what, goal, value, met in goal_rows:
        log("goal %s: %s (%s): %s" % (GOAL_MET[met].strip("*"), what, goal, value))
    if complete:
        write_report(results_dir / "results.md", machine, results, sizes, rate, micro, rows, elapsed, goal_rows,
                     lifecycle, leavers)
        write_chart(results_dir / "chart.png", results, sizes, rate, lifecycle)
        missed = [r for r in rows if r[2] is not True]
        log("done in %.0f s: %s, %s; %d target(s) missed"
            % (elapsed, results_dir / "results.md", results_dir / "chart.png", len(missed)))
        for what, value, met in missed:
            log("  %s: %s: %s" % ("missed" if met is False else "missed on wall time only", what, value))
    else:
        log("done in %.0f s: %s (the tables need both kinds and every scenario)" % (elapsed, results_dir / "results.json"))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
