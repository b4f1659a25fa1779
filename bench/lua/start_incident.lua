-- POST /api/v1/incidents from the plan named in BENCH_PLAN: with a plan
-- that has no dedupe string every request creates an incident; with one that
-- has, every request after the first is a dedupe hit.
function init(args)
  token = os.getenv("BENCH_TOKEN")
  plan = os.getenv("BENCH_PLAN")
  body = string.format('{"responsePlan":"%s"}', plan)
end
function request()
  return wrk.format("POST", "/api/v1/incidents",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
