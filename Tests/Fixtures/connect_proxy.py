#!/usr/bin/env python3
"""A small HTTP CONNECT proxy on 127.0.0.1 for evalguard's proxy tests.

Prints "PORT <n>" once it listens. Every CONNECT it receives is logged (one JSON line in --log,
written before it answers): the target and the Proxy-Authorization header. With --auth USER:PASS
a CONNECT without those credentials gets 407. Anything other than CONNECT gets 405.
"""
import argparse
import base64
import json
import select
import socket
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--log", required=True)
parser.add_argument("--auth", default=None)
args = parser.parse_args()
expected = "Basic " + base64.b64encode(args.auth.encode()).decode() if args.auth else None
log_lock = threading.Lock()


def log(entry):
    with log_lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def pump(a, b):
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 60)
        if not readable:
            return
        for s in readable:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def handle(client):
    upstream = None
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(1)
            if not chunk:
                return
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        auth = headers.get("proxy-authorization")
        log({"method": method, "target": target, "authorization": auth})
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if expected is not None and auth != expected:
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                           b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        host = host.strip("[]")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        pump(client, upstream)
    except OSError:
        pass
    finally:
        client.close()
        if upstream:
            upstream.close()


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print("PORT", listener.getsockname()[1], flush=True)
sys.stdout.close()
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
