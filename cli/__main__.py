"""`python -m cli` is the `nianbao` command."""

from cli.main import cli

cli()
