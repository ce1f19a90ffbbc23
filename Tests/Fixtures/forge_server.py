#!/usr/bin/env python3
"""A stand-in for the GitHub and GitLab REST APIs (the comment and note endpoints) and for a
release download server, on 127.0.0.1, for tests.

usage: forge_server.py --log FILE [--token T] [--files DIR] [--seed N]

Prints "PORT <n>" once it listens. Every request is appended to --log as one JSON line:
{"method", "path", "auth", "body"}. Comments live in memory, one list per pull or merge request.
--seed N starts every list with N comments by someone else (to exercise pagination).
--files DIR serves DIR's files under /download/.

GitHub:  GET/POST /repos/{owner}/{repo}/issues/{n}/comments, PATCH /repos/{owner}/{repo}/issues/comments/{id}
         (Authorization: Bearer T)
GitLab:  GET/POST /api/v4/projects/{id}/merge_requests/{iid}/notes, PUT .../notes/{id}  (PRIVATE-TOKEN: T)
"""
import argparse
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

args = None
lock = threading.Lock()
threads = {}      # (forge, project, number) -> [comment]
by_id = {}        # comment id -> comment
next_id = [1000]


def thread(key):
    if key not in threads:
        threads[key] = []
        for i in range(args.seed):
            threads[key].append(new_comment(f"someone else's comment {i}", "someone"))
    return threads[key]


def new_comment(body, author):
    next_id[0] += 1
    comment = {"id": next_id[0], "body": body, "user": {"login": author}, "author": {"username": author}}
    by_id[comment["id"]] = comment
    return comment


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        auth = self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN")
        status, payload, content_type = self.answer(url, body, auth)
        written = payload.get("id") if isinstance(payload, dict) and self.command != "GET" else None
        with lock:
            with open(args.log, "a") as log:
                log.write(json.dumps({"method": self.command, "path": url.path, "query": url.query,
                                      "auth": auth, "body": body, "status": status, "id": written}) + "\n")
        self.reply(status, payload, content_type)

    def answer(self, url, body, auth):
        """(status, payload, content type) for one request."""
        if url.path.startswith("/download/") and args.files:
            name = os.path.basename(unquote(url.path))
            path = os.path.join(args.files, name)
            if self.command == "GET" and os.path.isfile(path):
                with open(path, "rb") as f:
                    return 200, f.read(), "application/octet-stream"
            return 404, {"message": "Not Found"}, "application/json"

        query = parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["30"])[0])
        github = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", url.path)
        github_edit = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", url.path)
        gitlab = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes", url.path)
        gitlab_edit = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)", url.path)
        forge = "github" if (github or github_edit) else "gitlab" if (gitlab or gitlab_edit) else None
        if forge is None:
            return 404, {"message": "Not Found"}, "application/json"
        expected = f"Bearer {args.token}" if forge == "github" else args.token
        if auth != expected:
            return 401, {"message": "Bad credentials"}, "application/json"
        with lock:
            match = github or gitlab
            if match and self.command == "GET":
                comments = thread((forge, unquote(match.group(1)), match.group(2)))
                return 200, comments[(page - 1) * per_page: page * per_page], "application/json"
            if match and self.command == "POST":
                comment = new_comment(body["body"], "bot")
                thread((forge, unquote(match.group(1)), match.group(2))).append(comment)
                return 201, comment, "application/json"
            edit = github_edit or gitlab_edit
            if edit and self.command in ("PATCH", "PUT"):
                comment = by_id.get(int(edit.group(edit.lastindex)))
                if comment is None:
                    return 404, {"message": "Not Found"}, "application/json"
                if comment["user"]["login"] != "bot":
                    return 403, {"message": "not yours"}, "application/json"
                comment["body"] = body["body"]
                return 200, comment, "application/json"
        return 405, {"message": "Method Not Allowed"}, "application/json"

    do_GET = do_POST = do_PATCH = do_PUT = handle_any


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
