"""Bringing the office's plain-text archive in (and writing issues back out in the same format).

- `legacy`: the pure parser (a package, one module per phase), bytes or str in, frozen dataclasses out.
- `regions`: the pure region detector, shared with the admin's region suggestions.
- `loader`: saves one parsed issue in one transaction.
- `legacy_format`: writes an issue back as legacy text (the round trip of `export_issue --format txt`).
"""
