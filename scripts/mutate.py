#!/usr/bin/env python3
"""Mutation testing of the reference solutions against the week suites: how many wrong solutions the suites
catch. `make mutate` runs it; it takes 20-40 minutes on 2 cores and is not part of `make test`.

    python3 scripts/mutate.py [TOPIC ...]      # default: every week with a suite

For each topic it runs gremlins (github.com/go-gremlins/gremlins, pinned below; `go run` fetches it from the Go
module proxy the first time) on solutions/TOPIC. Gremlins changes one token of the code at a time (+ into -,
< into <=, a condition into its negation, i++ into i--, -x into x, && into ||, break into continue, …) and runs
the tests on each such mutant. Only the week's suite runs (GOFLAGS=-run=^TestTOPIC$), as a learner's check does:
the solutions' own extra tests and examples do not count. Files that are not an exercise's answer (the naive
versions, the library versions, demos for the notebooks) are left out. The build tag workbook_inprocess keeps
the suite in the test binary (lessons/suite would otherwise rerun it under go test -race).

A mutant is killed when the suite fails (or hangs: gremlins stops it, which counts as killed here), lived when
it passes. Some mutants cannot be told apart from the original by any test: they change nothing observable
(a bound that is never reached, a check that a later one repeats). Those are listed, with the reason, in
scripts/mutate-equivalent.txt and left out of the score. The score is killed / (killed + lived), over the
mutants the suite runs; "not covered" mutants are in code the suite never runs, listed separately.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GREMLINS = "github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"
TOPICS = ["profiling", "caching", "streaming", "concurrency", "cost"]
# Files of solutions/TOPIC that are not an exercise's answer: the suite does not run them.
NOT_EXERCISES = r"(_test|doc|naive|library|diskcache|gather|memory|summarize)\.go$"
MUTATORS = ["--invert-logical", "--invert-loopctrl"]
EQUIVALENT = os.path.join(ROOT, "scripts", "mutate-equivalent.txt")


def equivalents():
    """Reads scripts/mutate-equivalent.txt: lines 'solutions/TOPIC/file.go:LINE:COL TYPE  reason'."""
    known = {}
    if os.path.exists(EQUIVALENT):
        for line in open(EQUIVALENT):
            line = line.strip()
            if line and not line.startswith("#"):
                where, kind, *why = line.split(None, 2)
                known[(where, kind)] = why[0] if why else ""
    return known


def run(topic, out):
    test = "Test" + topic[0].upper() + topic[1:]
    env = dict(os.environ, GOFLAGS=f"-run=^{test}$")
    cmd = ["go", "run", GREMLINS, "unleash", "--silent", "--tags", "workbook_inprocess", "--workers", "2",
           "--timeout-coefficient", "10", "-E", NOT_EXERCISES, "-o", out, *MUTATORS, f"./solutions/{topic}"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if not os.path.exists(out):
        sys.exit(f"gremlins failed on {topic}:\n{proc.stdout}{proc.stderr}")
    with open(out) as f:
        return json.load(f)


def main():
    topics = sys.argv[1:] or TOPICS
    known = equivalents()
    total = {"killed": 0, "lived": 0, "equivalent": 0, "not covered": 0}
    survivors, uncovered = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for topic in topics:
            print(f"mutating solutions/{topic} …", flush=True)
            report = run(topic, os.path.join(tmp, topic + ".json"))
            counts = {"killed": 0, "lived": 0, "equivalent": 0, "not covered": 0}
            for f in report.get("files", []):
                for m in f.get("mutations", []):
                    where = f"solutions/{topic}/{f['file_name']}:{m['line']}:{m['column']}"
                    status = m["status"]
                    if status in ("KILLED", "TIMED OUT"):
                        counts["killed"] += 1
                    elif status == "LIVED" and (where, m["type"]) in known:
                        counts["equivalent"] += 1
                    elif status == "LIVED":
                        counts["lived"] += 1
                        survivors.append(f"{where} {m['type']}")
                    elif status == "NOT COVERED":
                        counts["not covered"] += 1
                        uncovered.append(f"{where} {m['type']}")
            judged = counts["killed"] + counts["lived"]
            score = 100 * counts["killed"] / judged if judged else 100
            print(f"  {topic}: {score:.1f}% killed ({counts['killed']} killed, {counts['lived']} lived, "
                  f"{counts['equivalent']} equivalent, {counts['not covered']} not covered)", flush=True)
            for k in total:
                total[k] += counts[k]
    judged = total["killed"] + total["lived"]
    score = 100 * total["killed"] / judged if judged else 100
    if survivors:
        print("\nsurvivors (the suite passes with this change; add a check, or list it as equivalent):")
        for s in survivors:
            print("  " + s)
    if uncovered:
        print("\nnot covered (the suite never runs this code):")
        for s in uncovered:
            print("  " + s)
    print(f"\nmutation score: {score:.1f}% of {judged} non-equivalent mutants killed "
          f"({total['equivalent']} equivalent, {total['not covered']} not covered)")
    return 0 if score >= 90 else 1


if __name__ == "__main__":
    sys.exit(main())
