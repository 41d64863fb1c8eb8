"""The recommendations' REST API (/api/analytics/recommendations on the company's host)."""
