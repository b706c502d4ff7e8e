"""Probes inside the network: a load balancer asks `10.0.3.7:8000/health`,
Prometheus scrapes `web:8000/metrics`, over plain HTTP and by IP or service
name, never by the public host name in ALLOWED_HOSTS.

For those paths only the Host header is not checked against ALLOWED_HOSTS
(it must still be a well-formed host): their answers never echo it, so it
cannot poison a link or a redirect. Every other path keeps Django's check.
Placed before SecurityMiddleware and CommonMiddleware, the first to read the
host; the HTTPS redirect spares these paths through SECURE_REDIRECT_EXEMPT.
"""

import re

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port

PROBE_PATHS = re.compile(r"^/(health(/[a-z]+)?|metrics)$")


class ProbeHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if PROBE_PATHS.match(request.path_info):
            request.get_host = lambda: well_formed_host(request)
        return self.get_response(request)


def well_formed_host(request) -> str:
    host = request._get_raw_host()
    domain, _port = split_domain_port(host)
    if not domain:
        raise DisallowedHost(f"Invalid HTTP_HOST header: {host!r}.")
    return host
