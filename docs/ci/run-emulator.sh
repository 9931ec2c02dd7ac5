#!/usr/bin/env bash
# Run a command against a front-emulator started for it, then stop the emulator.
#
#   bash run-emulator.sh COMMAND [ARG...]        e.g.  bash run-emulator.sh npm test
#
# The emulator listens on port $FRONT_EMULATOR_PORT (default 8025) of 127.0.0.1, and the command finds its
# URL in $FRONT_EMULATOR_URL (the pytest plugin reads it too). Exits with the command's status, or 1 when
# the emulator does not become ready; then the command is not run and the emulator's own error (such as
# "cannot listen on 127.0.0.1:8025") is printed above the reason.
# `front-emulator` must be on PATH: activate the virtualenv it is installed in first.
set -euo pipefail

export FRONT_EMULATOR_PORT="${FRONT_EMULATOR_PORT:-8025}"
export FRONT_EMULATOR_URL="http://127.0.0.1:$FRONT_EMULATOR_PORT"

front-emulator serve --port "$FRONT_EMULATOR_PORT" &
FRONT_EMULATOR_PID=$!
# Stop it however this script ends, and wait, so the port is free for whatever runs next.
trap 'kill "$FRONT_EMULATOR_PID" 2>/dev/null || true; wait "$FRONT_EMULATOR_PID" 2>/dev/null || true' EXIT

# Fails at once if the server exits (say, the port is taken) or something else answers on the port.
front-emulator readyz --url "$FRONT_EMULATOR_URL" --pid "$FRONT_EMULATOR_PID" --wait 30

"$@"
