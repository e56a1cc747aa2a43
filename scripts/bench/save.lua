-- POST mark saves, each to a different journal cell. The cells file has one request per line:
-- "<path>\t<cookie>\t<csrf token>\t<form body>", made by django_side.py with the fingerprint
-- each cell has now and the session of the teacher who gives the lesson, so every save is a
-- real change. Thread i of n takes lines i, i+n, i+2n...; running out of lines
-- wraps around (a second save of a cell then carries a stale fingerprint and counts as a failed
-- save: a 409 conflict).
-- Args after "--": cells file, thread count. Only a 2xx is a save (409 is a conflict, 422 a
-- refused value).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, threads_total = args[1], tonumber(args[2])
  cells = {}
  local n = 0
  for line in io.lines(file) do
    if n % threads_total == index then
      local fields = {}
      for part in (line .. "\t"):gmatch("([^\t]*)\t") do
        table.insert(fields, part)
      end
      table.insert(cells, fields)
    end
    n = n + 1
  end
  position = 0
  wrapped = 0
  ok = 0
  bad = 0
end

function request()
  position = position + 1
  if position > #cells then
    position = 1
    wrapped = wrapped + 1
  end
  local cell = cells[position]
  return wrk.format("POST", cell[1], {
    ["Cookie"] = cell[2],
    ["X-CSRFToken"] = cell[3],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true",
  }, cell[4])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("save failed: HTTP " .. status .. " " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad, total_wrapped = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_bad = total_bad + thread:get("bad")
    total_wrapped = total_wrapped + thread:get("wrapped")
  end
  io.write(string.format(
    "BENCH-WRK ok=%d bad=%d seconds=%.3f p50_ms=%.1f p99_ms=%.1f errors=%d wrapped=%d\n",
    total_ok, total_bad, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, total_wrapped))
end
