#!/bin/sh
# A Redis Sentinel of docker-compose.yml's `scale` profile (redis-sentinel-1..3),
# as `make cluster` runs three (config/redis_failover.py): it watches the master
# named REDIS_SENTINEL_MASTER (the name the app asks for, default `clinic`) and
# fails over when 2 of the 3 Sentinels agree it is down.
#
# Usage: redis-sentinel.sh <config file> <this Sentinel's host name> <master host> <master port> [redis-server options]
#
# Sentinel rewrites its config file (the Sentinels it met, the replicas, the
# current master after a failover, the epoch), so the file lives on a volume
# and is written here only when absent: a restarted Sentinel keeps what it
# learnt instead of watching a master that may have become a replica. Host
# names, not addresses: containers get a new address when they restart.
set -eu

config=$1
announce=$2
master_host=$3
master_port=$4
shift 4
name=${REDIS_SENTINEL_MASTER:-clinic}

if [ ! -s "$config" ]; then
    cat >"$config" <<CONF
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $announce
sentinel monitor $name $master_host $master_port 2
sentinel down-after-milliseconds $name 5000
sentinel failover-timeout $name 60000
sentinel parallel-syncs $name 1
CONF
fi
exec docker-entrypoint.sh redis-server "$config" --sentinel "$@"
