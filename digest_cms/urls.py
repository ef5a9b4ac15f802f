from django.contrib import admin
from django.urls import include, path

from editorial.health import healthz

handler400 = "digest_cms.errors.bad_request"
handler403 = "digest_cms.errors.permission_denied"
handler404 = "digest_cms.errors.page_not_found"
handler500 = "digest_cms.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
]
