"""REST API URLs."""

urlpatterns = []
