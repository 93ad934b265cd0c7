#!/bin/sh
# test-torch.sh: a snnwb checkpoint loads into PyTorch by state_dict name.
# snnwb builds a WRN-10-2 (residual blocks two levels deep, batch norm
# buffers with their I64 num_batches_tracked), trains it a step so that
# the running statistics move, saves it, and prints its eval logits on a
# fixed input; tests/torch_load.py loads the file into the same network
# written in PyTorch with load_state_dict(strict=True) and gets the same
# logits. The checkpoint of a training run's directory loads with
# strict=True too (its optimizer state is in a file of its own). Skipped
# where python3 has no torch (Debian's python3-torch).
snnwb=${SNNWB:-./snnwb}
src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$src/tests/tap.sh"
python=${PYTHON:-/usr/bin/python3}
"$python" -c 'import torch' 2>/dev/null ||
    tap_skip_all "no PyTorch for $python (Debian: python3-torch)"
tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/save.lua" <<'LUA'
local dir = arg[1]
snn.seed(3)
local net = snn.models.wrn{ depth = 10, widen = 2, dropout = 0 }
local B = 2
local v = {}
for i = 1, B * 3 * 32 * 32 do
	v[i] = math.sin(0.37 * i)
end
local x = snn.tensor(v, { 1, B, 3, 32, 32 })
net:train()
net:forward(x)
net:eval()
local y = net:forward(x)
local f = assert(io.open(dir .. "/logits.txt", "w"))
for _, row in ipairs(y:totable()[1]) do
	for _, value in ipairs(row) do
		f:write(("%.9g\n"):format(value))
	end
end
f:close()
net:save(dir .. "/wrn.safetensors")
LUA
"$snnwb" -q -e "$tmp/save.lua" "$tmp" >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "snnwb saves a WRN-10-2 and its logits"
"$python" "$src/tests/torch_load.py" "$tmp/wrn.safetensors" \
    "$tmp/logits.txt" 10 2 2 >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "PyTorch loads it with strict=True" \
    '^max_abs_diff'
tap_ok "$(awk '/^max_abs_diff/ { exit !($2 <= 1e-5 * $4) }' "$tmp/out"; \
    echo $?)" "the same eval logits in PyTorch (within 1e-5 of the largest)" \
    "$tmp/out"
cat >"$tmp/run.lua" <<'LUA'
local tiny = require("tinymnist")
local dir = tiny.write(16, 0)
tiny.train({ data = snn.data.mnist{ root = dir, T = 2 }, batch = 8 }, 2,
    { run_dir = arg[1] .. "/run" })
tiny.remove(dir)
LUA
LUA_PATH="$src/tests/lua/?.lua;;" "$snnwb" -q -e "$tmp/run.lua" "$tmp" \
    >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "snn.train writes a run directory"
PYTHONPATH="$src/bench" "$python" -c '
import sys, torch
from wrn_torch import read_safetensors
net = torch.nn.Sequential(torch.nn.Flatten(),
    torch.nn.Linear(784, 10, bias=False), torch.nn.Identity())
net.load_state_dict(read_safetensors(sys.argv[1]), strict=True)
print("loaded")
' "$tmp/run/checkpoint.safetensors" >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 \
    "PyTorch loads a run directory's checkpoint with strict=True" '^loaded'
tap_done
