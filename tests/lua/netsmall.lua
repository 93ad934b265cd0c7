-- netsmall.lua: the small conv net of reference/qcfs/net-small.txt (see
-- README-qcfs.md) built with qcfs activations (refdata.load_params loads
-- its reference parameters by name).
local netsmall = {}

-- net-small with qcfs activations of L levels (batch norm unless folded).
function netsmall.build(L, folded)
	local list = { snn.conv2d(3, 8, 3, { padding = 1, name = "conv1" }) }
	local function add(m)
		list[#list + 1] = m
	end
	if not folded then
		add(snn.batchnorm2d(8, { name = "bn1" }))
	end
	add(snn.qcfs{ L = L, name = "act1" })
	add(snn.avgpool2d(2, { name = "pool1" }))
	add(snn.conv2d(8, 16, 3, { padding = 1, bias = folded,
		name = "conv2" }))
	if not folded then
		add(snn.batchnorm2d(16, { name = "bn2" }))
	end
	add(snn.qcfs{ L = L, name = "act2" })
	add(snn.avgpool2d(2, { name = "pool2" }))
	add(snn.flatten())
	add(snn.linear(1024, 32, { name = "fc1" }))
	add(snn.qcfs{ L = L, name = "act3" })
	add(snn.linear(32, 10, { name = "fc2" }))
	return snn.sequential(list)
end

return netsmall
