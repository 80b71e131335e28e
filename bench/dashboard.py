"""Latency of the coordinators' dashboard over a read model of 50,000 cases.

Fills an embedded Postgres with synthetic cases (no personal data) and their deadlines,
then times GET /v1/regions/{region}/dashboard through the API. Prints p50/p99; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from api.app import create_app
from api.auth import mint_token
from infra.settings import Settings
from ketenregie.stack import embedded_postgres
from store.db import create_pool

PHASES = ["triage", "follow_up_decision", "investigation", "monitoring", "referred", "closed"]
KEYS = {
    "triage": "safety_assessment",
    "follow_up_decision": "safety_assessment",
    "investigation": "investigation",
    "monitoring": "monitoring_check",
    "referred": "safety_assessment",
    "closed": "safety_assessment",
}


def synthetic(n: int, region: str, municipalities: list[str]):
    rng = random.Random(7)
    now = datetime.now(UTC)
    files, cases, deadlines = [], [], []
    for _ in range(n):
        case_id = uuid.uuid4().hex
        phase = rng.choices(PHASES, weights=[20, 10, 15, 35, 5, 15])[0]
        opened = now - timedelta(days=rng.uniform(0, 400))
        files.append((case_id, '{"kind": "professional"}', "[]", "-", "{}"))
        cases.append(
            (
                case_id,
                region,
                rng.choice(municipalities),
                phase,
                False,
                False,
                phase == "triage",
                opened,
                True,
                3,
                "[]",
            )
        )
        due = now + timedelta(days=rng.uniform(-30, 60))
        met = rng.random() < 0.3 or phase == "closed"
        status = "met" if met else ("overdue" if due < now else "open")
        deadlines.append(
            (
                case_id,
                "case",
                0,
                region,
                KEYS[phase],
                "label",
                "rule",
                "veilig_thuis",
                due,
                None,
                status,
                now if met else None,
            )
        )
    return files, cases, deadlines


async def fill(pool, n: int, region: str, municipalities: list[str]) -> None:
    files, cases, deadlines = synthetic(n, region, municipalities)
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO case_files (case_id, reporter, persons, summary, unsafety) VALUES ($1, $2, $3, $4, $5)",
            files,
        )
        await conn.executemany(
            """INSERT INTO cases (case_id, region, municipality, phase, acute, structural, urgent,
                                  opened_at, started, version, timeline)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            cases,
        )
        await conn.copy_records_to_table(
            "case_deadlines",
            records=deadlines,
            columns=[
                "case_id",
                "source",
                "seq",
                "region",
                "key",
                "label",
                "rule",
                "responsible",
                "due_at",
                "remind_at",
                "status",
                "met_at",
            ],
        )
    async with pool.acquire() as conn:
        await conn.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps


async def main(n: int, requests: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="ketenregie-dash-"))
    work.chmod(0o755)
    dsn, pg = embedded_postgres(work / "pg")
    try:
        settings = Settings(data_dir=work, database_url=dsn)
        pool = await create_pool(dsn)
        region = settings.chain.region("haaglanden")
        started = time.perf_counter()
        await fill(pool, n, region.slug, [m.code for m in region.municipalities])
        # a second, equally large region that the dashboard must not scan
        await fill(pool, n, "elders", ["GM0363"])
        print(
            f"read model: {2 * n} cases in two regions, filled in {time.perf_counter() - started:.1f} s"
        )
        app = create_app(settings)
        app.state.settings, app.state.pool, app.state.side_pool = (
            settings,
            pool,
            pool,
        )  # no Temporal
        token = mint_token(settings, org="vt-haaglanden", role="coordinator")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"authorization": f"Bearer {token}"},
        ) as api:
            latencies = []
            for i in range(requests):
                t = time.perf_counter()
                r = await api.get("/v1/regions/haaglanden/dashboard", params={"days": 1 + i % 5})
                latencies.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            body = r.json()
        q = statistics.quantiles(latencies, n=100)
        print(
            f"GET /v1/regions/haaglanden/dashboard x{requests}: p50 {q[49] * 1000:.1f} ms, "
            f"p99 {q[98] * 1000:.1f} ms; open per phase {body['open_per_phase']}, "
            f"due soon {len(body['due_soon'])} (limit 100), overdue {len(body['overdue'])} (limit 100)"
        )
        await pool.close()
    finally:
        pg.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50_000, help="cases per region")
    parser.add_argument("-r", "--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.requests))
