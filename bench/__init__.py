"""Benchmarks: `python -m bench` runs them all and prints each table with its targets."""
