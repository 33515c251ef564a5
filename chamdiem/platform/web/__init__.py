"""The web service: pages in Vietnamese for HR officers, unit heads, policy staff and
auditors, and a JSON API for the province's systems (`create_app` in app.py).

Layout: app.py (the app factory), access.py (every access decision), auth.py (who is asking),
controllers/ (one module per area), queries.py (scoped reads), importing.py and running.py
(background imports and runs, jobs.py), templates/ and static/ (shipped in the package)."""
