-- GET the URL given to wrk with the bench API key.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end
