-- wrk script of the project's load runs: the method and body come from the environment (for
-- POST routes), and at the end one JSON line gives what the caller parses: requests, errors
-- by kind (status = responses that were not 2xx/3xx) and latency percentiles in microseconds.
local method = os.getenv("WRK_METHOD")
local body = os.getenv("WRK_BODY")
-- A body too large for the environment (128 KB a variable) is read from a file.
local bodyFile = os.getenv("WRK_BODY_FILE")
if bodyFile then
  local file = assert(io.open(bodyFile, "rb"))
  body = file:read("*a")
  file:close()
end
if method then wrk.method = method end
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
-- A path to which each request adds a number of its own (WRK_VARY_PATH): every request is a URL
-- no cache has seen yet, so the app itself answers it (the e2e tests' load through a worker).
local vary = os.getenv("WRK_VARY_PATH")
if vary then
  local n = 0
  function request()
    n = n + 1
    return wrk.format(nil, vary .. n)
  end
end
-- A pause before each request of a connection (wrk's own hook), for a steady, lighter load.
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "")
if pause then
  function delay() return pause end
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "p50": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
