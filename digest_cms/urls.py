from django.contrib import admin
from django.urls import include, path

from editorial.health import healthz

# Shown only without a masthead: templates/admin/base_site.html names the publication.
admin.site.site_header = "编辑部"
admin.site.site_title = "Digest CMS"
admin.site.index_title = "编辑工作台"

handler400 = "digest_cms.errors.bad_request"
handler403 = "digest_cms.errors.permission_denied"
handler404 = "digest_cms.errors.page_not_found"
handler500 = "digest_cms.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
]
