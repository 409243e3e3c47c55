"""The application layer without Streamlit: settings, the app's data and cache, texts, search, profiles, page requests."""

__all__ = [
    "app_data",
    "display",
    "downloads",
    "i18n",
    "increment",
    "map_request",
    "profile",
    "search",
    "session",
    "session_files",
    "settings",
    "tables",
    "uploads",
]
