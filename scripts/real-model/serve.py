#!/usr/bin/env python3
"""Serves SmolLM2-135M-Instruct (installed by install.sh) over an OpenAI-compatible API on
127.0.0.1, for the real-model test and Examples/agent-tools.

    serve.py [--backend llama-cpp|xllamacpp] [--port N] [--log FILE] [--model PATH]

Prints `PORT <n>` on stdout once the model is loaded and the port listens (port 0, the default,
takes a free one), then nothing more on stdout: diagnostics go to stderr. The base URL is
http://127.0.0.1:<n>/v1. With --log, every request it answers is one JSON line in FILE:
{"method", "path", "status", "body", "response"}, so a caller can count and read what the model
was asked.

Backends:
  llama-cpp  llama-cpp-python's server with the chatml-function-calling chat format: real
             `tool_calls` when the request's tool_choice names a function.
  xllamacpp  the prebuilt llama.cpp server: chat and `response_format` JSON-schema output
             (it does not enforce tool_choice).

Runs until killed; the process that prints the port is the server itself, so killing it (even
with SIGKILL) leaves nothing behind.
"""

import argparse
import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model():
    directory = os.environ.get("EVALGUARD_MODEL_DIR") or os.path.expanduser("~/.cache/evalguard/models")
    return os.path.join(directory, MODEL_NAME)


def fail(message):
    sys.stderr.write(f"serve.py: {message}\n")
    sys.exit(2)


class RequestLog:
    """One JSON line per answered request, appended under a lock (requests may overlap)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, method, path, status, body, response):
        if not self.path:
            return
        record = {"method": method, "path": path, "status": status,
                  "body": as_json(body), "response": as_json(response)}
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def as_json(data):
    text = bytes(data).decode("utf-8", "replace")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def announce(port):
    """The readiness line, then stdout points at stderr: a caller that reads only this line
    never has its pipe filled by a server's later chatter."""
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    os.dup2(2, 1)


def listening_socket(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


def serve_llama_cpp(args, log):
    try:
        import uvicorn
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as error:
        fail(f"llama-cpp-python[server] is not installed ({error}): run scripts/real-model/install.sh")
    app = create_app(
        server_settings=ServerSettings(host="127.0.0.1", port=args.port),
        model_settings=[ModelSettings(model=args.model, model_alias="smollm2", chat_format="chatml-function-calling",
                                      n_ctx=args.n_ctx, n_threads=args.threads, n_threads_batch=args.threads,
                                      seed=args.seed, verbose=False)],
    )

    async def logged(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        body, response, status = bytearray(), bytearray(), [0]
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        forwarded = [bytes(body)]

        async def receive_logged():
            if forwarded:
                return {"type": "http.request", "body": forwarded.pop(), "more_body": False}
            return await receive()

        async def send_logged(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                response.extend(message.get("body", b""))
            await send(message)

        try:
            await app(scope, receive_logged, send_logged)
        finally:
            log.write(scope["method"], scope["path"], status[0], body, response)

    sock = listening_socket(args.port)
    server = uvicorn.Server(uvicorn.Config(logged, log_level="warning", access_log=False))
    # The socket already listens: a request sent after this line waits in its backlog until
    # the event loop accepts it.
    announce(sock.getsockname()[1])
    server.run(sockets=[sock])


def serve_xllamacpp(args, log):
    try:
        import xllamacpp
    except ImportError as error:
        fail(f"xllamacpp is not installed ({error}): run scripts/real-model/install.sh")
    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_ctx = args.n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.sampling.seed = args.seed
    engine = xllamacpp.Server(params)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self.answer(404, {"error": {"message": f"no route {self.path}"}}, body)
            try:
                answer = engine.handle_chat_completions(json.loads(body))
            except (ValueError, TypeError) as error:
                return self.answer(400, {"error": {"message": str(error), "type": "invalid_request_error"}}, body)
            status = int(answer["error"].get("code", 400)) if isinstance(answer.get("error"), dict) else 200
            self.answer(status, answer, body)

        def answer(self, status, payload, body):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            log.write("POST", self.path, status, body, data)

        def log_message(self, *_):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    announce(http.server_address[1])
    http.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["llama-cpp", "xllamacpp"], default="llama-cpp")
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append one JSON line per answered request")
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if not os.path.isfile(args.model):
        fail(f"no model at {args.model}: run scripts/real-model/install.sh")
    log = RequestLog(args.log)
    (serve_llama_cpp if args.backend == "llama-cpp" else serve_xllamacpp)(args, log)


if __name__ == "__main__":
    main()
