"""Authentication routes, served on every host: a company's host for its staff, the public host for
platform admins (mounted under /api/)."""

from django.urls import path

from accounts.api.views import LogoutView, MeView, TokenRefreshPairView, TokenView

urlpatterns = [
    path("auth/token", TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", TokenRefreshPairView.as_view(), name="auth-token-refresh"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("me", MeView.as_view(), name="me"),
]
