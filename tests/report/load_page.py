#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Loads an HTML page in headless Chromium through the DevTools protocol (over a pipe, so no port is
opened) with the network emulated offline, and prints what a test needs to judge it, as JSON:

  requests         every request the page made (URL and whether it failed), the page itself included
  console          console messages of level warning or error, exceptions and log entries (CSP
                   violations are logged here)
  rendered         whether the page script finished (body[data-rendered])
  charts           per <canvas>: id, size and the pixels of its screenshot that are not background
  figures          the text of every [data-figure] element, by key
  tables           per table id: rows of cell texts
  tree             per process tree: [pid, parent, text] of each node
  title, commands  the page's title and the recordings' command lines, as text
  scripts, images, injected   how many script and img elements, and elements with id "injected"
  screenshot       the page's PNG size in bytes (written to --screenshot FILE when given)

Usage: load_page.py PAGE.html [--chromium PATH] [--screenshot FILE]
Exit status: 0 loaded (the JSON says how well), 2 Chromium could not be driven.
"""
import argparse
import base64
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib


class DevTools:
    """One Chromium with --remote-debugging-pipe: requests go to its fd 3, answers come from fd 4."""

    def __init__(self, chromium, home):
        to_chromium_r, self.to_chromium = os.pipe()
        self.from_chromium, from_chromium_w = os.pipe()
        # Chromium reads fd 3 and writes fd 4: move the pipe ends there in the child.
        def arrange():
            os.dup2(to_chromium_r, 3)
            os.dup2(from_chromium_w, 4)
        env = dict(os.environ, HOME=home)
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + os.path.join(home, "profile"), "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-breakpad", "--disable-crash-reporter", "--enable-logging=stderr",
             "--v=0", "about:blank"],
            # 3 and 4 survive: set up by arrange(). Its own process group: close() ends every process
            # of it (the wrapper script, the browser and its helpers) and nothing else.
            pass_fds=(3, 4), preexec_fn=arrange, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium_r)
        os.close(from_chromium_w)
        self.buffer = b""
        self.next_id = 1
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.next_id += 1
        os.write(self.to_chromium, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive(30)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def receive(self, timeout):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.from_chromium], [], [], left)[0]:
                raise RuntimeError("Chromium did not answer in time")
            chunk = os.read(self.from_chromium, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method, timeout=30):
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.time() + timeout
        while time.time() < deadline:
            event = self.receive(deadline - time.time())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise RuntimeError("no " + method)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError("evaluate: " + json.dumps(result["exceptionDetails"]))
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
            self.process.wait(10)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # what Browser.close left, if anything
        except ProcessLookupError:
            pass
        self.process.wait()
        os.close(self.to_chromium)
        os.close(self.from_chromium)


def png_pixels(data):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG: (width, height, channels, rows of bytes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            upper_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[x] = (line[x] + predictor) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def non_background_pixels(data):
    """Pixels that differ from the most common colour (the background)."""
    width, height, channels, rows = png_pixels(data)
    counts = {}
    for row in rows:
        for x in range(0, width * channels, channels):
            pixel = row[x:x + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    return width * height - max(counts.values()) if counts else 0


SETTLE = """new Promise((done) => {
  const start = Date.now();
  const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
  const poll = () => (document.body.dataset.rendered === 'yes' || Date.now() - start > 5000)
    ? frames() : setTimeout(poll, 50);
  poll();
})"""


COLLECT = """(() => {
  const text = (e) => e.textContent;
  const charts = Array.from(document.querySelectorAll('canvas')).map((c) => {
    const r = c.getBoundingClientRect();
    return {id: c.id, x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};
  });
  const figures = {};
  for (const e of document.querySelectorAll('[data-figure]')) {
    const section = e.closest('section').id;
    figures[section + '/' + e.dataset.figure] = text(e);
  }
  const tables = {};
  for (const t of document.querySelectorAll('table[id]')) {
    tables[t.id] = Array.from(t.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.cells).map(text));
  }
  const tree = {};
  for (const t of document.querySelectorAll('ul.tree')) {
    tree[t.id] = Array.from(t.querySelectorAll('li')).map((li) => [+li.dataset.pid, +li.dataset.parent, li.firstChild.textContent]);
  }
  return {rendered: document.body.dataset.rendered === 'yes', charts, figures, tables, tree,
          title: document.title, scripts: document.scripts.length, images: document.images.length,
          injected: document.querySelectorAll('#injected').length,
          commands: Array.from(document.querySelectorAll('.command')).map(text)};
})()"""


def load(page, chromium, screenshot):
    with tempfile.TemporaryDirectory(prefix="sysfence-chromium-") as home:
        browser = DevTools(chromium, home)
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
            browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                           session=False)["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.send(domain + ".enable")
            browser.send("Network.emulateNetworkConditions",
                         {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
            browser.send("Emulation.setDeviceMetricsOverride",
                         {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False})
            browser.events.clear()
            browser.send("Page.navigate", {"url": "file://" + os.path.abspath(page)})
            browser.wait_for("Page.loadEventFired")
            # Chart.js sizes a responsive canvas from a ResizeObserver and redraws in a later frame: let
            # the page settle (its script done, two frames painted) before looking.
            browser.evaluate(SETTLE)
            collected = browser.evaluate(COLLECT)
            charts = []
            for chart in collected.pop("charts"):
                # A loaded machine may paint late: look again for a while, so a chart that never draws
                # still reads 0 and one that draws late is seen.
                deadline = time.monotonic() + 5
                while True:
                    shot = browser.send("Page.captureScreenshot", {
                        "format": "png", "captureBeyondViewport": True,
                        "clip": {"x": chart["x"], "y": chart["y"], "width": chart["width"], "height": chart["height"],
                                 "scale": 0.5}})  # a quarter of the pixels to decode: still thousands drawn
                    chart["drawn_pixels"] = non_background_pixels(base64.b64decode(shot["data"]))
                    if chart["drawn_pixels"] > 0 or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                charts.append(chart)
            whole = base64.b64decode(browser.send("Page.captureScreenshot",
                                                  {"format": "png", "captureBeyondViewport": True})["data"])
            if screenshot:
                with open(screenshot, "wb") as out:
                    out.write(whole)
            time.sleep(0.2)  # late console messages
            browser.send("Runtime.evaluate", {"expression": "1"})
        finally:
            browser.close()
    requests, console = {}, []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            requests[params["requestId"]] = {"url": params["request"]["url"], "failed": False}
        elif method == "Network.loadingFailed":
            requests.setdefault(params["requestId"], {"url": "?"})["failed"] = True
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            console.append(params["type"] + ": " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            console.append("exception: " + json.dumps(params["exceptionDetails"])[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            console.append("log: " + params["entry"]["text"])
    collected.update({"requests": list(requests.values()), "console": console, "charts": charts,
                      "screenshot": len(whole)})
    return collected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    try:
        result = load(arguments.page, arguments.chromium, arguments.screenshot)
    except (RuntimeError, OSError) as error:
        print(f"load_page: {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
