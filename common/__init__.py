"""The ground floor: helpers every app shares and that import no app of the project.

pdf (render_pdf), exports (the one CSV/XLSX writer), history (save_with_history and
note_history), mail (mail_on_commit), env (typed settings from the environment), roles
(role codes and the role predicates every app shares), users (the user types of
signatures) and http (small view helpers). See docs/architecture.md.
"""
