"""coordinator pages."""
