#!/usr/bin/env python3
"""Clear notebooks for committing: outputs, execution counts and run-time cell metadata go; each cell keeps an id.

    python3 scripts/strip_notebooks.py [--check] [NOTEBOOK ...]    (default: notebooks/*.ipynb)

--check changes nothing and exits 1 if a notebook is not clean. Uses only the standard library, so it runs
before the venv exists. Notebooks with stored outputs are also untrusted in JupyterLab, which would stop their
charts from drawing: keep them clean.
"""
import argparse
import glob
import json
import os
import sys
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME_METADATA = ("execution", "collapsed", "scrolled", "jupyter", "ExecuteTime")


def strip(nb):
    """Return the notebook without outputs (a new dict; the input is left as it was)."""
    nb = json.loads(json.dumps(nb))
    for cell in nb.get("cells", []):
        cell.setdefault("id", uuid.uuid4().hex[:8])
        for key in RUNTIME_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    nb.get("metadata", {}).pop("widgets", None)
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5  # cell ids need format 4.5
    return nb


def dump(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="report notebooks that are not clean; change nothing")
    p.add_argument("notebooks", nargs="*")
    args = p.parse_args()
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    dirty = 0
    for path in paths:
        name = os.path.relpath(path, ROOT)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            nb = json.loads(text)
        except (OSError, ValueError) as e:
            print(f"FAIL {name}: cannot read it as a notebook: {e}")
            dirty += 1
            continue
        clean = strip(nb)
        if clean == nb:
            if args.check:
                print(f"ok   {name} has no outputs")
            continue
        if args.check:
            print(f"FAIL {name} has outputs or execution counts: run make strip")
            dirty += 1
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(dump(clean))
            print(f"stripped {name}")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
