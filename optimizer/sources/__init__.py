"""Problems that do not come from a user's workbook: the embedded sample, synthetic areas, real open-data cases."""
