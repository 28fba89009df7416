#!/usr/bin/env python3
"""Execute notebooks headless through their kernel (GoNB) with nbclient and fail on any sign of an error.

    .venv/bin/python scripts/run_notebooks.py [NOTEBOOK ...]     (default: notebooks/*.ipynb)

Each notebook runs in a child process with a whole-notebook time limit; the executed copy is written to
out/notebooks/ for inspection. A notebook fails when a cell has an output of type "error" (GoNB reports a compile
error that way), or anything on stderr (a compile error, a panic, "go: downloading…": a learner should see none
of it; a cell whose metadata tags include "allow-stderr" may write there), or when a code cell was not executed,
or when the executed copy is larger than 1.5 MB (the charts' 1 MB library must travel once, not per chart).

It also reads the notebook as a learner does: no markdown cell longer than 1,500 characters, a time estimate
("~N min") in the title cell and in every numbered section's heading, and a self-check section. Notebooks in
PROSE_PENDING only get warnings for these.

With --sentinel the notebooks run as a learner with a real provider would, but against a local upstream that
answers every request with a 401 quoting the key and the URL it was called at; OPENAI_API_KEY is a sentinel,
also inside OPENAI_BASE_URL as a query parameter. A notebook then fails when the sentinel appears in any output.

Prints "ok   PATH (T s, SIZE)" or "FAIL PATH: reason" per notebook; exits 1 if any failed.
"""
import argparse
import glob
import http.server
import html as htmllib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPILE_ERROR = re.compile(r"^\s*\S+\.go:\d+(:\d+)?: ", re.MULTILINE)
COMPILE_LINE = re.compile(r"^\s*\S+\.go:\d+(:\d+)?: .*$", re.MULTILINE)
BAD_STDERR = [("panic:", "a panic"), ("exit status", "a program that exited with an error")]
MAX_NOTEBOOK_BYTES = 1_500_000  # an executed notebook: the ECharts bundle (~1 MB) once, and the rest
MAX_MARKDOWN_CHARS = 1_500  # a markdown cell a learner reads in one go
TIME_ESTIMATE = re.compile(r"~\s?\d+(?:[–-]\d+)?\s?min")  # "~5 min", "~10–15 min"
NUMBERED_SECTION = re.compile(r"^## +\d+\.", re.MULTILINE)
# Programs a notebook needs, with the package that installs them: without one, the notebook is skipped with that
# message (it fails instead with CI=true, where .ci/run installs them).
NEEDS = {"07-scale.ipynb": ("redis-server", "the Debian package redis-server (apt-get install redis-server)")}
# Notebooks whose prose other work is still changing: their prose checks warn instead of failing.
PROSE_PENDING = set()


def execute(path, out, cell_timeout):
    """Run in the child process: execute one notebook, keep going past errors, write the result."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "gonb")
    client = nbclient.NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name=kernel,
        allow_errors=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )

    def stop(signum, frame):
        # Timed out: end the kernel and everything it started (the cell program, gopls), then this process.
        prov = getattr(getattr(client, "km", None), "provisioner", None)
        pid = getattr(prov, "pid", None)
        if pid:
            for p in [pid, *descendants(pid)]:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        os._exit(3)

    signal.signal(signal.SIGTERM, stop)
    try:
        client.execute()
    finally:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        nbformat.write(nb, out)


def descendants(pid):
    """The process ids below pid, from /proc (Linux); empty elsewhere."""
    children = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def problems(nb):
    """The reasons an executed notebook counts as failed, one string per problem."""
    found = []
    for i, cell in enumerate(nb["cells"], 1):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        where = f"cell {i} ({first_line(cell)})"
        if cell.get("execution_count") is None:
            found.append(f"not executed: {where}")
        stderr, html = "", ""
        for o in cell.get("outputs", []):
            if o["output_type"] == "error":
                found.append(f"error output {o.get('ename', '')}: {o.get('evalue', '')[:300]} — in {where}")
            elif o["output_type"] == "stream" and o.get("name") == "stderr":
                stderr += "".join(o["text"])  # GoNB sends stderr in small pieces: judge them together
            elif "text/html" in o.get("data", {}):
                html += "".join(o["data"]["text/html"])
        if m := COMPILE_ERROR.search(stderr):
            found.append(f"Go compile error: {line_at(stderr, m.start())} — on stderr of {where}")
        bad = [needle for needle, _ in BAD_STDERR if needle in stderr]
        for needle, what in BAD_STDERR:
            if needle in stderr:
                found.append(f"{what}: {line_at(stderr, stderr.index(needle))} — on stderr of {where}")
        allowed = "allow-stderr" in cell.get("metadata", {}).get("tags", [])
        if stderr.strip() and not bad and not COMPILE_ERROR.search(stderr) and not allowed:
            first = next(l for l in stderr.splitlines() if l.strip())
            found.append(f"unexpected output on stderr: {first.strip()[:200]} — in {where} (tag the cell allow-stderr if it is meant)")
        if found and found[-1].startswith("error output") and found[-1].endswith(where) and "gonb-err" in html:
            # GoNB shows the compiler's words as HTML beside its error output: quote them.
            text = htmllib.unescape(re.sub(r"<[^>]+>", "", html))
            found.extend(f"  compiler: {m.group(0).strip()}" for m in COMPILE_LINE.finditer(text))
    return found


def prose_problems(nb):
    """What makes a notebook hard to read or plan for, one string per problem (see the module's doc)."""
    found = []
    cells = nb["cells"]
    markdown = [(i, "".join(c["source"])) for i, c in enumerate(cells, 1) if c["cell_type"] == "markdown"]
    for i, text in markdown:
        if len(text) > MAX_MARKDOWN_CHARS:
            head = text.strip().splitlines()[0][:60] if text.strip() else ""
            found.append(f"markdown cell too long, {len(text):,} characters (over {MAX_MARKDOWN_CHARS:,}; split or tighten it) — cell {i}: {head}")
    if markdown and not TIME_ESTIMATE.search(markdown[0][1]):
        found.append(f"no time estimate such as \"~45 min\" in the title — cell {markdown[0][0]}")
    for i, text in markdown:
        for m in NUMBERED_SECTION.finditer(text):
            heading = line_at(text, m.start())
            if not TIME_ESTIMATE.search(heading):
                found.append(f"no time estimate (\"~N min\") in a section heading — cell {i}: {heading[:80]}")
    if not any(re.search(r"^## +Self-check", t, re.MULTILINE) for _, t in markdown):
        found.append("no \"## Self-check\" section")
    return found


def first_line(cell):
    lines = [l for l in "".join(cell["source"]).splitlines() if l.strip() not in ("", "%%") and not l.startswith("!*go mod edit")]
    return (lines[0] if lines else "go mod edit")[:60]


def line_at(text, pos):
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()[:300]


SENTINEL = "sk-sentinel-NOTEBOOK-0123456789abcdef"


class EchoKey(http.server.BaseHTTPRequestHandler):
    """An upstream that refuses every request with a 401 whose message quotes the key and the URL."""

    def reply(self):
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {key} at {self.path}",
                                     "type": "invalid_request_error", "code": "invalid_api_key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = reply

    def log_message(self, *a):
        pass


def start_echo_key():
    """Start EchoKey on a loopback port and point the provider environment (inherited by kernels) at it."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoKey)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    os.environ["OPENAI_API_KEY"] = SENTINEL
    os.environ["OPENAI_BASE_URL"] = f"http://127.0.0.1:{srv.server_address[1]}/v1?api-key={SENTINEL}"
    return srv


def sentinel_shown(nb):
    """Where the sentinel key appears in an executed notebook's outputs."""
    found = []
    for i, cell in enumerate(nb["cells"], 1):
        text = json.dumps(cell.get("outputs", []))
        for form in (SENTINEL, SENTINEL[12:]):
            if form in text:
                found.append(f"cell {i} ({first_line(cell)}): the sentinel key is in its output")
                break
    return found


def run_one(path, args):
    """Run one notebook in a child process; return (ok, message)."""
    name = os.path.basename(path).replace(".ipynb", ".sentinel.ipynb") if args.sentinel else os.path.basename(path)
    out = os.path.join(ROOT, "out", "notebooks", name)
    log = out + ".log"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if os.path.exists(out):
        os.remove(out)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", path, out, "--cell-timeout", str(args.cell_timeout)]
    start = time.monotonic()
    with open(log, "w") as logf:
        child = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            child.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGTERM)  # the child ends its kernel, then itself
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
            return False, f"did not finish within {args.timeout} s (kernel log: {rel(log)})"
    took = time.monotonic() - start
    if not os.path.exists(out):
        return False, f"nbclient failed before writing a result (exit {child.returncode}); log: {rel(log)}\n" + tail(log)
    with open(out) as f:
        nb = json.load(f)
    size = os.path.getsize(out)
    if args.sentinel:
        # Every call meets a 401 here, so cells fail by design: the one question is whether the key shows.
        found = sentinel_shown(nb)
        if child.returncode != 0:
            found.insert(0, f"nbclient stopped: {last_error(log)} (log: {rel(log)})")
        if found:
            return False, f"{len(found)} problem(s) in {took:.1f} s; executed copy: {rel(out)}\n    " + "\n    ".join(found)
        return True, f"({took:.1f} s, the sentinel key shown nowhere)"
    found = problems(nb)
    if size > MAX_NOTEBOOK_BYTES:
        found.append(f"the executed notebook is {size / 1e6:.2f} MB, over {MAX_NOTEBOOK_BYTES / 1e6:.1f} MB "
                     f"(the ECharts bundle appears {count_bundles(nb)} times; once is enough)")
    prose = prose_problems(nb)
    if os.path.basename(path) in PROSE_PENDING:
        for p in prose:
            print(f"warn {rel(path)}: {p} (prose pending)", flush=True)
    else:
        found.extend(prose)
    if child.returncode != 0:  # nbclient stopped early (a dead kernel, a cell timeout): say why first
        found.insert(0, f"nbclient stopped: {last_error(log)} (log: {rel(log)})")
    if found:
        return False, f"{len(found)} problem(s) in {took:.1f} s; executed copy: {rel(out)}\n    " + "\n    ".join(found)
    return True, f"({took:.1f} s, {size / 1e6:.2f} MB)"


def count_bundles(nb):
    """How many outputs carry the ECharts bundle (kit/chart marks its loader script)."""
    return sum("data-llmperf-echarts=" in "".join(o.get("data", {}).get("text/html", ""))
               for c in nb["cells"] for o in c.get("outputs", []))


def rel(p):
    return os.path.relpath(p, ROOT)


def last_error(path):
    with open(path, errors="replace") as f:
        lines = [l.strip() for l in f.read().splitlines()]
    errors = [l for l in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt)\b", l)]
    return errors[-1][:300] if errors else "exit status of the runner was not 0"


def tail(path, n=15):
    with open(path, errors="replace") as f:
        lines = [l for l in f.read().splitlines() if "Traceback" in l or not l.startswith(("I1", "W1"))]
    return "\n".join("    " + l for l in lines[-n:])


def installed(prog):
    """Whether prog is on PATH or where Debian puts it (redis-server: or at $REDIS_SERVER, as kit/redislocal)."""
    import shutil
    if prog == "redis-server" and os.environ.get("REDIS_SERVER"):
        return True
    return bool(shutil.which(prog)) or any(os.access(os.path.join(d, prog), os.X_OK) for d in ("/usr/bin", "/usr/sbin"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--cell-timeout", type=int, default=300, help="seconds one cell may take")
    p.add_argument("--timeout", type=int, default=480, help="seconds a whole notebook may take")
    p.add_argument("--sentinel", action="store_true", help="run against an upstream that quotes a sentinel key back")
    p.add_argument("--child", nargs=2, metavar=("NOTEBOOK", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        execute(args.child[0], args.child[1], args.cell_timeout)
        return 0
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    if not paths:
        print("FAIL notebooks: no notebooks found in notebooks/")
        return 1
    if args.sentinel:
        start_echo_key()
    failed = 0
    for path in paths:
        name = os.path.relpath(os.path.abspath(path), ROOT)
        prog, package = NEEDS.get(os.path.basename(path), (None, None))
        if prog and not installed(prog) and os.environ.get("CI") != "true":
            print(f"SKIP {name}: needs {prog}: install {package}", flush=True)
            continue
        ok, msg = run_one(path, args)
        print(f"ok   {name} {msg}" if ok else f"FAIL {name}: {msg}", flush=True)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
