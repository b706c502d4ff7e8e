# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The configs of docker-compose.yml's `scale` profile, run on this machine
(no container runtime here; config/tests/test_compose_scale.py checks the
profile's shape):

- Debian's haproxy accepts deploy/haproxy.cfg (`haproxy -c`), the web nodes'
  names unresolvable here;
- the Redis services' own commands (deploy/redis-replica.sh,
  deploy/redis-sentinel.sh) with the embedded redis-server, host names mapped
  to this machine: the three Sentinels pass their health check, fail over to
  the replica when the master is SIGKILLed, the promoted replica restarts as
  master (its role file rewritten) and the old master, restarted as compose
  would, is made its replica."""

import os
import signal
import subprocess
from pathlib import Path

import redis
import yaml

from config import cluster as cluster_module
from config import embedded
from config.embedded import _wait_for
from config.redis_failover import free_port

ROOT = embedded.BASE_DIR
MASTER_NAME = "clinic"  # the profile's default REDIS_SENTINEL_MASTER
FOLLOW_SECONDS = 30


def test_haproxy_accepts_the_scale_profiles_config():
    result = subprocess.run(
        [cluster_module.HAPROXY, "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "Configuration file is valid" in result.stdout + result.stderr


class Servers:
    """The profile's Redis services as processes here: `redis` becomes
    localhost, every announced name 127.0.0.1, each on a port of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports = {name: free_port() for name in ("master", "replica", "s1", "s2", "s3")}
        binary = embedded._redis_binary()
        bin_dir = folder / "bin"
        bin_dir.mkdir(parents=True)
        entrypoint = bin_dir / "docker-entrypoint.sh"  # the image's: runs redis-server
        entrypoint.write_text(f'#!/bin/sh\nshift\nexec "{binary}" "$@"\n')
        entrypoint.chmod(0o755)
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}:{binary.parent}:{os.environ['PATH']}",  # redis-cli for the health check
            "REDIS_SENTINEL_MASTER": MASTER_NAME,
        }

    def _local(self, name: str) -> list[str]:
        port = self.ports[name]
        master = str(self.ports["master"])
        if name == "master":
            command = self.services["redis"]["command"]
            assert command[-2:] == ["--replica-announce-ip", "redis"]
            return [str(embedded._redis_binary()), *command[1:-1], "127.0.0.1", "--port", str(port)]
        if name == "replica":
            shell, script, config, host, _port, *options = self.services["redis-replica"]["command"]
            assert host == "redis" and options[-2] == "--replica-announce-ip"
            local = [shell, str(ROOT / "deploy" / Path(script).name), str(self.folder / Path(config).name)]
            return [*local, "localhost", master, *options[:-1], "127.0.0.1", "--port", str(port)]
        service = self.services[f"redis-sentinel-{name[1]}"]
        shell, script, config, _announce, host, _port = service["command"]
        assert host == "redis"
        local = [shell, str(ROOT / "deploy" / Path(script).name), str(self.folder / Path(config).name)]
        return [*local, "127.0.0.1", "localhost", master, "--port", str(port)]

    def start(self, name: str) -> None:
        folder = self.folder / name
        folder.mkdir(exist_ok=True)
        log = (folder / "log").open("a")
        self.processes[name] = subprocess.Popen(
            [*self._local(name), *(["--dir", str(folder)] if name in ("master", "replica") else [])],
            cwd=folder,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait_for(lambda: self._answers(name), what=f"redis {name}", log=folder / "log", seconds=30)

    def client(self, name: str) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.ports[name], socket_timeout=2, decode_responses=True)

    def _answers(self, name: str) -> bool:
        if self.processes[name].poll() is not None:
            raise RuntimeError(f"redis {name} exited: see {self.folder / name / 'log'}")
        try:
            return bool(self.client(name).ping())
        except redis.RedisError:
            return False

    def healthy(self, sentinel: str) -> bool:
        """The Sentinel's compose health check, run as compose would (`$$` is `$`)."""
        [check] = self.services[f"redis-sentinel-{sentinel[1]}"]["healthcheck"]["test"][1:]
        check = check.replace("$$", "$").replace("-p 26379", f"-p {self.ports[sentinel]}")
        return subprocess.run(["sh", "-c", check], env=self.env, timeout=10).returncode == 0  # noqa: S607

    def master_port(self, sentinel: str) -> int | None:
        found = self.client(sentinel).sentinel_get_master_addr_by_name(MASTER_NAME)
        return int(found[1]) if found else None

    def role(self, name: str) -> dict:
        return self.client(name).info("replication")

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def test_the_profiles_redis_commands_fail_over_and_keep_the_roles_sentinel_gives(tmp_path):
    servers = Servers(tmp_path)
    sentinels = ("s1", "s2", "s3")
    try:
        servers.start("master")
        servers.start("replica")
        _wait_for(
            lambda: servers.role("replica").get("master_link_status") == "up",
            what="the replica's sync",
            log=None,
            seconds=30,
        )
        for sentinel in sentinels:
            servers.start(sentinel)
        _wait_for(lambda: all(map(servers.healthy, sentinels)), what="quorum", log=None, seconds=30)

        servers.kill("master")
        _wait_for(
            lambda: servers.master_port("s1") == servers.ports["replica"],
            what="failover",
            log=None,
            seconds=FOLLOW_SECONDS,
        )
        assert servers.role("replica")["role"] == "master"
        role_file = (tmp_path / "redis.conf").read_text()
        assert "replicaof" not in role_file  # Sentinel's CONFIG REWRITE

        servers.kill("replica")  # a restart of the promoted replica: it stays the master
        servers.start("replica")
        assert servers.role("replica")["role"] == "master"
        servers.start("master")  # the old master back, a master by its command line
        _wait_for(
            lambda: servers.role("master").get("master_port") == servers.ports["replica"],
            what="the old master made a replica",
            log=None,
            seconds=FOLLOW_SECONDS,
        )
        assert all(servers.master_port(s) == servers.ports["replica"] for s in sentinels)
        assert all(map(servers.healthy, sentinels))
    finally:
        servers.stop_all()
