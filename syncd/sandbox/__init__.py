"""The sandbox: a seeded merchant on the three emulators, for newcomers, the engine's tests and benchmarks."""
