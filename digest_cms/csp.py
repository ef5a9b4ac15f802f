"""django-csp's middleware with the site's two exceptions: what the admin's third-party templates need, and PDFs.

Readers' pages get settings.CONTENT_SECURITY_POLICY as it is. Under the admin two narrow
allowances are added, each for markup shipped by a package we do not template ourselves:

- django-import-export's export page wires its 全选 box with the inline handler
  ``onchange="onSelectToggleChange(event)"``; that one handler is allowed by its hash, so
  no other inline handler (an injected one included) can run.
- Inline style attributes (the same page, and widgets that build their markup in script):
  CSS cannot run script, and every value shown in the admin is escaped by the templates.

PDFs get no policy: Chromium's built-in viewer, which shows our inline PDFs, is itself
blocked by ``default-src 'none'``, and a PDF we render runs no script of its own.
"""

import hashlib
from base64 import b64encode
from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.urls import reverse

EXPORT_SELECT_ALL_HANDLER = "onSelectToggleChange(event)"


def source_hash(source: str) -> str:
    """The CSP hash source ('sha256-…') allowing exactly this inline script or handler."""
    return "'sha256-" + b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


ADMIN_ALLOWANCES = {
    "script-src-attr": ["'unsafe-hashes'", source_hash(EXPORT_SELECT_ALL_HANDLER)],
    "style-src-attr": ["'unsafe-inline'"],
}


@cache
def _admin_prefix() -> str:
    return reverse("admin:index")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(_admin_prefix()):
            parts.update = {**ADMIN_ALLOWANCES, **(parts.update or {})}
        return parts
