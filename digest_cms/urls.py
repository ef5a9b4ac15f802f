from django.contrib import admin
from django.urls import include, path

from editorial.health import healthz

# Shown only without a masthead: templates/admin/base_site.html names the publication.
admin.site.site_header = "编辑部"
admin.site.site_title = "Digest CMS"
admin.site.index_title = "编辑工作台"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # 信息工作统计 lives under the admin (its views are admin_view-wrapped) but belongs to no model.
    path("admin/statistics/", include("editorial.admin.statistics")),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
]
