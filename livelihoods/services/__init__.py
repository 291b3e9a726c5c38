"""Writes of livelihoods; one module a subject."""
