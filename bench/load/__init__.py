"""Load benchmark: the portal as production runs it, driven by simulated Twilio calls.

Run from the repository root: `.venv/bin/python -m bench.load` (see bench/README.md).
"""
