-- wrk script: members' sessions through the API, one member per connection at a time. Each
-- session signs in (production Argon2), makes REQUESTS consultations drawn with the published
-- mix of procedures (docs/statistics.md: Responsabilidad Compartida 30 %, pre-qualification
-- 24 %, credit balance and movements 18 %, discount notices 11 %, savings balance 9 %, the
-- rest: savings movements and employment), downloads one PDF (a year of the savings
-- statement), looks at a request's status (the member's appointments) and signs out. Between
-- two requests it waits THINK_MS milliseconds on average (drawn uniformly from 0 to twice that).
--
-- Run it with as many threads as connections (-t N -c N): wrk then keeps one connection per
-- thread and each thread is one member after another. The demo's sample members take turns;
-- behind VIVIENDA_TRUSTED_PROXIES=127.0.0.1 each thread comes from an address of its own.
--
-- usage: THINK_MS=0 REQUESTS=8 wrk -t16 -c16 -d30s --latency -s load/session.lua http://127.0.0.1:8080
-- At the end it prints sessions, sign-ins and requests per second, and every status that was
-- not the one expected.

local members = {
  "01926700004", -- saver
  "01119300083", -- VSM borrower
  "01007900119", -- pesos borrower
  "01028200283", -- paid off
  "01896500012", -- pensioner
}
local password = "casa propia en la colonia"
local think = tonumber(os.getenv("THINK_MS") or "0")
local consultations = tonumber(os.getenv("REQUESTS") or "8")

-- The consultations and their weights; "conversion" needs the member's first credit.
local mix = {
  { 30, "conversion" },
  { 24, "/api/v1/me/prequalification" },
  { 18, "/api/v1/me/credits" },
  { 11, "/api/v1/me/notices" },
  { 9, "/api/v1/me/savings" },
  { 5, "/api/v1/me/movements" },
  { 3, "/api/v1/me/employment" },
}
local total_weight = 0
for _, m in ipairs(mix) do total_weight = total_weight + m[1] end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local plan, step, token, credit, member
sessions, signins, requests, unexpected = 0, 0, 0, 0
-- The kinds of unexpected answers seen ("route status"), for the summary.
unexpected_kinds = ""
local seen = {}

local function draw()
  local r = math.random() * total_weight
  for _, m in ipairs(mix) do
    r = r - m[1]
    if r <= 0 then return m[2] end
  end
  return mix[#mix][2]
end

local function new_session()
  plan = { "sign_in" }
  for _ = 1, consultations do table.insert(plan, draw()) end
  table.insert(plan, "pdf")
  table.insert(plan, "/api/v1/me/appointments")
  table.insert(plan, "sign_out")
  step, token, credit = 0, nil, nil
  member = members[math.random(#members)]
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id % 250, (id * 7) % 250, 1 + id % 250)
  new_session()
end

function delay()
  if think <= 0 or step <= 1 then return 0 end
  return math.random(0, 2 * think)
end

function request()
  step = step + 1
  local what = plan[step]
  if what == "sign_in" then
    return wrk.format("POST", "/api/v1/sessions", { ["Content-Type"] = "application/json" },
      '{"identifier":"' .. member .. '","password":"' .. password .. '"}')
  end
  if token == nil then
    -- The sign-in failed: start again.
    new_session()
    return request()
  end
  local auth = { ["Authorization"] = "Bearer " .. token }
  if what == "sign_out" then
    return wrk.format("DELETE", "/api/v1/sessions/current", auth)
  elseif what == "pdf" then
    return wrk.format("GET", "/ahorro/estado-de-cuenta.pdf?desde=2025-01-01&hasta=2025-12-31",
      { ["Cookie"] = "__Host-sesion=" .. token })
  elseif what == "conversion" then
    if credit == nil then
      return wrk.format("GET", "/api/v1/me/credits", auth)
    end
    return wrk.format("GET", "/api/v1/me/credits/" .. credit .. "/conversion", auth)
  end
  return wrk.format("GET", what, auth)
end

local function note(what, status)
  unexpected = unexpected + 1
  local key = what .. " " .. status
  if not seen[key] then
    seen[key] = true
    unexpected_kinds = unexpected_kinds .. " [" .. key .. "]"
  end
end

function response(status, headers, body)
  local what = plan[step]
  requests = requests + 1
  if what == "sign_in" then
    if status == 201 then
      signins = signins + 1
      token = body:match('"token"%s*:%s*"([^"]+)"')
    else
      note(what, status)
    end
  elseif what == "sign_out" then
    if status ~= 204 and status ~= 200 then note(what, status) end
  elseif what == "pdf" then
    if status ~= 200 then note(what, status) end
  elseif what == "conversion" and credit == nil then
    credit = body:match('"credit_number"%s*:%s*"(%d+)"') or "none"
  elseif status ~= 200 and not (what == "conversion" and (status == 404 or status == 409 or status == 422)) then
    -- A member without a VSM credit has no conversion offer: that answer is expected.
    note(what, status)
  end
  if step >= #plan then
    sessions = sessions + 1
    new_session()
  end
end

function done(summary, latency, _)
  local s, si, r, u, kinds = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    s = s + t:get("sessions")
    si = si + t:get("signins")
    r = r + t:get("requests")
    u = u + t:get("unexpected")
    kinds = kinds .. t:get("unexpected_kinds")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "sessions %d (%.1f/s), sign-ins %d (%.1f/s), requests %d (%.1f/s), unexpected %d\n",
    s, s / seconds, si, si / seconds, r, r / seconds, u))
  if u > 0 then io.write("unexpected answers:" .. kinds .. "\n") end
  io.write(string.format("latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
