# Baladeur: the two commands of the quick start are `make run` and `make test`.
PORT ?= 8000
VENV := .venv/bin

.PHONY: run test test-slow lint format setup setup-test bench bench-quick clean schemas

setup:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

run: setup
	@$(VENV)/baladeur db upgrade
	@$(VENV)/baladeur import examples/moulin-de-marchienne --publish --if-changed
	@$(VENV)/baladeur users bootstrap
	@# On a laptop the log is read by eye; deployments keep the default, JSON lines.
	@BALADEUR_LOG_FORMAT=$${BALADEUR_LOG_FORMAT:-text} PORT=$(PORT) $(VENV)/baladeur serve --port $(PORT)

# The whole suite: the fast tests, then the slow ones (festival load, fuzzing), then the
# quick benchmarks. CI runs exactly this.
test: setup-test lint
	@$(VENV)/python -m pytest -q -m "not slow"
	@$(VENV)/python -m pytest -q -m slow
	@$(VENV)/python -m bench.run --quick

# Only the slow tests (also part of `make test`).
test-slow: setup-test
	@$(VENV)/python -m pytest -q -m slow

lint: setup-test
	@$(VENV)/ruff check .
	@$(VENV)/ruff format --check .
	@$(VENV)/mypy trails media server authoring

format: setup-test
	@$(VENV)/ruff format .
	@$(VENV)/ruff check --fix .

# Full benchmarks, for people (about 12 minutes on 2 cores; exit 1 when a goal is missed).
bench: setup-test
	@$(VENV)/python -m bench.run

# The same code on small inputs (about 1 minute); goals are reported, not enforced.
bench-quick: setup-test
	@$(VENV)/python -m bench.run --quick

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

schemas: setup
	@$(VENV)/python -m trails.source > docs/trail-source.schema.json

# Regenerates docs/cli.md from the --help of every command (a test keeps it in step).
.PHONY: cli-docs
cli-docs: setup
	@$(VENV)/python -m authoring.docs --write

# Extracts the marked messages into the template, then merges it into each language's PO
# file (new entries empty, stale ones dropped); tests/test_translations.py fails until
# every new entry is translated. See docs/translating.md.
.PHONY: messages
messages: setup
	@$(VENV)/pybabel extract -F babel.cfg --no-location --sort-output --project Baladeur \
		-o trails/locales/baladeur.pot .
	@$(VENV)/pybabel update -i trails/locales/baladeur.pot -d trails/locales -D baladeur \
		--no-fuzzy-matching --ignore-obsolete
