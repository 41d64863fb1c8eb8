"""Word tables the offline engine reads (plain data, loaded once at import)."""
