"""chamdiem: scoring and grading of agencies, units and civil servants."""

__version__ = "0.1.0"
