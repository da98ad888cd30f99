"""Run the benchmarks and write their figures down.

    python -m bench [NAME ...] [--duration S] [--rate R]

NAME: store letters gateway bus login debits rights scan revocation checks sweep portal scale mixed memory,
or `all`. Without a name, the default run (`make bench`, under 10 minutes): the figures of issue 14
(gateway, bus, debits, scale, mixed, memory) and the portal's pages; the others keep their last figures in results/.
`--duration` and `--rate` set the mixed load's (default 300 s at 8 calls a second).

Runs on the `bench` profile's own stack (ports +20000, state in
.cache/stack/bench), whose gateway limiter is lifted like the test profile's,
so that what is measured is the platform and not the limiter, and whose event
history never slows the tests down. Results: bench/results/<name>.json and the table in
bench/README.md. Figures are comparisons made in the same run (gateway vs
direct, outbox path vs raw Kafka): these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.billing_debits import bench_debits
from bench.bus import bench_bus
from bench.gateway import bench_gateway
from bench.identity_login import bench_login
from bench.memory import bench_memory, snapshot
from bench.mixed_load import bench_mixed_load
from bench.outbox_scan import bench_outbox_scan
from bench.portal import bench_portal
from bench.ratings_checks import bench_checks
from bench.recovery_letters import bench_letters
from bench.recovery_sweep import bench_recovery_sweep
from bench.revocation import bench_revocation
from bench.scale_out import bench_scale_out
from bench.stats import RESULTS, write_result
from bench.store_write_path import bench_store_write_path
from bench.teams_rights import bench_teams_rights
from devstack.config import StackConfig
from devstack.stack import Stack

README = Path(__file__).parent / "README.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"


def _table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| benchmark | measured | baseline (same run) | ratio |", "|---|---|---|---|"]
    if "gateway" in results:
        g = results["gateway"]
        lines.append(
            f"| gateway: GET /profiles/me, {g['concurrency']} concurrent | {g['gateway']['rps']} req/s, "
            f"p50 {g['gateway']['p50_ms']} ms, p99 {g['gateway']['p99_ms']} ms | direct to billing: "
            f"{g['direct']['rps']} req/s, p50 {g['direct']['p50_ms']} ms, p99 {g['direct']['p99_ms']} ms "
            f"| {g['gateway_to_direct_throughput_ratio']} (p99 {g.get('gateway_to_direct_p99_ratio', '?')}) |"
        )
    if "bus" in results:
        b = results["bus"]
        lines.append(
            f"| events: outbox -> relay -> Kafka -> idempotent consumer -> Mongo effect, {b['events']} events "
            f"| {b['outbox_to_consumer']['events_per_second']} events/s | raw aiokafka produce+consume: "
            f"{b['raw_aiokafka']['events_per_second']} events/s | {b['outbox_to_raw_throughput_ratio']} |"
        )
        if "hand_written_floor" in b:
            low, out = b["hand_written_floor"], b["outbox_to_consumer"]
            writes = (
                f", Mongo writes an event: floor {low['mongo_write_commands_per_event']}, "
                f"platform {out['mongo_write_commands_per_event']}"
                if "mongo_write_commands_per_event" in low
                else ""
            )
            lines.append(
                f"| events: the same durable steps written by hand (the floor), {b['events']} events "
                f"| {low['events_per_second']} events/s | the platform's path: "
                f"{out['events_per_second']} events/s{writes} "
                f"| platform/floor {b['outbox_to_floor_throughput_ratio']} |"
            )
    if "login" in results:
        g = results["login"]
        lines.append(
            f"| identity login through the gateway, 1 at a time | p50 {g['gateway']['p50_ms']} ms, "
            f"p99 {g['gateway']['p99_ms']} ms | direct to identity: p50 {g['direct']['p50_ms']} ms, "
            f"p99 {g['direct']['p99_ms']} ms; argon2 verify alone p50 "
            f"{g['argon2_verify_configured'].get('p50_ms', '?')} ms | |"
        )
    if "debits" in results:
        d = results["debits"]
        lines.append(
            f"| billing debit run, {d['installments']} installments, {d['concurrency']} workers "
            f"| {d['installments_per_second']} installments/s, {d['double_charges']} double charges "
            + (
                f"| the same claims, provider calls and writes by hand: "
                f"{d['bare_loop']['installments_per_second']} installments/s | {d['to_bare_loop_ratio']} |"
                if "bare_loop" in d
                else "| | |"
            )
        )
    if "rights" in results:
        r = results["rights"]
        lines.append(
            f"| rights change: teams PUT -> Kafka -> billing's rights view, {r['changes']} changes "
            f"| p50 {r['propagation']['p50_ms']} ms, p99 {r['propagation']['p99_ms']} ms "
            f"| the PUT alone: p50 {r['put_response']['p50_ms']} ms, p99 {r['put_response']['p99_ms']} ms | |"
        )
    if "outbox_scan" in results:
        o = results["outbox_scan"]
        lines.append(
            f"| relay lookup of {o['pending_documents']} pending among {o['quiet_documents']} quiet documents "
            f"| marker index: {o['marker_index_ms']} ms (idle relay pass {o['idle_relay_pass_ms']} ms) "
            f"| collection scan: {o['collection_scan_ms']} ms | {o['scan_to_index_ratio']} |"
        )
    if "recovery_sweep" in results:
        w = results["recovery_sweep"]
        lines.append(
            f"| recovery deadline sweep: {w['due_cases']} due among {w['open_cases']} open cases "
            f"| {w['sweep_ms']} ms ({w['sweep_ms_per_transition']} ms a transition), idle pass "
            f"{w['idle_sweep_pass_ms']} ms | bare scan of the collection: {w['bare_scan_ms']} ms "
            f"| {w['sweep_to_scan_ratio']} |"
        )
    if "portal_pages" in results:
        p = results["portal_pages"]
        lines.append(
            f"| portal pages, one at a time: login page p50 {p['login_page']['p50_ms']} ms / p99 "
            f"{p['login_page']['p99_ms']} ms; home after login p50 {p['home_after_login']['p50_ms']} ms / p99 "
            f"{p['home_after_login']['p99_ms']} ms | the login form post (argon2id behind it): p50 "
            f"{p['login_form_post']['p50_ms']} ms, p99 {p['login_form_post']['p99_ms']} ms | |"
        )
    if "revocation" in results:
        r = results["revocation"]
        lines.append(
            f"| revocation: logout -> SessionsRevoked -> Kafka -> the gateway refuses the access token, "
            f"{r['sessions']} sessions | p50 {r['refusal_delay']['p50_ms']} ms, p99 {r['refusal_delay']['p99_ms']} ms "
            f"| the logout alone: p50 {r['logout_response']['p50_ms']} ms, p99 {r['logout_response']['p99_ms']} ms | |"
        )
    if "letters" in results:
        letters = results["letters"]
        renders = ", ".join(
            f"{kind} p50 {figures['render']['p50_ms']} ms, CPU p50 {figures['render_cpu']['p50_ms']} ms "
            f"({figures['pages']} p., {figures['bytes']} bytes)"
            for kind, figures in letters["kinds"].items()
        )
        templates = ", ".join(
            f"{kind} p50 {figures['html']['p50_ms']} ms" for kind, figures in letters["kinds"].items()
        )
        lines.append(
            f"| recovery documents, HTML -> PDF (WeasyPrint), {letters['rounds']} renders each | {renders} "
            f"| the template alone: {templates}; first render of a process {letters['first_render_ms']} ms | |"
        )
    if "ratings_checks" in results:
        c = results["ratings_checks"]
        for name, run in c["runs"].items():
            lines.append(
                f"| ratings check new events ({name.replace('_', ' ')}), {c['companies']} companies, "
                f"{c['concurrency']} in flight, provider {c['provider_latency_per_call_s']} s/call "
                f"| {run['seconds']} s ({run['companies_per_second']} companies/s) "
                f"| floor N x provider latency / concurrency: {run['floor_seconds']} s; with the in-process "
                f"provider's serial computing: {run['bound_seconds']} s "
                f"| {run['to_floor_ratio']} ({run['to_bound_ratio']} to the bound) |"
            )
    if "scale_out" in results:
        o = results["scale_out"]
        for run, what in (("reads", "GET /api/billing/profiles/me, 16 concurrent"), ("logins", "logins, 4 concurrent")):
            one, two = o["one"][run], o["two"][run]
            lines.append(
                f"| scale-out: 2 instances of billing and identity, {what} | {two['rps']} req/s, "
                f"p50 {two['p50_ms']} ms, p99 {two['p99_ms']} ms, {two['errors']} errors | 1 instance: "
                f"{one['rps']} req/s, p50 {one['p50_ms']} ms, p99 {one['p99_ms']} ms, {one['errors']} errors "
                f"(load average {o['one']['load_average'][0]}) | {o['two_to_one'][f'{run}_rps']} |"
            )
    if "mixed_load" in results:
        m = results["mixed_load"]
        routes = ", ".join(
            f"{name} p50 {r['p50_ms']} / p99 {r['p99_ms']} ms ({r['count']})" for name, r in m["routes"].items()
        )
        lines.append(
            f"| mixed load through the gateway, {m['target_rate_per_s']}/s for {m['duration_s']:.0f} s "
            f"({m['requests']} calls, load average {m['load_average_before'][0]} -> {m['load_average_after'][0]}) "
            f"| {routes}; errors {m['errors']} (rate {m['error_rate']}) | | |"
        )
    if "memory" in results:
        mem = results["memory"]
        for state in ("idle", "after_mixed_load"):
            rss = ", ".join(f"{name} {f['rss_mb']} MB" for name, f in mem[state].items())
            lines.append(
                f"| resident memory, {state.replace('_', ' ')} | {rss} | limit {mem['limit_mb']} MB a service "
                f"| {'within' if mem['within_limit'] else 'over: ' + ', '.join(mem['over_limit'])} |"
            )
    if "store" in results:
        s = results["store"]
        for how in ("sequential", f"concurrent_{s['clients']}"):
            durable, periodic = s["ops_per_second"]["write"][how], s["ops_per_second"]["periodic"][how]
            ratio = s["durable_to_periodic_ratio"][how]
            lines.append(
                f"| Mongo-wire write path, durable commit, {how.replace('_', ' ')} | "
                + ", ".join(f"{op} {v}/s" for op, v in durable.items())
                + " | periodic commit: "
                + ", ".join(f"{op} {v}/s" for op, v in periodic.items())
                + " | "
                + ", ".join(f"{v}" for v in ratio.values())
                + " |"
            )
    return "\n".join(lines)


def _update_readme(results: dict[str, dict[str, Any]], when: str) -> None:
    text = README.read_text()
    dates = ", ".join(f"{name} {figures.get('when', when)}" for name, figures in sorted(results.items()))
    block = f"{TABLE_START}\nRuns: {dates} ({os.cpu_count()} CPUs).\n\n{_table(results)}\n{TABLE_END}"
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    README.write_text(text[:start] + block + text[end:])


async def _platform_benches(
    stack: Stack, selected: list[str], results: dict[str, dict[str, Any]], mixed: dict[str, float]
) -> None:
    stack.start_infra()
    stack.stop_services()  # started from the code as it is now
    stack.start_services()
    idle = snapshot(stack)  # started, nothing served yet
    try:
        if "gateway" in selected:
            results["gateway"] = await bench_gateway(stack)
        if "bus" in selected:
            results["bus"] = await bench_bus(stack)
        if "login" in selected:
            results["login"] = await bench_login(stack)
        if "debits" in selected:
            results["debits"] = await bench_debits(stack)
        if "rights" in selected:
            results["rights"] = await bench_teams_rights(stack)
        if "scan" in selected:
            results["outbox_scan"] = await bench_outbox_scan(stack)
        if "revocation" in selected:
            results["revocation"] = await bench_revocation(stack)
        if "checks" in selected:
            results["ratings_checks"] = await bench_checks(stack)
        if "sweep" in selected:
            results["recovery_sweep"] = await bench_recovery_sweep(stack)
        if "portal" in selected:
            results["portal_pages"] = await bench_portal(stack)
        if "scale" in selected:
            results["scale_out"] = await bench_scale_out(stack)
        if "mixed" in selected:
            results["mixed_load"] = await bench_mixed_load(stack, **mixed)
        if "memory" in selected:
            results["memory"] = bench_memory(idle, snapshot(stack))
    finally:
        stack.stop_all()


async def main(selected: list[str], mixed: dict[str, float] | None = None) -> None:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    results: dict[str, dict[str, Any]] = {}
    RESULTS.mkdir(exist_ok=True)
    config = StackConfig.for_profile("bench")
    if "store" in selected:  # its own servers, before the stack loads the machine
        results["store"] = await bench_store_write_path(config)
    if "letters" in selected:  # no stack: the renderer alone
        results["letters"] = bench_letters()
    try:
        if set(selected) - {"store", "letters"}:
            await _platform_benches(Stack(config), selected, results, mixed or {})
    finally:  # what was measured is written down even if a later benchmark failed
        _write(results, when)


def _write(results: dict[str, dict[str, Any]], when: str) -> None:
    for name, figures in results.items():
        write_result(name, figures, when)
    # The table shows the latest figures of every benchmark, run now or before.
    latest = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    _update_readme(latest, when)
    print(_table(results))


EVERYTHING = [
    *["store", "letters", "gateway", "bus", "login", "debits", "rights", "scan", "revocation", "checks", "sweep"],
    "portal",
    *["scale", "mixed", "memory"],
]
# `make bench`: the figures of issue 14, under 10 minutes (the mixed load takes 5 of them).
DEFAULT = ["gateway", "bus", "debits", "portal", "scale", "mixed", "memory"]


def _arguments(argv: list[str]) -> tuple[list[str], dict[str, float]]:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks.")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"{', '.join(EVERYTHING)} or all")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of mixed load (default 300)")
    parser.add_argument("--rate", type=float, default=8.0, help="mixed-load calls a second (default 8)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - {*EVERYTHING, "all"})
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}: one of {', '.join(EVERYTHING)} or all")
    names = EVERYTHING if "all" in args.names else (args.names or DEFAULT)
    return names, {"duration": args.duration, "rate": args.rate}


if __name__ == "__main__":
    names, mixed = _arguments(sys.argv[1:])
    asyncio.run(main(names, mixed))
