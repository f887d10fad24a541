async def test_create_and_read_project(client):
    created = await client.post("/projects", json={"name": "Spring canvass"})
    assert created.status_code == 201
    project_id = created.json()["id"]

    fetched = await client.get(f"/projects/{project_id}")
    assert fetched.status_code == 200
    assert fetched.json() == {"id": project_id, "name": "Spring canvass", "contacts": 0}


async def test_unknown_project_is_404(client):
    response = await client.get("/projects/999999")
    assert response.status_code == 404
