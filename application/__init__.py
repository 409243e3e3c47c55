"""The application layer without Streamlit: settings, the app's data and cache, texts, search, profiles, page requests."""

__all__ = ["app_data", "i18n", "profile", "search", "settings"]
