"""The app's pages (thin Streamlit shells) and the helpers they share."""
