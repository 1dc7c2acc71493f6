"""The website instrument, part 1: the city's own access logs and analytics exports, stored once,
counted plainly. ``python -m survey.traffic import|report|bench``; see README "Website traffic"."""

from survey.traffic.history import import_history
from survey.traffic.importer import ImportResult, import_bytes, import_files
from survey.traffic.report import traffic_report, traffic_tables

__all__ = ["ImportResult", "import_bytes", "import_files", "import_history", "traffic_report", "traffic_tables"]
