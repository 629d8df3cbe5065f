# vaecourse: the two commands of the README are `make lab` and `make test`.
# Both create the virtual environment .venv on first use (about 2-3 minutes) and reuse it after.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Point the loader at ../shared/data when it exists and nothing else was chosen.
export VAECOURSE_DATA ?= $(wildcard $(abspath ../shared/data))
export MPLBACKEND ?= Agg
# Jupyter refuses to run as root (containers, CI) unless told to.
USER_ID ?= $(shell id -u)
LAB_ARGS := --notebook-dir=. $(if $(filter 0,$(USER_ID)),--allow-root)
# pytest-xdist workers: each test module (each assignment and track of the validity harness) runs
# on one worker, and every worker and kernel uses one thread per framework (tests/conftest.py).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope
CODE := vaecourse tests scripts benchmarks

.PHONY: install data lab hub test test-quick style bench assignments lint grade

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $@

data: $(STAMP)
	$(BIN)/python -m vaecourse.data

lab: data
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter lab $(LAB_ARGS)

# A JupyterHub for a whole class on this machine, as root (it creates the Linux accounts):
# sudo make hub [HUB_ARGS="--port 8000 --track pytorch --base /srv/vaecourse-hub"]
hub: data
	$(BIN)/vaecourse hub $(HUB_ARGS)

# Instructors: rebuild assignments/ and solutions/ from course/ (commit the result).
assignments: $(STAMP)
	$(BIN)/vaecourse build

lint: $(STAMP)
	$(BIN)/vaecourse lint

# make grade TRACK=pytorch ASSIGNMENT=01-autoencoders SUBMISSIONS=export.zip OUT=grading/01
grade: $(STAMP)
	$(BIN)/vaecourse grade --track $(TRACK) $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT)

# The code's lint and format check (ruff; its rules are in pyproject.toml).
style: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

# The whole suite, as CI runs it.
test: style
	$(PYTEST) $(PYTEST_ARGS)

# The development loop: everything but the browser suite and the validity harness.
test-quick: style
	$(PYTEST) --ignore=tests/test_browser.py --ignore=tests/test_validity.py $(PYTEST_ARGS)

# The timing report (not a test): notebooks, grading and trainers, one at a time, on a quiet
# machine; writes benchmarks/results/report.{md,json}. About 25 minutes.
bench: $(STAMP) data
	$(BIN)/python benchmarks/report.py $(BENCH_ARGS)
