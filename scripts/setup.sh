#!/usr/bin/env bash
# Installs what the course needs, idempotently (a second run only checks): the Go tools pinned in go.mod into
# .bin/, the Python venv in .venv/ from requirements.txt, the GoNB Jupyter kernel, and the npm packages of the
# mock's compatibility check. Used by `make setup`, `make lab` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed: get Go 1.26 or newer from https://go.dev/dl and run this again"
command -v python3 >/dev/null || die "python3 is not installed: install Python 3.10 or newer (with its venv module)"

# 1. Go tools, at the versions go.mod's tool directive pins (go install @latest of GoNB is refused by the proxy).
say "Go tools (gonb, goimports, gopls) -> .bin/"
GOBIN="$root/.bin" go install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports golang.org/x/tools/gopls
# Every module go.mod names, now: a notebook must not download at run time ("go: downloading …" on a cell's stderr).
go mod download

# 2. Python venv: JupyterLab, nbclient, playwright, … at pinned versions; reinstalled when requirements.txt changes.
if [ ! -x .venv/bin/python ]; then
	say "creating .venv"
	python3 -m venv .venv || die "python3 -m venv failed: on Debian/Ubuntu install python3-venv"
fi
want=$(python3 -c 'import hashlib; print(hashlib.sha256(open("requirements.txt", "rb").read()).hexdigest())')
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$want" ]; then
	say "installing requirements.txt into .venv (once)"
	.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	echo "$want" >.venv/.requirements.sha256
else
	say ".venv is up to date"
fi

# 3. The GoNB kernel. Jupyter started from a desktop or an IDE often has no ~/go/bin (or even Go) on PATH, and
# GoNB needs go, goimports and gopls: the kernel folder gets its own copies of the tools and a small launcher that
# puts them and Go first on PATH, so the kernel works whatever PATH Jupyter has.
kdir="$(.venv/bin/jupyter --data-dir)/kernels/gonb"
goroot_bin="$(go env GOROOT)/bin"
say "GoNB kernel -> $kdir"
JUPYTER_DATA_DIR="$(.venv/bin/jupyter --data-dir)" PATH="$root/.bin:$goroot_bin:$PATH" \
	"$root/.bin/gonb" --install --force_copy --logtostderr 2>/dev/null ||
	die "gonb --install failed: run PATH=$root/.bin:\$PATH $root/.bin/gonb --install to see why"
for tool in goimports gopls; do
	# copy then rename: a running kernel may be using the old binary
	cmp -s ".bin/$tool" "$kdir/$tool" || { cp ".bin/$tool" "$kdir/$tool.new" && mv -f "$kdir/$tool.new" "$kdir/$tool"; }
done
cat >"$kdir/gonb-kernel.new" <<LAUNCHER
#!/bin/sh
# Written by the workbook's scripts/setup.sh: GoNB with go, goimports and gopls on PATH.
PATH="$kdir:$goroot_bin:\$PATH"
export PATH
exec "$kdir/gonb" "\$@"
LAUNCHER
chmod +x "$kdir/gonb-kernel.new" && mv -f "$kdir/gonb-kernel.new" "$kdir/gonb-kernel"
.venv/bin/python - "$kdir" <<'PY'
import json, os, sys
kdir = sys.argv[1]
path = os.path.join(kdir, "kernel.json")
with open(path) as f:
    spec = json.load(f)
spec["argv"][0] = os.path.join(kdir, "gonb-kernel")
with open(path, "w") as f:
    json.dump(spec, f, indent=1)
PY
.venv/bin/jupyter kernelspec list | grep -q '^ *gonb ' || die "the gonb kernel is not listed by jupyter kernelspec list"

# 4. The mock's compatibility check against the official Node SDK, if it is there.
if [ -f mock/compat/package.json ]; then
	if ! command -v npm >/dev/null; then
		say "npm not found: skipping mock/compat (only its Node SDK check needs it)"
	elif [ ! -f mock/compat/node_modules/.package-lock.json ] || [ mock/compat/package-lock.json -nt mock/compat/node_modules/.package-lock.json ]; then
		say "npm ci in mock/compat"
		if [ -f mock/compat/package-lock.json ]; then
			(cd mock/compat && npm ci --no-audit --no-fund --loglevel=error)
		else
			(cd mock/compat && npm install --no-audit --no-fund --loglevel=error)
		fi
	fi
fi
say "ready"
