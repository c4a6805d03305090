"""A TCP proxy that delays every byte by a fixed time in each direction: "hosts" with a network delay between them,
where the kernel has no netem qdisc. Prints its port on the first line of stdout, then serves until killed.

usage: delay_proxy.py LISTEN_HOST UPSTREAM_HOST UPSTREAM_PORT DELAY_MS
"""
import asyncio
import sys

LISTEN_HOST, UPSTREAM_HOST, UPSTREAM_PORT, DELAY = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000


async def pump(reader, writer):
    """Forwards what `reader` gives to `writer`, each chunk DELAY after it was read, in order."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    delivery = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + DELAY, data or None))
            if not data:
                break
    except (ConnectionError, asyncio.CancelledError):
        await queue.put((loop.time(), None))
    await delivery


async def handle(client_reader, client_writer):
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(UPSTREAM_HOST, UPSTREAM_PORT)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, upstream_writer), pump(upstream_reader, client_writer), return_exceptions=True)


async def main():
    server = await asyncio.start_server(handle, LISTEN_HOST, 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
