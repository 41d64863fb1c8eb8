"""The panel's home pages: a company's day at a glance, and the platform's fleet."""
