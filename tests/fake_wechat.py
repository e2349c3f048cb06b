"""A local stand-in for WeChat's API (the real one cannot be reached from the test machine).

It speaks the two documented endpoints over real HTTP, in a thread:

- ``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` →
  ``{"access_token": "…", "expires_in": 7200}``, or ``{"errcode": 40013, "errmsg": "invalid
  appid"}`` / ``{"errcode": 40001, "errmsg": "invalid credential…"}`` (wrong secret);
- ``GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi`` →
  ``{"errcode": 0, "errmsg": "ok", "ticket": "…", "expires_in": 7200}``, or 40001 for a token it
  never issued (or one revoked), 42001 for an expired one.

Tests change ``expires_in``, revoke tokens, force an error code or a 500, and read the calls.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_ID = "wx0123456789abcdef"
APP_SECRET = "0123456789abcdef0123456789abcdef"


class FakeWeChat:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.expires_in = 7200
        self.tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.issued = 0
        self.token_error: dict | None = None  # forced answer of /cgi-bin/token
        self.ticket_error: dict | None = None  # forced answer of /cgi-bin/ticket/getticket
        self.status = 200
        self.delay = 0.0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [path for path, _ in self.calls]

    def revoke_tokens(self) -> None:
        """As when another server of the same 公众号 fetched a new token."""
        self.tokens.clear()

    def ticket_for(self, token: str) -> str:
        return f"ticket-for-{token}"

    def _answer(self, path: str, params: dict) -> dict:
        with self._lock:
            self.calls.append((path, params))
        if path == "/cgi-bin/token":
            if self.token_error:
                return self.token_error
            if params.get("grant_type") != "client_credential":
                return {"errcode": 40002, "errmsg": "invalid grant_type"}
            if params.get("appid") != APP_ID:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            if params.get("secret") != APP_SECRET:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            with self._lock:
                self.issued += 1
                token = f"token-{self.issued}"
                self.tokens[token] = time.time() + self.expires_in
            return {"access_token": token, "expires_in": self.expires_in}
        if path == "/cgi-bin/ticket/getticket":
            if self.ticket_error:
                return self.ticket_error
            token = params.get("access_token", "")
            if token not in self.tokens:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            if self.tokens[token] < time.time():
                return {"errcode": 42001, "errmsg": "access_token expired"}
            if params.get("type") != "jsapi":
                return {"errcode": 40097, "errmsg": "invalid args"}
            return {
                "errcode": 0,
                "errmsg": "ok",
                "ticket": self.ticket_for(token),
                "expires_in": self.expires_in,
            }
        return {"errcode": 48001, "errmsg": "api unauthorized"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(parts.query))
                if fake.delay:
                    time.sleep(fake.delay)
                body = json.dumps(fake._answer(parts.path, params)).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json; encoding=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
