"""An OpenAI-compatible chat completions server for evalguard's tests and benchmark.

Standard library only (asyncio: one thread, keep-alive, thousands of requests a second).
Prints "PORT <n>" on stdout once it listens on 127.0.0.1.

The answer echoes the last message's content. Directives in that content change the behaviour,
so one case can misbehave while the others answer normally:
  delay:<ms>            sleep before answering (adds to --delay-ms)
  status:<code>:<n>     answer the first <n> requests carrying this content with <code>
  retry-after:<s>       with status:, send a Retry-After header
  quota-spent           with status:, send x-ratelimit-remaining-requests: 0 (a global limit)
  malformed             answer 200 with a body that is not JSON
  nocontent             answer 200 with JSON that has no choices
  nousage               leave "usage" out of the answer
  cached:<n>            report <n> of the prompt tokens as cached (prompt_tokens_details.cached_tokens)
  drop:<n>              close the connection without answering, the first <n> times
  truncate              send the answer without its last 40 bytes, then close the connection
With "tools" in the request and "call:" in the last user message, the server plays an agent:
that message is a script of rounds separated by " then ", one round per request; round k is
answered once k assistant messages with tool_calls follow the user message. A round's parts,
separated by " & ": call:<name>:<arguments> (a tool call, its arguments sent as written, JSON or
not; several make parallel calls, with ids call_<k>_<i>), say:<text> (the content beside the
calls, else null), final:<text> (an answer without calls). Past the last round the answer is
"done: " and the contents of the tool messages after the user message, joined by " | ". The
directives above (status:, delay:, malformed...) apply to the round's text.
--model-delay NAME=MS adds MS milliseconds to every answer for model NAME; --model-error-rate
NAME=SHARE answers that share of NAME's prompts (chosen by the prompt's digest, so the same
prompt always behaves the same) with "I am not sure." instead of the echo. Both repeat, one model
each, so two models on one server can trade speed against accuracy.
Every request is appended to --log as one JSON line: method, path, headers, body, and over TLS
"tls", the protocol version negotiated ("TLSv1.3", ...).
--tls-min 1.3 accepts only clients that speak TLS 1.3 (with --tls-cert and --tls-key).

OpenAI's Batch API: POST /v1/files (multipart/form-data, a "purpose" and a "file" part) keeps
the file; POST /v1/batches makes a batch of an uploaded JSON Lines file; GET /v1/batches/{id}
polls it; GET /v1/batches?limit=<n> lists the newest (with the "metadata" they were made with);
GET /v1/files/{id}/content reads a file. A batch answers "validating", then
"in_progress", for its first --batch-polls polls, then ends as --batch-final says (completed,
expired, failed). It ends by answering each line as /v1/chat/completions would (nothing of it
logged), into the output file, except: a line whose last message contains "batch-error" goes to
the error file (an error, no response); "batch-status:<code>" gets a response with that status
code and an error body; under an expired batch, "batch-unfinished" goes to the error file as
batch_expired. The upload's lines are logged under "file" beside the upload's request.
--batch-create-status <code> makes POST /v1/batches create the batch and answer with that status
all the same (a create whose answer was lost). --not-found-text adds its text to every 404's
message (a server's text that must not reach a terminal as it is).

--judge: answer as a judge instead of echoing. The prompt's <<<EXPECTED ... EXPECTED>>> and
<<<ANSWER ... ANSWER>>> blocks are read; the grade is "pass" (or the top of a numeric scale
"a number from L to H") when the expected text occurs in the answer, ignoring case, else "fail"
(or L). The reply quotes the answer, then ends with "GRADE: <grade>". An answer containing
"nograde", and a share --judge-error-rate of prompts (chosen by the prompt's digest, so the same
prompt always behaves the same), get a reply without a grade line. A pairwise prompt (blocks
ANSWER A and ANSWER B) gets "A" or "B" for the one answer that contains the expected text, else
"tie"; with --judge-bias first, always "A" (a judge that prefers the first position).

--bucket-rate R --bucket-size B: a token-bucket rate limit of R requests a second with bursts of
B (the bucket starts full). A request that finds no token is answered 429 with retry-after-ms
(when the next token comes), and no Retry-After, as a per-request limit does. Each log line then
also holds "status" (200 or 429) and "wasted": tokens thrown away so far because the bucket was
full, counted from the first request; capacity the client left unused.
"""
import argparse
import ssl
import asyncio
import json
import re
import selectors
import socket
import sys

from http_request import take_request

parser = argparse.ArgumentParser()
parser.add_argument("--delay-ms", type=float, default=0)
parser.add_argument("--key", default=None, help="require 'Authorization: Bearer <key>'")
parser.add_argument("--model", action="append", default=None, help="models that exist (default: any)")
parser.add_argument("--log", default=None)
parser.add_argument("--tls-cert", default=None, help="serve https with this certificate (PEM)")
parser.add_argument("--tls-key", default=None, help="and this private key (PEM)")
parser.add_argument("--tls-min", choices=["1.2", "1.3"], default=None, help="the oldest TLS version accepted")
parser.add_argument("--bucket-rate", type=float, default=None, help="token bucket: requests a second")
parser.add_argument("--bucket-size", type=float, default=1, help="token bucket: burst")
parser.add_argument("--judge", action="store_true", help="grade judge prompts (see above)")
parser.add_argument("--judge-bias", default=None, help="'first': a pairwise judge that always prefers answer A")
parser.add_argument("--judge-error-rate", type=float, default=0, help="share of prompts answered without a grade")
parser.add_argument("--model-delay", action="append", default=[], help="NAME=MS: extra delay for model NAME")
parser.add_argument("--model-error-rate", action="append", default=[], help="NAME=SHARE: share of NAME's prompts answered wrongly")
parser.add_argument("--batch-polls", type=int, default=0, help="polls a batch answers as still running")
parser.add_argument("--batch-final", choices=["completed", "expired", "failed"], default="completed")
parser.add_argument("--batch-create-status", type=int, default=200,
                    help="POST /v1/batches makes the batch, then answers with this status")
parser.add_argument("--not-found-text", default="", help="added to the message of every 404")
args = parser.parse_args()
model_delay = {k: float(v) for k, v in (x.split("=", 1) for x in args.model_delay)}
model_error_rate = {k: float(v) for k, v in (x.split("=", 1) for x in args.model_error_rate)}

seen = {}
bucket = {"tokens": args.bucket_size, "at": None, "wasted": 0.0}


def take_token():
    """Returns (granted, seconds until the next token) under --bucket-rate."""
    now = asyncio.get_event_loop().time()
    if bucket["at"] is not None:
        tokens = bucket["tokens"] + (now - bucket["at"]) * args.bucket_rate
        if tokens > args.bucket_size:
            bucket["wasted"] += tokens - args.bucket_size
            tokens = args.bucket_size
        bucket["tokens"] = tokens
    bucket["at"] = now
    if bucket["tokens"] >= 1:
        bucket["tokens"] -= 1
        return True, 0
    return False, (1 - bucket["tokens"]) / args.bucket_rate
log = open(args.log, "a", buffering=1) if args.log else None


def response(status, body, extra=None, reason=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    reasons = {200: "OK", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
               500: "Internal Server Error", 503: "Service Unavailable"}
    head = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        status, reason or reasons.get(status, "Error"), len(data))
    for k, v in (extra or {}).items():
        head += "%s: %s\r\n" % (k, v)
    return head.encode() + b"\r\n" + data


def block(text, name):
    m = re.search(r"<<<%s\n(.*?)\n%s>>>" % (name, name), text, re.S)
    return m.group(1) if m else ""


def judge_reply(prompt):
    import hashlib
    expected = block(prompt, "EXPECTED").strip().lower()
    if "<<<ANSWER A\n" in prompt:
        a, b = expected in block(prompt, "ANSWER A").lower(), expected in block(prompt, "ANSWER B").lower()
        grade = "A" if args.judge_bias == "first" or (a and not b) else "B" if b and not a else "tie"
        return "Comparing the two answers.\nGRADE: %s" % grade
    answer = block(prompt, "ANSWER")
    passed = expected.strip().lower() in answer.lower()
    scale = re.search(r"a number from (\d+) to (\d+)", prompt)
    if scale:
        grade = scale.group(2) if passed else scale.group(1)
    else:
        grade = "pass" if passed else "fail"
    quoted = "The answer reads:\n" + answer + "\n"
    share = int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16) / 2**32
    if "nograde" in answer or share < args.judge_error_rate:
        return quoted + "I cannot decide."
    return quoted + "It %s the expected text.\nGRADE: %s" % ("contains" if passed else "lacks", grade)


def error(status, message, kind):
    return response(status, {"error": {"message": message, "type": kind, "code": None}})


def answer(method, path, headers, body, tls=None):
    """Returns (seconds to wait, response bytes or None to drop the connection)."""
    limited = None
    if args.bucket_rate and path == "/v1/chat/completions":
        granted, wait = take_token()
        if not granted:
            limited = response(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                               {"retry-after-ms": "%d" % max(1, round(wait * 1000))})
    if log:
        line = {"method": method, "path": path, "headers": headers, "body": body.decode("utf-8", "replace")}
        if tls:
            line["tls"] = tls
        if args.bucket_rate:
            line["status"] = 429 if limited else 200
            line["wasted"] = bucket["wasted"]
        log.write(json.dumps(line) + "\n")
    if limited:
        return 0, limited
    if path.startswith("/v1/files") or path.startswith("/v1/batches"):
        if args.key is not None and headers.get("authorization") != "Bearer " + args.key:
            return 0, error(401, "Incorrect API key provided", "invalid_request_error")
        return 0, batch_api(method, path, headers, body)
    if path == "/v1/embeddings":
        return 0, embeddings(json.loads(body))
    if path != "/v1/chat/completions":
        return 0, error(404, "Unknown request URL: %s %s%s" % (method, path, args.not_found_text), "invalid_request_error")
    if args.key is not None and headers.get("authorization") != "Bearer " + args.key:
        return 0, error(401, "Incorrect API key provided: %s" % headers.get("authorization", "(none)"),
                        "invalid_request_error")
    request = json.loads(body)
    model = request.get("model")
    if args.model and model not in args.model:
        return 0, error(404, "The model `%s` does not exist or you do not have access to it." % model,
                        "invalid_request_error")
    content = request["messages"][-1]["content"]
    scripted = agent_round(request) if request.get("tools") else None
    if scripted:
        content = scripted[0]
    delay = args.delay_ms + model_delay.get(model, 0)
    if ":" in content or "malformed" in content or "no" in content:
        count = seen[content] = seen.get(content, 0) + 1
        m = re.search(r"delay:(\d+)", content)
        if m:
            delay += float(m.group(1))
        m = re.search(r"drop:(\d+)", content)
        if m and count <= int(m.group(1)):
            return 0, None
        m = re.search(r"status:(\d+):(\d+)", content)
        if m and count <= int(m.group(2)):
            extra = {}
            r = re.search(r"retry-after:(\d+)", content)
            if r:
                extra["Retry-After"] = r.group(1)
            if "quota-spent" in content:
                extra["x-ratelimit-remaining-requests"] = "0"
            return 0, response(int(m.group(1)), {"error": {"message": "try again", "type": "server_error"}}, extra)
        if "malformed" in content:
            return delay / 1000, response(200, b"<html>Bad Gateway: upstream sent garbage</html>" + b" " * 300)
        if "nocontent" in content:
            return delay / 1000, response(200, {"id": "x", "object": "chat.completion", "choices": []})
    words = sum(len(str(m.get("content", "")).split()) for m in request["messages"])
    if model in model_error_rate:
        import hashlib
        if int(hashlib.sha256(content.encode()).hexdigest()[:8], 16) / 2**32 < model_error_rate[model]:
            content = "I am not sure."
    message = scripted[1] if scripted else {"role": "assistant", "content": judge_reply(content) if args.judge else content}
    reply = {
        "id": "chatcmpl-1", "object": "chat.completion", "model": model,
        "choices": [{"index": 0, "finish_reason": "tool_calls" if "tool_calls" in message else "stop", "message": message}],
    }
    if "nousage" not in content:
        reply["usage"] = {"prompt_tokens": words, "completion_tokens": len(content.split()),
                          "total_tokens": words + len(content.split())}
        c = re.search(r"cached:(\d+)", content)
        if c:
            reply["usage"]["prompt_tokens_details"] = {"cached_tokens": int(c.group(1))}
    if "truncate" in content:
        return delay / 1000, (response(200, reply)[:-40], True)
    return delay / 1000, response(200, reply)


files = {}
batches = {}


def multipart(headers, body):
    """The parts of a multipart/form-data body, by name."""
    m = re.search(r"boundary=([^;]+)", headers.get("content-type", ""))
    if not m:
        return {}
    parts = {}
    for chunk in body.split(b"--" + m.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            parts[name.group(1).decode()] = content[:-2] if content.endswith(b"\r\n") else content
    return parts


def batch_api(method, path, headers, body):
    if method == "POST" and path == "/v1/files":
        parts = multipart(headers, body)
        if parts.get("purpose") != b"batch" or "file" not in parts:
            return error(400, "expected purpose=batch and a file", "invalid_request_error")
        file_id = "file-%d" % (len(files) + 1)
        files[file_id] = parts["file"]
        if log:
            log.write(json.dumps({"method": "UPLOAD", "path": path, "file": parts["file"].decode("utf-8", "replace")}) + "\n")
        return response(200, {"id": file_id, "object": "file", "purpose": "batch", "bytes": len(parts["file"])})
    if method == "POST" and path == "/v1/batches":
        request = json.loads(body)
        if request.get("input_file_id") not in files or request.get("completion_window") != "24h":
            return error(400, "unknown input_file_id or completion_window", "invalid_request_error")
        batch_id = "batch_%d" % (len(batches) + 1)
        batches[batch_id] = {"id": batch_id, "object": "batch", "endpoint": request.get("endpoint"), "polls": 0,
                             "input_file_id": request["input_file_id"], "status": "validating",
                             "metadata": request.get("metadata")}
        if args.batch_create_status != 200:
            return error(args.batch_create_status, "the batch was made, the answer lost", "server_error")
        return response(200, public(batches[batch_id]))
    m = re.fullmatch(r"/v1/batches\?limit=(\d+)", path)
    if method == "GET" and m:
        newest = [public(b) for b in reversed(list(batches.values()))][:int(m.group(1))]
        return response(200, {"object": "list", "data": newest, "has_more": len(batches) > len(newest)})
    m = re.fullmatch(r"/v1/batches/([^/]+)", path)
    if method == "GET" and m and m.group(1) in batches:
        batch = batches[m.group(1)]
        batch["polls"] += 1
        if batch["polls"] <= args.batch_polls:
            batch["status"] = "validating" if batch["polls"] == 1 else "in_progress"
        elif batch["status"] in ("validating", "in_progress"):
            finish(batch)
        return response(200, public(batch))
    m = re.fullmatch(r"/v1/files/([^/]+)/content", path)
    if method == "GET" and m and m.group(1) in files:
        return response(200, files[m.group(1)])
    return error(404, "Unknown request URL: %s %s%s" % (method, path, args.not_found_text), "invalid_request_error")


def public(batch):
    return {k: v for k, v in batch.items() if k != "polls"}


def finish(batch):
    """Answers the batch's lines and ends it as --batch-final says."""
    lines = [json.loads(l) for l in files[batch["input_file_id"]].split(b"\n") if l.strip()]
    if args.batch_final == "failed":
        batch["status"] = "failed"
        batch["errors"] = {"object": "list", "data": [{"code": "invalid_request", "message": "the file was refused"}]}
        return
    out, errors = [], []
    for line in lines:
        content = line["body"]["messages"][-1]["content"]
        entry = {"id": "batch_req_%d" % (len(out) + len(errors)), "custom_id": line["custom_id"]}
        if "batch-error" in content or (args.batch_final == "expired" and "batch-unfinished" in content):
            code = "batch_expired" if "batch-unfinished" in content else "server_error"
            errors.append(dict(entry, response=None, error={"code": code, "message": "this request did not complete (%s)" % code}))
            continue
        status = re.search(r"batch-status:(\d+)", content)
        if status:
            out.append(dict(entry, error=None, response={"status_code": int(status.group(1)), "request_id": "r",
                                                         "body": {"error": {"message": "refused in the batch", "type": "invalid_request_error"}}}))
            continue
        _, raw = answer_quietly(json.dumps(line["body"]).encode())
        head, _, payload = raw.partition(b"\r\n\r\n")
        out.append(dict(entry, error=None, response={"status_code": int(head.split(b" ")[1]), "request_id": "r",
                                                     "body": json.loads(payload)}))
    for name, entries in (("output_file_id", out), ("error_file_id", errors)):
        if entries:
            file_id = "file-%d" % (len(files) + 1)
            files[file_id] = "".join(json.dumps(e) + "\n" for e in entries).encode()
            batch[name] = file_id
    batch["status"] = args.batch_final
    batch["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(errors)}


def answer_quietly(body):
    """A chat completion for a batch line, left out of the log (the batch's requests are)."""
    global log
    kept, log = log, None
    try:
        delay, out = answer("POST", "/v1/chat/completions", {}, body)
    finally:
        log = kept
    return delay, out[0] if isinstance(out, tuple) else out


def agent_round(request):
    """(the round's text, the assistant message) for a scripted agent conversation, else None."""
    messages = request["messages"]
    users = [i for i, m in enumerate(messages) if m.get("role") == "user" and isinstance(m.get("content"), str)]
    if not users or "call:" not in messages[users[-1]]["content"]:
        return None
    after = messages[users[-1] + 1:]
    rounds = messages[users[-1]]["content"].split(" then ")
    k = sum(1 for m in after if m.get("role") == "assistant" and m.get("tool_calls"))
    if k >= len(rounds):
        results = [str(m.get("content")) for m in after if m.get("role") == "tool"]
        return "done", {"role": "assistant", "content": "done: " + " | ".join(results)}
    calls, say = [], None
    for part in rounds[k].split(" & "):
        part = part.strip()
        if part.startswith("call:"):
            name, _, arguments = part[5:].partition(":")
            calls.append({"id": "call_%d_%d" % (k, len(calls)), "type": "function",
                          "function": {"name": name, "arguments": arguments}})
        elif part.startswith("say:"):
            say = part[4:]
        elif part.startswith("final:"):
            return rounds[k], {"role": "assistant", "content": part[6:]}
    if not calls:
        return rounds[k], {"role": "assistant", "content": say if say is not None else rounds[k]}
    return rounds[k], {"role": "assistant", "content": say, "tool_calls": calls}


def embeddings(request):
    """Deterministic vectors a test can recompute: [1 + count of "a", 1 + count of "b",
    1 + count of "c"]; a text containing BADVEC gets a string where its vector belongs."""
    texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
    data = [{"object": "embedding", "index": i,
             "embedding": "oops" if "BADVEC" in t else [1.0 + t.count("a"), 1.0 + t.count("b"), 1.0 + t.count("c")]}
            for i, t in enumerate(texts)]
    return response(200, {"object": "list", "model": request.get("model"), "data": data,
                          "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)}})


class Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, parsed by hand: asyncio's streams cost several times more CPU
    per request, and on a 2-core machine that shows up in the latency the benchmark measures."""

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        # The delay runs from the request's arrival, so time spent parsing the other requests
        # that arrived at the same moment does not add to it.
        arrived = asyncio.get_running_loop().time()
        self.buffer += data
        while True:
            request = take_request(self.buffer)
            if request is None:
                return
            method, path, headers, body, self.buffer = request
            ssl_object = self.transport.get_extra_info("ssl_object")
            delay, out = answer(method, path, headers, body, ssl_object.version() if ssl_object else None)
            close = headers.get("connection", "").lower() == "close"
            if isinstance(out, tuple):
                out, close = out
            if out is None:
                self.transport.close()
                return
            if delay > 0:
                asyncio.get_running_loop().call_at(arrived + delay, self.send, out, close)
            else:
                self.send(out, close)

    def send(self, out, close):
        if not self.transport.is_closing():
            self.transport.write(out)
            if close:
                self.transport.close()


async def serve(sock):
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_min:
            tls.minimum_version = ssl.TLSVersion.TLSv1_3 if args.tls_min == "1.3" else ssl.TLSVersion.TLSv1_2
    server = await asyncio.get_running_loop().create_server(Connection, sock=sock, ssl=tls)
    async with server:
        await server.serve_forever()


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    # select(2) takes its time-out in microseconds; epoll rounds up to whole milliseconds, which
    # would make every answer up to 1 ms late and the benchmark's latency check meaningless.
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    loop.run_until_complete(serve(sock))


try:
    main()
except KeyboardInterrupt:
    pass
