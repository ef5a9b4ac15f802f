"""System checks of the deployment settings that Django's own checks do not cover."""

import ipaddress

from django.conf import settings
from django.core.checks import Tags, Warning, register

# A network of at most this many addresses is taken to be the proxies' own (a /28 or smaller).
MAX_TRUSTED_NETWORK_ADDRESSES = 16


@register(Tags.security)
def trusted_proxies_are_hosts(app_configs, **kwargs):
    """Warn when TRUSTED_PROXIES lists a network wider than a handful of hosts."""
    warnings = []
    for proxy in settings.TRUSTED_PROXIES:
        network = ipaddress.ip_network(proxy, strict=False)
        if network.num_addresses > MAX_TRUSTED_NETWORK_ADDRESSES:
            warnings.append(
                Warning(
                    f"TRUSTED_PROXIES lists the network {network} ({network.num_addresses:,} addresses): any client "
                    "in it is believed when it sends X-Forwarded-For, so it can pose as any address, dodge the "
                    "login lockout or lock someone else out.",
                    hint=(
                        "List only the reverse proxies' own addresses, e.g. TRUSTED_PROXIES=10.0.0.5,10.0.0.6 "
                        f"(a network of at most {MAX_TRUSTED_NETWORK_ADDRESSES} addresses is accepted)."
                    ),
                    id="digest_cms.W001",
                )
            )
    return warnings
