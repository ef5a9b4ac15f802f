"""Benchmarks, run by hand (`make bench` runs them all); never imported by the application or the tests."""
