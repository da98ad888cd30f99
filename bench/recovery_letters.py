"""How long recovery takes to generate each of its documents (WeasyPrint, HTML -> PDF).

For each `DocumentKind`, the same request (the test cases of `services/recovery/tests`: two
invoices, interest, two proofs) rendered `rounds` times by one `WeasyPrintRenderer`: the time of a
whole render (template + layout + PDF), and, as the baseline of the same run, the template alone
(Jinja2 to HTML), so the share of layout and PDF writing shows. The first render of the process
(fonts loaded, stylesheet parsed) is reported apart. Wall time and the process's CPU time are
both given: on a shared machine the CPU time is the steadier figure. No stack needed.

    bench_letters() -> {"rounds": N, "kinds": {kind: {"render": {...}, "html": {...}, "pages", "bytes"}}}
    python -m bench.recovery_letters        # alone
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

from pypdf import PdfReader

from bench.stats import latency_summary
from recovery.adapters.letters import WeasyPrintRenderer
from recovery.ports import DocumentKind
from services.recovery.tests.letters_support import request


def bench_letters(rounds: int = 10) -> dict[str, Any]:
    renderer = WeasyPrintRenderer()
    started = time.perf_counter()
    renderer.render(request(DocumentKind.AMICABLE_LETTER))
    first = time.perf_counter() - started
    kinds: dict[str, Any] = {}
    for kind in DocumentKind:
        req = request(kind)
        renders: list[float] = []
        cpu: list[float] = []
        templates: list[float] = []
        pdf = b""
        for _ in range(rounds):
            began = time.perf_counter()
            renderer.render_html(req)
            templates.append(time.perf_counter() - began)
            began, began_cpu = time.perf_counter(), time.process_time()
            pdf = renderer.render(req)
            renders.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        kinds[kind.value] = {
            "render": latency_summary(renders),
            "render_cpu": latency_summary(cpu),  # CPU time: what the render costs, whatever the machine's load
            "html": latency_summary(templates),
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "bytes": len(pdf),
        }
    return {"rounds": rounds, "first_render_ms": round(first * 1000, 3), "kinds": kinds}


if __name__ == "__main__":
    print(json.dumps(bench_letters(), indent=2))
