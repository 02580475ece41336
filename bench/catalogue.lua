-- wrk script of the catalogue benchmark (bench/catalogue.py): each request takes the next
-- path of the file named by BENCH_PATHS; once every path has been answered, the script
-- prints "finished" so that the benchmark stops wrk at once (wrk itself runs for -d).
-- Answers other than 200 are counted; done() prints one JSON line of figures.

local paths = {}
local sent, answered, refused = 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    paths[#paths + 1] = line
  end
end

function request()
  sent = sent + 1
  return wrk.format("GET", paths[(sent - 1) % #paths + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    refused = refused + 1
    wrk.thread:set("refused", refused)
  end
  if answered == #paths then
    io.write("finished\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local refused_total = 0
  for _, thread in ipairs(threads) do
    refused_total = refused_total + (thread:get("refused") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "not_200": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    refused_total, e.connect, e.read, e.write, e.timeout))
end
