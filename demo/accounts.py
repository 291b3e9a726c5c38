"""The demo county's accounts share one password, printed by `make run` (config/embedded.py)."""

DEMO_PASSWORD = "dixian-demo-2026"
