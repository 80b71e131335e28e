"""An ASGI app served by uvicorn on the test's (or bench's) own event loop: the partners'
stand-ins, fake identity providers and zaaksystemen, the API under a browser test."""

from __future__ import annotations

import asyncio

from ketenregie.stack import proxy_options


class BackgroundServer:
    """An ASGI app served by uvicorn on this event loop (receivers, browser tests); behind
    the proxies `forwarded_allow_ips` names, none by default."""

    def __init__(
        self, app, host: str, port: int, *, lifespan: str = "auto", forwarded_allow_ips: str = ""
    ) -> None:
        import uvicorn

        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan=lifespan,
            log_level="warning",
            **proxy_options(forwarded_allow_ips),
        )
        self.url = f"http://{host}:{port}"
        self._config = config
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        import uvicorn

        self._server = uvicorn.Server(self._config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises why it could not start
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            await self._task
            self._server = None
