"""The sync engine: jobs, the rules they apply, the runner and the scheduler."""
