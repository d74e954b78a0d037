"""The Slack adapter: slack-bolt's AsyncApp as a thin translator between Slack and the core.

`payloads` (Slack → core inputs), `render` (neutral messages → mrkdwn, Block Kit, modals, the
Home tab), `platform` (proactive sends for the outbox), `directory` (admins, names), `app`
(the Bolt listeners) and `service` (Socket Mode or the HTTP server that `rounds` runs).
"""
