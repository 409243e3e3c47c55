"""Vietnam commune register, boundaries and coverage indicators.

``geo`` never imports streamlit; the app (``app.py``) and the command line
(``python -m geo``) are thin shells over the functions here.
"""
