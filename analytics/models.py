"""analytics: models arrive with their issue."""
