"""Request figures for `/metrics`: the django-prometheus series that the
dashboards (monitoring/grafana) and API.md name, and only those.

django-prometheus's own pair of middleware updates eleven series a request
(bodies' sizes, charsets, transports, methods alone...), each through
prometheus-client's `labels()`; that was the largest part of the fixed cost
of a request (README, Performance). This middleware updates three:
requests by view, transport and method; responses by status, view and
method; latency by view and method. It keeps each label set's child, so a
request does three dictionary lookups and three increments.
"""

from time import perf_counter

from django_prometheus.middleware import Metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
UNNAMED_VIEW = "<unnamed view>"


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: its latency covers every other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        metrics = Metrics.get_instance()
        self.series = (
            metrics.requests_by_view_transport_method,
            metrics.responses_by_status_view_method,
            metrics.requests_latency_by_view_method,
        )
        self.children = {}

    def __call__(self, request):
        started = perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else None) or UNNAMED_VIEW
        method = request.method if request.method in METHODS else "<invalid method>"
        transport = "https" if request.is_secure() else "http"
        requests, responses, latency = self._children(view, method, transport, response.status_code)
        requests.inc()
        responses.inc()
        latency.observe(perf_counter() - started)
        return response

    def _children(self, view: str, method: str, transport: str, status: int) -> tuple:
        key = (view, method, transport, status)
        children = self.children.get(key)
        if children is None:
            by_transport, by_status, latency = self.series
            children = self.children[key] = (
                by_transport.labels(view=view, transport=transport, method=method),
                by_status.labels(status=str(status), view=view, method=method),
                latency.labels(view=view, method=method),
            )
        return children
