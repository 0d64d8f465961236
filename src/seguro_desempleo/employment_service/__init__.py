"""employment_service."""
