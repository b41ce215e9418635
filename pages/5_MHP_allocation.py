import streamlit as st

from phm_profile import charts, exports, impact, ui, views, workforce

sel = ui.sidebar()
ui.title(f"MHP allocation across {sel.icb}", sel, "")
st.caption(f"Share a pool of MHP WTE across the ICB's PCNs by need-weighted population ({sel.period}); "
           "largest-remainder rounding makes the total exactly the pool.")
inputs = views.workforce_inputs(sel.db, sel.icb_code, sel.period, sel.suppress)
entitled = workforce.icb_entitlement(inputs, sel.period)
controls = st.columns(3)
linked_step = ui.number_param("step", 1.0)
step = controls[1].radio("Round to", [1.0, 0.1], format_func=lambda s: "whole posts" if s == 1 else "0.1 WTE",
                         horizontal=True, key="alloc_step", index=1 if linked_step == 0.1 else 0)
pool = controls[0].number_input("Pool of MHP WTE", min_value=0.0, value=ui.number_param("pool", float(entitled)),
                                step=step, key="alloc_pool",
                                help="Default: the sum of the PCNs' ARRS entitlements (the WTE the guide funds), or "
                                     "type the ICB's own figure.")
with controls[2]:
    ui.tiles([ui.Tile("Sum of ARRS entitlements", f"{entitled:.1f} WTE")])
st.caption(f"The default pool is the sum of the PCNs' ARRS entitlements ({entitled:.1f} WTE): what the guide's "
           "numbers would fund. It is shared in proportion to each PCN's need-weighted population; type another "
           "pool (the ICB's own) to see it shared the same way.")
assumptions = ui.assumptions_form()

used = ui.staffing_in_use(sel.db, sel.period)
unknown = used.unknown & set(inputs.pcn_code)
if unknown:
    st.caption(f"{len(unknown)} PCN{'s' if len(unknown) > 1 else ''} of the ICB made no return in the PCN Workforce "
               f"edition in use ({', '.join(sorted(unknown))}): current staffing not known, counted as 0 until you "
               "set it (Floors and current staffing).")
floors, current = ui.floors_and_current(inputs, impact.in_post_at_year_end(used.frame, sel.period), used)
ui.keep_params(pool=pool, step=step, floors=floors)
try:
    table = workforce.allocation_table(inputs, sel.period, pool, assumptions,
                                       floors=floors, current=current, step=step)
except ValueError as exc:
    st.error(ui.plain(f"Cannot share the pool: {exc}"))
    st.stop()

totals = workforce.allocation_totals(table)
ui.tiles([ui.Tile("Allocated", f"{totals.allocated_wte:.1f} WTE"),
          ui.Tile("Need (all PCNs)", f"{totals.need_wte:.1f} WTE"),
          ui.Tile("Current (all PCNs)", f"{totals.current_wte:.1f} WTE")])
shown = table[["pcn_code", "pcn_name", "list_size", "weighted_population", "need_wte", "entitlement_wte",
               "floor_wte", "allocated_wte", "allocated_vs_entitlement", "current_wte", "wte_per_10k_weighted"]]
view, tab = ui.view(["Chart", "Table", "Map"])
with tab:
    if view == "Chart":
        ui.chart(ui.figure(charts.allocation_chart, table, sel.pcn_code), shown,
                 f"mhp_allocation_{sel.icb_code}_{sel.period}.csv", "allocation")
        if sel.pcn_code in set(table.pcn_code):
            st.caption(ui.plain(workforce.weighting_formula(table, sel.pcn_code, pool)))
    elif view == "Table":
        ui.table(workforce.allocation_view(table))
    else:
        geojson, _ = views.pcn_map(sel.db, sel.icb_code, sel.period, "list_size", sel.suppress)
        mapped = shown.assign(value=shown.wte_per_10k_weighted, vs_icb="n/a")
        ui.chart(charts.pcn_map(geojson, mapped, "WTE per 10,000 weighted patients", sel.pcn_code), mapped,
                 f"mhp_allocation_map_{sel.icb_code}_{sel.period}.csv", "allocation_map")
st.download_button("Allocation (XLSX, with the assumptions)",
                   exports.allocation_xlsx(workforce.allocation_view(table), assumptions, pool, step,
                                          f"MHP allocation across the PCNs of {sel.icb_code}, {sel.period}", sel.suppress),
                   f"mhp_allocation_{sel.icb_code}_{sel.period}.xlsx", key="alloc_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
