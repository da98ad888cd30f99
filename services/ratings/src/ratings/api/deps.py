"""What ratings' routes are given: the ports every handler takes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ratings.ports import RatingsPorts


def get_ports(request: Request) -> RatingsPorts:
    ports: RatingsPorts = request.app.state.ports
    return ports


PortsDep = Annotated[RatingsPorts, Depends(get_ports)]
