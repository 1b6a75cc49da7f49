"""Login, logout, role switching, language choice."""
