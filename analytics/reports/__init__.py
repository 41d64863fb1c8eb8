"""Daily and weekly reports per company, the funnel, their selectors and API (issue 11, points 1-3, 6)."""
