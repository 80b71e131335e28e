"""`./run up`: the product's whole local stack (`ketenregie up`: Postgres, the Temporal dev
server, the workers, the APIs) and beside it the partners' stand-ins (`testing.partners`), so
a developer sees what partners would be sent. It lives in testing/ because the stand-ins do:
the product's command line starts only what production runs, and the import contracts keep
production code from test support. Arguments are `ketenregie up`'s (`--demo`, `--workers`, …)."""

from __future__ import annotations

import subprocess
import sys

from infra.settings import Settings
from ketenregie import cli
from ketenregie.stack import stop_process


def main(args: list[str]) -> None:
    settings = Settings()
    logs = settings.data_dir.resolve() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / "sink.log"
    partners = subprocess.Popen(
        [sys.executable, "-m", "testing.partners"],
        stdout=log_file.open("ab"),
        stderr=subprocess.STDOUT,
    )
    print(
        f"Partners' stand-ins http://{settings.smtp_host}:{settings.sink_port}/  (what partners"
        f" were sent; SMTP :{settings.smtp_port}, log {log_file})",
        file=sys.stderr,
    )
    try:
        cli.app(["up", *args], prog_name="ketenregie")
    finally:
        stop_process(partners)


if __name__ == "__main__":
    main(sys.argv[1:])
