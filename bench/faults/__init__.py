"""Fault matrix: the portal's recovery from lost callbacks, a dead broker, a killed worker,
dropped database connections, malformed input and forged requests, played against a running
deployment of its own.

Run from the repository root: `.venv/bin/python -m bench.faults` (see bench/README.md, "Faults").
"""
