from django.contrib import admin
from django.urls import include, path

from editorial.health import healthz

admin.site.site_header = "长三角每周要讯 · 编辑部"
admin.site.site_title = "Digest CMS"
admin.site.index_title = "编辑工作台"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
]
