"""The app's cached access to the query layer: each function is the query of the same name in queries.py, taking
a database key (database.database_key: the path with the file's identity, so a rebuild is never answered from
the cache) in place of a connection, its result cached by Streamlit."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import database, impact, mhp, queries


def _cached(query: Callable) -> Callable:
    def cached(db: str, *args, **kwargs):
        return query(database.connection(db), *args, **kwargs)

    # Streamlit keys a cache by the function's module, name and source: each query gets a cache of its own.
    cached.__module__, cached.__name__, cached.__qualname__ = query.__module__, query.__name__, query.__qualname__
    cached.__doc__ = query.__doc__
    return st.cache_data(show_spinner=False)(cached)


periods = _cached(queries.periods)
icbs = _cached(queries.icbs)
pcns = _cached(queries.pcns)
find_areas = _cached(queries.find_areas)
pcn_profile = _cached(queries.pcn_profile)
indicator_across_pcns = _cached(queries.indicator_across_pcns)
indicator_choices = _cached(queries.indicator_choices)
indicator_definitions = _cached(queries.indicator_definitions)
indicator_labels = _cached(queries.indicator_labels)
sources = _cached(queries.sources)
build_warnings = _cached(queries.build_warnings)
expected_rates = _cached(queries.expected_rates)
is_demo = _cached(queries.is_demo)
funnel_limits = _cached(queries.funnel_limits)
practices_in_pcn = _cached(queries.practices_in_pcn)
practice_funnel_limits = _cached(queries.practice_funnel_limits)
practice_indicator_choices = _cached(queries.practice_indicator_choices)
area_sets = _cached(queries.area_sets)
area_codes = _cached(queries.area_codes)
area_profile = _cached(queries.area_profile)
area_members = _cached(queries.area_members)
area_map = _cached(queries.area_map)
area_trends = _cached(queries.area_trends)
england_range = _cached(queries.england_range)
pcn_map = _cached(queries.pcn_map)
period_sources = _cached(queries.period_sources)
context_measures = _cached(queries.context_measures)
talking_therapies_by_deprivation = _cached(queries.talking_therapies_by_deprivation)
deprivation_method = _cached(queries.deprivation_method)
deprivation_index = _cached(queries.deprivation_index)
map_method = _cached(queries.map_method)
age_pyramid = _cached(queries.age_pyramid)
imd_quintiles = _cached(queries.imd_quintiles)
ltc_ranks = _cached(queries.ltc_ranks)
trends = _cached(queries.trends)
two_indicators = _cached(queries.two_indicators)
workforce_inputs = _cached(queries.workforce_inputs)
inequality = _cached(queries.inequality)
overview_grid = _cached(queries.overview_grid)
similar_pcns = _cached(queries.similar_pcns)
similar_values = _cached(queries.similar_values)
recent_trends = _cached(queries.recent_trends)
impact_monthly = _cached(impact.monthly)
impact_staffing = _cached(impact.staffing)
mhp_editions = _cached(mhp.editions)
mhp_in_post = _cached(mhp.in_post)
mhp_not_in_mapping = _cached(mhp.not_in_mapping)
mhp_england_totals = _cached(mhp.england_totals)
mhp_headline = _cached(mhp.headline)
mhp_over_time = _cached(mhp.over_time)
mhp_staffing = _cached(mhp.staffing)
mhp_staffing_edition = _cached(mhp.staffing_edition)
mhp_team = _cached(mhp.team)
mhp_start_windows = _cached(mhp.start_windows)
mhp_no_return = _cached(mhp.no_return)
