"""The Streamlit chat page's logic; ``streamlit_app.py`` only lays it out.

- :mod:`assistant.ui.charts`: which chart (bar or scatter) suits an answer's rows.
- :mod:`assistant.ui.session`: shared resources and the per-browser conversation.
- :mod:`assistant.ui.chat`: one chat turn: ask, and show the answer with its evidence.
- :mod:`assistant.ui.sidebar`: server, engine, example questions, schema, uploads.
- :mod:`assistant.ui.uploads`: ingest uploaded card files with the CLI's report.
"""
