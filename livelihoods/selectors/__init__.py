"""Reads of livelihoods, scoped by region (core/scope.py); one module a subject."""
