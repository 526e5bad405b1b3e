"""authoring: tools for the people who write agreements.

``expect`` runs the tests an agreement folder carries beside its versions (``tests.yaml``:
expected decisions and expected statement amounts for given data); ``scaffold`` writes a new
agreement folder (``termsheet init``) and the next version of one (``termsheet new-version``).
"""

from .expect import CaseResult, Mismatch, TestReport, load_tests, run_tests

__all__ = ["CaseResult", "Mismatch", "TestReport", "load_tests", "run_tests"]
