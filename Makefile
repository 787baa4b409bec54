# The two jobs of the README's first screen, plus the pieces they are made of.
.PHONY: setup demo test lint typecheck pytest bench

setup:
	scripts/setup.sh

# The main job on the embedded default: crawl the bundled offline replica of the portals into demo.db.
demo: setup
	.venv/bin/nianbao --db demo.db demo

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache

typecheck:
	.venv/bin/mypy

pytest:
	.venv/bin/pytest

# What CI runs (.ci/run): set-up, lint, types, every test.
test: setup lint typecheck pytest

bench: setup
	.venv/bin/python bench/search.py
