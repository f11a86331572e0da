#!/usr/bin/env python3
"""Load generator and fake upstream for deploy/bench/gateway (standard library only).

  gateway_load.py upstream PORT_FILE            serve a fixed chat completion on a free port (written to PORT_FILE)
  gateway_load.py load URL KEY CONCURRENCY N    POST N chat requests over CONCURRENCY keep-alive connections,
                                                print one JSON line: p50/p99/mean in ms and requests per second
"""
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

ANSWER = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "bench-upstream",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the benchmark upstream."},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
}).encode()

REQUEST_BODY = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}).encode()


async def read_message(reader):
    """Reads one HTTP/1.1 message (head and content-length or chunked body); returns (head, body) or None at EOF."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = b""
    return lines[0], body


async def serve_upstream(port_file):
    async def handle(reader, writer):
        try:
            while True:
                await read_message(reader)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                             + str(len(ANSWER)).encode() + b"\r\n\r\n" + ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    with open(port_file, "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


async def load(url, key, concurrency, total):
    parts = urlsplit(url)
    path = parts.path.rstrip("/") + "/chat/completions"
    request = (f"POST {path} HTTP/1.1\r\nhost: {parts.hostname}\r\nauthorization: Bearer {key}\r\n"
               f"content-type: application/json\r\ncontent-length: {len(REQUEST_BODY)}\r\n\r\n").encode() + REQUEST_BODY
    latencies, failures = [], 0
    remaining = [total]

    async def worker():
        nonlocal failures
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status, _ = await read_message(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            if " 200 " not in status:
                failures += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]

    print(json.dumps({"concurrency": concurrency, "requests": len(latencies), "failures": failures,
                      "p50_ms": round(percentile(50), 3), "p99_ms": round(percentile(99), 3),
                      "mean_ms": round(sum(latencies) / len(latencies), 3), "rps": round(len(latencies) / elapsed, 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "upstream":
        asyncio.run(serve_upstream(sys.argv[2]))
    elif sys.argv[1] == "load":
        asyncio.run(load(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
    else:
        sys.exit(__doc__)
