"""ketenregie: durable case orchestration for the Dutch huiselijk-geweld and kindermishandeling chain."""
