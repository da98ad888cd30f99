"""Gateway throughput: the same authenticated call made directly to billing and
through the gateway (token verified by both), in one run, interleaved."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.stats import drive, latency_summary
from devstack.stack import Stack
from tests.e2e.helpers import PASSWORD, activation_link, legal_person, new_email


async def _token(stack: Stack) -> str:
    email = new_email()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        (await http.post("/api/identity/accounts", json=legal_person(email))).raise_for_status()
        mail = await stack.mailbox.wait_for(email, timeout=30)
        (await http.get(activation_link(mail.text))).raise_for_status()
        login = await http.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        token: str = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(100):  # the profile opens once billing has consumed the activation
            if (await http.get("/api/billing/profiles/me", headers=headers)).status_code == 200:
                return token
            await asyncio.sleep(0.2)
    raise RuntimeError("billing never opened the profile")


async def _run(
    url: str, token: str, requests: int, concurrency: int, *, keep_latencies: bool = False
) -> dict[str, Any]:
    reused_closed = 0

    async def get(http: httpx.AsyncClient, _: int) -> httpx.Response:
        nonlocal reused_closed
        try:
            return await http.get(url)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            # A pooled connection the server had just closed (its keep-alive timeout, 5 s, passes when
            # this process is starved of CPU for that long on a loaded machine): once more, counted.
            reused_closed += 1
            return await http.get(url)

    headers = {"Authorization": f"Bearer {token}"}
    result = await drive(
        get, requests=requests, concurrency=concurrency, headers=headers, timeout=30, keep_latencies=keep_latencies
    )
    return {**result, "retried_on_closed_connection": reused_closed}


def _frame(frame: str) -> str:
    """`function (path:line)` shortened to `function (package/module.py)`."""
    match = re.match(r"(.*?) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    function, path = match.groups()
    return f"{function} ({re.sub(r'.*(site-packages|src)/', '', path)})"


# Where a sample is, from the first of these frames found (innermost first): what the gateway does
# for a call, apart from the server and the framework around it.
LAYERS: tuple[tuple[str, str], ...] = (
    ("JwksVerifier.verify ", "token check (chassis.auth)"),
    ("ClientSession._request ", "upstream request (aiohttp)"),
    ("Upstreams.forward ", "forward: headers, spans, response (gateway.proxy)"),
    ("proxy (gateway/app.py)", "proxy handler: limits, span (gateway.app)"),
    ("RequestResponseCycle.send ", "answer sent, access log (uvicorn)"),
    ("RequestResponseCycle.run_asgi ", "framework and middlewares around the handler"),
    ("HttpToolsProtocol.", "HTTP server (uvicorn)"),
    ("ResponseHandler.", "upstream answers read (aiohttp)"),
)


def _layer(frames: list[str]) -> str:
    for frame in reversed(frames):
        for marker, layer in LAYERS:
            if marker in frame:
                return layer
    if frames and frames[-1].startswith("Runner.run "):
        return "event loop waiting"
    return "other (event loop, logging, sockets)"


def profile_summary(collapsed: str, top: int = 20) -> dict[str, Any]:
    """Shares of py-spy samples (collapsed stacks), inclusive and self, with the share of samples
    that were the event loop waiting for sockets (the idle part) given apart."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(f) for f in stack.split(";")]
        total += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        own[frames[-1]] += int(count)
    if not total:
        return {"samples": 0}
    layers: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            layers[_layer([_frame(f) for f in stack.split(";")])] += int(count)
    share = {name: round(100 * n / total, 1) for name, n in inclusive.most_common(top * 3)}
    # Frames (nearly) every sample goes through, the server's start, say nothing: keep the others.
    root = max(share.values())
    informative = {name: pct for name, pct in share.items() if pct < root - 1}
    return {
        "samples": total,
        "event_loop_waiting_pct": round(100 * own.get("Runner.run (asyncio/runners.py)", 0) / total, 1),
        "layers_pct": {name: round(100 * n / total, 1) for name, n in layers.most_common()},
        "inclusive_pct": dict(list(informative.items())[:top]),
        "self_pct": {name: round(100 * n / total, 1) for name, n in own.most_common(top)},
    }


async def _profile(stack: Stack, token: str, requests: int, concurrency: int) -> dict[str, Any]:
    """A py-spy sampling profile of the gateway process while it serves `requests` calls."""
    pid = (stack.config.pid_dir / "gateway.pid").read_text().strip()
    py_spy = Path(sys.executable).with_name("py-spy")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "gateway.txt"
        recorder = await asyncio.create_subprocess_exec(
            str(py_spy),
            "record",
            "-p",
            pid,
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)  # attached before the load starts
        await _run(f"{stack.gateway_url}/api/billing/profiles/me", token, requests, concurrency)
        recorder.send_signal(signal.SIGINT)
        await recorder.wait()
        return profile_summary(out.read_text() if out.exists() else "")


def _merged(slices: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure from interleaved slices: requests over the summed time, latencies of all of them."""
    latencies = [seconds for run in slices for seconds in run.pop("latencies")]
    seconds = sum(run["seconds"] for run in slices)
    requests = sum(run["requests"] for run in slices)
    statuses: Counter[int] = Counter()
    for run in slices:
        statuses.update(run["statuses"])
    return {
        "retried_on_closed_connection": sum(run["retried_on_closed_connection"] for run in slices),
        "requests": requests,
        "concurrency": slices[0]["concurrency"],
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1),
        "statuses": dict(statuses),
        **latency_summary(latencies),
    }


async def bench_gateway(
    stack: Stack, requests: int = 4000, concurrency: int = 16, slices: int = 8, profile_requests: int = 1500
) -> dict[str, Any]:
    """`requests` calls each way in `slices` interleaved slices (direct, gateway, direct, ...), so that
    both see the same machine: on a shared machine its load changes within seconds."""
    token = await _token(stack)
    targets = {
        "direct": f"{stack.service_url('billing')}/profiles/me",
        "gateway": f"{stack.gateway_url}/api/billing/profiles/me",
    }
    for url in targets.values():  # warm-up: connections, JWKS caches
        await _run(url, token, 200, concurrency)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for _ in range(slices):
        for name, url in targets.items():
            runs[name].append(await _run(url, token, requests // slices, concurrency, keep_latencies=True))
    merged = {name: _merged(results) for name, results in runs.items()}
    profile = await _profile(stack, token, profile_requests, concurrency)
    return {
        "call": "GET billing /profiles/me with a bearer token",
        "concurrency": concurrency,
        "slices": slices,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "direct": merged["direct"],
        "gateway": merged["gateway"],
        "gateway_to_direct_throughput_ratio": round(merged["gateway"]["rps"] / merged["direct"]["rps"], 3),
        "gateway_to_direct_p99_ratio": round(merged["gateway"]["p99_ms"] / merged["direct"]["p99_ms"], 3),
        "all_runs": runs,
        "gateway_profile": profile,
    }
