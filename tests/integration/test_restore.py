"""The restore drill: Postgres goes back to last night's backup while Temporal is ahead.
Reconciliation rebuilds what the workflows hold, lists what only Postgres held, and every
procedure takes its next command. On a database and task queue of its own (the restore wipes
what came after the backup), with a day of twenty seconds so nothing expires meanwhile."""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest_asyncio
from typer.testing import CliRunner

from activities.reconcile import ReconcileActivities
from api.app import create_app
from api.auth import SESSION_COOKIE, mint_token
from domain.catalogue import CATALOGUE
from domain.huisverbod import huisverbod_workflow_id
from domain.ids import case_workflow_id, path_workflow_id
from ketenregie import cli
from ketenregie.stack import free_port
from tests.integration.browsing import page_session
from tests.integration.conftest import WorkerRunner, eventually
from tests.integration.flows import (
    GROUNDS,
    MAYOR,
    huisverbod_request,
    impose,
    open_case,
    request_huisverbod,
)
from tests.integration.test_paths_api import CHILD, PLEGER, TEEN, VICTIM, amsterdam_today
from tests.integration.test_placements import SHELTER, acute_path

DAY = 20.0  # seconds


@contextlib.asynccontextmanager
async def running(settings):
    """A worker and an API process on `settings`, and a client factory for the API."""
    worker = WorkerRunner(settings)
    await worker.start()
    app = create_app(settings)
    clients: list[httpx.AsyncClient] = []

    def as_(org: str, role: str, signed_in: bool = False) -> httpx.AsyncClient:
        """A client of the API (with `signed_in`: of the pages)."""
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://ketenregie.test",
            **(
                {"cookies": {SESSION_COOKIE: page_session(settings, org=org, role=role)}}
                if signed_in
                else {
                    "headers": {
                        "authorization": f"Bearer {mint_token(settings, org=org, role=role)}"
                    }
                }
            ),
        )
        clients.append(client)
        return client

    try:
        async with app.router.lifespan_context(app):
            yield as_, app, worker
    finally:
        for client in clients:
            await client.aclose()
        await worker.stop()


@pytest_asyncio.fixture
async def drill_settings(settings, database_url):
    name = f"drill_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(database_url)
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    parts = urlsplit(database_url)
    return settings.model_copy(
        update={
            "database_url": urlunsplit(parts._replace(path=f"/{name}")),
            "task_queue": f"drill-{uuid.uuid4().hex[:8]}",
            "time_scale": DAY / 86400,
        }
    )


async def ok_page(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.text


def ketenregie(settings, *args: str) -> str:
    """Run the `ketenregie` command on the drill's data dir and database; its output."""
    env = {
        "KETENREGIE_DATA_DIR": str(settings.data_dir),
        "KETENREGIE_DATABASE_URL": settings.database_url,
        "KETENREGIE_API_PORT": str(free_port()),  # no API of the drill listens: none runs
    }
    result = CliRunner().invoke(cli.app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


async def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def test_postgres_restored_from_an_older_backup_is_reconciled_with_temporal(
    drill_settings, workdir
):
    backup = workdir / "backups" / uuid.uuid4().hex
    async with running(drill_settings) as (as_, app, worker):
        api, police = as_("vt-haaglanden", "coordinator"), as_("politie-den-haag", "hulpofficier")
        mayor = as_("burgemeester-gm0518", "staff")
        # in the backup: a case the police brought in, with its acute safety path
        known = await open_case(api, persons=[VICTIM, PLEGER, CHILD, TEEN])
        acute_url = await acute_path(api, known)
        acute_id = acute_url.rsplit("/", 1)[1]
        destroyed = await open_case(api, unsafety={"acute": False, "structural": True})

        # while the stack runs: Postgres, then the dev server's SQLite
        ketenregie(drill_settings, "backup", "--to", str(backup))
        assert (backup / "temporal.sqlite").stat().st_size > 0

        # the day goes on: a new case, a request, a decision, an extension, a placement, a path
        newcomer = await open_case(api, unsafety={"acute": False, "structural": True})
        hv = await request_huisverbod(police, known, veilig_thuis_consulted=True)
        imposed = await impose(police, hv)
        until = datetime.fromisoformat(imposed["ends_at"]) + timedelta(seconds=2 * DAY)
        extended = await ok(
            await mayor.post(
                f"/v1/huisverboden/{hv}/extension",
                json={
                    "until": until.isoformat(),
                    "reason": "dreiging duurt voort",
                    "decided_by": MAYOR,
                },
            )
        )
        assert extended["status"] == "extended"
        placement = await ok(await api.post(f"{acute_url}/placements", json=SHELTER), 201)
        protection = await ok(
            await api.post(
                f"/v1/cases/{known}/child-protection",
                json={"child_ref": "k1", "via": "beschermtafel"},
            ),
            201,
        )
        before = await ok(await api.get(f"/v1/cases/{known}"))
        await ok(
            await api.post(f"/v1/cases/{destroyed}/destroy", json={"reason": "justified_request"})
        )

    ketenregie(drill_settings, "restore", str(backup), "--postgres-only")

    async with running(drill_settings) as (as_, app, worker):
        api, police = as_("vt-haaglanden", "coordinator"), as_("politie-den-haag", "hulpofficier")
        # the restored database knows none of it yet
        assert (await api.get(f"/v1/huisverboden/{hv}")).status_code == 404
        assert (await api.get(f"/v1/cases/{newcomer}")).status_code == 404

        check = ReconcileActivities(app.state.pool, worker.client, CATALOGUE)
        found = await check.after_restore(repair=False)
        # rows that are missing (the case and its acute path may have caught up by themselves:
        # a running workflow publishes whenever a deadline of it fires)
        missing = {
            huisverbod_workflow_id(known, hv),
            path_workflow_id(known, protection["path_id"]),
        }
        ahead = missing | {case_workflow_id(known), path_workflow_id(known, acute_id)}
        assert missing <= set(found.behind), found
        assert case_workflow_id(newcomer) in found.lost
        assert not found.unanswered
        # the backup brought a destroyed file back: said, to be destroyed again
        assert found.terminated == [case_workflow_id(destroyed)]
        await check.after_restore(repair=True)

        # rebuilt from the workflows: statuses, deadlines, timelines
        ban = await ok(await api.get(f"/v1/huisverboden/{hv}"))
        assert ban["status"] == "extended" and ban["ends_at"] == extended["ends_at"]
        case = await ok(await api.get(f"/v1/cases/{known}"))
        kinds = [e["kind"] for e in case["timeline"]]
        assert {"huisverbod_requested", "huisverbod_imposed", "huisverbod_extended"} <= set(kinds)
        assert not Counter(e["kind"] for e in before["timeline"]) - Counter(kinds)
        assert {d["key"] for d in case["deadlines"]} >= {d["key"] for d in before["deadlines"]}
        paths = (await ok(await api.get(f"/v1/cases/{known}/paths")))["items"]
        assert {p["path_id"] for p in paths} == {acute_id, protection["path_id"]}
        acute = await ok(await api.get(f"/v1/cases/{known}/paths/{acute_id}"))
        assert [p["placement_id"] for p in acute["placements"]] == [placement["placement_id"]]

        # nothing left behind, nothing lost running on
        again = await check.after_restore(repair=False)
        assert not ahead & set(again.behind)
        described = await worker.client.get_workflow_handle(case_workflow_id(newcomer)).describe()
        assert described.status.name == "TERMINATED"

        # the coordinator's list of what must be entered again
        listed = await ok(await api.get("/v1/regions/haaglanden/reconcile"))
        assert [h["huisverbod_id"] for h in listed["huisverboden"]] == [hv]
        assert [p["placement_id"] for p in listed["placements"]] == [placement["placement_id"]]
        assert case_workflow_id(newcomer) in [w["workflow_id"] for w in listed["lost"]]
        # lost with its key, its region is still known: another region's list does not name it
        rotterdam = as_("vt-rotterdam-rijnmond", "coordinator")
        theirs = await ok(await rotterdam.get("/v1/regions/rotterdam-rijnmond/reconcile"))
        assert all(w["case_id"] != newcomer for w in theirs["lost"]), theirs["lost"]
        assert (
            await as_("vt-haaglanden", "worker").get("/v1/regions/haaglanden/reconcile")
        ).status_code == 403
        assert (
            await as_("vt-rotterdam-rijnmond", "coordinator").get(
                "/v1/regions/haaglanden/reconcile"
            )
        ).status_code == 404

        # entered again, once: then the list no longer names them
        request_file = huisverbod_request("p2", veilig_thuis_consulted=True)
        refile = f"/v1/huisverboden/{hv}/request-file"
        assert (await police.put(refile, json=request_file)).status_code == 204
        assert (await police.put(refile, json=request_file)).status_code == 409
        assert (await ok(await api.get(f"/v1/huisverboden/{hv}")))["grounds"] == GROUNDS
        relocate = f"/v1/cases/{known}/placements/{placement['placement_id']}/location"
        where = {"location": SHELTER["location"]}
        assert (await api.put(relocate, json=where)).status_code == 204
        assert (await api.put(relocate, json=where)).status_code == 409
        assert (await ok(await api.get(relocate)))["location"] == SHELTER["location"]
        listed = await ok(await api.get("/v1/regions/haaglanden/reconcile"))
        assert listed["huisverboden"] == [] and listed["placements"] == []

        # and every one takes its next command
        await ok(
            await api.post(
                f"/v1/cases/{known}/safety-assessment", json={"acute": True, "structural": True}
            )
        )
        await ok(await police.post(f"/v1/huisverboden/{hv}/violations", json={}))
        await ok(
            await api.post(
                f"/v1/cases/{known}/child-protection/{protection['path_id']}/steps",
                json={"step": "meeting_scheduled", "meeting_on": amsterdam_today().isoformat()},
            )
        )
        ended = await ok(
            await api.post(
                f"{acute_url}/steps",
                json={"step": "placement_ended", "placement_id": placement["placement_id"]},
            )
        )
        assert ended["placements"][0]["ended_at"]
        # the lost case: not found, never a 500 or a wait
        lost = await api.post(
            f"/v1/cases/{newcomer}/safety-assessment", json={"acute": False, "structural": True}
        )
        assert lost.status_code == 404, lost.text

        async def timeline_has_violation():
            got = await ok(await api.get(f"/v1/cases/{known}"))
            return "huisverbod_violated" in [e["kind"] for e in got["timeline"]] or None

        await eventually(timeline_has_violation)
