"""Benchmarks for the contract register (run on demand: ``python -m bench.contracts``)."""
