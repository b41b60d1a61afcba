"""Lua health checks Argo CD needs so that sync waves of Applications and ApplicationSets mean "ready".

Argo CD has no health check for `Application` (removed in 1.8), and the built-in one for
`ApplicationSet` does not look at the Applications it generates. With these in argocd-cm
(`resource.customizations.health.<group>_<kind>`), a wave of the root Application waits
until the Applications of the previous wave are Healthy, which is what orders
controllers before the resources that use their CRDs.
"""

APPLICATION_HEALTH_LUA = """\
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
"""
"""Health of an Application is the health Argo CD computed for it."""

APPLICATIONSET_HEALTH_LUA = """\
hs = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "ErrorOccurred" and condition.status == "True" then
      hs.status = "Degraded"
      hs.message = condition.message
      return hs
    end
  end
end
if obj.status == nil or obj.status.resources == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for generated Applications"
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, condition in ipairs(obj.status.conditions) do
      if condition.type == "ResourcesUpToDate" and condition.status == "True" then
        hs.status = "Healthy"
        hs.message = condition.message
      end
    end
  end
  return hs
end
for _, app in ipairs(obj.status.resources) do
  if app.health == nil or app.health.status ~= "Healthy" then
    hs.status = "Progressing"
    hs.message = "Waiting for Application " .. app.name
    return hs
  end
end
hs.status = "Healthy"
hs.message = "All generated Applications are Healthy"
return hs
"""
"""Healthy once every generated Application is Healthy; Degraded on a generator or template error."""
