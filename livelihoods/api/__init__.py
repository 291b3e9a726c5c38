"""The livelihoods API: one module a subject."""
