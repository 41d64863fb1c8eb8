"""Next best actions for the company's owner, with evidence, status and action (issue 11, point 4)."""
