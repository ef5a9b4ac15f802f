from django.db import OperationalError
from django.test import RequestFactory

from editorial.middleware import DatabaseUnavailableMiddleware


def test_a_database_outage_answers_503_with_a_friendly_page_not_a_traceback():
    middleware = DatabaseUnavailableMiddleware(get_response=lambda request: None)
    response = middleware.process_exception(RequestFactory().get("/"), OperationalError("server closed"))
    assert response.status_code == 503
    assert "系统暂时无法访问" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_other_errors_are_left_to_django():
    middleware = DatabaseUnavailableMiddleware(get_response=lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None
