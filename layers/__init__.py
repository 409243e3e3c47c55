"""What is drawn or written from indicators: classes, legends, maps, their payload, print sheets, exports.

``layers`` never imports streamlit or ``application``; it builds folium
objects, HTML, images and files from the data ``geo`` reads, so a test or a
script can make the same map the app shows.
"""

__all__ = [
    "atlas",
    "choropleth",
    "classify",
    "export",
    "html_export",
    "legend",
    "mapsheet",
    "offline",
    "sheet_texts",
    "simplify",
    "view_sheet",
]
