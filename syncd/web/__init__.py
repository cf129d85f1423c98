"""The daemon's HTTP side: webhook receiver and inbox worker, `/healthz`, `/readyz` and `/metrics` (DESIGN 2.3)."""
