"""organizer pages."""
