-- The wrk script of `npm run bench` (bench/lib/wrk.ts). GET requests whose paths are read from a file (one a line),
-- sent `depth` at a time on each connection (HTTP/1.1 pipelining): fewer reads and writes per request on both
-- sides, so the load generator leaves more of the cores it shares with the server to the server.
-- Arguments after `--`: the paths file, the depth, then request headers as "name: value".
-- done() prints one "summary" line and one "latency <µs> <count>" line per distinct latency, for the caller.
local batches, count, next_batch = {}, 0, 0

function init(args)
  local file, depth = args[1], tonumber(args[2])
  local headers = {}
  for k = 3, #args do
    local name, value = args[k]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local batch = {}
  for path in io.lines(file) do
    batch[#batch + 1] = wrk.format("GET", path, headers)
    if #batch == depth then
      count = count + 1
      batches[count] = table.concat(batch)
      batch = {}
    end
  end
  assert(count > 0, "fewer paths than one batch in " .. file)
end

function request()
  next_batch = next_batch % count + 1
  return batches[next_batch]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("summary %d %d %d %d %d\n", summary.duration, summary.requests, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status))
  for i = 1, #latency do
    local value, n = latency(i)
    if n > 0 then io.write(string.format("latency %d %d\n", value, n)) end
  end
end
