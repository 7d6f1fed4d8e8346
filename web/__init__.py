"""The web app (issue 11): every role's work on server-rendered pages, signed in with the district's identity provider.

Served by the API's FastAPI application (``api.app.create_app`` mounts it when
sign-in is configured). Pages send the same domain commands as the API
(``app.teams``), so the domain still decides everything: a refusal is shown as
the domain's sentence and nothing is written. Modules:

- ``session``: the signed session cookie, who is signed in, CSRF tokens;
- ``signin``: the OpenID Connect authorization-code flow (authlib), sign-out;
- ``render``: templates, error pages, security headers;
- ``pages``: My work, the team page and its forms; ``evidence_form`` and
  ``history`` turn forms into commands and events into sentences;
- ``school``: the principal's school page (teams × steps, what is stalled, norms,
  the school's escalations, the rubric self-assessment and its trend chart);
  ``school_forms`` turns its forms into the school's commands.
"""
