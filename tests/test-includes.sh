#!/bin/sh
# test-includes.sh: the engine's include discipline. Engine sources
# (src/*.c but the Lua layer lua-*.c, the UI ui-*.c and main.c) and the
# engine's headers include no Lua, curses or readline header and not the
# UI's or the Lua layer's; engine sources include the narrow headers
# (core.h, data.h or nn.h), never snnwb.h, which is for the Lua layer, the
# UI and the tests.
src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$src/tests/tap.sh"
tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/engine"
for f in "$src"/src/*.c; do
	case ${f##*/} in
	lua-*|ui-*|main.c) ;;
	*) echo "$f" >>"$tmp/engine" ;;
	esac
done
n=$(wc -l <"$tmp/engine")
tap_ok "$([ "$n" -gt 40 ]; echo $?)" "$n engine sources found"

forbidden='#[[:space:]]*include[[:space:]]*[<"]\(lua\.h\|lauxlib\.h\|lualib\.h\|curses\.h\|ncurses[^>"]*\|ncursesw/[^>"]*\|readline/[^>"]*\|lua-snn\.h\|ui\.h\)[>"]'
xargs grep -n "$forbidden" <"$tmp/engine" >"$tmp/bad" 2>/dev/null
tap_ok "$([ ! -s "$tmp/bad" ]; echo $?)" "engine sources include no Lua, \
curses, readline, UI or Lua-layer header" "$tmp/bad"
grep -n "$forbidden" "$src"/src/core.h "$src"/src/data.h "$src"/src/nn.h \
    "$src"/src/snnwb.h >"$tmp/bad"
tap_ok "$([ ! -s "$tmp/bad" ]; echo $?)" "the engine's headers include \
none either" "$tmp/bad"
xargs grep -n '#include "snnwb.h"' <"$tmp/engine" >"$tmp/bad" 2>/dev/null
tap_ok "$([ ! -s "$tmp/bad" ]; echo $?)" "engine sources include core.h, \
data.h or nn.h, not snnwb.h" "$tmp/bad"
xargs grep -L '#include "\(core\|data\|nn\)\.h"' <"$tmp/engine" \
    >"$tmp/bad" 2>/dev/null
tap_ok "$([ ! -s "$tmp/bad" ]; echo $?)" "every engine source includes one \
of them" "$tmp/bad"
tap_done
