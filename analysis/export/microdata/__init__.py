"""Labelled microdata of a store table: the frame every format writes, the variable names
and labels, the weights, then CSV, XLSX, Parquet, SPSS and Stata files."""
