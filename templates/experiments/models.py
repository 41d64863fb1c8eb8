"""Models of this part (filled by its issue step)."""
