# Everything the project needs is installed from its own files into .venv.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit bench i18n clean install lock bytecode

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Compiled modules, as a non-editable install has them: with PYTHONDONTWRITEBYTECODE
# set (as in many shells and containers) an editable install would otherwise compile
# every module of Agora again at each start (0.35 s of `agora report`). Only what
# changed is compiled again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q bot adapters storage bench > /dev/null

## Start Agora on the console adapter with ./agora.db (no tokens needed).
run: $(STAMP) bytecode
	$(BIN)/agora run $(ARGS)

## Lint, type-check, check the layers, then run every test.
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collected nothing; that is not a failure of the code.
unit: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests ran"; exit 0; fi; exit $$rc

## Benchmarks: make bench [BENCH=name] [QUICK=1]
bench: $(STAMP) bytecode
	$(BIN)/python -m bench $(if $(BENCH),--only $(BENCH)) $(if $(QUICK),--quick)

## Extract and compile the translation catalogs.
i18n: $(STAMP)
	$(BIN)/python -m bot.i18n_tools

## Upgrade every dependency within pyproject's ranges and record the versions.
lock:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade -e '.[test,dev]'
	{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
