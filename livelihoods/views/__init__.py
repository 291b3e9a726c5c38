"""The livelihood pages; one module a subject."""
