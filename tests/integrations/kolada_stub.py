"""A local stand-in for api.kolada.se: serves recorded JSON over real HTTP on 127.0.0.1.

The client under test talks to it through ``urllib`` exactly as it talks to Kolada. Routes are
keyed by path + query (query order-insensitive); each route holds a queue of responses, the last
of which repeats. Every request the server saw is kept in ``stub.requests``.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RESPONSES = Path(__file__).parent / "kolada_responses"


def normalise(path_qs: str) -> str:
    parts = urllib.parse.urlsplit(path_qs)
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


@dataclass
class Reply:
    status: int = 200
    body: str | dict = "empty.json"  # a file in kolada_responses/ or a JSON-able object
    headers: dict = field(default_factory=dict)


class KoladaStub:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[str] = []
        self.fallback: Callable[[str], Reply] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.origin + "/v3"

    def add(self, path_qs: str, *replies: Reply | str) -> None:
        """Serve ``replies`` in order for ``path_qs`` (relative to /v3/); the last one repeats."""
        key = normalise("/v3/" + path_qs.lstrip("/"))
        self.routes[key] = [Reply(body=r) if isinstance(r, str) else r for r in replies]

    def paths(self) -> list[str]:
        return [urllib.parse.unquote(p) for p in self.requests]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, raw_path: str) -> Reply:
        queue = self.routes.get(normalise(raw_path))
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        if self.fallback:
            return self.fallback(raw_path)
        return Reply(404, {"error": f"no recorded response for {raw_path}"})

    def _render(self, reply: Reply) -> bytes:
        if isinstance(reply.body, dict):
            text = json.dumps(reply.body, ensure_ascii=False)
        else:
            text = (RESPONSES / reply.body).read_text(encoding="utf-8")
        return text.replace("__BASE__", self.origin).encode("utf-8")

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                stub.requests.append(self.path)
                reply = stub._reply_for(self.path)
                body = stub._render(reply)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


class SleepRecorder:
    """An injectable ``sleep`` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
