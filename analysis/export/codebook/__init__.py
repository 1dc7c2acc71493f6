"""The codebook of a questionnaire: its entries, as an XLSX workbook or a printable HTML page."""
