"""A throwaway tenant app, installed only while `make bench ARGS="fleet"` times a migration.

Its one migration stands for "the next migration a deploy brings": the bench applies it to every
company's schema with `migrate_schemas`, times it, and migrates the app back to zero so the bench
database is left as it was. It is in INSTALLED_APPS only when BENCH_FLEET_APP=1
(secretaria/settings.py, "Fleet: bench"), which only the bench's migration processes set.
"""
