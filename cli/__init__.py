"""The ``nianbao`` command line: ``main`` assembles the group; one module per topic defines its commands
(``import_commands``, ``search_commands``, ``parse_commands``, ``export_commands``, ``serve_commands``,
``crawl_commands``, ``redis_commands``, ``runs_commands``); ``common`` holds what they share (--db before and
after the command, --json, the report filters, the archive opened safely); ``render`` prints records.
An option several commands of one module share is declared once in that module.

May import: every package of the product, and ``replica`` (only inside `nianbao replica` and `nianbao demo`);
never ``testkit``, ``tests`` or ``bench`` (import-linter's contracts, pyproject.toml).
"""
