"""Writes of the monitoring app, one module per subject; pages and the API call the same ones."""
