"""The load benchmark's bare floor view is mounted by the benchmark's URLconf, never by the product's."""

from django.urls import resolve


def test_product_does_not_answer_the_benchmark_floor(client, db, settings):
    settings.DEBUG = False
    assert client.post("/bench/floor").status_code == 404


def test_benchmark_urlconf_answers_the_floor_with_fixed_twiml(client, db, settings):
    settings.ROOT_URLCONF = "bench.load.urls"
    response = client.post("/bench/floor")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Gather" in response.content


def test_benchmark_urlconf_keeps_the_product_urls_and_its_json_404(client, db, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench.load.urls"
    assert resolve("/admin/").url_name == "index"
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["detail"] == "No API endpoint at /api/nope."
