"""Evaluation: prompt suites, generators, metrics and reports for `spacetime eval`."""
