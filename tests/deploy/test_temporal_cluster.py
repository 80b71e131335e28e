"""The Helm values production installs the Temporal server with, against the configuration the
local cluster runs (ketenregie.cluster, met by tests/integration/test_cluster.py): the same
version, persistence, visibility and dynamic config; the shard count differs on purpose."""

from __future__ import annotations

from pathlib import Path

import yaml

from ketenregie.cluster import DYNAMIC_CONFIG, SHARDS, VERSION, TemporalCluster

HELM = yaml.safe_load(
    (Path(__file__).parents[2] / "deploy" / "helm" / "temporal-values.yaml").read_text()
)


def local(tmp_path: Path) -> dict:
    """The config file the local cluster's frontend reads, as written."""
    cluster = TemporalCluster(tmp_path, 7233, tmp_path)
    return yaml.safe_load((tmp_path / "frontend.yaml").read_text()) | {
        "dynamic": yaml.safe_load((tmp_path / "dynamicconfig.yaml").read_text()),
        "files": sorted(p.name for p in tmp_path.glob("*.yaml")),
        "parts": [p.name for p in cluster.parts],
    }


def test_production_pins_the_version_the_local_cluster_runs():
    assert str(HELM["server"]["image"]["tag"]) == VERSION
    # the schema jobs run the admin tools' SQL tool: the schema of the server's version
    assert str(HELM["admintools"]["image"]["tag"]) == VERSION


def test_both_persist_to_postgres_with_sql_visibility(tmp_path: Path):
    config = local(tmp_path)["persistence"]
    stores = {
        "default": config["datastores"][config["defaultStore"]]["sql"],
        "visibility": config["datastores"][config["visibilityStore"]]["sql"],
    }
    helm = HELM["server"]["config"]["persistence"]
    for store in ("default", "visibility"):
        assert helm[store]["driver"] == "sql"
        assert helm[store]["sql"]["driver"] == stores[store]["pluginName"] == "postgres12"
        assert helm[store]["sql"]["database"] == stores[store]["databaseName"]
    assert HELM["elasticsearch"]["enabled"] is False  # visibility is the SQL store's


def test_the_shard_count_is_set_in_both_and_production_has_room_to_grow(tmp_path: Path):
    assert local(tmp_path)["persistence"]["numHistoryShards"] == SHARDS == 4
    # fixed for the database's life: sized for the most history pods a region may run
    assert HELM["server"]["config"]["numHistoryShards"] == 512


def test_both_run_the_same_dynamic_config(tmp_path: Path):
    assert local(tmp_path)["dynamic"] == DYNAMIC_CONFIG == HELM["server"]["dynamicConfig"]


def test_the_local_cluster_runs_each_service_as_a_process_of_its_own(tmp_path: Path):
    found = local(tmp_path)
    assert found["parts"] == [
        "Temporal frontend",
        "Temporal history-1",
        "Temporal history-2",
        "Temporal matching",
        "Temporal worker",
    ]
    # one config file each: the two history processes differ in their ports only
    assert found["files"] == [
        "dynamicconfig.yaml",
        "frontend.yaml",
        "history-1.yaml",
        "history-2.yaml",
        "matching.yaml",
        "worker.yaml",
    ]
