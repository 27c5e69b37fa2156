-- Runs an Argo CD health script as Argo CD runs one from argocd-cm (useOpenLibs false): only the base,
-- table and package libraries and a safe os, no string library and no string methods, with obj set.
-- Usage: lua5.1 health-env.lua SCRIPT OBJECT_LITERAL_FILE; prints the status, then the message; exit 1
-- when the script fails or takes longer than Argo CD's 1 s.
local script = assert(loadfile(arg[1]))
local obj = assert(loadfile(arg[2]))()
local env = {}
for _, name in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
    "rawget", "rawset", "select", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION",
    "getmetatable", "setmetatable", "require", "module" }) do
  env[name] = _G[name]
end
env.table = table
env.package = package
env.os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime }
env.obj = obj
setfenv(script, env)
getmetatable("").__index = nil
local started = os.clock()
local ok, hs = pcall(script)
local elapsed = os.clock() - started
if not ok then
  io.stderr:write("the script failed: " .. tostring(hs) .. "\n")
  os.exit(1)
end
if elapsed > 1 then
  io.stderr:write("the script took " .. elapsed .. " s, over Argo CD's 1 s\n")
  os.exit(1)
end
io.write(tostring(hs.status), "\n", tostring(hs.message), "\n")
