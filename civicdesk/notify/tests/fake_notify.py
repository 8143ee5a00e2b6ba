"""A stand-in for Notify's API on a local port, so the live client runs its real HTTP path.

It checks what Notify checks first (the JWT signed with the key's secret, issued by the
service id) and answers 201 with Notify's response shape, or whatever the test queues; it lists
what it was sent (GET /v2/notifications, by reference too) as Notify does.
"""

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"civicdesk_test-{SERVICE_ID}-{SECRET}"


@dataclass
class FakeNotify:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Answers to give instead of 201, first in first out: (status, JSON body).
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # What Notify holds, newest first, as GET /v2/notifications lists it.
    notifications: list[dict[str, Any]] = field(default_factory=list)


def _handler(fake: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self, body: dict[str, Any]) -> bool:
            """Records the request; answers it with a 403 or a queued answer if due."""
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            except jwt.PyJWTError:
                claims = {}
            fake.requests.append({"path": self.path, "body": body, "claims": claims})
            if claims.get("iss") != SERVICE_ID:
                self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return False
            if fake.answers:
                self._answer(*fake.answers.pop(0))
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorised({}):
                return
            query = parse_qs(urlsplit(self.path).query)
            wanted = query.get("reference", [None])[0]
            listed = [n for n in fake.notifications if wanted in (None, n.get("reference"))]
            self._answer(200, {"notifications": listed, "links": {"current": self.path}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self._authorised(body):
                return
            notification_id = str(uuid.uuid4())
            fake.notifications.insert(
                0,
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "subject": "From Notify",
                    "body": "Body as Notify made it",
                    "status": "created",
                },
            )
            template_id = body["template_id"]
            self._answer(
                201,
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "content": {"subject": "From Notify", "body": "Body as Notify made it"},
                    "uri": f"{fake.base_url}/v2/notifications/{notification_id}",
                    "template": {
                        "id": template_id,
                        "version": 3,
                        "uri": f"{fake.base_url}/v2/template/{template_id}",
                    },
                    "scheduled_for": None,
                },
            )

    return Handler


class FakeNotifyServer:
    """Serves a FakeNotify on 127.0.0.1 until stopped."""

    def __init__(self) -> None:
        self.fake = FakeNotify()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
