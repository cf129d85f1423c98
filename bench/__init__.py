"""Benchmarks of syncd on the sandbox's emulators (`python -m bench <name>`); their numbers are output, not tests."""
