"""Benchmarks: `make bench` (or `python -m bench [name ...]`) prints a table of results."""
