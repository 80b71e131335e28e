"""Melding and advice questions stored while Temporal was unreachable: their workflows
started once it is back, so none is ever lost."""

from __future__ import annotations

import asyncpg
from temporalio.client import Client

from domain.chain_policy import Policy
from services import advice as advice_service
from services import case as case_service
from store import advice as advice_store
from store import cases as case_store


async def start_pending(pool: asyncpg.Pool, client: Client, policy: Policy, task_queue: str) -> int:
    """Start the workflow of every case and advice question still waiting; how many."""
    started = 0
    async with pool.acquire() as conn:
        for case_id in await case_store.not_started(conn):
            case = await case_store.get_case(conn, case_id)
            await case_service.start_case(client, policy, task_queue, case)
            await case_store.mark_started(conn, case_id)
            started += 1
        for question in await advice_store.not_started(conn):
            await advice_service.start_workflow(client, policy, task_queue, question)
            await advice_store.mark_started(conn, question["advice_id"])
            started += 1
    return started
