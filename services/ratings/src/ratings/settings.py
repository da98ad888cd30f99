"""Ratings's settings: environment variables prefixed `RATINGS_`."""

from chassis.settings import ServiceSettings, service_config


class RatingsSettings(ServiceSettings):
    model_config = service_config("RATINGS_")

    service_name: str = "ratings"
    http_port: int = 8004
