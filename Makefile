# The course's two commands: `make lab` (start learning) and `make test` (check everything, as CI does).
# Both install what they need first, idempotently (scripts/setup.sh): Go tools in .bin/, the Python venv in
# .venv/, the GoNB Jupyter kernel.

VENV      := .venv
PY        := $(VENV)/bin/python
LAB_PORT  ?= 8888
BENCHTIME ?= 1s
# make bench-pulse: ProjectPulse on generated logs of these sizes, each mode this many times (interleaved).
PULSE_SIZES  ?= 256MiB,1GiB
PULSE_REPEAT ?= 1
# No browser tab under CI or over ssh; set LAB_FLAGS yourself for anything else (e.g. LAB_FLAGS=--ip=0.0.0.0).
LAB_FLAGS ?= $(if $(filter true,$(CI)),--no-browser,)$(if $(SSH_CONNECTION), --no-browser,)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup lab test bench bench-pulse mutate strip progress clean

help:
	@echo "make lab       install everything (once) and open the course in JupyterLab (built-in mock: no API key)"
	@echo "make test      run every check: gofmt, vet, go test -race, exercises, notebooks, browser"
	@echo "make bench     run the benchmarks of the solutions, lessons and mock (BENCHTIME=$(BENCHTIME))"
	@echo "make bench-pulse  the capstone at zero model latency on $(PULSE_SIZES) logs: wall, MB/s, peak RSS per mode"
	@echo "make mutate    mutation testing: how many wrong solutions the suites catch (20-40 min; TOPICS=cost)"
	@echo "make strip     clear notebook outputs before committing"
	@echo "make progress  list your exercises, done or not"
	@echo "make setup     only install: Go tools, venv, GoNB kernel"

setup:
	@bash scripts/setup.sh

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) $(ROOT_FLAG) $(LAB_FLAGS)

test: setup
	@$(PY) scripts/test_all.py

bench:
	go test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./solutions/... ./kit/... ./lessons/... ./mock/...

# Needs about 5 GiB of RAM and 1 GiB of temporary disk for the naive mode on 1 GiB; each log is deleted after.
bench-pulse:
	@mkdir -p out
	go build -o out/workbook ./cmd/workbook
	out/workbook pulse -bench $(PULSE_SIZES) -repeat $(PULSE_REPEAT) -upstream instant

mutate:
	python3 scripts/mutate.py $(TOPICS)

strip:
	@python3 scripts/strip_notebooks.py

progress:
	@go run ./cmd/workbook progress

clean:
	rm -rf out/
