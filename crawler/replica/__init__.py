"""A replica of the registry's portals, served on 127.0.0.1 under their real host names (see
``crawler.replica.sites`` for what it serves and ``crawler.replica.server`` for how)."""
