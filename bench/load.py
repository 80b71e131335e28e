"""Concurrent users: Locust against the local stack, per route and role, with each part's CPU and RSS.

    python -m bench.load --cases 50000 --factor 10 1 --apis 2 --time 600

One stack (bench.scale's: embedded Postgres, the Temporal dev server on SQLite, the worker and
the API as processes of their own, the partners' sink here), filled with `--cases` open cases
over the sample chain's three regions (bench.scale's fill, `--measures` of them with a
running huisverbod in 's-Gravenhage), then Locust, headless, bounded in users and time
(`bench/locustfile.py`): Veilig Thuis coordinators (dashboard, case list and case pages;
safety assessments), mayors' offices (the inbox; decisions and extensions) and police
(meldingen, huisverbod requests), each with think times, each working for one of 26 regions
mapped onto the three sample regions (each carries eight or nine regions' load and
~a third of the cases: a worst case for its lists and dashboard).

With `--samples N` it runs bench.scale's sequential latency (and memory, longest history)
before the users, and with `--storm N` bench.scale's reminder storm after them, on the same
stack: one fill (~45 min for 50,000 cases here) for every 50,000-case figure.

The national peak, from public figures (Veilig Thuis: ~130,000 meldingen and ~120,000
adviesvragen a year; ~4,000 huisverboden a year), spread over 250 working days of 9 hours
(2,250 hours) with a peak hour three times the average hour:
- meldingen 130,000 / 2,250 h x 3 = 173/h (0.05/s), advice questions as many again (not in
  these profiles: their pages are the case pages' kind);
- a case's pages read ~30 times and ~5 steps over its life: ~1.4 pages/s, ~0.25 steps/s;
- huisverboden 4,000 / 2,250 h x 3 = 5.3/h, each ~10 inbox reads, a decision, a third extended.
That is ~2 requests/s nationally at the peak. A user here sends one request per think time
(coordinators 3-12 s, mayors 5-20 s, police 10-30 s; mean ~10 s), so `--factor` times the
peak is `--factor` x 2 x 10 users (`--users` overrides), in the roles' weights (6:2:2).
Several factors run one round of users each, one after the other on the one fill, each on its
own share of the filled cases (to assess, to ask a ban for) and of the running bans (to extend).

Printed: p50/p95/p99 per route and role (Locust's), the error count and rate, the throughput,
and each part's CPU (cores used over the run) and largest memory (psutil: RSS, and the unique
memory of a child process): Postgres (all its processes), the Temporal dev server, the
worker, the API, and Locust. Targets: page p99 < 300 ms, command p99 < 500 ms, 0 errors. What limits the figures: the two cores that Locust
shares with every part and with whatever else runs on the machine (the load average is
printed); the dev server on SQLite; one API process (uvicorn, one event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from api.auth import SESSION_COOKIE, mint_token, principal_from, session_token
from bench.scale import (
    MAYOR_MUNICIPALITY,
    REQUEST,
    Bench,
    Stack,
    add_run_arguments,
    bounded,
    load,
    started,
)
from bench.stack import Meter
from domain.huisverbod import HuisverbodRequestIn
from services import huisverbod as huisverbod_service

PEAK_REQUESTS_PER_S = 2.0  # national, at the peak hour (derivation above)
MEAN_THINK_S = 10.0
PAGE_P99, COMMAND_P99 = 0.300, 0.500


def credentials(settings, org: str, role: str) -> dict:
    """A bearer token for /v1 and a session cookie for the pages, of one person."""
    principal = principal_from(settings, {"org": org, "role": role, "sub": f"load-{org}"})
    return {
        "bearer": mint_token(settings, org=org, role=role, subject=f"load-{org}"),
        "cookie": session_token(settings, principal),
    }


async def pending_requests(
    bench: Bench, per_municipality: int, share: slice
) -> dict[str, list[str]]:
    """Huisverbod requests waiting in each mayor's inbox when the users start, filed through
    the service layer for filled cases of the municipality (of this round's `share`)."""
    chosen = {}
    for case_id, region, municipality in bench.opened[share]:
        if (
            municipality != MAYOR_MUNICIPALITY
            and len(chosen.get(municipality, [])) < per_municipality
        ):
            chosen.setdefault(municipality, []).append((case_id, region))
    request = HuisverbodRequestIn.model_validate(REQUEST)

    async def file(item: tuple[str, str, str]) -> tuple[str, str]:
        case_id, region, municipality = item
        caller = bench.caller(bench.coordinators[region])
        return municipality, await huisverbod_service.request(bench.parts, caller, case_id, request)

    items = [(c, r, m) for m, cases in chosen.items() for c, r in cases]
    filed, errors = await bounded(items, 16, file)
    print(f"load: {len(filed)} huisverbod requests waiting for the mayors, {len(errors)} errors")
    waiting: dict[str, list[str]] = {}
    for municipality, huisverbod_id in filed:
        waiting.setdefault(municipality, []).append(huisverbod_id)
    return waiting


def users_data(bench: Bench, requested: dict[str, list[str]], share: slice) -> dict:
    """What the Locust users need: per sample region its people, municipalities and cases
    (all to read; this round's `share` to assess), and this round's share of running bans to
    extend: no case is assessed and no ban extended in two rounds."""
    s = bench.settings
    regions, mayors = {}, {}
    for region in s.chain.regions:
        police = region.partners_of("police")[0].id
        regions[region.slug] = {
            "coordinator": credentials(s, f"vt-{region.slug}", "coordinator"),
            "police": credentials(s, police, "officer"),
            "municipalities": [m.code for m in region.municipalities],
            "cases": [c for c, r, _ in bench.opened if r == region.slug],
            "untouched": [c for c, r, _ in bench.opened[share] if r == region.slug],
        }
        for m in region.municipalities:
            mayors[m.code] = credentials(s, f"burgemeester-{m.code.lower()}", "staff")
    return {
        "cookie": SESSION_COOKIE,
        "regions": regions,
        "mayors": mayors,
        "requested": requested,
        "imposed": {MAYOR_MUNICIPALITY: list(bench.bans)[share]},
    }


def table(stats: Path, seconds: float) -> None:
    """Locust's figures per route and role, with the targets."""
    rows = list(csv.DictReader(stats.open()))
    print(f"  {'role route':<58} {'n':>6} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7}  target")
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        n, fails = int(r["Request Count"]), int(r["Failure Count"])
        p99 = float(r["99%"]) / 1000
        limit = COMMAND_P99 if r["Type"] == "POST" else PAGE_P99
        verdict = "ok" if p99 < limit and not fails else "MISSED"
        print(
            f"  {r['Name']:<58} {n:>6} {fails:>5} {r['50%']:>5}ms {r['95%']:>5}ms "
            f"{r['99%']:>5}ms  {limit * 1000:.0f} ms {verdict}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    n, fails = int(total["Request Count"]), int(total["Failure Count"])
    print(
        f"  all: {n} requests, {fails} errors ({fails / max(n, 1):.2%}), "
        f"{n / seconds:.1f} requests/s, p50 {total['50%']} ms p95 {total['95%']} ms "
        f"p99 {total['99%']} ms"
    )


def start_locust(stack: Stack, data: Path, users: int, seconds: int, name: str) -> subprocess.Popen:
    locustfile = Path(__file__).with_name("locustfile.py")
    options = {
        "--host": stack.base,
        "--users": users,
        "--spawn-rate": max(users / 10, 1),
        "--run-time": f"{seconds}s",
        "--csv": stack.root / name,
        "--stop-timeout": 30,
    }
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless"]
    command += ["--only-summary", *(str(x) for kv in options.items() for x in kv)]
    return subprocess.Popen(
        command,
        env={**os.environ, "KETENREGIE_LOAD_DATA": str(data)},
        stdout=(stack.logs / "locust.log").open("ab"),
        stderr=subprocess.STDOUT,
    )


async def users_round(
    stack: Stack, bench: Bench, args: argparse.Namespace, factor: float, share: slice
) -> None:
    """One round of users at `factor` times the national peak, on this round's `share` of
    the filled cases and bans."""
    data = stack.root / f"users-{factor:g}.json"
    requested = await pending_requests(bench, args.pending, share)
    data.write_text(json.dumps(users_data(bench, requested, share)))
    users = args.users or round(factor * PEAK_REQUESTS_PER_S * MEAN_THINK_S)
    print(
        f"load: {users} users ({factor:g}x the national peak of "
        f"~{PEAK_REQUESTS_PER_S:.0f} requests/s at ~{MEAN_THINK_S:.0f} s think time) "
        f"for {args.time} s, {args.apis} API process(es); {load()}"
    )
    locust = start_locust(stack, data, users, args.time, f"locust-{factor:g}")
    parts = Meter({**stack.parts(), "Locust": [locust.pid]})
    began = time.monotonic()
    while locust.poll() is None:
        parts.sample()
        await asyncio.sleep(1)
    elapsed = time.monotonic() - began
    print(f"load: Locust ended ({locust.returncode}) after {elapsed:.0f} s; {load()}")
    if locust.returncode not in (0, 1):  # 1: some requests failed, which the table shows
        print(f"load: Locust did not run, see {stack.logs / 'locust.log'}")
        return
    table(stack.root / f"locust-{factor:g}_stats.csv", args.time)
    print("parts over the run:")
    parts.report()


async def main(args: argparse.Namespace) -> None:
    if importlib.util.find_spec("locust") is None:  # before a fill of half an hour, not after
        sys.exit("bench.load needs Locust: pip install -e '.[bench]'")
    async with started("ketenregie-load-", args) as (_, stack, bench):
        await bench.fill()
        if args.samples:
            await bench.latency()
            bench.resources()
            await bench.longest_history()
        rounds = len(args.factor)
        for i, factor in enumerate(args.factor):
            await users_round(stack, bench, args, factor, slice(i, None, rounds))
        if args.storm:
            await bench.storm()
            bench.resources()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000, help="open cases to fill")
    parser.add_argument("--measures", type=int, default=2_000, help="of them with a huisverbod")
    parser.add_argument(
        "--factor",
        type=float,
        nargs="+",
        default=[10],
        help="times the national peak; several: a round of users each, on the one fill",
    )
    parser.add_argument("--users", type=int, default=0, help="users (default: from --factor)")
    parser.add_argument("--time", type=int, default=600, help="seconds of load")
    parser.add_argument(
        "--pending", type=int, default=10, help="requests waiting per mayor at the start"
    )
    parser.add_argument("--samples", type=int, default=0, help="bench.scale's latency samples")
    parser.add_argument("--storm", type=int, default=0, help="bench.scale's storm, after the load")
    add_run_arguments(parser)
    arguments = parser.parse_args()
    arguments.spread = True
    asyncio.run(main(arguments))
