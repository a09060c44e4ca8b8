# Two entry points for a fresh clone where only Python 3.11+ is present:
#   make run   set up .venv and execute every notebook in the catalogue
#   make test  set up .venv and run the whole test suite, nbval included
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: setup setup-test lint run test unit nbval check-data lab explore site context constraints bench compare-kernels mutation mutation-changed clean

TEST_STAMP := $(VENV)/.installed-test
TEST_EXTRAS := .[test,site]

# Installs with uv (a fast installer, itself pinned in constraints.txt) when it is in $(VENV), else with pip;
# either way every package at its pin in constraints.txt, and the installer's own progress on the terminal.
install = if test -x $(BIN)/uv; then $(BIN)/uv pip install --python $(BIN)/python -c constraints.txt $(1); \
	else $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt $(1); fi

# The runtime: what make run, make lab and make explore need. Each step says what it does. With uv a first
# install takes well under a minute; if uv cannot be fetched, pip does the same work in a few minutes.
$(STAMP): pyproject.toml constraints.txt
	@echo "[1/4] creating the environment in $(VENV)/"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "[2/4] fetching the installer uv with pip"
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -c constraints.txt uv \
	  || echo "uv could not be installed: pip installs the packages instead (slower)"
	@echo "[3/4] installing the pinned packages and the project"
	$(call install,-e .)
	@echo "[4/4] registering the notebooks' kernel"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (missing-from-care)" >/dev/null
	touch $(STAMP)

# The test and site extras on top: pytest, nbval, playwright, ruff, import-linter, hypothesis, mutmut, Sphinx.
$(TEST_STAMP): $(STAMP)
	@echo "installing the test and site extras"
	$(call install,-e "$(TEST_EXTRAS)")
	touch $(TEST_STAMP)

setup: $(STAMP)
setup-test: $(TEST_STAMP)

run: setup
	@echo "Executing every notebook of the catalogue into notebooks/executed/"
	$(BIN)/mfc run --jobs 2
	$(BIN)/mfc site --key-chart docs/key-chart.png
	$(BIN)/mfc readme
	@echo ""
	@echo "Done. Open next:"
	@echo "  notebooks/executed/00_overview.ipynb   the executed overview (make lab opens JupyterLab)"
	@echo "  make site, then build/site/index.html  every executed notebook as a book, offline"

# Two processes, each test file (and each notebook) kept whole in one of them (pytest-xdist).
PARALLEL := -n 2 --dist loadfile

test: lint
	$(BIN)/python -m pytest $(PARALLEL) $(NBVAL) tests notebooks/executed

# Style (ruff), formatting (ruff format) and the layers of helpers/ (import-linter, pyproject.toml).
lint: setup-test
	$(BIN)/ruff check helpers tests benchmarks notebooks
	$(BIN)/ruff format --check helpers tests benchmarks notebooks
	$(BIN)/lint-imports

unit: setup-test
	$(BIN)/python -m pytest $(PARALLEL) tests

nbval: setup-test
	$(BIN)/python -m pytest $(NBVAL) notebooks/executed

check-data: setup
	$(BIN)/mfc check-data data

context: setup
	$(BIN)/mfc build-context

# Jupyter refuses to start as root (Docker, cloud VMs) unless told; --allow-root is passed only then.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

# The explorer (notebooks/50_explore.ipynb) as a web page on this machine: Voila on 127.0.0.1, a free port,
# no browser opened (open the address it prints; Ctrl-C stops it). Template "offline" (notebooks/voila/):
# Voila's lab template without its CDN links, so it works with no network. notebooks/voila/voila.json turns
# on the Host check JupyterLab uses (only 127.0.0.1, ::1 and localhost): a DNS-rebinding page gets 403.
explore: setup
	@port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	echo "Explorer: http://127.0.0.1:$$port/ (the page appears once the notebook has run, a few seconds)"; \
	JUPYTER_PATH=notebooks $(BIN)/voila notebooks/50_explore.ipynb --no-browser --template=offline --Voila.ip=127.0.0.1 --Voila.config_file_paths=notebooks/voila --port=$$port

# The book: the executed notebooks as a Sphinx site (MyST-NB, sphinx-book-theme), never re-executed, for
# readers without Python (build/site/index.html). Settings in site/conf.py; works offline.
site: setup-test
	$(BIN)/mfc site build/site

# Timings of the whole catalogue (mfc run --jobs 1 and 2, nbconvert one by one, the floor) and of the
# non-response simulation's default run (target: under 30 s beyond imports), of the parameter matrix (60 s),
# of MICE against the known truth (1,000 synthetic replicates per group: bias and coverage within two
# MCSEs), of the bias analysis (10,000 draws per headline, 30 s) and of the series model notebook's
# default run (60 s, compilation included).
bench: setup-test
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_nonresponse_simulation.py
	$(BIN)/python benchmarks/bench_mice_truth.py
	$(BIN)/python benchmarks/bench_parameter_matrix.py
	$(BIN)/python benchmarks/bench_bias_analysis.py
	$(BIN)/python benchmarks/bench_series_model.py

# The catalogue run with a fresh kernel per notebook and with reused kernels: every executed copy must
# come out byte for byte the same (notebooks/executed/ is not touched).
compare-kernels: setup
	$(BIN)/python benchmarks/compare_kernels.py

constraints: setup-test
	( echo "# Exact versions of every package in the environment (direct pins live in pyproject.toml)."; \
	  echo "# Regenerate with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' ) > constraints.txt

# Mutation testing of the statistics core (mutmut, each module against its own tests, two at a time);
# not part of make test: see "Mutation testing" in CONTRIBUTING.md for how long it takes.
# Resumable: a module whose source and tests are unchanged since its last finished run is not run again
# (.mutation/log.txt says which modules ran when). mutation-changed mutates only the modules changed since
# SINCE (default: the last tag, else origin/main): make mutation-changed SINCE=abc123
mutation: setup-test
	$(BIN)/python tests/mutation/run.py --max-children 2 --resume

mutation-changed: setup-test
	$(BIN)/python tests/mutation/run.py --max-children 2 --changed-since $(SINCE)

clean:
	rm -rf build .pytest_cache
