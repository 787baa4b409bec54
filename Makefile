# The two jobs of the README's first screen, plus the pieces they are made of.
.PHONY: setup demo test lint typecheck pytest bench

setup:
	scripts/setup.sh

# The main job on the embedded default: archive the bundled seed reports, then search them.
demo: setup
	.venv/bin/nianbao --db demo.db import tests/fixtures/seeds
	.venv/bin/nianbao --db demo.db search 复议 --limit 5

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy

pytest:
	.venv/bin/pytest

# What CI runs (.ci/run): set-up, lint, types, every test.
test: setup lint typecheck pytest

bench: setup
	.venv/bin/python bench/search.py
