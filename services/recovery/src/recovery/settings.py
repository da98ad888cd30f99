"""Recovery's settings: environment variables prefixed `RECOVERY_`."""

from chassis.settings import ServiceSettings, service_config


class RecoverySettings(ServiceSettings):
    model_config = service_config("RECOVERY_")

    service_name: str = "recovery"
    http_port: int = 8003
