"""Workflows under Temporal's time-skipping test server, with in-memory activities."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from testing import FakeReadModel, converter_with_test_keys, fake_worker, time_skipping


@pytest_asyncio.fixture
async def env():
    """A fresh test server per test: its clock is shared, so tests must not share it."""
    async with time_skipping(converter_with_test_keys()) as env:
        yield env


@pytest.fixture
def read_model() -> FakeReadModel:
    return FakeReadModel()


@pytest_asyncio.fixture
async def worker(env, read_model):
    task_queue = f"tq-{uuid.uuid4()}"
    async with fake_worker(env.client, task_queue, read_model):
        yield task_queue
