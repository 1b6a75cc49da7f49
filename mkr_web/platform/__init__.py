"""platform pages."""
