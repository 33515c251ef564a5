"""Excel and CSV: reading DATA into a Cohort, writing results."""

from chamdiem.platform.excel.cohort_reader import read_cohort
from chamdiem.platform.excel.problems import DataFileError, DataProblem

__all__ = ["DataFileError", "DataProblem", "read_cohort"]
