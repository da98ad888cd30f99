"""Teams's settings: environment variables prefixed `TEAMS_`."""

from chassis.settings import ServiceSettings, service_config


class TeamsSettings(ServiceSettings):
    model_config = service_config("TEAMS_")

    service_name: str = "teams"
    http_port: int = 8005
