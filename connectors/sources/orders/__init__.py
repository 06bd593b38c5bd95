"""Systems of record for orders."""
