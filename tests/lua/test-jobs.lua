-- test-jobs.lua: jobs through the public API in a script, where snn.train
-- blocks and the job is reached with snn.jobs(): its fields when done,
-- pause, resume and stop from on_epoch (with the checkpoint of a stopped
-- run equal to that of a straight run as long), on_epoch returning false,
-- saving and evaluating the network, or raising, job:wait() on each end state, and the one owner of BLAS.
local tap = require("tap")
local tiny = require("tinymnist")
local files = require("snnwb.files")

local dir, data = tiny.sets(32, 0)

-- Trains a new network for epochs; options adds to or overrides the
-- settings. Returns the history (or raises) and the network.
local settings = { data = data, batch = 8, seed = 5,
	optimizer = snn.optim.adam{ lr = 1e-3 } }
local function train(epochs, options)
	return tiny.train(settings, epochs, options)
end

-- Returns the job that runs now (the last one started).
local function current()
	local jobs = snn.jobs()
	return jobs[#jobs]
end

-- Sleeps until f() is true or about 10 s have passed; returns f().
local function wait_until(f)
	for _ = 1, 1000 do
		if f() then
			return true
		end
		os.execute("sleep 0.01")
	end
	return f()
end

tap.is(#snn.jobs(), 0, "snn.jobs: none before the first run")

-- A finished job: its fields, and the methods harmless on it.
local h, net = train(2, { run_dir = dir .. "/done" })
local jobs = snn.jobs()
tap.is(#jobs, 1, "snn.jobs: one job after one run")
local job = jobs[1]
tap.is(job.id, 1, "job.id: 1")
tap.is(job.state, "done", "job.state: done")
tap.is(job.error, nil, "job.error: nil when done")
tap.ok(rawequal(job.history, h), "job.history: the table snn.train returned")
tap.is(#job.history.epochs, 2, "job.history: 2 epoch records")
tap.is(#job.history.batches, 8, "job.history: 4 batch records an epoch")
tap.ok(rawequal(job.net, net), "job.net: the network trained")
tap.is(job.run_dir, dir .. "/done", "job.run_dir: the run folder")
tap.is(tostring(job), "job 1 (done)", "tostring: id and state")
tap.ok(rawequal(job:wait(), h), "job:wait(): the history of a done job")
tap.ok(job:pause() == "done" and job:resume() == "done" and
    job:stop() == "done", "pause, resume, stop: a done job says done")
tap.is(job.state, "done", "pause, resume, stop: no effect on a done job")

-- The runs below would last 100000 epochs of about 1 ms; the worker waits
-- for each on_epoch hook, so a hook's stop ends it right after that epoch.
local LONG = 100000

-- Pause, resume and stop from on_epoch: the job pauses and stays paused,
-- goes on when resumed, and ends as stopped after the stop at epoch 3.
local seen = {}
local stopped_dir = dir .. "/stopped"
h = train(LONG, { run_dir = stopped_dir, on_epoch = function(stats)
	local j = current()
	if stats.epoch == 1 then
		seen.running = j.state
		seen.pause = j:pause()
		os.execute("sleep 0.2")
		seen.still = j.state
		seen.resume = j:resume()
	elseif stats.epoch == 3 then
		seen.stop = j:stop()
		seen.stopping = wait_until(function()
			return j.state == "stopping" or j.state == "stopped"
		end)
	end
end })
job = current()
tap.is(seen.running, "running", "job.state: running while it trains")
tap.is(seen.still, "running", "job:pause() in on_epoch: the worker " ..
    "waits for the hook, so it pauses only after it returns")
tap.ok(seen.pause == "paused" and seen.resume == "running" and
    seen.stop == "stopping", "pause, resume, stop: return the state they " ..
    "lead to")
tap.ok(seen.stopping, "job:stop(): the job stops")
tap.is(job.state, "stopped", "job.state: stopped after job:stop()")
tap.is(job.error, nil, "job.error: nil when stopped")
local n = #h.epochs
tap.is(n, 3, "job:stop() in on_epoch: the epoch it ran after is the last")
tap.ok(rawequal(job:wait(), h), "job:wait(): the history of a stopped job")
-- The checkpoint a stopped run keeps is that of its last finished epoch:
-- byte for byte the checkpoint of as many straight epochs, which also
-- shows that pausing changed nothing.
train(n, { run_dir = dir .. "/straight" })
local kept = files.read(stopped_dir .. "/checkpoint.safetensors")
tap.ok(kept ~= nil and kept ==
    files.read(dir .. "/straight/checkpoint.safetensors"),
    ("job:stop(): the checkpoint kept equals %d straight epochs"):format(n))

-- on_epoch returning false stops the job.
h = train(LONG, { on_epoch = function(stats)
	return stats.epoch < 2
end })
job = current()
tap.is(job.state, "stopped", "on_epoch returning false: stopped")
tap.is(#h.epochs, 2, "on_epoch returning false: no epoch after it")

-- on_epoch may save and evaluate the network it trains (the worker waits
-- for the hook): the file saved after the last epoch holds the network
-- as it ended, and the evaluations were of the network then.
local evals = {}
local saved_net
h, saved_net = train(LONG, { on_epoch = function(stats)
	local net = current().net
	assert(net:save(("%s/epoch%d.safetensors"):format(dir, stats.epoch)))
	evals[stats.epoch] = snn.evaluate{ net = net, data = data }.loss
	return stats.epoch < 2
end })
local reloaded = tiny.network()
reloaded:load(dir .. "/epoch2.safetensors")
tap.ok(evals[2] ~= nil and evals[2] ==
    snn.evaluate{ net = reloaded, data = data }.loss and evals[2] ==
    snn.evaluate{ net = saved_net, data = data }.loss,
    "on_epoch: net:save and snn.evaluate of the network trained")

-- An error in on_epoch fails the job: snn.train raises it, job.error
-- holds it, and job:wait() returns nil and it.
tap.raises(function()
	train(LONG, { on_epoch = function()
		error("hook broke", 0)
	end })
end, "on_epoch: hook broke", "on_epoch raising: snn.train raises it")
job = current()
tap.is(job.state, "failed", "on_epoch raising: failed")
tap.ok(job.error ~= nil and job.error:find("hook broke", 1, true) ~= nil,
    "on_epoch raising: job.error holds the message")
local none, why = job:wait()
tap.ok(none == nil and why == job.error,
    "job:wait(): nil and the error of a failed job")

-- snn.jobs(): every job of the script, by id, in the order started.
jobs = snn.jobs()
local ids, states = {}, {}
for i, j in ipairs(jobs) do
	ids[i] = j.id
	states[i] = j.state
end
tap.is(table.concat(ids, " "), "1 2 3 4 5 6", "snn.jobs: every job by id")
tap.is(table.concat(states, " "), "done stopped done stopped stopped failed",
    "snn.jobs: each in its end state")

-- BLAS has one owner: on_epoch (the job waiting) may set the threads, but
-- not start a second job; after the job, both work.
local nested, threads_ok
train(1, { on_epoch = function()
	threads_ok = pcall(snn.threads, snn.threads())
	local ok, err = pcall(tiny.train, settings, 1)
	nested = not ok and tostring(err) or "started"
	return true
end })
tap.ok(threads_ok, "blas: on_epoch may set the threads while the job waits")
tap.ok(nested:find("busy: job %d+ owns the cores") ~= nil,
    "blas: a second job cannot start while one owns the cores: " .. nested)
tap.ok(pcall(snn.threads, snn.threads()) and
    pcall(train, 1), "blas: after the job, threads and training work again")

tiny.remove(dir)
tap.done()
