# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An emulator of the Ubidots API v2.0 (users and organizations), Python standard library only.

It serves the endpoints the ubidots.industrial collection uses, with the answers, error bodies and
bulk semantics that the public documentation describes, plus a control API under /_emulator/ that
tests use to read the request log, change the data, inject faults and tune rate limits.

Use it from Python::

    from ubidots_emulator import Emulator
    with Emulator() as emu:
        requests.get(emu.url + "/api/v2.0/users/", headers={"X-Auth-Token": emu.token})

or from a shell::

    python tests/emulator/ubidots_emulator.py --port 0 --port-file /tmp/ubidots.url

This file is the entry point (command line and imports); the code lives in the ubidots_emu package beside it.
See README.md beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ubidots_emu import (  # noqa: E402  pylint: disable=wrong-import-position
    API_PREFIX, DEFAULT_FIXTURE, Emulator, Invalid, Store, generate, password_digest)

__all__ = ["API_PREFIX", "DEFAULT_FIXTURE", "Emulator", "Invalid", "Store", "generate", "main", "password_digest"]


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Emulated Ubidots API v2.0 for tests.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 = any free one (default)")
    parser.add_argument("--fixture", help="JSON fixture (default: fixtures/default.json)")
    parser.add_argument("--port-file", help="write the base URL to this file once listening")
    parser.add_argument("--idle-timeout", type=float, default=300.0, help="stop after this many idle seconds (0 = never)")
    parser.add_argument("--apply-delay", type=float, default=0.0, help="seconds before an accepted bulk update is applied")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second per token (default: off)")
    parser.add_argument("--generate-users", type=int, default=0, help="add this many generated users")
    parser.add_argument("--generate-orgs", type=int, default=0, help="add this many generated organizations")
    parser.add_argument("--tls-cert", help="certificate file (PEM) to serve https")
    parser.add_argument("--tls-key", help="key file (PEM) of --tls-cert")
    parser.add_argument("--path-prefix", default="", help="serve the API under this path (e.g. /ubidots), as behind a proxy")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    fixture = args.fixture
    if args.generate_users or args.generate_orgs:
        base = None
        if fixture:
            with open(fixture, encoding="utf-8") as handle:
                base = json.load(handle)
        fixture = generate(args.generate_users, args.generate_orgs, base)
    try:
        emulator = Emulator(fixture, host=args.host, port=args.port, idle_timeout=args.idle_timeout,
                            apply_delay=args.apply_delay, rate_limit=args.rate_limit,
                            tls=(args.tls_cert, args.tls_key) if args.tls_cert else None, path_prefix=args.path_prefix)
    except (ValueError, OSError) as exc:
        sys.stderr.write("ubidots-emulator: %s\n" % exc)
        return 2
    emulator.start()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        threading.Thread(target=emulator.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.port_file:
        # Written first and atomically: whoever reads the URL on stdout also finds the file complete.
        temporary = args.port_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
        os.replace(temporary, args.port_file)
    sys.stdout.write("UBIDOTS_API_URL=%s\n" % emulator.url)
    sys.stdout.flush()
    while not emulator.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
