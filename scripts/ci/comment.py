#!/usr/bin/env python3
"""Creates or updates ONE evalguard comment on a pull request (GitHub) or merge request (GitLab).

usage: comment.py github|gitlab --body-file FILE [--key KEY]

The comment carries a hidden marker, <!-- evalguard-comment:KEY -->, at its start: the next run
finds it by that marker and edits it instead of adding another, so a pull request keeps a single
evalguard comment that always shows the latest push. --key (default "default") tells apart
several evalguard jobs commenting on the same pull request (a matrix, one job per suite).

GitHub (Actions): GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (a pull_request or
pull_request_target event; other events: nothing to comment on) and GITHUB_TOKEN (the job's
token needs 'pull-requests: write').
GitLab (CI): CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID and a token with the 'api' scope
in EVALGUARD_GITLAB_TOKEN (a project or personal access token: CI_JOB_TOKEN cannot write notes).

Exit status: 0 done (or nothing to comment on, said on stderr), 1 the API refused, 2 bad usage.
Standard library only, so it runs on any CI image with python3.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

MARKER = "<!-- evalguard-comment:{} -->"
# Both forges refuse bodies over ~65,536 (GitHub) or 1,000,000 (GitLab) characters.
MAX_BODY = 60000
PER_PAGE = 100


class Failure(Exception):
    pass


def request(method, url, headers, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:300]
        raise Failure(f"{method} {url}: HTTP {error.code}: {detail}")
    except urllib.error.URLError as error:
        raise Failure(f"{method} {url}: {error.reason}")
    return json.loads(body) if body.strip() else None


class GitHub:
    name = "pull request"

    def __init__(self, env):
        self.api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.repo = need(env, "GITHUB_REPOSITORY")
        token = need(env, "GITHUB_TOKEN")
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "evalguard-comment",
        }
        with open(need(env, "GITHUB_EVENT_PATH"), encoding="utf-8") as f:
            event = json.load(f)
        pull = event.get("pull_request") or {}
        self.number = pull.get("number")

    def list(self, page):
        return request("GET", f"{self.api}/repos/{self.repo}/issues/{self.number}/comments"
                              f"?per_page={PER_PAGE}&page={page}", self.headers)

    def create(self, body):
        return request("POST", f"{self.api}/repos/{self.repo}/issues/{self.number}/comments",
                       self.headers, {"body": body})

    def update(self, comment_id, body):
        return request("PATCH", f"{self.api}/repos/{self.repo}/issues/comments/{comment_id}",
                       self.headers, {"body": body})


class GitLab:
    name = "merge request"

    def __init__(self, env):
        self.api = need(env, "CI_API_V4_URL").rstrip("/")
        project = urllib.parse.quote(need(env, "CI_PROJECT_ID"), safe="")
        self.number = env.get("CI_MERGE_REQUEST_IID") or None
        self.base = f"{self.api}/projects/{project}/merge_requests/{self.number}/notes"
        self.headers = {"PRIVATE-TOKEN": need(env, "EVALGUARD_GITLAB_TOKEN"), "User-Agent": "evalguard-comment"}

    def list(self, page):
        return request("GET", f"{self.base}?per_page={PER_PAGE}&page={page}&sort=asc&order_by=created_at", self.headers)

    def create(self, body):
        return request("POST", self.base, self.headers, {"body": body})

    def update(self, note_id, body):
        return request("PUT", f"{self.base}/{note_id}", self.headers, {"body": body})


def need(env, name):
    value = env.get(name, "")
    if not value:
        raise Failure(f"{name} is not set")
    return value


def find(forge, marker):
    """The first comment that starts with the marker (one quoting it elsewhere is not ours)."""
    page = 1
    while True:
        comments = forge.list(page) or []
        for comment in comments:
            if (comment.get("body") or "").lstrip().startswith(marker):
                return comment["id"]
        if len(comments) < PER_PAGE:
            return None
        page += 1


def upsert(forge, text, key):
    marker = MARKER.format(key)
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n\n*(cut: the full report is in the job's summary)*\n"
    body = marker + "\n" + text
    existing = find(forge, marker)
    if existing is None:
        created = forge.create(body)
        return "created", created.get("id") if isinstance(created, dict) else None
    forge.update(existing, body)
    return "updated", existing


def main(argv, env):
    args = list(argv)
    if not args or args[0] not in ("github", "gitlab"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    backend, rest = args[0], args[1:]
    body_file, key = None, "default"
    while rest:
        option = rest.pop(0)
        if option == "--body-file" and rest:
            body_file = rest.pop(0)
        elif option == "--key" and rest:
            key = rest.pop(0)
        else:
            print(f"comment.py: unexpected argument '{option}'", file=sys.stderr)
            return 2
    if not body_file:
        print("comment.py: --body-file FILE is required", file=sys.stderr)
        return 2
    if not key.replace("-", "").replace("_", "").replace(".", "").isalnum():
        print(f"comment.py: --key '{key}' may hold letters, digits, '-', '_' and '.' only", file=sys.stderr)
        return 2
    try:
        with open(body_file, encoding="utf-8") as f:
            text = f.read()
        forge = GitHub(env) if backend == "github" else GitLab(env)
        if not forge.number:
            print(f"comment.py: not a {forge.name} pipeline: nothing to comment on", file=sys.stderr)
            return 0
        action, comment_id = upsert(forge, text, key)
    except (Failure, OSError, ValueError) as error:
        print(f"comment.py: could not comment on the {backend} {'pull' if backend == 'github' else 'merge'} request: {error}",
              file=sys.stderr)
        return 1
    print(f"comment.py: {action} the evalguard comment {comment_id} on {forge.name} {forge.number}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
