"""streamlit-folium's map component and the arguments its ``st_folium`` sends, without importing the
``streamlit_folium`` package.

Importing ``streamlit_folium`` loads every folium plugin (about 40 modules, each compiling its Jinja
templates) and has Streamlit scan every loaded module to name the component: together 0.5-0.7 s of a
cold dashboard page, for a map that uses no plugin. The component here is the same frontend (the
package's own build folder, found without running the package) under the same name
(``streamlit_folium.st_folium``), and the helpers below are streamlit-folium 0.27's own (MIT licence,
Randy Zwitch and contributors), less the DualMap branches this map never takes.
tests/test_mapview.py checks that what they produce equals what ``st_folium`` itself sends.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import re
from pathlib import Path
from textwrap import dedent
from typing import Any

import folium
from jinja2 import UndefinedError

COMPONENT_NAME = "streamlit_folium.st_folium"  # the iframe's title in the page, as streamlit_folium names it


def _build_dir() -> str:
    spec = importlib.util.find_spec("streamlit_folium")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("streamlit-folium is not installed")
    return str(Path(list(spec.submodule_search_locations)[0]) / "frontend" / "build")


def _declare() -> Any:
    """The component, registered with the running Streamlit server as declare_component would (without
    its module scan); unregistered outside a Streamlit run, as there."""
    from streamlit.components.v1.custom_component import CustomComponent
    from streamlit.runtime import get_instance
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    component = CustomComponent(name=COMPONENT_NAME, path=_build_dir(), url=None, module_name="streamlit_folium")
    if get_script_run_ctx() is not None:
        get_instance().component_registry.register_component(component)
    return component


folium_component = _declare()


def generate_js_hash(js_string: str, key: str | None = None, return_on_hover: bool = False) -> str:
    """The component key st_folium derives from the map's script (folium's random ids left out)."""
    standardized_js = re.sub(r"(_[a-z0-9]+)", "", js_string) + str(key)
    standardized_js = re.sub(r"(maps\/[-a-z0-9]+\/)", "", standardized_js) + str(key) + str(return_on_hover)
    return hashlib.sha256(standardized_js.encode()).hexdigest()


def get_full_id(m: folium.MacroElement) -> str:
    return f"{m._name.lower()}_{m._id}"


def get_header(fig: folium.MacroElement) -> str:
    """The map's header (styles and inline scripts; the script and stylesheet links travel separately)."""
    header = fig.get_root().header.render()
    header = re.sub(r'<script\b[^>]*\bsrc=["\'][^"\']*["\'][^>]*>.*?</script\b[^>]*>', "", header,
                    flags=re.IGNORECASE | re.DOTALL)
    header = re.sub(r'<link rel="stylesheet" href=".*?"/>', "", header)
    # Leaflet's default marker icon path, as streamlit-folium fixes it (its issue 275).
    header = re.sub(r'(L\.Icon\.Default\.imagePath\s*=\s*["\'])([^"\']*?/dist)(["\'])', r"\1\2/images/\3", header)
    return header.replace(get_full_id(fig), "map_div")


def get_html(fig: folium.MacroElement) -> str:
    html = fig.get_root().html.render()
    html = re.sub(r'<div class="folium-map" id=".*" ></div>', "", html)
    return html.strip()


def get_map_string(fig: folium.Map) -> str:
    leaflet = generate_leaflet_string(fig)
    leaflet = leaflet.replace("alert(coords);", "")
    leaflet = re.sub(r"drawnItems_draw_control_div_\d+", "drawnItems", leaflet)
    leaflet = dedent(leaflet)
    if "drawnItems" not in leaflet:
        leaflet += "\nvar drawnItems = [];"
    return leaflet


def get_feature_group_string(feature_group_to_add: folium.FeatureGroup, map: folium.Map, idx: int = 0) -> str:
    feature_group_to_add._id = f"feature_group_{idx}"
    feature_group_to_add.add_to(map)
    feature_group_to_add.render()
    feature_group_string = generate_leaflet_string(feature_group_to_add, base_id=f"feature_group_{idx}")
    feature_group_string = dedent(feature_group_string.replace(get_full_id(map), "map_div"))
    feature_group_string += dedent(
        f"""
        map_div.addLayer(feature_group_feature_group_{idx});
        window.feature_group = window.feature_group || [];
        window.feature_group.push(feature_group_feature_group_{idx});
        """
    )
    return feature_group_string


def get_layer_control_string(control: folium.LayerControl, map: folium.Map) -> str:
    control._id = "layer_control"
    control.add_to(map)
    control.render()
    control_string = generate_leaflet_string(control, base_id="layer_control")
    control_string = dedent(control_string.replace(get_full_id(map), "map_div"))
    control_string += dedent(
        """
        window.layer_control = layer_control_layer_control;
        """
    )
    return control_string


def _generate_leaflet_string(m: folium.MacroElement, nested: bool = True, base_id: str = "0",
                             mappings: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    if mappings is None:
        mappings = {}
    mappings[m._id] = base_id
    try:
        element_id = m.element_name.replace("map_", "").replace("tile_layer_", "")
        parent_id = m.element_parent_name.replace("map_", "").replace("tile_layer_", "")
        if element_id not in mappings:
            mappings[element_id] = m._parent._id
        if parent_id not in mappings:
            mappings[parent_id] = m._parent._parent._id
    except AttributeError:
        pass
    m._id = base_id
    try:
        leaflet = m._template.module.script(m)
    except UndefinedError:
        leaflet = m._template.render(this=m, kwargs={})
    if not nested:
        return leaflet, mappings
    for idx, child in enumerate(m._children.values()):
        with contextlib.suppress(UndefinedError, AttributeError):
            leaflet += "\n" + _generate_leaflet_string(child, base_id=f"{base_id}_{idx}", mappings=mappings)[0]
    return leaflet, mappings


_FOLIUM_VAR_SUFFIX_PATTERN = re.compile("_[a-z0-9]+(?!_)")
# An element referred to from a style map as {{'name'}}: folium's second render pass would resolve it.
_FOLIUM_ELEMENT_REF_PATTERN = re.compile(r"\{\{\s*'([A-Za-z_$][A-Za-z0-9_$]*)'\s*\}\}")


def _replace_folium_vars(leaflet: str, mappings: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        match_str = match.group()
        leaflet_id = match_str.strip("_")
        replacement = mappings.get(leaflet_id)
        if replacement:
            match_str = match_str.replace(leaflet_id, replacement)
        return match_str

    return _FOLIUM_VAR_SUFFIX_PATTERN.sub(replace, leaflet)


def generate_leaflet_string(m: folium.MacroElement, nested: bool = True, base_id: str = "div") -> str:
    """The element's script with folium's random variable names replaced by standard ones."""
    leaflet, mappings = _generate_leaflet_string(m, nested=nested, base_id=base_id)
    return _FOLIUM_ELEMENT_REF_PATTERN.sub(r"\1", _replace_folium_vars(leaflet, mappings))
