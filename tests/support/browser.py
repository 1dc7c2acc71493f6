"""What the browser tests (and the docs' screenshots) share: Debian's Chromium, the app served
by `streamlit run`, and waiting for what the app is doing, never for a fixed time.

A browser test module calls `require_chromium()` at its top: without Chromium the module is
skipped (on CI, where .ci/run installs it, that is an error instead).

Waiting for a rerun: every page made by `new_page` follows, in the browser, the messages of
the app's websocket: the reruns it asks for (BackMsg ``rerun_script``) and what the server
says of its runs (ForwardMsg ``new_session``, ``script_finished``, ``session_status_changed``).
The app has settled when the server has spoken of its runs since the last request, its last
word was that no script runs, no run stopped early for another one to follow (an
``st.rerun``), the page shows that no script runs, and nothing on it is stale. (A request
made during a run may be folded into that run, or dropped if it reruns a fragment that the
run removed: the end of that run answers it.) An action that changes nothing asks for no
rerun, and `settle` returns at once.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip the calling test module when Debian's Chromium is missing (fail on CI)."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on 127.0.0.1 and a data folder, which can be stopped and started
    again on its port. Its output goes to ``log``; `start` returns once it says where it listens."""

    def __init__(self, data: Path, log: Path, env: dict[str, str] | None = None):
        self.data, self.log, self.env = data, log, env or {}
        self.port, self.proc = free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "SURVEY_DATA_DIR": str(self.data), **self.env}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                 "--server.address", "127.0.0.1", "--server.port", str(self.port), "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log,
            )
        listening = threading.Event()
        # The reader copies the output to the log until the server ends (a pipe nobody read
        # could fill and stall it), and says when the server prints its address.
        threading.Thread(target=self._copy_output, args=(self.proc, listening), daemon=True).start()
        if not listening.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("streamlit did not start: " + self.log.read_text(errors="replace")[-2000:])

    def _copy_output(self, proc: subprocess.Popen, listening: threading.Event) -> None:
        with self.log.open("ab") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if self.url.encode() in line:      # "URL: http://127.0.0.1:<port>": it listens
                    listening.set()
        listening.set()                            # it ended: start() sees the exit

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


def launch(playwright):
    """Debian's Chromium, headless, with nothing that reaches outside the machine."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    )


# Follows the app's runs through its websocket (see the module docstring). Field numbers:
# BackMsg.rerun_script = 11; ForwardMsg.new_session = 4, script_finished = 6 (status 2,
# FINISHED_EARLY_FOR_RERUN: another run follows) and session_status_changed = 9, whose
# script_is_running = 2.
RUN_WATCH = """
(() => {
  const runs = window.__appRuns = {seq: 0, asked: 0, heard: 0, running: false, more: false};
  const fields = (bytes) => {  // top-level fields of a protobuf message: number -> varint value or bytes
    const found = new Map();
    let i = 0;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), wire = tag % 8, number = Math.floor(tag / 8);
      if (wire === 0) found.set(number, varint());
      else if (wire === 2) { const length = varint(); found.set(number, bytes.subarray(i, i + length)); i += length; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return found;
  };
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const bytes = bytesOf(event.data);
        if (!bytes) return;
        const message = fields(bytes);
        if (message.has(4)) { runs.running = true; runs.more = false; }
        if (message.has(6)) runs.more = message.get(6) === 2;
        if (message.has(9)) runs.running = fields(message.get(9)).get(2) === 1;
        if (message.has(4) || message.has(6) || message.has(9)) runs.heard = ++runs.seq;
      });
    }
    send(data) {
      const bytes = bytesOf(data);
      if (bytes && fields(bytes).has(11)) runs.asked = ++runs.seq;
      return super.send(data);
    }
  };
})();
"""

SETTLED = """() => {
  const runs = window.__appRuns, app = document.querySelector("[data-testid='stApp']");
  return !!runs && runs.heard > runs.asked && !runs.running && !runs.more && !!app
    && app.getAttribute("data-test-script-state") === "notRunning"
    && app.getAttribute("data-test-connection-state") === "CONNECTED";
}"""


# Drawn: no element on screen still shows its loading skeleton (Streamlit loads an element's
# code when it is first shown), every chart on screen has its canvas or SVG (a chart in a tab
# not shown is not drawn), the fonts are in, and no finite animation or transition (the
# sidebar folding away) moves.
DRAWN = """() => ({
  loading: [...document.querySelectorAll("[data-testid='stSkeleton'], [data-testid='stSkeletonElement']")]
    .filter(skeleton => skeleton.checkVisibility()).length,
  charts: [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
    .filter(chart => chart.checkVisibility()).filter(chart => !chart.querySelector("canvas, svg.marks")).length,
  fonts: document.fonts.status,
  moving: document.getAnimations().filter(a => a.playState === "running"
                                          && a.effect?.getComputedTiming().endTime !== Infinity).length,
})"""


def new_page(browser, **context_options):
    """A page in a context of its own whose app reruns `settle` can wait for."""
    context = browser.new_context(**context_options)
    context.add_init_script(RUN_WATCH)
    return context.new_page()


def widget(page, key: str):
    return page.locator(f".st-key-{key}")


def settle(page, timeout: int = 20_000) -> None:
    """Wait until the app has finished the rerun that the last action asked for, as a person
    waits for the page to update."""
    try:
        page.wait_for_function(SETTLED, timeout=timeout)
    except PlaywrightTimeout:
        seen = page.evaluate("""() => JSON.stringify({runs: window.__appRuns, state: document.querySelector(
            "[data-testid='stApp']")?.getAttribute("data-test-script-state")})""")
        raise AssertionError(f"the app did not settle in {timeout} ms: {seen}") from None
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    # The run is over once nothing on the page is left from the previous one.
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=timeout)


def drawn(page, timeout: int = 30_000) -> None:
    """Wait until the page is painted as a person sees it: charts drawn, nothing moving."""
    done = (f"() => {{ const seen = ({DRAWN})(); "
            "return !seen.loading && !seen.charts && seen.fonts === 'loaded' && !seen.moving; }")
    try:
        page.wait_for_function(done, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"the page was not drawn in {timeout} ms: {page.evaluate(DRAWN)}") from None
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def main_height(page) -> int:
    """The height of the app's content, scrolled or not."""
    return int(page.evaluate(
        "() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0, "
        "document.documentElement.scrollHeight)"))


def resize(page, width: int, height: int) -> None:
    """A new viewport size, waited for until the page has laid itself out in it."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function("([w, h]) => window.innerWidth === w && window.innerHeight === h", arg=[width, height])
    drawn(page)
