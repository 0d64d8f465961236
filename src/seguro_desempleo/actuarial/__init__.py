"""actuarial."""
