"""The input workbook: reading, cell parsing, checks, assembly into ProblemData, the template, scenarios."""
