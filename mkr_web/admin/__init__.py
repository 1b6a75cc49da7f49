"""The operator's (tenant admin's) pages."""
