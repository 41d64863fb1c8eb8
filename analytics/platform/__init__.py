"""The platform's view across companies (public schema): churn risk and upgrade suggestions (issue 11, point 4)."""
