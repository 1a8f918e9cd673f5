"""``quarantine-checker-service setup-guide``: the Entra and Exchange steps, with this tenant's values.

The same steps as docs/it/service.md, filled in from the config file so IT can follow them line by line.
"""

from __future__ import annotations

from quarantine_service.config import ServiceConfig

EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"  # Office 365 Exchange Online
MANAGE_AS_APP_ROLE = "dc50a0fb-09a3-484d-be87-e023b12c6440"  # Exchange.ManageAsApp


def guide(config: ServiceConfig) -> str:
    tid, app, domain = config.tenant_id, config.client_id, config.tenant_domain
    scope, role = config.employee_scope, config.reviewer_role
    return f"""\
Quarantine Checker organisation service: set-up for tenant {domain} ({tid})

1. The app registration (Entra admin center > App registrations)
   Use the registration whose Application (client) ID is {app}, or create one
   ("Quarantine Checker service", single tenant) and put its id in client_id.
   a. Expose an API: Application ID URI  api://{app}
      Add a scope: {scope}  (who can consent: Admins and users;
      "Lets the Quarantine Checker app show and act on your own quarantined mail").
   b. App roles: create {role}  (allowed member types: Users/Groups). Assign it to the IT staff
      who answer release requests (Enterprise applications > this app > Users and groups).
   c. Certificates & secrets > Certificates: upload the public certificate of
      {config.certificate}  (never create a client secret for this service).
   d. API permissions > Add > APIs my organization uses > Office 365 Exchange Online
      ({EXCHANGE_APP_ID}) > Application permissions > Exchange.ManageAsApp ({MANAGE_AS_APP_ROLE}).
      Then "Grant admin consent for {domain}".

2. The Exchange role for the service's identity
   Assign the app's service principal a role that includes the quarantine cmdlets:
   Entra admin center > Roles and administrators > Security Administrator > Add assignments >
   select "Quarantine Checker service" (or, narrower where your tenant supports it, an Exchange
   RBAC-for-applications role that holds Get-QuarantineMessage, Release-QuarantineMessage,
   Get-QuarantinePolicy and Get-Recipient). Which of these works for the quarantine cmdlets is
   to be verified on your tenant: `quarantine-checker-service check` tells you.

3. The desktop app's registration
   In the desktop app's own app registration: API permissions > Add > My APIs >
   "Quarantine Checker service" > Delegated > {scope}; grant admin consent.
   Point the desktop app at this service with service_url in its machine-wide config.

4. This machine
   quarantine-checker-service --config <this file> migrate
   quarantine-checker-service --config <this file> check
   quarantine-checker-service --config <this file> serve
   The service listens on {config.host}:{config.port}{' (HTTPS)' if config.tls_certificate else
   ' (plain HTTP: put it behind an HTTPS proxy)'}; its database is {config.database_url}.
"""
