"""A Redis master, a replica and three Sentinels from the embedded
`redis-server` (the one `make run` uses), on loopback TCP ports, for the
failover tests and a cluster on one machine. Sentinel announces addresses,
so these listen on 127.0.0.1 rather than on Unix sockets."""

import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import redis

from config.embedded import _redis_binary, _wait_for

MASTER_NAME = "clinic"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisProcess:
    port: int
    process: subprocess.Popen

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class SentinelSet:
    master: RedisProcess
    replica: RedisProcess
    sentinels: list[RedisProcess] = field(default_factory=list)

    @property
    def addresses(self) -> str:
        """REDIS_SENTINELS: `127.0.0.1:port,…`."""
        return ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)

    def current_master_port(self) -> int | None:
        for sentinel in self.sentinels:
            if sentinel.process.poll() is not None:
                continue
            try:
                found = sentinel.client().sentinel_get_master_addr_by_name(MASTER_NAME)
            except redis.RedisError:
                continue
            if found:
                return int(found[1])
        return None

    def stop(self) -> None:
        for process in [*self.sentinels, self.replica, self.master]:
            process.stop()


def _start(directory: Path, name: str, *args: str) -> RedisProcess:
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    command = [str(_redis_binary()), *args, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--dir", str(directory), "--save", "", "--appendonly", "no"]
    log = open(directory / f"{name}.log", "w")  # noqa: SIM115 (the child writes to it until it stops)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = RedisProcess(port, process)
    _wait_for(lambda: _answers(server), what=f"redis {name}", log=directory / f"{name}.log", seconds=30)
    return server


def _start_sentinel(directory: Path, name: str, master_port: int) -> RedisProcess:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / f"{name}.conf"  # Sentinel rewrites its file: one each
    config.write_text(
        f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n"
        f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
        f"sentinel parallel-syncs {MASTER_NAME} 1\n"
    )
    return _start(directory, name, str(config), "--sentinel")


def start(directory: Path) -> SentinelSet:
    master = _start(directory / "master", "master")
    replica = _start(directory / "replica", "replica", "--replicaof", "127.0.0.1", str(master.port))
    _wait_for(
        lambda: replica.client().info("replication").get("master_link_status") == "up",
        what="replica sync",
        log=None,
        seconds=30,
    )
    found = SentinelSet(master, replica)
    for number in range(3):
        found.sentinels.append(_start_sentinel(directory / "sentinels", f"sentinel{number}", master.port))
    _wait_for(
        lambda: _sentinels_see_each_other(found), what="sentinels to find each other", log=None, seconds=30
    )
    return found


def _sentinels_see_each_other(found: SentinelSet) -> bool:
    try:
        return all(
            int(s.client().sentinel_master(MASTER_NAME)["num-other-sentinels"]) == 2 for s in found.sentinels
        )
    except (redis.RedisError, KeyError):
        return False


def _answers(server: RedisProcess) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"redis-server on port {server.port} exited")
    try:
        return bool(server.client().ping())
    except redis.RedisError:
        return False
