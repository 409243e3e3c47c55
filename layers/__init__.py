"""Maps and their parts: classification, legend, choropleth, offline assets.

``layers`` never imports streamlit; it builds folium objects and HTML from
the data ``geo`` reads, so a test or a script can make the same map the app
shows.
"""
