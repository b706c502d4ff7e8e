"""HTTP load at a fixed concurrency for a fixed time, from a separate process.

wrk (C, event loop) when it is installed; otherwise a Python asyncio
generator, which costs the server some CPU on a small machine (the README
says which one a run used). Each scenario is a list of requests; connections
take them in turn, so a booking scenario can give every request its own slot.
"""

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: str = ""


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def engine() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run(base: str, requests: list[Request], *, seconds: int, connections: int) -> Result:
    if engine() == "wrk":
        return _run_wrk(base, requests, seconds=seconds, connections=connections)
    return asyncio.run(_run_python(base, requests, seconds=seconds, connections=connections))


LUA = """
local requests = {}
local counter = 0
local threads = 2
local id = 0
function setup(thread) thread:set("id", id); id = id + 1 end
function init(args)
  local spec = %s
  for i, r in ipairs(spec) do
    requests[i] = wrk.format(r.method, r.path, r.headers, r.body ~= "" and r.body or nil)
  end
  counter = wrk.thread:get("id")
end
function request()
  counter = counter + threads
  return requests[(counter %% #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  local fields = '"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"non_2xx":%%d,"errors":%%d'
  io.write(string.format('\\nRESULT {' .. fields .. '}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_table(requests: list[Request]) -> str:
    def lua_string(text: str) -> str:
        return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII

    rows = []
    for r in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items())
        rows.append(
            f"{{method = {lua_string(r.method)}, path = {lua_string(r.path)}, "
            f"headers = {{{headers}}}, body = {lua_string(r.body)}}}"
        )
    return "{" + ",\n".join(rows) + "}"


def _run_wrk(base: str, requests: list[Request], *, seconds: int, connections: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % _lua_table(requests))
    out = subprocess.run(
        [
            shutil.which("wrk"),
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    data = json.loads(out.split("RESULT ", 1)[1])
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        errors=data["errors"],
    )


async def _run_python(base: str, requests: list[Request], *, seconds: int, connections: int) -> Result:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0, "next": 0}
    deadline = time.monotonic() + seconds

    async def one_connection():
        reader, writer = await asyncio.open_connection(host, port)
        while time.monotonic() < deadline:
            r = requests[counts["next"] % len(requests)]
            counts["next"] += 1
            started = time.perf_counter()
            try:
                writer.write(_raw(r, host).encode())
                status = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError):
                counts["errors"] += 1
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                counts["non_2xx"] += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return Result(
        len(latencies), elapsed, percentile(0.5), percentile(0.99), counts["non_2xx"], counts["errors"]
    )


def _raw(r: Request, host: str) -> str:
    headers = {"Host": host, "Connection": "keep-alive", **r.headers}
    if r.body:
        headers["Content-Length"] = str(len(r.body.encode()))
    lines = [f"{r.method} {r.path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "", r.body]
    return "\r\n".join(lines)


async def _read_response(reader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length")), 0
    )
    if length:
        await reader.readexactly(length)
    return status
