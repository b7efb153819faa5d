"""The benchmark's URLconf: every URL of the product, plus /bench/floor (bench/load/floor.py)."""

from django.urls import path

from flametree_portal import urls as product

from .floor import fixed_twiml

urlpatterns = [*product.urlpatterns, path("bench/floor", fixed_twiml)]
handler404 = product.handler404  # Django reads the 404 handler from the root URLconf only
