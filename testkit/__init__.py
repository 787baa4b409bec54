"""Test and benchmark kits: report layouts only the tests use (on top of ``replica.layouts``), cell-by-cell
extraction counts.

Never imported by the product (common, parsers, archive, intake, crawler, web, cli) nor by the replica, and
not in the wheel; it may import the product and ``replica``.
"""
