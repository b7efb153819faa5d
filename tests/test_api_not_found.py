def test_unknown_api_path_is_a_json_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["detail"] == "No API endpoint at /api/nope."


def test_unknown_admin_path_is_an_html_404(admin_client, settings):
    settings.DEBUG = False
    response = admin_client.get("/nowhere")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
