"""`make cluster`: the project as it runs on several machines, on this one,
with real binaries and no containers:

- PostgreSQL: a primary and a streaming replica (config/replication.py), or
  the DATABASE_URL / DATABASE_REPLICA_URLS given; PgBouncer in transaction
  mode in front of the primary when Debian's `pgbouncer` is installed;
- Redis: a master, a replica and three Sentinels (config/redis_failover.py);
- two gunicorn nodes behind HAProxy (Debian's `haproxy`: round robin,
  health-checked on /health/live), and two RQ workers, restarted when they
  exit (as compose's `restart: unless-stopped` does).

It prints the URLs and stops everything on Ctrl-C, like `make run`. The
cluster fault tests (`make test-cluster`) start the same thing with `running()`.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from config import embedded, redis_failover, replication
from config.embedded import _wait_for
from config.pgbouncer import pgbouncer
from config.redis_failover import free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
GRACE_SECONDS = 15
HAPROXY_CONFIG = """global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
frontend web
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/live ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}
"""


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    url: str  # HAProxy's
    env: dict  # what every process of the cluster runs with
    nodes: list[Node] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    redis: redis_failover.SentinelSet | None = None
    primary: replication.Server | None = None
    replica: replication.Server | None = None
    haproxy: subprocess.Popen | None = None
    retired: set[int] = field(default_factory=set)  # workers killed on purpose: not restarted
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retire_worker(self, index: int) -> None:
        """SIGKILL a worker and leave it dead (a fault to survive)."""
        self.retired.add(index)
        os.killpg(self.workers[index].pid, signal.SIGKILL)

    def supervise(self, worker_command: list[str]) -> None:
        """Restart a worker that exits, as a process manager would (compose's
        `restart: unless-stopped`): an RQ worker quits when Redis fails under
        a running job, and comes back on the new master."""
        while not self.stopping.wait(1):
            with self.lock:
                for index, worker in enumerate(self.workers):
                    if worker.poll() is not None and index not in self.retired and not self.stopping.is_set():
                        print(f"worker {index + 1} exited ({worker.returncode}); restarting it", flush=True)
                        self.workers[index] = _spawn(worker_command, self.env)


def missing_binaries() -> list[str]:
    return [name for name, path in (("haproxy", HAPROXY),) if not Path(path).exists()]


@contextmanager
def running(data: Path, *, port: int, seed: bool = True, extra_env: dict | None = None):
    """The whole cluster, up; everything it started is stopped on exit."""
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o755)
    with ExitStack() as stack:
        env, primary, replica = _databases(data, stack)
        env.update(extra_env or {})
        sentinels = redis_failover.start(data / "redis")
        stack.callback(sentinels.stop)
        env.update(
            REDIS_URL="",
            REDIS_SENTINELS=sentinels.addresses,
            REDIS_SENTINEL_MASTER=redis_failover.MASTER_NAME,
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        _manage(env, "migrate", "--noinput")
        if seed:
            _manage(env, "seed_demo", "--if-empty")
        cluster = Cluster(f"http://127.0.0.1:{port}", env, redis=sentinels, primary=primary, replica=replica)
        stack.callback(_stop_all, cluster)
        for number in (1, 2):
            cluster.nodes.append(_node(f"node{number}", env, data))
        worker = [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler"]
        cluster.workers.extend(_spawn(worker, env) for _ in range(2))
        threading.Thread(target=cluster.supervise, args=(worker,), daemon=True).start()
        _wait_for_nodes(cluster)
        cluster.haproxy = _haproxy(data, port, cluster.nodes)
        _wait_for(lambda: _answers(f"{cluster.url}/health/live"), what="HAProxy", log=None, seconds=60)
        yield cluster


Servers = tuple[dict, replication.Server | None, replication.Server | None]


def _databases(data: Path, stack: ExitStack) -> Servers:
    """The primary's URL (through PgBouncer when installed) and the replicas':
    the URLs given, else an embedded primary and a streaming replica."""
    primary = replica = None
    if os.environ.get("DATABASE_URL"):
        primary_url, replicas = os.environ["DATABASE_URL"], os.environ.get("DATABASE_REPLICA_URLS", "")
    else:
        primary = replication.start_primary(data / "pg-primary")
        stack.callback(primary.stop)
        replica = replication.start_replica(primary, data / "pg-replica")
        stack.callback(replica.stop)
        primary_url, replicas = primary.url(), replica.url()
    env = {**os.environ, "DATABASE_URL": primary_url, "DATABASE_REPLICA_URLS": replicas}
    if Path(PGBOUNCER).exists():
        env.update(DATABASE_URL=stack.enter_context(pgbouncer(primary_url)), DATABASE_POOLER="pgbouncer")
    return env, primary, replica


def _node(name: str, env: dict, data: Path) -> Node:
    port = free_port()
    metrics = data / "prometheus" / name
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    node_env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "2", "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    process = _spawn([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"], node_env)
    return Node(name, port, process)


def _haproxy(data: Path, port: int, nodes: list[Node]) -> subprocess.Popen:
    servers = "\n".join(f"    server {node.name} 127.0.0.1:{node.port} check" for node in nodes)
    config = data / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
    return _spawn([HAPROXY, "-f", str(config), "-db"], dict(os.environ))


def _spawn(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=embedded.BASE_DIR, env=env, start_new_session=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=embedded.BASE_DIR, env=env, check=True)


def _wait_for_nodes(cluster: Cluster) -> None:
    for node in cluster.nodes:
        _wait_for(lambda node=node: _answers(f"{node.url}/health/live"), what=node.name, log=None, seconds=60)


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our loopback servers)
            return response.status == 200
    except OSError:
        return False


def _stop_all(cluster: Cluster) -> None:
    with cluster.lock:
        cluster.stopping.set()
    processes = [cluster.haproxy, *(n.process for n in cluster.nodes), *cluster.workers]
    live = [p for p in processes if p is not None and p.poll() is None]
    for process in live:
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in live:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _raise_interrupt(signum, frame):
    """The first Ctrl-C or SIGTERM stops the cluster; a second one must not
    interrupt the stopping half-way."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupt)
    if missing := missing_binaries():
        needs = " ".join(missing)
        print(f"make cluster needs {needs}: apt-get install -y {needs}", file=sys.stderr)
        return 1
    port = int(os.environ.get("PORT", "8000"))
    try:
        with running(embedded.DATA_DIR / "cluster", port=port) as cluster:
            nodes = ", ".join(node.url for node in cluster.nodes)
            print(
                f"\n  Clinic cluster is up: {cluster.url}/  (HAProxy; nodes {nodes})\n"
                f"  PostgreSQL: {'primary + streaming replica' if cluster.replica else 'the URLs given'}"
                f"{', through PgBouncer' if cluster.env.get('DATABASE_POOLER') else ''}; "
                f"Redis: master, replica, Sentinels at {cluster.redis.addresses}; 2 RQ workers\n"
                "  Ctrl-C stops everything.\n",
                flush=True,
            )
            while all(node.process.poll() is None for node in cluster.nodes):
                time.sleep(0.5)
            print("a node exited; stopping the rest", flush=True)
            return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
