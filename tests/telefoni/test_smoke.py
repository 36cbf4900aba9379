import pytest


@pytest.mark.parametrize("name, status", [("anonymous", 302), ("employee", 200)])
def test_start_page_needs_sign_in(matrix_client, name, status):
    response = matrix_client(name).get("/")
    assert response.status_code == status
    if status == 200:
        assert "Anna" in response.content.decode()
    else:
        assert response["Location"].startswith("/accounts/login/")
