"""Frontline: reported territorial-control claims from news articles, mapped with provenance.

Stages, one module each: articles -> geoparser (toponyms, via gazetteer) -> claims -> store -> export / mapview.
"""
__version__ = "0.1.0"
