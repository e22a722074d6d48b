#!/bin/sh
# As the official image does: with no config file, listen to the network without protected mode.
set -eu
if [ "$1" = redis-server ]; then
  shift
  exec redis-server --bind '* -::*' --protected-mode no "$@"
fi
exec "$@"
