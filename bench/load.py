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


# Requests are read from a data file (one per line, fields split by \x1f, headers
# by \x1e as name\x1dvalue): inlining thousands would exceed Lua's constant limit.
LUA = """
local requests = {}
local counter = 0
local threads = 2
local id = 0
local function split(text, sep)
  local parts = {}
  for part in (text .. sep):gmatch("(.-)" .. sep) do parts[#parts + 1] = part end
  return parts
end
function setup(thread) thread:set("id", id); id = id + 1 end
function init(args)
  for line in io.lines(args[1]) do
    local f = split(line, "\\31")
    local headers = {}
    if f[3] ~= "" then
      for _, pair in ipairs(split(f[3], "\\30")) do
        local kv = split(pair, "\\29")
        headers[kv[1]] = kv[2]
      end
    end
    requests[#requests + 1] = wrk.format(f[1], f[2], headers, f[4] ~= "" and f[4] or nil)
  end
  counter = wrk.thread:get("id")
end
function request()
  counter = counter + threads
  return requests[(counter % #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  local fields = '"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non_2xx":%d,"errors":%d'
  io.write(string.format("\\nRESULT {" .. fields .. "}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _spec_lines(requests: list[Request]) -> str:
    def line(r: Request) -> str:
        headers = "\x1e".join(f"{k}\x1d{v}" for k, v in r.headers.items())
        return "\x1f".join((r.method, r.path, headers, r.body))

    return "\n".join(line(r) for r in requests) + "\n"


def _run_wrk(base: str, requests: list[Request], *, seconds: int, connections: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        script, spec = Path(folder) / "load.lua", Path(folder) / "requests.txt"
        script.write_text(LUA)
        spec.write_text(_spec_lines(requests))
        command = [shutil.which("wrk"), "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
        done = subprocess.run([*command, base, "--", str(spec)], capture_output=True, text=True)
    if "RESULT " not in done.stdout:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(done.stdout.split("RESULT ", 1)[1])
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
