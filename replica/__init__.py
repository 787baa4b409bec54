"""A replica of the registry's portals, served on 127.0.0.1 under their real host names: what ``nianbao demo``
crawls, and what the tests and benchmarks crawl instead of the internet (``replica.sites``: what it serves;
``replica.server``: how; ``replica.large``: the benchmark's many portals; ``replica.layouts``: reports rendered
from records). Everything it serves at run time is in the package (``replica/data/``), so an installed wheel
runs the demo.

A kit, not the product: it may import ``parsers`` (the report form); only the ``nianbao demo`` and
``nianbao replica`` commands import it, inside the command.
"""
