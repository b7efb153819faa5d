"""REST API URLs of agents (outbound calls)."""

urlpatterns = []
