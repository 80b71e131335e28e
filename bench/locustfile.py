"""The users of bench.load (Locust): Veilig Thuis coordinators, mayors' offices and police.

Run by `python -m bench.load`, which fills the stack and writes what these users need (their
tokens and session cookies, the filled cases, the huisverboden) to the JSON file named by
KETENREGIE_LOAD_DATA. Every user works for one of 26 regions; the sample chain has three, so
region i is served by sample region i mod 3 (each carries the load of eight or nine).
Requests are named "role METHOD route", so the figures come per route and role.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

REGIONS = 26
DATA = json.loads(open(os.environ["KETENREGIE_LOAD_DATA"]).read())  # noqa: SIM115
SAMPLE = sorted(DATA["regions"])

# What the users hand each other, in this (single) Locust process: a request the police
# filed waits in its mayor's inbox; a ban the mayor imposed may be extended.
requested: dict[str, list[str]] = defaultdict(list, DATA["requested"])
imposed: dict[str, list[str]] = defaultdict(list, DATA["imposed"])
# each case is assessed once: the coordinators of a region share its untouched cases
untouched = {r: iter(DATA["regions"][r]["untouched"]) for r in SAMPLE}
next_region = itertools.count()


def person(tag: str, role: str) -> dict:
    return {"ref": role[0], "role": role, "name": f"{role.title()} {tag}"}


class Role(FastHttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        national = next(next_region) % REGIONS
        self.region = SAMPLE[national % len(SAMPLE)]
        self.data = DATA["regions"][self.region]

    def send(self, method: str, path: str, route: str, who: dict, **kw) -> dict | None:
        """One request as `who` (bearer token for /v1, session cookie for the pages)."""
        headers = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
        if path.startswith("/v1/"):
            headers["authorization"] = f"Bearer {who['bearer']}"
        else:
            headers["cookie"] = f"{DATA['cookie']}={who['cookie']}"
        name = f"{self.role} {method} {route}"
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kw
        ) as r:
            if r.status_code >= 400:
                r.failure(f"{r.status_code} {(r.text or '')[:200]}")
                return None
            r.success()
            return r.json() if path.startswith("/v1/") else None


class Coordinator(Role):
    """Veilig Thuis: the region's dashboard, the case list, case pages; assesses cases."""

    role = "coordinator"
    weight = 6
    wait_time = between(3, 12)

    @task(3)
    def dashboard(self) -> None:
        self.send("GET", f"/regio/{self.region}", "/regio/[regio]", self.data["coordinator"])

    @task(4)
    def case_list(self) -> None:
        self.send("GET", "/casussen", "/casussen", self.data["coordinator"])

    @task(6)
    def case_page(self) -> None:
        if not self.data["cases"]:
            return
        case = random.choice(self.data["cases"])
        self.send("GET", f"/casus/{case}", "/casus/[id]", self.data["coordinator"])

    @task(1)
    def assess(self) -> None:
        case = next(untouched[self.region], None)
        if case is None:
            return
        body = {"acute": False, "structural": True}
        path = f"/v1/cases/{case}/safety-assessment"
        self.send(
            "POST", path, "/v1/cases/[id]/safety-assessment", self.data["coordinator"], json=body
        )


class MayorsOffice(Role):
    """A mayor's office: its inbox; decides on the requests, extends running bans."""

    role = "mayor"
    weight = 2
    wait_time = between(5, 20)

    def on_start(self) -> None:
        super().on_start()
        self.municipality = random.choice(self.data["municipalities"])
        self.who = DATA["mayors"][self.municipality]

    @task(5)
    def inbox(self) -> None:
        self.send("GET", "/inbox", "/inbox", self.who)

    @task(2)
    def decide(self) -> None:
        if not requested[self.municipality]:
            return
        hv = requested[self.municipality].pop()
        body = {
            "decision": "impose",
            "reason": "ernstig en onmiddellijk gevaar",
            "decided_by": {"name": "Burgemeester", "capacity": "mayor"},
        }
        if self.send(
            "POST",
            f"/v1/huisverboden/{hv}/decision",
            "/v1/huisverboden/[id]/decision",
            self.who,
            json=body,
        ):
            imposed[self.municipality].append(hv)

    @task(1)
    def extend(self) -> None:
        if not imposed[self.municipality]:
            return
        hv = imposed[self.municipality].pop(0)
        body = {
            "until": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
            "reason": "de dreiging houdt aan",
            "decided_by": {"name": "Burgemeester", "capacity": "mayor"},
        }
        self.send(
            "POST",
            f"/v1/huisverboden/{hv}/extension",
            "/v1/huisverboden/[id]/extension",
            self.who,
            json=body,
        )


class Police(Role):
    """The police: file meldingen, and huisverbod requests on the cases they filed."""

    role = "police"
    weight = 2
    wait_time = between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        self.filed: list[tuple[str, str]] = []

    @task(3)
    def melding(self) -> None:
        tag = uuid.uuid4().hex[:8]
        municipality = random.choice(self.data["municipalities"])
        body = {
            "region": self.region,
            "municipality": municipality,
            "reporter": {"kind": "police", "organisation": "Politie"},
            "persons": [person(tag, "victim"), person(tag, "pleger")],
            "unsafety": {"acute": False, "structural": True},
            "summary": "load bench",
        }
        made = self.send("POST", "/v1/meldingen", "/v1/meldingen", self.data["police"], json=body)
        if made:
            self.filed.append((made["case_id"], municipality))

    @task(1)
    def request(self) -> None:
        if not self.filed:
            return
        case, municipality = self.filed.pop()
        body = {
            "pleger_ref": "p",
            "address": "Straat 1",
            "requested_by": {"organisation": "Politie", "officer": "Agent"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        }
        made = self.send(
            "POST",
            f"/v1/cases/{case}/huisverbod-requests",
            "/v1/cases/[id]/huisverbod-requests",
            self.data["police"],
            json=body,
        )
        if made:
            requested[municipality].append(made["huisverbod_id"])
