"""Prometheus metrics, in a registry owned by the app (no process-wide singletons)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_received = Counter(
            "cassbot_events_received", "Inbound events stored", ["channel"], registry=self.registry
        )
        self.events_duplicate = Counter(
            "cassbot_events_duplicate",
            "Inbound events seen again and ignored",
            ["channel"],
            registry=self.registry,
        )
        self.events_processed = Counter(
            "cassbot_events_processed", "Events processed", ["outcome"], registry=self.registry
        )
        self.actions = Counter(
            "cassbot_actions",
            "Outbound action results",
            ["channel", "kind", "result"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "cassbot_outbox_pending", "Actions waiting in the outbox", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
