#!/usr/bin/env python3
"""A TCP proxy that can go silent, to play a network partition between Plaudit and its database.

    python3 tests/faults/tcp_proxy.py --listen PORT --target 127.0.0.1:5432

SIGUSR1 starts the partition: nothing more gets through in either direction and new
connections are accepted but never answered, as when packets are lost rather than refused
(no reset, no FIN). SIGUSR2 heals it: what was held back is delivered, as TCP retransmission
would once the network is back. Only the proxy's own connections are affected, so nothing
else using the database notices.
"""

import argparse
import asyncio
import signal
import sys

network_up = asyncio.Event()  # cleared while partitioned


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await network_up.wait()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer, target):
    await network_up.wait()
    try:
        server_reader, server_writer = await asyncio.open_connection(*target)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


def set_partition(on):
    if on:
        network_up.clear()
    else:
        network_up.set()
    print(f"partition {'on' if on else 'off'}", flush=True)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--target", required=True, help="HOST:PORT of the database (local only)")
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        parser.error("--target must be on this machine")
    network_up.set()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, set_partition, True)
    loop.add_signal_handler(signal.SIGUSR2, set_partition, False)
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, (host, int(port))), "127.0.0.1", args.listen
    )
    print(f"proxy 127.0.0.1:{args.listen} -> {args.target}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
