"""The ground floor: helpers every app shares and that import no app of the project.

pdf (render_pdf), exports (the one CSV/XLSX writer), history (save_with_history and
note_history), mail (mail_on_commit: the outbox), outbox (sending it: send_due), tasks
(enqueue_on_commit, the send_outbox task), env (typed settings from the environment),
roles (role codes and the role predicates every app shares), users (the user types of
signatures), http and forms (small view and form helpers), fields (field shapes), logs
(the one-line log format and request ids) and heartbeat (background processes' liveness,
in the Heartbeat model). See docs/architecture.md.
"""
