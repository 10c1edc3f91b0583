"""The REST API, one package per version."""
