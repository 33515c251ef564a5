"""Test-suite settings: property tests run the same examples on every machine, so that a
CI run is reproducible (a failure found by one run is found by every run)."""

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True, print_blob=True)
settings.load_profile("reproducible")
