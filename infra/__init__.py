"""What every process shares beneath the services: settings, the master keyring, telemetry,
the Temporal client with its payload codec, and the per-case key store. It imports only the
domain, so the API, the worker, the CLI and the bench all reach it without an import running
back up."""
