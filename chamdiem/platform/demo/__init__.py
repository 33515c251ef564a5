"""Synthetic data for demonstrations, tests and benchmarks (no real people)."""

from chamdiem.platform.demo.province import (
    Province,
    build_province,
    generate_cohort,
    generate_province,
)

__all__ = ["Province", "build_province", "generate_cohort", "generate_province"]
