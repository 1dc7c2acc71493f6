"""Side-by-side benchmark of the estimators against svy and R's survey (issue 22, section 1).

``python -m analysis.bench --side-by-side`` runs :func:`analysis.benchmarks.side_by_side.main`:
:mod:`~analysis.benchmarks.generate` writes a seeded design to Parquet (and CSV for R), each
tool runs the same operations in its own process (:mod:`~analysis.benchmarks.run_ours`,
:mod:`~analysis.benchmarks.run_svy`, ``run_r.R``), and the results are first checked to agree.
"""
