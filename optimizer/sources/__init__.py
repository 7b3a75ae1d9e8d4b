"""Problems that do not come from a user's workbook: the embedded sample, synthetic areas, real open-data cases;
and points found from addresses (geocoding) for a workbook that lacks them."""
