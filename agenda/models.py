"""agenda: models arrive with their issue."""
