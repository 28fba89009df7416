#!/usr/bin/env python3
"""Real-browser test: a notebook run the way a learner runs it, in JupyterLab, in a real Chromium.

    .venv/bin/python scripts/browser_test.py [NOTEBOOK]     (default: notebooks/00-start.ipynb)

Starts JupyterLab on 127.0.0.1 with a random token, opens the notebook in headless Debian Chromium through
Playwright (the system executable: this never downloads a browser), clicks Run > Run All Cells, waits until every
code cell has run, then asserts that no cell shows an error (same rules as scripts/run_notebooks.py) and that an
echarts chart was actually drawn: a canvas with painted pixels inside an element carrying _echarts_instance_.
Writes a screenshot to out/browser/NAME.png and prints its path.

Without Chromium it prints SKIP and exits 0, except with CI=true, where a missing browser is a failure.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_notebooks import problems  # noqa: E402  (the same error rules as the headless run)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
RUN_TIMEOUT = 15 * 60  # seconds for the whole notebook
LAB_SETTINGS = {
    # No autosave: the run must not write outputs into the repository's notebook.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Render every cell, so a chart below the fold is drawn too.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No news or update pop-ups over the notebook (and no network).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def find_chromium():
    for c in [os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]:
        if c and os.access(c, os.X_OK):
            return c
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(tmp, port, token, folder):
    for name, value in LAB_SETTINGS.items():
        path = os.path.join(tmp, "settings", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(value, f)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=os.path.join(tmp, "config"))
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.user_settings_dir={os.path.join(tmp, 'settings')}",
        f"--LabApp.workspaces_dir={os.path.join(tmp, 'workspaces')}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:  # containers and CI machines often run as root
        cmd.append("--allow-root")
    log = open(os.path.join(tmp, "jupyter.log"), "w")
    lab = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            raise RuntimeError(f"JupyterLab exited at start (log: {log.name})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            return lab
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within 120 s (log: {log.name})")


def stop_lab(lab, port, token):
    try:  # shuts the kernels down too
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/shutdown?token={token}", method="POST")
        urllib.request.urlopen(req, timeout=10)
        lab.wait(timeout=30)
    except Exception:
        pass
    if lab.poll() is None:
        os.killpg(lab.pid, signal.SIGKILL)
        lab.wait()


# JavaScript run in the page, against the JupyterLab app exposed as window.jupyterapp.
JS_STATE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model || !w.sessionContext) return null;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = [];
  const m = w.content.model;
  for (let i = 0; i < m.cells.length; i++) cells.push(m.cells.get(i).toJSON());
  return {kernel: kernel ? kernel.status : 'none', cells: cells};
}"""

JS_PAINTED = """(c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return {width: c.width, height: c.height, painted: n};
}"""


def run_in_browser(chromium, base, token, nbname, shot):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{nbname}?token={token}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            # The kernel reads "unknown" until GoNB's first reply: wait for the session, not for "idle".
            page.wait_for_function(f"(() => {{ const s = ({JS_STATE})(); return s && s.kernel !== 'none'; }})()",
                                   timeout=120_000)
            # Run > Run All Cells, as a learner would click it.
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            deadline = time.monotonic() + RUN_TIMEOUT
            state = None
            while time.monotonic() < deadline:
                time.sleep(1)
                state = page.evaluate(JS_STATE)
                code = [c for c in state["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
                if state["kernel"] == "idle" and all(c.get("execution_count") for c in code):
                    break
            else:
                page.screenshot(path=shot)
                return [f"the notebook did not finish within {RUN_TIMEOUT} s (screenshot: {rel(shot)})"], None
            found = problems(state)
            chart = page.locator("[_echarts_instance_] canvas").first
            try:
                chart.wait_for(state="attached", timeout=30_000)
            except Exception:
                page.screenshot(path=shot)
                return found + ["no echarts chart: no canvas inside an element with _echarts_instance_"], None
            chart.scroll_into_view_if_needed()
            time.sleep(2)  # let the chart's opening animation finish before the screenshot
            paint = chart.evaluate(JS_PAINTED)
            if paint["painted"] < 0.01 * paint["width"] * paint["height"]:
                found.append(f"the echarts canvas is blank: {paint}")
            page.screenshot(path=shot)
            return found, paint
        finally:
            browser.close()


def rel(p):
    return os.path.relpath(p, ROOT)


def main():
    nb = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks", "00-start.ipynb")
    name = os.path.relpath(os.path.abspath(nb), ROOT)
    chromium = find_chromium()
    if not chromium:
        if os.environ.get("CI") == "true":
            print(f"FAIL browser {name}: no Chromium found (CI=true): install Debian's chromium (apt-get install chromium)")
            return 1
        print(f"SKIP browser {name}: no Chromium found; install it (Debian: apt-get install chromium) or set CHROMIUM=/path")
        return 0
    shot = os.path.join(ROOT, "out", "browser", os.path.splitext(os.path.basename(nb))[0] + ".png")
    os.makedirs(os.path.dirname(shot), exist_ok=True)
    with open(nb, "rb") as f:
        original = f.read()
    tmp = tempfile.mkdtemp(prefix="workbook-browser-")
    port, token = free_port(), secrets.token_hex(16)
    start = time.monotonic()
    lab = None
    try:
        lab = start_lab(tmp, port, token, os.path.dirname(os.path.abspath(nb)))
        found, paint = run_in_browser(chromium, f"http://127.0.0.1:{port}", token, os.path.basename(nb), shot)
    except Exception as e:  # a broken browser or server is a failed test, with its reason
        found, paint = [f"{type(e).__name__}: {e}"], None
    finally:
        if lab:
            stop_lab(lab, port, token)
        with open(nb, "rb") as f:
            if f.read() != original:  # never leave outputs in the repository's notebook
                with open(nb, "wb") as w:
                    w.write(original)
    took = time.monotonic() - start
    print(f"browser: screenshot written to {rel(shot)}" if os.path.exists(shot) else "browser: no screenshot")
    if found:
        print(f"FAIL browser {name} ({took:.0f} s; JupyterLab log: {os.path.join(tmp, 'jupyter.log')}):\n    " + "\n    ".join(found))
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok   browser {name}: Run All in {os.path.basename(chromium)} without errors, echarts chart drawn "
          f"({paint['painted']} of {paint['width']}x{paint['height']} pixels painted) in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
