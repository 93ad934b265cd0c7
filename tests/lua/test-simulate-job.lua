-- test-simulate-job.lua: snn.simulate as a job, in a script where it
-- blocks: the job snn.jobs() lists, its fields and methods once done, its
-- result (job:wait(), job.result) the very table snn.simulate returned,
-- equal to that of another run, the network free again afterwards, and a
-- simulation that cannot run ending as a failed job.
local tap = require("tap")
local tiny = require("tinymnist")

local dir = tiny.write(0, 48)
local test = snn.data.mnist{ root = dir, split = "test" }

-- An untrained QCFS network of three layers, converted: its deeper
-- layers get uneven spike trains.
local function network()
	local ann = snn.sequential{ snn.flatten(),
		snn.linear(784, 32, { name = "fc1", seed = 1 }),
		snn.qcfs{ L = 4, lambda = 0.5, name = "act1" },
		snn.linear(32, 32, { name = "fc2", seed = 3 }),
		snn.qcfs{ L = 4, lambda = 0.5, name = "act2" },
		snn.linear(32, 10, { name = "fc3", seed = 2 }) }
	return snn.convert(ann)
end

local net = network()
local options = { net = net, data = test, T = 16, batch = 8,
	analysis = { 4, 16 } }
tap.is(#snn.jobs(), 0, "snn.jobs: none before the first simulation")
local r = snn.simulate(options)
local jobs = snn.jobs()
tap.is(#jobs, 1, "snn.jobs: the simulation is a job")
local job = jobs[1]
tap.is(job.kind, "simulate", "job.kind: simulate")
tap.is(job.state, "done", "job.state: done once snn.simulate returned")
tap.is(job.error, nil, "job.error: nil when done")
tap.ok(rawequal(job:wait(), r), "job:wait(): the table snn.simulate " ..
    "returned")
tap.ok(rawequal(job.result, r), "job.result: the same table")
tap.ok(rawequal(job.net, net), "job.net: the network simulated")
tap.is(tostring(job), "job 1 (done)", "tostring: id and state")
tap.ok(job:pause() == "done" and job:resume() == "done" and
    job:stop() == "done", "pause, resume, stop: a done job says done")
tap.is(r.images, 48, "result: every image")
tap.is(#r.accuracy, 16, "result: an accuracy for every t")
tap.ok(r.analysis[16][2].frac_uneven > 0, ("result: the second layer " ..
    "has uneven neurons (%.4f)"):format(r.analysis[16][2].frac_uneven))

-- Another run of the same network (free again: it claims it) and a run
-- of a new network built the same way give the same numbers.
local same = true
for _, other in ipairs{ snn.simulate(options), snn.simulate{
    net = network(), data = test, T = 16, batch = 8,
    analysis = { 4, 16 } } } do
	for t = 1, 16 do
		same = same and other.correct[t] == r.correct[t]
	end
	for k = 1, 2 do
		for _, T in ipairs{ 4, 16 } do
			local a, b = other.analysis[T][k], r.analysis[T][k]
			same = same and a.frac_uneven == b.frac_uneven and
			    a.mean_abs_e == b.mean_abs_e and a.rate == b.rate
		end
	end
end
tap.ok(same, "result: the same numbers from every run")
tap.is(snn.jobs()[3].state, "done", "snn.jobs: each run a job")

-- A simulation that fails on its worker: snn.simulate raises, the job is
-- failed with the message and the network is free again.
local ok, err = pcall(snn.simulate, { net = net, data = test, T = 4,
	analysis = { 2, 8 } })
tap.ok(not ok and err:find("snn.simulate: analysis", 1, true),
    "a failing simulation raises: " .. tostring(err))
job = snn.jobs()[4]
tap.is(job.state, "failed", "job.state: failed")
local none, why = job:wait()
tap.ok(none == nil and why == job.error and why:find("analysis", 1, true),
    "job:wait(): nil and the error of a failed simulation")
tap.ok(pcall(snn.simulate, { net = net, data = test, T = 2 }),
    "the network is free after the failed job")

tiny.remove(dir)
tap.done()
