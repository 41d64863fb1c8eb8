"""templates: models arrive with their issue."""
