"""The admin page "导入旧版文本": upload legacy text files, preview, confirm."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView


class LegacyImportView(TemplateView):
    model_admin = None
    template_name = "admin/editorial/issue/import_legacy.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("editorial.import_legacy_issue"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
