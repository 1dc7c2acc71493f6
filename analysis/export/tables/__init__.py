"""A SummaryTable as a file: the cells every format writes, then CSV, XLSX, printable HTML
(with its chart as inline SVG)."""
