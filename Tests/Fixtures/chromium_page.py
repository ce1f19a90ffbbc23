#!/usr/bin/env python3
"""Loads a page in headless Chromium through the DevTools protocol and reports what happened.

Usage: chromium_page.py FILE [--screenshot PNG] [--width W] [--height H]

Chromium is driven over --remote-debugging-pipe (commands on fd 3, replies on fd 4, one JSON
message per NUL-terminated chunk), standard library only. Prints one JSON object: every console
message, uncaught exception and browser log entry (CSP violations are log entries), the document
title, the size of every chart's <svg> as laid out, how many <script>, <img> and inline event
handler attributes the DOM holds, the load time, and the screenshot's size in bytes.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

MEASURE = """JSON.stringify({
  title: document.title,
  svgs: [...document.querySelectorAll('svg.chart')].map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }),
  svgChildren: [...document.querySelectorAll('svg.chart')].map(e => e.querySelectorAll('circle').length),
  scripts: document.scripts.length,
  images: document.images.length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  injected: typeof window.evalguardInjected !== 'undefined',
  sections: ['table', 'history', 'flipped', 'range', 'probes'].filter(id => document.getElementById(id)),
  flips: document.querySelectorAll('article.flip').length,
  // The CSS-only filters: cases left visible after choosing each filter (then back to all).
  filtered: Object.fromEntries([...document.querySelectorAll('input.filter')].map(input => {
    document.querySelector('label[for="' + input.id + '"]').click();
    const visible = [...document.querySelectorAll('article.flip')].filter(e => e.getClientRects().length > 0).length;
    document.getElementById(input.name === 'suite' ? 'fs-all' : 'fd-all').checked = true;
    return [input.id, visible];
  })),
  navigation: performance.getEntriesByType('navigation').map(e => ({domContentLoaded: e.domContentLoadedEventEnd, load: e.loadEventEnd}))[0] || null
})"""


class Browser:
    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="evalguard-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():  # in the child: the protocol's fds 3 and 4 (the pipes may have been given 3 or 4)
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.process = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--remote-debugging-pipe", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=None if os.environ.get("CHROMIUM_PAGE_DEBUG") else subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method, timeout):
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            self.receive()
        raise RuntimeError(f"no {method} within {timeout} s")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def load(path, screenshot=None, width=1280, height=2000):
    browser = Browser(width, height)
    try:
        targets = browser.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        browser.session = browser.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, session=False)["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            browser.send(domain)
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        start = time.perf_counter()
        browser.send("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        browser.wait_for("Page.loadEventFired", 60)
        load_ms = (time.perf_counter() - start) * 1000
        # One frame after load: layout and paint done, late console messages delivered.
        browser.send("Runtime.evaluate", {"expression": "new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))", "awaitPromise": True})
        measured = json.loads(browser.send("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True})["result"]["value"])
        shot_bytes = 0
        if screenshot:
            data = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"})["data"])
            with open(screenshot, "wb") as f:
                f.write(data)
            shot_bytes = len(data)
    finally:
        browser.close()
    console = [{"type": e["params"]["type"], "text": " ".join(str(a.get("value", a.get("description", ""))) for a in e["params"]["args"])}
               for e in browser.events if e["method"] == "Runtime.consoleAPICalled"]
    exceptions = [e["params"]["exceptionDetails"].get("text", "") for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
    log = [{"level": e["params"]["entry"]["level"], "text": e["params"]["entry"]["text"]} for e in browser.events if e["method"] == "Log.entryAdded"]
    return dict(measured, console=console, exceptions=exceptions, log=log, load_ms=load_ms, screenshot_bytes=shot_bytes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--screenshot")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("chromium"):
        sys.exit("chromium is not on PATH")
    print(json.dumps(load(args.file, args.screenshot, args.width, args.height)))


if __name__ == "__main__":
    main()
