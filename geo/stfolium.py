"""The payload helpers streamlit-folium's ``st_folium`` uses, named in one place.

The dashboard sends the component the arguments ``st_folium`` would (geo/mapview.py builds them once
per map and per filter); these are the package's own functions, imported from it (MIT licence, Randy
Zwitch and contributors). tests/test_mapview.py checks that what they produce equals what
``st_folium`` itself sends.
"""
from __future__ import annotations

from streamlit_folium import _get_feature_group_string as get_feature_group_string
from streamlit_folium import _get_header as get_header
from streamlit_folium import _get_html as get_html
from streamlit_folium import _get_layer_control_string as get_layer_control_string
from streamlit_folium import _get_map_string as get_map_string
from streamlit_folium import generate_js_hash, get_full_id

__all__ = ["generate_js_hash", "get_feature_group_string", "get_full_id", "get_header",
           "get_html", "get_layer_control_string", "get_map_string"]
