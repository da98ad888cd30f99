"""Topic names that are conventions of the bus rather than events."""


def dead_letter_topic(consumer_group: str) -> str:
    """Where a consumer group parks the messages it could not handle."""
    return f"creditdesk.dead-letter.{consumer_group}"
