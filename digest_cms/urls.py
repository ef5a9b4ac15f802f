from django.contrib import admin
from django.urls import include, path

from editorial.health import healthz

handler400 = "digest_cms.errors.bad_request"
handler403 = "digest_cms.errors.permission_denied"
handler404 = "digest_cms.errors.page_not_found"
handler500 = "digest_cms.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # 信息工作统计 lives under the admin (its views are admin_view-wrapped) but belongs to no model.
    path("admin/statistics/", include("editorial.admin.statistics")),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
]
