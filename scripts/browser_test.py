#!/usr/bin/env python3
"""Real-browser test: a notebook run the way a learner runs it, in JupyterLab, in a real Chromium.

    .venv/bin/python scripts/browser_test.py [NOTEBOOK]     (default: notebooks/00-start.ipynb)

Starts JupyterLab on 127.0.0.1 with a random token, opens the notebook in headless Debian Chromium through
Playwright (the system executable: this never downloads a browser), clicks Run > Run All Cells, waits until every
code cell has run, then asserts that no cell shows an error (same rules as scripts/run_notebooks.py) and that every
echarts chart was actually drawn: a canvas with painted pixels inside each chart's element (_echarts_instance_).

Then what a learner does next day: save (File > Save), check the saved file (at most 1.5 MB, the chart library in
it once), shut the kernel down, open the notebook again in a fresh page, and assert that every chart draws again
from the saved outputs alone — JupyterLab signed the notebook when it saved it, so it trusts and runs its scripts.
Last, the same outputs under a name JupyterLab has not signed (a notebook from elsewhere, such as an executed copy
from out/notebooks/): no chart draws and each says why; after the command "Trust Notebook" every chart draws.
The notebook signatures live in a temporary folder, and the repository's notebook is restored byte for byte.

Writes screenshots to out/browser/NAME.png and NAME-reopened.png and prints their paths.

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
from run_notebooks import MAX_NOTEBOOK_BYTES, problems  # noqa: E402  (the same rules as the headless run)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
RUN_TIMEOUT = 15 * 60  # seconds for the whole notebook
UNSIGNED_PREFIX = "browser-test-untrusted-"  # the name of the unsigned copy, in the notebook's folder while testing
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
    """Start JupyterLab on folder; its settings and notebook signatures live under tmp."""
    os.makedirs(os.path.join(tmp, "signatures"), exist_ok=True)
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
        # Signatures of trusted notebooks: a private database, not the user's.
        f"--NotebookNotary.data_dir={os.path.join(tmp, 'signatures')}",
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

# Every chart kit/chart drew (an element of class "item" inside a .llmperf-chart output): how many there are, how
# many have a canvas with painted pixels, and how many still show their "Chart not drawn" note.
JS_CHARTS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const root = w ? w.node : document;
  const items = Array.from(root.querySelectorAll('.llmperf-chart .item'));
  let drawn = 0;
  const blank = [];
  items.forEach((el, i) => {
    const c = el.querySelector('canvas');
    let painted = 0;
    if (c && el.hasAttribute('_echarts_instance_')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let k = 3; k < d.length; k += 4) if (d[k] > 0) painted++;
    }
    if (c && painted >= 0.01 * c.width * c.height) drawn++; else blank.push(i + 1);
  });
  const notes = Array.from(root.querySelectorAll('.jp-OutputArea-output'))
    .filter(el => el.textContent.includes('Chart not drawn')).length;
  return {charts: items.length, drawn: drawn, blank: blank, notes: notes, echarts: typeof window.echarts !== 'undefined'};
}"""

JS_PAINTED = """(c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return {width: c.width, height: c.height, painted: n};
}"""


def run_in_browser(chromium, base, token, nbname, nbpath, shot):
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
            charts = page.evaluate(JS_CHARTS)
            if charts["drawn"] != charts["charts"]:
                found.append(f"charts not drawn: {charts['drawn']} of {charts['charts']} drawn (blank: {charts['blank']}) — after Run All")
            page.screenshot(path=shot)
            found += reopen(page, base, token, nbname, nbpath, charts["charts"], state, shot)
            return found, dict(paint, charts=charts["charts"])
        finally:
            browser.close()


def wait_for_charts(page, want, timeout=60):
    """Poll the page until want charts are drawn (or the time is up); return the last count."""
    deadline = time.monotonic() + timeout
    while True:
        charts = page.evaluate(JS_CHARTS)
        if charts["charts"] >= want and charts["drawn"] >= want or time.monotonic() > deadline:
            return charts
        time.sleep(1)


def api(base, token, method, path, body=None):
    req = urllib.request.Request(f"{base}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        data = r.read()
    return json.loads(data) if data else None


def open_notebook(page, base, token, name):
    """Open a notebook in a fresh page (nothing of the previous page's JavaScript survives)."""
    page.goto("about:blank")
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset", timeout=120_000)  # reset: no other tabs restored
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function(f"(() => {{ const s = ({JS_STATE})(); return s && s.cells.length > 0; }})()", timeout=120_000)


def reopen(page, base, token, nbname, nbpath, want, ran, shot):
    """Save, reopen in a fresh page with no kernel, and check the charts; then the same outputs untrusted."""
    found = []
    before = os.stat(nbpath).st_mtime_ns
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 60
    while os.stat(nbpath).st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)  # the server writes, then signs
    size = os.path.getsize(nbpath)
    with open(nbpath, encoding="utf-8") as f:
        saved = json.load(f)
    bundles = sum("data-llmperf-echarts=" in "".join(o.get("data", {}).get("text/html", ""))
                  for c in saved["cells"] for o in c.get("outputs", []))
    print(f"browser: saved {nbname} after Run All: {size / 1e6:.2f} MB, the chart library in {bundles} output(s), {want} charts")
    if size > MAX_NOTEBOOK_BYTES:
        found.append(f"too large: {size / 1e6:.2f} MB, over {MAX_NOTEBOOK_BYTES / 1e6:.1f} MB — the saved notebook")
    if bundles != 1:
        found.append(f"chart library carried {bundles} times, want once — the saved notebook")
    for s in api(base, token, "GET", "/api/sessions"):  # no kernel: what draws now comes from the file alone
        api(base, token, "DELETE", f"/api/sessions/{s['id']}")

    open_notebook(page, base, token, nbname)
    charts = wait_for_charts(page, want)
    state = page.evaluate(JS_STATE)
    counts = [c.get("execution_count") for c in state["cells"] if c["cell_type"] == "code"]
    if counts != [c.get("execution_count") for c in ran["cells"] if c["cell_type"] == "code"]:
        found.append("cells ran again: execution counts changed — the reopened notebook")
    trusted = page.evaluate("() => { const m = window.jupyterapp.shell.currentWidget.content.model; "
                            "let t = true; for (let i = 0; i < m.cells.length; i++) if (m.cells.get(i).type === 'code') "
                            "t = t && m.cells.get(i).trusted; return t; }")
    if want:
        page.locator(".llmperf-chart .item").first.scroll_into_view_if_needed()
    page.screenshot(path=shot.replace(".png", "-reopened.png"), full_page=False)
    print(f"browser: reopened in a fresh page, no kernel: trusted={trusted}, {charts['drawn']} of {charts['charts']} charts drawn")
    if charts["drawn"] != want or charts["charts"] != want:
        found.append(f"charts not drawn: {charts['drawn']} of {want} (blank: {charts['blank']}; "
                     f"trusted: {trusted}) — reopened after saving, no kernel")

    # The same outputs in a notebook this server never signed, as one from elsewhere would be. (A signature covers
    # the content, not the name: a byte-identical copy would count as signed, so the copy's metadata differs.)
    other = UNSIGNED_PREFIX + nbname
    saved["metadata"]["llmperf_browser_test"] = "an unsigned copy"
    try:
        api(base, token, "PUT", f"/api/contents/{other}", {"type": "notebook", "format": "json", "content": saved})
        open_notebook(page, base, token, other)
        time.sleep(3)
        charts = page.evaluate(JS_CHARTS)
        print(f"browser: the same outputs, unsigned: {charts['drawn']} charts drawn, {charts['notes']} show \"Chart not drawn\"")
        if charts["drawn"] != 0:
            found.append(f"scripts ran in an untrusted notebook: {charts['drawn']} charts drawn — the unsigned copy")
        if charts["notes"] < want:
            found.append(f"charts silent: only {charts['notes']} of {want} say why they are not drawn — the unsigned copy")
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:trust'); }")
        page.locator(".jp-Dialog button", has_text="Trust").last.click(timeout=30_000)
        charts = wait_for_charts(page, want)
        print(f"browser: after \"Trust Notebook\": {charts['drawn']} of {charts['charts']} charts drawn")
        if charts["drawn"] != want:
            found.append(f"charts not drawn: {charts['drawn']} of {want} (blank: {charts['blank']}) — the unsigned copy after Trust Notebook")
    finally:
        try:  # main removes the file again once the server is down: the page may still save it after this
            api(base, token, "DELETE", f"/api/contents/{other}")
        except Exception:
            pass
    return found


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
        found, paint = run_in_browser(chromium, f"http://127.0.0.1:{port}", token, os.path.basename(nb),
                                      os.path.abspath(nb), shot)
    except Exception as e:  # a broken browser or server is a failed test, with its reason
        found, paint = [f"{type(e).__name__}: {e}"], None
    finally:
        if lab:
            stop_lab(lab, port, token)
        # The unsigned copy reopen() made: JupyterLab's page can save it again after its deletion (Trust Notebook
        # saves), so remove it once the server has stopped.
        leftover = os.path.join(os.path.dirname(os.path.abspath(nb)), UNSIGNED_PREFIX + os.path.basename(nb))
        if os.path.exists(leftover):
            os.remove(leftover)
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
    print(f"ok   browser {name}: Run All in {os.path.basename(chromium)} without errors, {paint['charts']} echarts charts "
          f"drawn (the first: {paint['painted']} of {paint['width']}x{paint['height']} pixels painted); saved, reopened "
          f"with no kernel: all drawn again; unsigned copy: none until Trust Notebook, then all; {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
