"""expert pages."""
