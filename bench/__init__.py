"""Benchmark harness: imports synthetic Hotmart exports through the public API on a real
embedded stack and compares each import with the floor of the same work done raw."""
