from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.api.views import LogoutView, MeView, UserViewSet

# Available on every host: a company's host for its staff, the public host for platform admins.
auth_urlpatterns = [
    path("auth/token", TokenObtainPairView.as_view(), name="auth-token"),
    path("auth/token/refresh", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("me", MeView.as_view(), name="me"),
]

router = SimpleRouter()
# Like every other API path, /api/users works without a trailing slash (the slash is optional).
# DRF's constructor only takes a bool here (any truthy value means "/"), so set the pattern after.
router.trailing_slash = "/?"
router.register("users", UserViewSet, basename="user")
tenant_urlpatterns = router.urls
