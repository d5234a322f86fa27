-- wrk script: POST /api/v1/projects with the bearer token from the TOKEN environment variable.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"name":"load %d","description":"created under load"}', counter)
  return wrk.format(nil, "/api/v1/projects", nil, body)
end
