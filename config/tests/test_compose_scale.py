"""docker-compose.yml's `scale` profile has the shape of `make cluster`: nginx
in front of HAProxy over two web nodes, two workers, a PostgreSQL primary and
streaming replica, a Redis master, replica and three Sentinels (quorum 2),
configured by the variables the settings read, each with a health check; the
default profile is left as it was. (`haproxy -c` on deploy/haproxy.cfg and
the Redis scripts run for real: cluster/test_compose_scale_configs.py.)"""

import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

sys.path.insert(0, str(settings.BASE_DIR / "deploy"))
from make_secrets import MAKERS, make_secrets

ROOT = Path(settings.BASE_DIR)

DEFAULT = {"postgres", "redis", "migrate", "web", "proxy", "worker"}
SENTINELS = ("redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3")
LONG_RUNNING = {
    "proxy-scale", "haproxy", "web-1", "web-2", "worker-1", "worker-2",
    "postgres-replica", "redis-replica", *SENTINELS,
}  # fmt: skip
SCALE = {*LONG_RUNNING, "migrate-scale"}  # a one-shot, as `migrate`
APP_NODES = ("web-1", "web-2", "worker-1", "worker-2")


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def haproxy_directives() -> list[str]:
    text = (ROOT / "deploy" / "haproxy.cfg").read_text()
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def names_the_settings_read() -> set[str]:
    """The first string argument of every call in the settings: env.str("NAME", …),
    secret("SECRET_KEY", …) and the like."""
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def sentinel_config(tmp_path: Path, service: dict) -> str:
    """The file deploy/redis-sentinel.sh writes for a Sentinel service's command
    (the image's entrypoint replaced by one that does nothing)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "docker-entrypoint.sh").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "docker-entrypoint.sh").chmod(0o755)
    shell, _script, config, *args = service["command"]
    written = tmp_path / Path(config).name
    variable = service["environment"]["REDIS_SENTINEL_MASTER"]
    name = re.fullmatch(r"\$\{REDIS_SENTINEL_MASTER:-(\w+)\}", variable)[1]  # compose's default
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "REDIS_SENTINEL_MASTER": name}
    script = ROOT / "deploy" / "redis-sentinel.sh"
    subprocess.run([shell, str(script), str(written), *args], env=env, check=True, timeout=10)
    return written.read_text()


def test_the_default_profile_still_runs_the_same_services_and_scale_adds_only_its_own():
    all_services = services()
    assert {name for name, service in all_services.items() if "profiles" not in service} == DEFAULT
    in_scale = {name for name, service in all_services.items() if "scale" in service.get("profiles", [])}
    assert in_scale == SCALE
    for name in SCALE:
        assert all_services[name]["profiles"] == ["scale"], name


def test_every_scale_service_has_a_health_check_limits_logs_and_restarts():
    all_services = services()
    for name in LONG_RUNNING:
        service = all_services[name]
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name
        assert service["logging"] == all_services["postgres"]["logging"], name
        assert service["deploy"]["resources"]["limits"].keys() == {"cpus", "memory"}, name
    assert all_services["migrate-scale"]["restart"] == all_services["migrate"]["restart"]
    replica_check = " ".join(all_services["postgres-replica"]["healthcheck"]["test"])
    assert "pg_isready" in replica_check and "pg_is_in_recovery()" in replica_check


def test_two_web_and_two_worker_nodes_share_the_app_config():
    all_services = services()
    assert all_services["web-1"] == all_services["web-2"]
    assert all_services["worker-1"] == all_services["worker-2"]
    for node, base in (("web-1", "web"), ("worker-1", "worker")):
        for key in ("build", "image", "env_file", "secrets", "volumes", "command", "healthcheck"):
            assert all_services[node][key] == all_services[base][key], (node, key)
    # nginx's hop: HAProxy adds none
    assert all_services["web-1"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_the_nodes_read_the_replica_and_the_sentinels_through_the_settings_variables():
    all_services = services()
    read = names_the_settings_read()
    assert {"DATABASE_REPLICA_URLS", "REDIS_SENTINELS", "REDIS_SENTINEL_MASTER"} <= read
    for node in (*APP_NODES, "migrate-scale"):
        environment = all_services[node]["environment"]
        unknown = {name for name in environment if name.removesuffix("_FILE") not in read}
        assert not unknown, (node, unknown)  # *_FILE: FileAwareEnv reads NAME from that file
        assert environment["DATABASE_URL"] == all_services["web"]["environment"]["DATABASE_URL"]
        assert environment["DATABASE_REPLICA_URLS"] == "postgres://clinic@postgres-replica:5432/clinic"
        assert environment["REDIS_SENTINELS"].split(",") == [f"{name}:26379" for name in SENTINELS]
        assert environment["REDIS_URL"] == ""
        assert environment["REDIS_SENTINEL_MASTER"] == "${REDIS_SENTINEL_MASTER:-clinic}"
    for node in APP_NODES:
        assert all_services[node]["depends_on"] == {
            "migrate-scale": {"condition": "service_completed_successfully"},
            "postgres-replica": {"condition": "service_healthy"},
        }
    migrate = all_services["migrate-scale"]
    assert migrate["command"] == all_services["migrate"]["command"]
    healthy = {"condition": "service_healthy"}
    assert migrate["depends_on"] == {name: healthy for name in ("postgres", *SENTINELS)}


def test_nginx_stays_in_front_and_haproxy_balances_the_two_web_nodes_on_health_live():
    all_services = services()
    published = {name for name in SCALE if "ports" in all_services[name]}
    assert published == {"proxy-scale"}
    proxy, haproxy = all_services["proxy-scale"], all_services["haproxy"]
    assert proxy["ports"] == all_services["proxy"]["ports"]
    assert proxy["volumes"] == all_services["proxy"]["volumes"]  # the same deploy/nginx.conf
    assert proxy["networks"] == ["scale-edge"]  # where its upstream `web` is HAProxy
    assert haproxy["networks"]["scale-edge"]["aliases"] == ["web"]
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert set(proxy["depends_on"]) == {"haproxy", "worker-1", "worker-2"}  # naming it starts the profile
    directives = haproxy_directives()
    assert "bind :8000" in directives
    assert "balance roundrobin" in directives and "option httpchk" in directives
    assert "http-check send meth GET uri /health/live ver HTTP/1.1 hdr Host localhost" in directives
    assert "http-check expect status 200" in directives
    servers = [line for line in directives if line.startswith("server ")]
    assert servers == ["server web-1 web-1:8000 check", "server web-2 web-2:8000 check"]
    assert "option forwardfor" not in directives  # X-Forwarded-For stays nginx's alone
    # Docker's DNS, also after start; an unresolvable name leaves the node down, not HAProxy.
    assert "nameserver dns 127.0.0.11:53" in directives
    [defaults] = [line for line in directives if line.startswith("default-server ")]
    assert "init-addr last,libc,none" in defaults and "resolvers docker" in defaults


def test_the_replica_is_copied_from_the_primary_with_the_replication_secret():
    all_services = services()
    primary, replica = all_services["postgres"], all_services["postgres-replica"]
    hba_mount = "./deploy/pg_hba.conf:/etc/postgresql/pg_hba.conf:ro"
    for server in (primary, replica):
        assert hba_mount in server["volumes"]
        assert "hba_file=/etc/postgresql/pg_hba.conf" in server["command"]
    assert {"wal_level=replica", "max_wal_senders=10"} <= set(primary["command"])
    assert replica["image"] == primary["image"]
    assert replica["entrypoint"] == ["bash", "/usr/local/bin/postgres-replica.sh"]
    assert "./deploy/postgres-replica.sh:/usr/local/bin/postgres-replica.sh:ro" in replica["volumes"]
    assert set(replica["secrets"]) == {"postgres_password", "postgres_replication_password"}
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    hba = (ROOT / "deploy" / "pg_hba.conf").read_text().splitlines()
    assert ["host", "replication", "replicator", "all", "scram-sha-256"] in [line.split() for line in hba]
    script = (ROOT / "deploy" / "postgres-replica.sh").read_text()
    assert "pg_basebackup" in script and "-U replicator" in script


def test_redis_replica_has_the_masters_options_and_its_role_in_a_file_sentinel_rewrites():
    all_services = services()
    master = all_services["redis"]["command"]
    shell, script, config, host, port, *options = all_services["redis-replica"]["command"]
    assert (shell, script, host, port) == ("sh", "/usr/local/bin/redis-replica.sh", "redis", "6379")
    assert config.startswith("/data/")  # on its volume
    assert options[:-2] == master[1:-2] and options[-2] == master[-2] == "--replica-announce-ip"
    assert (master[-1], options[-1]) == ("redis", "redis-replica")  # names, not addresses


def test_three_sentinels_watch_the_master_by_name_with_a_quorum_of_two(tmp_path):
    all_services = services()
    for number, name in enumerate(SENTINELS, start=1):
        config = sentinel_config(tmp_path, all_services[name]).splitlines()
        assert config[:3] == [
            "sentinel resolve-hostnames yes",
            "sentinel announce-hostnames yes",
            f"sentinel announce-ip {name}",
        ]
        assert "sentinel monitor clinic redis 6379 2" in config  # 2 of 3: a majority
        assert all_services[name]["command"][2] == f"/data/sentinel-{number}.conf"  # one file each
        assert "ckquorum" in " ".join(all_services[name]["healthcheck"]["test"])
    assert all_services["redis-sentinel-2"]["volumes"] == all_services["redis-sentinel-1"]["volumes"]


def test_a_written_sentinel_config_is_kept_across_restarts(tmp_path):
    service = services()["redis-sentinel-1"]
    first = sentinel_config(tmp_path, service)
    learnt = first.replace("redis 6379", "redis-replica 6379") + "sentinel config-epoch clinic 1\n"
    (tmp_path / "sentinel-1.conf").write_text(learnt)  # as Sentinel rewrites it after a failover
    assert sentinel_config(tmp_path, service) == learnt


def test_make_secrets_makes_every_compose_secret_and_adds_the_replication_password_to_an_old_folder(tmp_path):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["secrets"] == {name: {"file": f"./secrets/{name}"} for name in MAKERS}
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "postgres_password").write_text("made-before\n")  # a folder from before the scale profile
    assert "postgres_replication_password" in make_secrets(folder)
    assert (folder / "postgres_password").read_text() == "made-before\n"
    password = (folder / "postgres_replication_password").read_text().strip()
    assert len(password) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", password)  # safe in a passfile
