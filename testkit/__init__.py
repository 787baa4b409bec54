"""Test and benchmark kits: report layouts rendered from records, cell-by-cell extraction counts.

Never imported by the product (archive, parsers, crawler, cli); the tests, the benchmarks and the replica use them.
"""
