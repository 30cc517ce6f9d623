"""A built site served as a static host serves it, and Debian's Chromium with the flags we run it
with: one place for the browser tests, the benchmarks and the screenshots."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# no sandbox (root in CI), no GPU, and nothing fetched from other hosts in the background
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    not_found_page: Path | None = None  # answers a missing page, as a static host does

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the browser closed the connection first
            pass

    def send_error(self, code, message=None, explain=None):
        if code != 404 or self.not_found_page is None:
            return super().send_error(code, message, explain)
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(site_dir: Path | str, not_found_page: bool = False) -> http.server.ThreadingHTTPServer:
    """Serve `site_dir` on 127.0.0.1 (a free port: `server.server_address[1]`) in a thread; with
    `not_found_page`, a missing page answers 404 with the site's 404.html. Stop with `shutdown()`."""
    handler = type("Handler", (_Handler,), {"not_found_page": Path(site_dir) / "404.html" if not_found_page else None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
