# vaecourse: the two commands of the README are `make lab` and `make test`.
# Both create the virtual environment .venv on first use (about 2-3 minutes) and reuse it after.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Point the loader at ../shared/data when it exists and nothing else was chosen.
export VAECOURSE_DATA ?= $(wildcard $(abspath ../shared/data))
export MPLBACKEND ?= Agg

.PHONY: install data lab test benchmark assignments lint grade

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $@

data: $(STAMP)
	$(BIN)/python -m vaecourse.data

lab: data
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter lab --notebook-dir=.

# Instructors: rebuild assignments/ and solutions/ from course/ (commit the result).
assignments: $(STAMP)
	$(BIN)/vaecourse build

lint: $(STAMP)
	$(BIN)/vaecourse lint

# make grade TRACK=pytorch ASSIGNMENT=01-autoencoders SUBMISSIONS=export.zip OUT=grading/01
grade: $(STAMP)
	$(BIN)/vaecourse grade --track $(TRACK) $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_dense_vae.py
