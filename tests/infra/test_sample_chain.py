"""The sample chain's webhooks reach the local sink wherever it listens."""

from __future__ import annotations

from infra.settings import Settings


def test_the_sample_chains_webhooks_follow_the_sinks_port(tmp_path):
    chain = Settings(data_dir=tmp_path, sink_port=18026).chain
    police = chain.organisation("politie-amsterdam")
    url = police.channels["default"].url
    assert url == "http://127.0.0.1:18026/hooks/politie-amsterdam"
