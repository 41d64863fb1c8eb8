"""Throwaway tenant apps for migrate_lagging's tests, installed only in the processes those tests start
(TEST_TENANT_APPS, secretaria/settings.py): a release's migrations, applied by the fast path or the
standard one, then removed again by the tests."""
