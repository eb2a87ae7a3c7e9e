-- wrk script: every request is a random user's GET /<route>/<user id>/tasks with that user's
-- bearer token, from the "<user id> <token>" lines of TOKENS_FILE. ROUTE is open or protected.
local ids, tokens = {}, {}
local route = os.getenv("ROUTE") or "protected"

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    local id, token = line:match("^(%S+) (%S+)$")
    if id then
      ids[#ids + 1] = id
      tokens[#tokens + 1] = token
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  local i = math.random(#ids)
  return wrk.format("GET", "/" .. route .. "/" .. ids[i] .. "/tasks",
    { ["Authorization"] = "Bearer " .. tokens[i] })
end
