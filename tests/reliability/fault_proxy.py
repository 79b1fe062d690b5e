"""A TCP proxy on loopback that fails like a database outage or a network partition.

Stopping the real PostgreSQL would disturb every other test using it; a proxy in
front of it lets one test have an outage of its own. Two kinds of failure:

- `cut()`: the server is gone. Open connections drop and new ones are refused, so
  the driver learns at once (a restart, a crash).
- `blackhole()`: the network swallows packets. Connections stay open and new ones
  are accepted, but nothing gets through in either direction and nothing is ever
  answered (a partition, a firewall dropping traffic): only timeouts notice.
"""

from __future__ import annotations

import asyncio
import contextlib
from enum import StrEnum


class Mode(StrEnum):
    UP = "up"
    CUT = "cut"
    BLACKHOLE = "blackhole"


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode = Mode.UP
        self.connections = 0  # accepted since start, for tests that expect none
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    @property
    def up(self) -> bool:
        return self.mode is Mode.UP

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.mode is Mode.CUT:
            writer.close()
            return
        self._pipes.add(writer)
        if self.mode is Mode.BLACKHOLE:
            await self._pump(reader, writer, swallow=True)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._pipes.discard(writer)
            writer.close()
            return
        self._pipes.add(up_writer)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, swallow: bool = False
    ) -> None:
        """Forward what `reader` gets to `writer`; with `swallow` (a connection accepted
        by the black hole, `writer` its own end) never answer at all."""
        try:
            while data := await reader.read(65536):
                if swallow or self.mode is Mode.BLACKHOLE:
                    continue  # the packet is lost on the way
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._pipes.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def cut(self) -> None:
        """The database is gone: open connections drop, new ones are refused."""
        self.mode = Mode.CUT
        self._close_pipes()

    def blackhole(self) -> None:
        """The network swallows everything: no error, no answer, in either direction."""
        self.mode = Mode.BLACKHOLE

    def restore(self) -> None:
        """Back to normal. Connections a blackhole held are dropped (as TCP would time
        them out); new ones go through."""
        if self.mode is Mode.BLACKHOLE:
            self._close_pipes()
        self.mode = Mode.UP

    def _close_pipes(self) -> None:
        for writer in list(self._pipes):
            writer.close()
        self._pipes.clear()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
