"""Operator commands beyond configuration and schema: running the jobs, status, retries, the sandbox."""
