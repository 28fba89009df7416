#!/usr/bin/env python3
"""The course's whole test: what `make test` and CI run. Every stage runs, even after a failure, so one run
shows everything that is wrong.

    .venv/bin/python scripts/test_all.py [--skip STAGE ...] [--only STAGE ...]

Stages: gofmt, stripped (notebooks committed without outputs), tidy (go mod tidy -diff), vet, layers (the
learner's binary links no testing package), gotest (go test -race), exercises (every
stub fails with its message, every solution passes), notebooks (each executed headless through GoNB), secrets
(00-start run with a sentinel key against an upstream that quotes it back: the key in no output), browser
(JupyterLab + headless Chromium). Each stage's checks count one by one (a package, an exercise, a notebook);
the last line is "N passed, N failed". Exit status 1 if anything failed.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
GO_TEST_PKGS = ["./kit/...", "./lessons/...", "./mock/...", "./solutions/...", "./cmd/..."]
# A check's result line: go test's "ok  \tpkg" / "FAIL\tpkg", and our scripts' "ok   name" / "FAIL name" / "SKIP name".
RESULT = re.compile(r"^(ok|FAIL|SKIP)\s+(\S.*)$")


def go_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.go"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.split() if os.path.exists(os.path.join(ROOT, f)) and "/testdata/" not in f
            and not f.startswith(("node_modules/", ".venv/")) and "/node_modules/" not in f]


def stage_gofmt():
    files = go_files()
    out = subprocess.run(["gofmt", "-l", *files], cwd=ROOT, capture_output=True, text=True)
    bad = out.stdout.split()
    lines = [f"FAIL {f} is not gofmt-formatted (run gofmt -w {f})" for f in bad]
    if out.returncode != 0 and not bad:
        lines.append("FAIL gofmt: " + out.stderr.strip())
    if not lines:
        lines.append(f"ok   gofmt: {len(files)} files formatted")
    return lines, 0 if not bad and out.returncode == 0 else 1


def stage_tidy():
    out = subprocess.run(["go", "mod", "tidy", "-diff"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode == 0:
        return ["ok   go mod tidy -diff: go.mod and go.sum are tidy"], 0
    lines = ["FAIL go mod tidy -diff: go.mod or go.sum is untidy (run go mod tidy):"]
    lines += ["    " + l for l in (out.stdout + out.stderr).splitlines()[:20]]
    return lines, 1


def stage_layers():
    """cmd/workbook is a program for learners: it must not link the testing packages the suites use."""
    out = subprocess.run(["go", "list", "-deps", "./cmd/workbook"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        return ["FAIL go list -deps ./cmd/workbook: " + out.stderr.strip()], 1
    bad = [p for p in out.stdout.split() if p == "testing" or p.startswith("testing/")]
    if bad:
        return [f"FAIL cmd/workbook links {', '.join(bad)}: suites belong in lessons/TOPIC/TOPICtest"], 1
    return ["ok   cmd/workbook links no testing package"], 0


STAGES = {
    # name: (what it does, command or function)
    "gofmt": ("gofmt -l on every Go file", stage_gofmt),
    "stripped": ("notebooks committed without outputs", ["python3", "scripts/strip_notebooks.py", "--check"]),
    "tidy": ("go mod tidy -diff", stage_tidy),
    "vet": ("go vet ./...", ["go", "vet", "./..."]),
    "layers": ("cmd/workbook links no testing package", stage_layers),
    "gotest": ("go test -race " + " ".join(GO_TEST_PKGS), ["go", "test", "-race", "-timeout", "15m", *GO_TEST_PKGS]),
    "exercises": ("stubs fail with their message, solutions pass", ["go", "run", "./scripts/exercisecheck"]),
    "notebooks": ("every notebook executed headless through GoNB", [PY, "scripts/run_notebooks.py"]),
    "secrets": ("00-start against an upstream quoting a sentinel key: the key in no output",
                [PY, "scripts/run_notebooks.py", "--sentinel", "notebooks/00-start.ipynb"]),
    "browser": ("Run All in JupyterLab in headless Chromium", [PY, "scripts/browser_test.py"]),
}


def run_stage(name):
    what, action = STAGES[name]
    print(f"\n=== {name}: {what}", flush=True)
    start = time.monotonic()
    if callable(action):
        lines, code = action()
        for line in lines:
            print(line)
    else:
        env = dict(os.environ, PATH=os.path.join(ROOT, ".bin") + os.pathsep + os.environ.get("PATH", ""))
        proc = subprocess.Popen(action, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
        code = proc.wait()
    passed = failed = skipped = 0
    for line in lines:
        m = RESULT.match(line)
        if not m:
            continue
        if m.group(1) == "ok":
            passed += 1
        elif m.group(1) == "FAIL":
            failed += 1
        else:
            skipped += 1
    if code != 0 and failed == 0:
        failed = 1  # it failed without naming a check: count the stage itself
    elif code == 0 and passed == 0 and failed == 0 and skipped == 0:
        passed = 1
    took = time.monotonic() - start
    verdict = "FAILED" if failed else "passed"
    extra = f", {skipped} skipped" if skipped else ""
    print(f"--- {name} {verdict}: {passed} ok, {failed} failing{extra} ({took:.0f} s)", flush=True)
    return name, passed, failed, skipped, took


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--skip", action="append", default=[], choices=list(STAGES), help="leave a stage out")
    p.add_argument("--only", action="append", default=[], choices=list(STAGES), help="run only these stages")
    args = p.parse_args()
    names = [n for n in STAGES if (not args.only or n in args.only) and n not in args.skip]
    start = time.monotonic()
    results = [run_stage(n) for n in names]
    print("\n=== summary")
    for name, passed, failed, skipped, took in results:
        extra = f", {skipped} skipped" if skipped else ""
        print(f"{'FAIL' if failed else 'ok  '} {name:<10} {passed} ok, {failed} failing{extra} ({took:.0f} s)")
    total_passed = sum(r[1] for r in results)
    total_failed = sum(r[2] for r in results)
    print(f"total time {time.monotonic() - start:.0f} s")
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
