"""django-csp's middleware with the site's two exceptions: what the admin's third-party templates need, and PDFs.

Readers' pages get settings.CONTENT_SECURITY_POLICY as it is. Under the admin two narrow
allowances are added, each for markup shipped by a package we do not template ourselves:

- django-import-export's export page wires its 全选 box with the inline handler
  ``onchange="onSelectToggleChange(event)"``; that one handler is allowed by its hash, so
  no other inline handler (an injected one included) can run.
- Inline style attributes, which the same page uses (the browser test in
  tests/e2e/test_no_injected_script_runs.py finds no other admin page that needs them):
  CSS cannot run script, and every value shown in the admin is escaped by the templates.

PDFs get no policy: Chromium shows an inline PDF through an internal <embed> in a page of its
own, which ``object-src 'none'`` and ``default-src 'none'`` block (Chromium issue 271452); a PDF
we render carries no script, and nosniff and X-Frame-Options still apply.
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
