"""The R ``survey`` core: the design and its variance (Taylor linearisation, calibration),
estimators, cross-tabs with their tests, regression models and weighting.  Plain numpy:
it knows nothing of questionnaires or the store."""
