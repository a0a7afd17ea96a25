-- wrk script: GET requests as a signed-in member: with TOKEN as a bearer token (the app), or
-- with COOKIE=1 as the session cookie (the web pages).
-- usage: TOKEN=... wrk -t1 -c64 -d15s --latency -s load/bearer.lua http://127.0.0.1:8080/api/v1/me/savings
local token = os.getenv("TOKEN")
if os.getenv("COOKIE") then
  wrk.headers["Cookie"] = "__Host-sesion=" .. token
else
  wrk.headers["Authorization"] = "Bearer " .. token
end
