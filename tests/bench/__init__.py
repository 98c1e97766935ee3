"""Performance benchmarks for issue 5: ``python -m tests.bench`` from the repository root.

Not part of the normal test run: no module here is named ``test_*``, so pytest collects nothing,
and nothing here asserts on time. The machine is shared and noisy, so every figure is printed as
min / median / max and compared side by side with a baseline measured in the same run.
"""
