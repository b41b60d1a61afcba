"""The Lua health check Argo CD needs so that a sync wave of Applications means "ready".

Argo CD has no health check for `Application` (removed in 1.8). With this one in
argocd-cm (`resource.customizations.health.argoproj.io_Application`), an Application's
health is the health Argo CD computed for it, so a wave of the root Application waits
until the Applications of the previous wave are Healthy (the sync engine waits for the
health of every resource it applied before starting the next wave), and the root's own
health is the worst of its layers'. That is what orders controllers before the
resources that use their CRDs.

A newly created Application has no status yet: Progressing, never Healthy by default.
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
