"""The early-warning engine: facts loaded in bulk, pure rules with thresholds as data, the policy
they read, and the evaluation that writes warnings. Pages and APIs never call in here directly;
services, scans and tasks do."""
