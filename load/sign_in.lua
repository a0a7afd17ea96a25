-- wrk script: API sign-in with the demo saver's NSS and the demo password (production Argon2).
-- usage: NSS=... wrk -t1 -c8 -d20s -s load/sign_in.lua http://127.0.0.1:8080
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"identifier":"' .. os.getenv("NSS") .. '","password":"casa propia en la colonia"}'
