# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP server and request handler (keep-alive, TLS, faults, dispatch)."""

from __future__ import annotations

import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .common import HTML_BODY, STATUS_DETAILS, dumps


class Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its Emulator and its open connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address, handler, emulator, family):
        self.address_family = family
        self.emulator = emulator
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self):
        """Bind without HTTPServer's reverse DNS lookup of the address (slow on some hosts)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        """Report a broken connection in one line (never a request's content)."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            sys.stderr.write("ubidots-emulator: error while serving a request: %s\n" % type(exc).__name__)


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler for the API and the control endpoints."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1
    server_version = "UbidotsEmulator/1.0"
    sys_version = ""

    def setup(self):
        """Register the connection (stop() closes it) and finish a TLS handshake in this thread."""
        with self.server.connections_lock:
            self.server.connections.add(self.request)
        try:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.settimeout(30)
                self.request.do_handshake()
                self.request.settimeout(None)
            super().setup()
        except BaseException:
            with self.server.connections_lock:
                self.server.connections.discard(self.request)
            raise

    def finish(self):
        """Unregister the connection."""
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.request)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence the default access log: it would print query strings, tokens included."""
        return

    def do_GET(self):
        """Serve GET."""
        self._dispatch()

    def do_POST(self):
        """Serve POST."""
        self._dispatch()

    def do_PATCH(self):
        """Serve PATCH."""
        self._dispatch()

    def do_PUT(self):
        """Serve PUT."""
        self._dispatch()

    def do_DELETE(self):
        """Serve DELETE."""
        self._dispatch()

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self):
        emulator = self.server.emulator
        emulator.touch()
        path, _sep, query = self.path.partition("?")
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(400, dumps({"detail": "Malformed request body framing."}))
            return
        try:
            control = emulator.control_path(path)
            if control is not None:
                status, payload, after = emulator.control(self.command, control, raw, query)
                self._send(status, dumps(payload))
                self.wfile.flush()
                if after:
                    after()
            else:
                self._api(path, query, raw)
        except OSError:
            # The client went away, or stop() closed the connection.
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            # Never echo the exception text: it could hold request content.
            sys.stderr.write("ubidots-emulator: internal error %s on %s %s\n" % (type(exc).__name__, self.command, path))
            self.close_connection = True
            self._send(500, dumps({"detail": "A server error occurred."}))
        finally:
            emulator.touch()

    def _api(self, path, query, raw):
        emulator = self.server.emulator
        method = self.command
        pairs = parse_qsl(query, keep_blank_values=True)
        entry = emulator.new_entry(method, path, pairs, self.headers, raw)
        fault = emulator.take_fault(path, method)
        kind = fault.kind if fault else None
        if kind == "drop":
            emulator.record(entry, None, kind)
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "reset":
            # Issue 28: a connection reset (TCP RST) after the request was read, as a crashed proxy or a firewall
            # gives: SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            emulator.record(entry, None, kind)
            self.close_connection = True
            try:
                self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.request.close()
            except OSError:
                pass
            return
        if kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
            detail = fault.detail or STATUS_DETAILS.get(fault.status, "Injected fault.")
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, dumps({"detail": detail}), headers=headers)
            return
        if kind == "html":
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, HTML_BODY, content_type="text/html; charset=utf-8")
            return
        if kind == "redirect":
            # Answers like a proxy or a moved API would; whether the client follows it (and with which headers)
            # shows in the log of whoever serves the Location (for example a second Emulator).
            emulator.record(entry, fault.status, kind)
            self._send(fault.status, dumps({"detail": "Moved."}), headers={"Location": fault.location})
            return
        if kind == "delay":
            time.sleep(fault.delay)
        origin = "%s://%s" % (emulator.scheme, self.headers.get("Host") or emulator.netloc)
        status, payload, headers = emulator.handle_api(method, path, pairs, self.headers, raw, origin)
        body = b"" if payload is None else dumps(payload)
        if kind == "truncate":
            body = body[:len(body) // 2]
        emulator.record(entry, status, kind)
        # "untyped" (issue 28): the same answer without a Content-Type header, as some proxies give.
        self._send(status, body, content_type=None if kind == "untyped" else "application/json", headers=headers)
