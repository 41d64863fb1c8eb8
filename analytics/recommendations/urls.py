"""Routes of this part, under /api/ on the company's host (analytics/urls.py includes them)."""

from rest_framework.routers import SimpleRouter

from analytics.recommendations.api.views import RecommendationViewSet

_router = SimpleRouter()
_router.trailing_slash = "/?"
_router.register("analytics/recommendations", RecommendationViewSet, basename="analytics-recommendation")

urlpatterns = _router.urls
