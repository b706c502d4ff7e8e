#!/bin/sh
# `redis-replica` of docker-compose.yml's `scale` profile: a replica of the
# master `redis`, which the Sentinels promote when the master fails.
#
# Usage: redis-replica.sh <config file> <master host> <master port> [redis-server options]
#
# Its role is kept in a config file on its volume, written here only when
# absent ("replicaof <master host> <master port>"). Sentinel rewrites that
# file when it promotes this server or points it at another master, so a
# restart keeps the role Sentinel gave it: a promoted replica does not come
# back as the replica of a server that now replicates from it. The other
# options (the master's own: memory, persistence) are given on the command line.
set -eu

config=$1
master_host=$2
master_port=$3
shift 3

if [ ! -s "$config" ]; then
    echo "replicaof $master_host $master_port" >"$config"
fi
exec docker-entrypoint.sh redis-server "$config" "$@"
