"""Billing's settings: environment variables prefixed `BILLING_`."""

from chassis.settings import ServiceSettings, service_config


class BillingSettings(ServiceSettings):
    model_config = service_config("BILLING_")

    service_name: str = "billing"
    http_port: int = 8002
