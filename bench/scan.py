"""A black-box scan of the pages (Wapiti), signed in as a Veilig Thuis coordinator, against a
local stack of its own and nothing else.

Starts the stack (bench/stack.py: embedded Postgres, the Temporal dev server, the worker and
the API as processes, with Secure cookies as in production), makes a few cases to find, signs
in through the sign-in form and hands the session to Wapiti. Wapiti runs from a virtualenv of
its own (`python -m venv /work/wapiti-venv && /work/wapiti-venv/bin/pip install wapiti3`), not
the project's dependencies, bounded in time, without the modules that call out to an outside
endpoint or the internet (ssrf, xxe, ssl, wapp, nikto, takeover, ...). Prints Wapiti's
summary: each finding with its level, and the answers of 500 or more it saw.

    python -m bench.scan --wapiti /work/wapiti-venv/bin/wapiti --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from api.auth import SESSION_COOKIE, mint_token
from bench.stack import BenchStack
from ketenregie.stack import spawn

# all that only talk to the stack; csrf and methods too, which Wapiti does not run by default
MODULES = (
    "cookieflags,crlf,csp,csrf,exec,file,http_headers,methods,permanentxss,redirect,sql,upload,xss"
)
LEVELS = {1: "laag", 2: "middel", 3: "hoog", 4: "kritiek"}
MELDING = {
    "region": "haaglanden",
    "municipality": "GM0518",
    "reporter": {"kind": "police", "organisation": "Politie Den Haag"},
    "persons": [
        {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"},
        {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
    ],
    "unsafety": {"acute": True, "structural": True},
    "summary": "Politie-inzet na melding van geweld in de woning.",
}


async def cases_to_find(base: str, settings) -> list[str]:
    """Two cases, one with a huisverbod requested: pages with forms and live parts."""
    police = mint_token(settings, org="politie-den-haag", role="hulpofficier")
    coordinator = mint_token(settings, org="vt-haaglanden", role="coordinator")
    found = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as api:
        for i in range(2):
            r = await api.post(
                "/v1/meldingen", json=MELDING, headers={"authorization": f"Bearer {coordinator}"}
            )
            r.raise_for_status()
            found.append(r.json()["case_id"])
        r = await api.post(
            f"/v1/cases/{found[0]}/huisverbod-requests",
            headers={"authorization": f"Bearer {police}"},
            json={
                "pleger_ref": "p2",
                "address": "Voorbeeldstraat 1, Den Haag",
                "requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"},
                "grounds": "Feiten en omstandigheden.",
                "children_at_address": False,
            },
        )
        r.raise_for_status()
    return found


async def sign_in(base: str) -> str:
    """The coordinator's session, through the sign-in form as a person would."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as browser:
        login = await browser.get("/login")
        assert login.status_code == 200
        form = {"org": "vt-haaglanden", "role": "coordinator", "name": "Scanner"}
        r = await browser.post("/login", data=form)
    cookie = r.headers["set-cookie"]  # a Secure cookie: no jar gives it back over http
    assert r.status_code == 303 and cookie.startswith(f"{SESSION_COOKIE}="), r.text
    return cookie.split(";", 1)[0]


def summary(report: dict) -> list[str]:
    lines = []
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        for category, findings in sorted(report.get(kind, {}).items()):
            for f in findings:
                level = LEVELS.get(f.get("level"), f.get("level"))
                where = f"{f.get('method', '')} {f.get('path', '')}".strip()
                lines.append(f"{kind[:-1]:<14} {level:<8} {category}: {where} {f['info'][:140]}")
    return lines


async def run(wapiti: str, minutes: float, root: Path) -> int:
    stack = BenchStack(root, task_queue="scan", secure_cookies=True)
    await stack.start_sinks()
    stack.temporal.start()
    processes = [spawn(role, stack.env, stack.logs / f"{role}.log") for role in ("worker", "api")]
    try:
        await stack.wait_healthy()
        case_ids = await cases_to_find(stack.base, stack.settings)
        cookie = await sign_in(stack.base)
        report = root / "wapiti.json"
        starts = ["/regio/haaglanden", "/casussen", "/mijn-casussen", "/adviesvragen"]
        starts += [f"/casus/{c}" for c in case_ids] + ["/termijnen", "/adviesvragen/nieuw"]
        command = [
            wapiti,
            "-u", f"{stack.base}/",
            *[arg for path in starts for arg in ("-s", f"{stack.base}{path}")],
            "-x", f"{stack.base}/logout",  # the scan keeps its session
            "-x", f"{stack.base}/login",
            "-C", cookie,
            "-m", MODULES,
            "--scope", "folder",
            "--max-scan-time", str(int(minutes * 60)),
            "--max-attack-time", str(int(minutes * 60 / 6)),
            "--tasks", "4",
            "--flush-session",
            "--store-session", str(root / "wapiti-session"),
            "--no-bugreport",
            "-f", "json",
            "-o", str(report),
        ]  # fmt: skip
        started = time.monotonic()
        with (stack.logs / "wapiti.log").open("w") as log:
            scan = await asyncio.create_subprocess_exec(
                *command, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
            await scan.wait()
        took = time.monotonic() - started
        found = json.loads(report.read_text())
        api_log = (stack.logs / "api.log").read_text()
        errors = Counter(
            json.loads(line).get("message", "")[:80]
            for line in api_log.splitlines()
            if line.startswith("{") and '"level": "ERROR"' in line
        )
        info = found.get("infos", {})
        print(f"wapiti {info.get('version', '')} against {stack.base}, {took / 60:.1f} min")
        print(f"modules: {MODULES}")
        print(f"crawled: {info.get('crawled_pages_nbr', '?')} pages")
        lines = summary(found)
        print("\n".join(lines) or "no findings")
        worst = max((f.get("level", 0) for kind in ("vulnerabilities", "anomalies")
                     for fs in found.get(kind, {}).values() for f in fs), default=0)  # fmt: skip
        print(
            f"highest level: {LEVELS.get(worst, 'geen')}; errors logged by the API: {dict(errors)}"
        )
        return worst
    finally:
        await stack.stop(*processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wapiti", default="/work/wapiti-venv/bin/wapiti")
    parser.add_argument("--minutes", type=float, default=10, help="the whole scan at most")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ketenregie-scan-"))
    root.chmod(0o755)
    worst = asyncio.run(run(args.wapiti, args.minutes, root))
    raise SystemExit(1 if worst >= 2 else 0)


if __name__ == "__main__":
    main()
