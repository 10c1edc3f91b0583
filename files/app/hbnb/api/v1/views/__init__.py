"""One module per resource of API v1."""
