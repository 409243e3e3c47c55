"""The map legend, drawn from the same ``Classification`` as the fill.

``legend_html`` returns a self-contained HTML block (inline styles, every
string escaped); ``LegendControl`` puts it on a folium map as a Leaflet
control, so it lives inside the map, needs no extra script or stylesheet,
and is printed with it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from branca.element import MacroElement
from jinja2 import Template

from layers.classify import NO_DATA, Classification, format_number

LEGEND_CLASS = "vn-legend"

_BOX = "display:inline-block;width:18px;height:12px;margin-right:6px;vertical-align:middle;border:1px solid #555;"
_PANEL = (
    "background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;"
    "box-shadow:0 1px 4px rgba(0,0,0,0.35);font:13px/1.5 'Source Sans Pro','Segoe UI',Arial,sans-serif;"
    "color:#222;max-width:260px;"
)


def legend_html(
    classification: Classification,
    *,
    counts: Mapping[int, int] | None = None,
    note: str | None = None,
    lang: str = "vi",
) -> str:
    """HTML of the legend: title, one row per class, the no-data row, an optional note.

    Parameters
    ----------
    classification
        The classes the fill was drawn from.
    counts
        Optional number of communes per class index (``NO_DATA`` included);
        shown after each label. The no-data row is shown when its count is
        not zero, or always when no counts are given.
    note
        Optional line under the classes (e.g. the unit or the source).
    lang
        Language of the counts' numbers (``"vi"``: ``3.141``; ``"en"``: ``3,141``).

    Returns
    -------
    str
        A ``<div class="vn-legend">`` with inline styles; all text escaped.
    """
    rows = [_row(classification, i, counts, lang) for i in range(len(classification.labels))]
    if counts is None or counts.get(NO_DATA, 0):
        rows.append(_row(classification, NO_DATA, counts, lang))
    parts = [
        f'<div class="{LEGEND_CLASS}" style="{_PANEL}">',
        f'<div style="font-weight:600;margin-bottom:4px;">{html.escape(classification.title)}</div>',
        *rows,
    ]
    if note:
        parts.append(
            f'<div style="margin-top:4px;font-size:12px;color:#555;">{html.escape(note)}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _row(
    classification: Classification, index: int, counts: Mapping[int, int] | None, lang: str
) -> str:
    color = html.escape(classification.color(index), quote=True)
    label = html.escape(classification.label(index))
    count = (
        ""
        if counts is None
        else f' <span style="color:#666;">({format_number(counts.get(index, 0), lang=lang)})</span>'
    )
    return f'<div><span style="{_BOX}background:{color};"></span>{label}{count}</div>'


class LegendControl(MacroElement):
    """A Leaflet control (bottom right by default) that shows a legend's HTML.

    Parameters
    ----------
    legend
        HTML from ``legend_html`` (already escaped; it is inserted as HTML).
    position
        Leaflet control position.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', 'vn-legend-control');
            div.innerHTML = {{ this.legend|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "LegendControl"
        self.legend = legend
        self.position = position
