"""The database backend: django-tenants' (schemas), over django-prometheus's (query metrics),
over Django's psycopg 3 backend; see base.py for the one thing it adds."""
