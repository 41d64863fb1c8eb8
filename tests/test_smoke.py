def test_cast_exists(acme, globex, api):
    response = api(acme, "owner").get("/api/me")
    assert response.status_code == 200
    assert response.json()["company"]["slug"] == "acme"
