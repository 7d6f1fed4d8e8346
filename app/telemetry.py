"""``/metrics`` per process (issue 8, "Metrics"): plcflow's series plus, in the worker, the Temporal SDK's.

One address per process (PLCFLOW_METRICS_ADDRESS, e.g. ``0.0.0.0:9464``;
unset: no endpoint). The SDK exports from its own Rust runtime, which must be
configured before the first client exists; it listens on a private loopback
port, and each scrape of our endpoint reads it and re-exposes its families,
so a scraper needs one target per process.
"""

import socket
import urllib.request

from prometheus_client import REGISTRY, start_http_server
from prometheus_client.parser import text_string_to_metric_families
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

import activities.metrics  # noqa: F401  (defines plcflow's series in the default registry)

_served: set[str] = set()


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9464`` for IPv6) to its parts; a clear error for anything else."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"PLCFLOW_METRICS_ADDRESS must be host:port (e.g. 127.0.0.1:9464), not {address!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


class _TemporalSdkCollector:
    """Re-exposes the SDK's own Prometheus endpoint (loopback only) through ours."""

    def __init__(self, url: str):
        self._url = url

    def collect(self):
        try:
            text = urllib.request.urlopen(self._url, timeout=2).read().decode()
        except OSError:
            return  # the SDK endpoint is not up yet: plcflow's series are still served
        yield from text_string_to_metric_families(text)


def _loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_metrics(address: str | None, *, temporal_sdk: bool = False) -> None:
    """Start ``/metrics`` on ``address`` (once per process); ``temporal_sdk`` adds the SDK's series.

    Call before the first Temporal client is created: the SDK's telemetry
    belongs to the runtime the client is built on.
    """
    if not address or address in _served:
        return
    host, port = split_address(address)
    if temporal_sdk:
        sdk = f"127.0.0.1:{_loopback_port()}"
        telemetry = TelemetryConfig(metrics=PrometheusConfig(bind_address=sdk, counters_total_suffix=True))
        Runtime.set_default(Runtime(telemetry=telemetry), error_if_already_set=True)
        REGISTRY.register(_TemporalSdkCollector(f"http://{sdk}/metrics"))
    start_http_server(port, addr=host)
    _served.add(address)
