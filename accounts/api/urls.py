"""A company's host, under /api/: authentication and the company's users."""

from rest_framework.routers import SimpleRouter

from accounts.api.urls_public import urlpatterns as auth_urlpatterns
from accounts.api.views import UserViewSet

router = SimpleRouter()
# Like every other API path, /api/users works without a trailing slash (the slash is optional).
# DRF's constructor only takes a bool here (any truthy value means "/"), so set the pattern after.
router.trailing_slash = "/?"
router.register("users", UserViewSet, basename="user")

urlpatterns = [*auth_urlpatterns, *router.urls]
