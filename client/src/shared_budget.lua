-- One step of a shared rate budget: narvar-core's RateBudget::apply (core/src/budget.rs) in Lua,
-- run atomically by Redis for every worker. A test holds the two equal.
-- KEYS[1]: the budget's hash (tat, rate, throttled_at).
-- ARGV: event (acquire | refund | throttled | succeeded), configured rate (requests per second),
--       burst, floor fraction, win-back fraction, throttle cooldown (s); all from the core.
-- Time is Redis's own, so the workers' clocks need not agree (ARGV[7], a time in seconds, is
-- only for the test that holds this script and the core equal).
-- Returns { wait in microseconds, the current rate as text }.
local now = tonumber(ARGV[7])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local event = ARGV[1]
local configured = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local floor = configured * tonumber(ARGV[4])
local win_back = tonumber(ARGV[5])
local cooldown = tonumber(ARGV[6])

local saved = redis.call('HMGET', KEYS[1], 'tat', 'rate', 'throttled_at')
local tat = tonumber(saved[1]) or now
local rate = math.min(math.max(tonumber(saved[2]) or configured, floor), configured)
local throttled_at = tonumber(saved[3]) or 0
local interval = 1 / rate
local wait = 0

if event == 'acquire' then
  local start = math.max(tat, now)
  wait = math.max(start - (burst - 1) * interval - now, 0)
  tat = start + interval
elseif event == 'refund' then
  tat = tat - interval
elseif event == 'throttled' then
  if now - throttled_at >= cooldown then
    rate = math.max(rate / 2, floor)
    throttled_at = now
  end
  tat = math.max(tat, now + (burst - 1) / rate + 1 / rate)
elseif event == 'succeeded' then
  rate = math.min(rate + (configured - rate) * win_back, configured)
else
  return redis.error_reply('unknown rate budget event')
end

-- A tat in the past means the same as now for every later call.
tat = math.max(tat, now)
redis.call('HSET', KEYS[1], 'tat', string.format('%.17g', tat), 'rate', string.format('%.17g', rate),
  'throttled_at', string.format('%.17g', throttled_at))
-- An idle budget is full again after its tat; keep the key a minute past that, then let it go.
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now + 60) * 1000))
return { math.floor(wait * 1000000 + 0.5), string.format('%.17g', rate) }
