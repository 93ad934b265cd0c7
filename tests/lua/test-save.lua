-- test-save.lua: net:save replaces only a regular file: a directory is
-- refused with a message, and a symbolic link is written through to its
-- target (the link stays), as the manual says under net:save.
local tap = require("tap")

local top = os.tmpname()
os.remove(top)
assert(os.execute('mkdir -p "' .. top .. '/dir.safetensors"'))
local net = snn.sequential{ snn.flatten(), snn.linear(4, 2), snn.lif() }

local good, err = net:save(top .. "/dir.safetensors")
tap.ok(good == nil and tostring(err):find("dir.safetensors is not a " ..
    "regular file", 1, true), "a directory is refused: " .. tostring(err))

local f = assert(io.open(top .. "/target.safetensors", "w"))
f:write("old")
f:close()
assert(os.execute('ln -s target.safetensors "' .. top .. '/link.safetensors"'))
good, err = net:save(top .. "/link.safetensors")
local back = good and snn.load(top .. "/target.safetensors")
tap.ok(good and back and #back == 3, "a symbolic link is written " ..
    "through to its target (" .. tostring(err) .. ")")
local p = io.popen('test -L "' .. top .. '/link.safetensors" && echo link')
tap.is(p:read("l"), "link", "the link stays a link")
p:close()

os.execute('rm -rf "' .. top .. '"')
tap.done()
