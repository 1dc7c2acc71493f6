"""XLSForms (ODK, KoboToolbox) in: an XLSForm becomes a questionnaire YAML of ours
(``python -m survey.xlsform import FORM.xlsx``), every feature we cannot carry listed with its
row. Stages with plain data between them: workbook -> sheet rows (``workbook``) -> instrument
dict and report (``form``, expressions through ``xpath``) -> YAML checked by the loader."""

from survey.xlsform.form import Finding, Imported, import_xlsform

__all__ = ["Finding", "Imported", "import_xlsform"]
