-- wrk script: a burst of wrong passwords against one account, each request from its own
-- address behind a trusted proxy (X-Forwarded-For), stopping after BURST requests in all.
-- usage (server started with VIVIENDA_TRUSTED_PROXIES=127.0.0.1):
--   NSS=... BURST=10000 THREADS=2 wrk -t2 -c32 -d300s -s load/burst.lua \
--     http://127.0.0.1:8080/api/v1/sessions
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  thread:set("limit", math.floor(tonumber(os.getenv("BURST") or "10000") / tonumber(os.getenv("THREADS") or "2")))
  table.insert(threads, thread)
end

function init(args)
  sent, answered, checked, refused, other = 0, 0, 0, 0, 0
  body = '{"identifier":"' .. os.getenv("NSS") .. '","password":"una contraseña equivocada"}'
end

function request()
  sent = sent + 1
  local n = id * 1000000 + sent
  local from = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = from }, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status == 401 then checked = checked + 1
  elseif status == 429 then refused = refused + 1
  else other = other + 1 end
  if answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local c, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("checked"); r = r + t:get("refused"); o = o + t:get("other")
  end
  io.write(string.format("wrong passwords checked (401): %d, refused unchecked (429): %d, other: %d\n", c, r, o))
end
