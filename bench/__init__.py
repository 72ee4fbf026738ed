"""Benchmarks: runnable scripts that print figures (results in docs/BENCHMARKS.md)."""
