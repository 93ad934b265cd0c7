#!/bin/sh
# test-heavy.sh: the heaviest reference checks, run by .ci/run in a build
# without sanitizers (which make them several times slower) and skipped
# unless SNNWB_HEAVY=1: test-resnet20.lua with the simulation of all 1,000
# images for 32 steps.
snnwb=${SNNWB:-./snnwb}
src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$src/tests/tap.sh"
[ "${SNNWB_HEAVY:-}" = 1 ] || tap_skip_all "SNNWB_HEAVY is not 1"
LUA_PATH="$src/tests/lua/?.lua;;" "$snnwb" -e \
    "$src/tests/lua/test-resnet20.lua"
