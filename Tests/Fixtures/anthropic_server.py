"""A stand-in for Anthropic's Messages API (POST /v1/messages) for evalguard's tests.

Standard library only (asyncio, one thread, keep-alive). Prints "PORT <n>" on stdout once it
listens on 127.0.0.1. Every request is appended to --log as one JSON line: method, path,
headers (lower-cased names) and body.

The answer is one text block echoing the text of the last user turn (a string, or its text
blocks joined). Directives in that text change the behaviour, so one case can misbehave while
the others answer normally:
  delay:<ms>            sleep before answering
  status:<code>:<n>     answer the first <n> requests carrying this text with <code>, with
                        Anthropic's error body: 429 rate_limit_error, 529 overloaded_error,
                        400 invalid_request_error, else api_error
  retry-after:<s>       with status:, send a retry-after header
  quota-spent           with status:, send anthropic-ratelimit-requests-remaining: 0
  tokens-spent          with status:, send anthropic-ratelimit-tokens-remaining: 0
  escape                with status:, an error message full of terminal escape sequences
  malformed             answer 200 with a body that is not JSON
  nousage               leave "usage" out of the answer
  cached:<n>            report cache_read_input_tokens: <n> (on top of input_tokens)
  written:<n>           report cache_creation_input_tokens: <n> (on top of input_tokens)
  input:<n> output:<n>  report these input_tokens / output_tokens instead of word counts
With "tools" in the request and "call:" in the text of the last user turn that has text, the
server plays an agent: that text is a script of rounds separated by " then ", one round per
request; round k is answered once k assistant turns with tool_use blocks follow that turn. A
round's parts, separated by " & ": call:<name>:<json input> (a tool_use block, ids
toolu_<k>_<i>), say:<text> (a text block before the calls), final:<text> (an answer without
calls). Past the last round the answer is "done: " and the contents of the tool_result blocks
after that turn, joined by " | ".
--key K requires "x-api-key: K" (else 401 authentication_error); --model NAME (repeatable) lists
the models that exist (else 404 not_found_error); a request without anthropic-version gets 400.

Message Batches: POST /v1/messages/batches takes {"requests": [{"custom_id", "params"}]} (ids
msgbatch_<n>); GET /v1/messages/batches/{id} polls it: "in_progress" for its first
--batch-polls polls, "canceling" for the next --batch-canceling, then "ended", its requests
answered at that poll as direct ones would be (each line's text counts as asked once). A line
whose answer is an error is "errored" with Anthropic's error body; a line whose text contains
"batch-expired" is "expired", "batch-canceled" "canceled". GET <results_url> (the batch's
path + "/results", on --results-origin if given, else this server) reads the JSON Lines.

--judge: answer a judge's prompt (its <<<EXPECTED ... EXPECTED>>> and <<<ANSWER ... ANSWER>>>
blocks) with "GRADE: pass" when the expected text occurs in the answer, ignoring case, else
"GRADE: fail".
"""
import argparse
import asyncio
import json
import re
import socket

from http_request import take_request

parser = argparse.ArgumentParser()
parser.add_argument("--key", default=None)
parser.add_argument("--model", action="append", default=None)
parser.add_argument("--log", default=None)
parser.add_argument("--batch-polls", type=int, default=0, help="polls a batch answers as in_progress")
parser.add_argument("--batch-canceling", type=int, default=0, help="polls after those it answers as canceling")
parser.add_argument("--judge", action="store_true", help="grade judge prompts (see above)")
parser.add_argument("--results-origin", default=None, help="the scheme and host results_url names")
args = parser.parse_args()
log = open(args.log, "a", buffering=1) if args.log else None
seen = {}


def response(status, body, extra=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
               500: "Internal Server Error", 529: "Overloaded"}
    head = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        status, reasons.get(status, "Error"), len(data))
    for k, v in (extra or {}).items():
        head += "%s: %s\r\n" % (k, v)
    return head.encode() + b"\r\n" + data


def error_body(kind, message):
    return {"type": "error", "error": {"type": kind, "message": message}}


def error(status, kind, message, extra=None):
    return response(status, error_body(kind, message), extra)


def text_of(content):
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def block(text, name):
    m = re.search(r"<<<%s\n(.*?)\n%s>>>" % (name, name), text, re.S)
    return m.group(1) if m else ""


def judged(prompt):
    expected = block(prompt, "EXPECTED").strip().lower()
    return "GRADE: %s" % ("pass" if expected in block(prompt, "ANSWER").lower() else "fail")


def agent_round(request):
    """(the round's text, the content blocks) for a scripted agent conversation, else None."""
    messages = request["messages"]
    users = [i for i, m in enumerate(messages) if m["role"] == "user" and text_of(m["content"])]
    if not users or "call:" not in text_of(messages[users[-1]]["content"]):
        return None
    script = text_of(messages[users[-1]]["content"])
    after = messages[users[-1] + 1:]
    rounds = script.split(" then ")
    k = sum(1 for m in after if m["role"] == "assistant" and isinstance(m["content"], list)
            and any(b.get("type") == "tool_use" for b in m["content"]))
    if k >= len(rounds):
        results = [str(b.get("content")) for m in after if m["role"] == "user" and isinstance(m["content"], list)
                   for b in m["content"] if b.get("type") == "tool_result"]
        return "done", [{"type": "text", "text": "done: " + " | ".join(results)}]
    blocks, calls = [], 0
    for part in rounds[k].split(" & "):
        part = part.strip()
        if part.startswith("call:"):
            name, _, arguments = part[5:].partition(":")
            blocks.append({"type": "tool_use", "id": "toolu_%d_%d" % (k, calls), "name": name, "input": json.loads(arguments)})
            calls += 1
        elif part.startswith("say:"):
            blocks.insert(0, {"type": "text", "text": part[4:]})
        elif part.startswith("final:"):
            return rounds[k], [{"type": "text", "text": part[6:]}]
    return rounds[k], blocks or [{"type": "text", "text": rounds[k]}]


def answer(method, path, headers, body):
    if log:
        log.write(json.dumps({"method": method, "path": path, "headers": headers,
                              "body": body.decode("utf-8", "replace")}) + "\n")
    batched = path.startswith("/v1/messages/batches")
    if not batched and (path != "/v1/messages" or method != "POST"):
        return 0, error(404, "not_found_error", "Not found: %s %s" % (method, path))
    if args.key is not None and headers.get("x-api-key") != args.key:
        return 0, error(401, "authentication_error", "invalid x-api-key")
    if "anthropic-version" not in headers:
        return 0, error(400, "invalid_request_error", "anthropic-version: header is required")
    if batched:
        return 0, batch_api(method, path, headers, body)
    delay, status, payload, extra = reply(json.loads(body))
    return delay, response(status, payload, extra)


def reply(request):
    """(delay, status, body, extra headers) of the Messages API's answer to `request`."""
    model = request.get("model")
    if args.model and model not in args.model:
        return 0, 404, error_body("not_found_error", "model: %s" % model), None
    if "max_tokens" not in request:
        return 0, 400, error_body("invalid_request_error", "max_tokens: Field required"), None
    last = request["messages"][-1]
    text = text_of(last["content"])
    scripted = agent_round(request) if request.get("tools") else None
    if scripted:
        text = scripted[0]
    count = seen[text] = seen.get(text, 0) + 1
    delay = 0
    m = re.search(r"delay:(\d+)", text)
    if m:
        delay = float(m.group(1)) / 1000
    m = re.search(r"status:(\d+):(\d+)", text)
    if m and count <= int(m.group(2)):
        status = int(m.group(1))
        extra = {}
        r = re.search(r"retry-after:(\d+)", text)
        if r:
            extra["retry-after"] = r.group(1)
        if "quota-spent" in text:
            extra["anthropic-ratelimit-requests-remaining"] = "0"
        if "tokens-spent" in text:
            extra["anthropic-ratelimit-tokens-remaining"] = "0"
        kind = {429: "rate_limit_error", 529: "overloaded_error", 400: "invalid_request_error"}.get(status, "api_error")
        message = {429: "Number of requests has exceeded your rate limit", 529: "Overloaded"}.get(status, "try again")
        if "escape" in text:
            message = "\x1b[2J\x1b[31mbad\x1b[0m request\r\nforged line"
        return 0, status, error_body(kind, message), extra
    if "malformed" in text:
        return delay, 200, b"<html>Bad Gateway</html>", None
    blocks = scripted[1] if scripted else [{"type": "text", "text": judged(text) if args.judge else text}]
    answer = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": blocks,
              "stop_reason": "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"}
    if "nousage" not in text:
        words = len(str(request.get("system", "")).split()) + sum(len(text_of(m["content"]).split()) for m in request["messages"])
        out = sum(len(b.get("text", "").split()) for b in blocks)
        usage = {"input_tokens": words, "output_tokens": out}
        for key, name in (("input", "input_tokens"), ("output", "output_tokens"), ("cached", "cache_read_input_tokens"),
                          ("written", "cache_creation_input_tokens")):
            c = re.search(r"\b%s:(\d+)" % key, text)
            if c:
                usage[name] = int(c.group(1))
        answer["usage"] = usage
    return delay, 200, answer, {"anthropic-ratelimit-requests-remaining": "99"}


batches = {}


def batch_api(method, path, headers, body):
    if method == "POST" and path == "/v1/messages/batches":
        requests = json.loads(body).get("requests")
        if not isinstance(requests, list) or not requests:
            return error(400, "invalid_request_error", "requests: expected a non-empty list")
        batch_id = "msgbatch_%d" % (len(batches) + 1)
        batches[batch_id] = {"requests": requests, "polls": 0, "status": "in_progress", "results": None}
        return response(200, public(batch_id, headers))
    m = re.fullmatch(r"/v1/messages/batches/([^/]+)(/results)?", path)
    if method == "GET" and m and m.group(1) in batches:
        batch = batches[m.group(1)]
        if m.group(2):
            if batch["results"] is None:
                return error(400, "invalid_request_error", "the batch has not ended")
            data = "".join(json.dumps(line) + "\n" for line in batch["results"]).encode()
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/binary\r\nContent-Length: %d\r\n\r\n" % len(data) + data
        batch["polls"] += 1
        if batch["polls"] <= args.batch_polls:
            batch["status"] = "in_progress"
        elif batch["polls"] <= args.batch_polls + args.batch_canceling:
            batch["status"] = "canceling"
        elif batch["status"] != "ended":
            finish(batch)
        return response(200, public(m.group(1), headers))
    return error(404, "not_found_error", "Not found: %s %s" % (method, path))


def public(batch_id, headers):
    batch = batches[batch_id]
    counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    for line in batch["results"] or []:
        counts[line["result"]["type"]] += 1
    counts["processing"] = len(batch["requests"]) - sum(counts.values())
    ended = batch["status"] == "ended"
    origin = args.results_origin or "http://" + headers.get("host", "127.0.0.1")
    return {"id": batch_id, "type": "message_batch", "processing_status": batch["status"], "request_counts": counts,
            "results_url": origin + "/v1/messages/batches/%s/results" % batch_id if ended else None}


def finish(batch):
    """Answers the batch's requests as direct requests would be, and ends it."""
    batch["status"] = "ended"
    batch["results"] = []
    for entry in batch["requests"]:
        text = text_of(entry["params"]["messages"][-1]["content"])
        if "batch-expired" in text or "batch-canceled" in text:
            result = {"type": "expired" if "batch-expired" in text else "canceled"}
        else:
            _, status, payload, _ = reply(entry["params"])
            result = ({"type": "succeeded", "message": payload} if status == 200 and isinstance(payload, dict)
                      else {"type": "errored", "error": payload if isinstance(payload, dict) else {"type": "error"}})
        batch["results"].append({"custom_id": entry["custom_id"], "result": result})


class Connection(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            request = take_request(self.buffer)
            if request is None:
                return
            method, path, headers, body, self.buffer = request
            delay, out = answer(method, path, headers, body)
            if delay > 0:
                asyncio.get_running_loop().call_later(delay, self.send, out)
            else:
                self.send(out)

    def send(self, out):
        if not self.transport.is_closing():
            self.transport.write(out)


async def serve(sock):
    server = await asyncio.get_running_loop().create_server(Connection, sock=sock)
    async with server:
        await server.serve_forever()


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    asyncio.run(serve(sock))


try:
    main()
except KeyboardInterrupt:
    pass
