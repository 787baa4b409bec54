"""Serving an archive with Datasette, read-only, with the project's metadata, plugin and templates.

``make_datasette`` builds the instance (used by ``nianbao serve`` and usable in-process);
``serve`` binds the socket first, so that ``--port 0`` can say which port it got, then runs uvicorn.
"""

from __future__ import annotations

import socket
from pathlib import Path

import uvicorn
from datasette.app import Datasette
from datasette.plugins import pm

from archive import db as archive_db
from archive.datasette import metadata, plugin

TEMPLATES = Path(__file__).parent / "datasette" / "templates"
PLUGIN_NAME = "nianbao"
#: Datasette settings: a time limit on every query; short cells in tables (report texts are long).
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "truncate_cells_html": 300,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,  # suggestions run a query per column: slow on a large archive
}


def prepare_archive(path: Path) -> None:
    """Bring an existing archive's schema up to date (the browsing view is a migration); refuse a missing one."""
    if not path.is_file():
        raise FileNotFoundError(f"no archive at {path}: create one with `nianbao import` or `nianbao crawl`")
    archive_db.connect(path).close()


def make_datasette(path: Path) -> Datasette:
    """A Datasette serving the archive at ``path`` read-only (the archive must be prepared)."""
    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(plugin, name=PLUGIN_NAME)
    database = path.stem  # Datasette names a database after its file
    return Datasette([str(path)], metadata=metadata.build(database), settings=SETTINGS, template_dir=str(TEMPLATES))


def serve(path: Path, host: str, port: int) -> None:
    """Serve until interrupted; prints the URL (with the real port) once the socket listens."""
    datasette = make_datasette(path)
    listener = socket.create_server((host, port))
    bound_host, bound_port = listener.getsockname()[:2]
    print(f"Serving {path} at http://{bound_host}:{bound_port}/ (Ctrl-C to stop)", flush=True)
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])
