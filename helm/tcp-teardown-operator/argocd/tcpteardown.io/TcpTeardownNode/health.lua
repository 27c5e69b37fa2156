-- Argo CD health of a TcpTeardownNode (argocd-cm key
-- resource.customizations.health.tcpteardown.io_TcpTeardownNode). Reads the kstatus conditions the
-- operator writes: Stalled=True is Degraded, Reconciling=True or a generation not yet observed is
-- Progressing, Ready=True is Healthy. Uses only the base library: no string functions or methods, which
-- Argo CD does not give scripts from argocd-cm.
local hs = {}
local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
end
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the node agent to write the node's status"
  return hs
end
if obj.metadata ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.metadata.generation ~= obj.status.observedGeneration then
  hs.status = "Progressing"
  hs.message = "Waiting for the node agent to answer generation " .. text(obj.metadata.generation)
  return hs
end
local ready, reconciling, stalled
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  elseif condition.type == "Reconciling" then
    reconciling = condition
  elseif condition.type == "Stalled" then
    stalled = condition
  end
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = text(stalled.reason) .. ": " .. text(stalled.message)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = text(reconciling.reason) .. ": " .. text(reconciling.message)
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready.message)
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for Ready"
return hs
