"""Reads that decide what a user may see, and the report's SQL."""
