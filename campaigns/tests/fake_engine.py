"""A real HTTP server on 127.0.0.1 that answers like the AICMO backend or an OpenAI-compatible
endpoint: well, with malformed JSON, with an error status, or too slowly."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def good_answer(brief: dict) -> dict:
    """A valid contract answer for the brief: one short post per slot."""
    return {
        "plan": {
            "pillars": ["Craft", "Community"],
            "audience": "Home baristas",
            "key_messages": ["Fresh beans, roasted weekly"],
            "rationale": "From the fake backend.",
        },
        "items": [
            {
                "platform": slot["platform"],
                "pillar": "Craft" if slot["index"] % 2 == 0 else "Community",
                "caption": f"Remote post {slot['index'] + 1}: how we roast.",
                "hashtags": ["coffee"],
                "link": "https://brand.example/roast",
                "call_to_action": "Read more",
                "image_brief": "Beans in the roaster",
                "image_alt": "Coffee beans turning in a drum roaster",
            }
            for slot in brief["slots"]
        ],
    }


class FakeEngineServer:
    """`mode` is one of: good, malformed, error, slow, wrong_shape, too_long, fenced (openai).
    `flavour` is http (the AICMO backend) or openai (chat completions)."""

    def __init__(self, flavour: str = "http"):
        self.flavour = flavour
        self.mode = "good"
        self.slow_seconds = 1.0
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body,
                                        "auth": self.headers.get("Authorization", "")})
                status, payload = server.answer(body)
                if server.mode == "slow":
                    time.sleep(server.slow_seconds)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as it should

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, body: dict) -> tuple[int, object]:
        if self.mode == "error":
            return 500, {"error": "boom"}
        if self.mode == "malformed":
            if self.flavour == "openai":
                return 200, {"choices": [{"message": {"content": "{not json"}}]}
            return 200, b"{not json"
        brief = body if self.flavour == "http" else json.loads(body["messages"][1]["content"])
        answer = good_answer(brief)
        if self.mode == "wrong_shape":
            answer = {"plan": "nope", "items": {}}
        if self.mode == "too_long":
            answer["items"][0]["caption"] = "x" * 5000
        if self.flavour == "openai":
            content = json.dumps(answer)
            if self.mode == "fenced":
                content = f"```json\n{content}\n```"
            return 200, {"choices": [{"message": {"role": "assistant", "content": content}}]}
        return 200, answer

    def __enter__(self) -> FakeEngineServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
