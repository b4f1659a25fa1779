-- POST /api/v1/contacts with a unique alias per request (durable create).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = 0
  token = os.getenv("BENCH_TOKEN")
  run = os.getenv("BENCH_RUN") or "r"
end
function request()
  counter = counter + 1
  local body = string.format('{"alias":"%s-%d-%d","displayName":"Bench person"}', run, tid, counter)
  return wrk.format("POST", "/api/v1/contacts",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
