"""Use cases: one module per family, plain functions over the narrow ports of app.ports."""
