"""Outputs: every write to disk — run folders, the report, agreements, the map, tables, workbooks, job folders."""
