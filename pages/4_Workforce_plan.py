import streamlit as st

from phm_profile import charts, exports, impact, money as money_module, ui, views, workforce

sel = ui.sidebar()
inputs = views.workforce_inputs(sel.db, sel.icb_code, sel.period, sel.suppress).set_index("pcn_code")
row = inputs.loc[sel.pcn_code]
ui.title(f"Workforce plan: {row.pcn_name} ({sel.pcn_code})", sel, "MHPs")
history, ahead = money_module.plan_years()
st.caption(f"Mental Health Practitioners through the ARRS: {ahead[0]} (this financial year) and the next "
           f"{len(ahead) - 1}, with {history[0]} to {history[-1]} as history; need from the {sel.period} profile.")

st.subheader("Money and rules")
cols = st.columns(4)
point = cols[0].selectbox("Pay point within the band", money_module.POINTS, index=1, key="pay_point",
                          help="Agenda for Change entry, middle or top pay point (published tables, FACTS.md).")
uplift = cols[1].number_input("Yearly uplift after the last published figures (%)", min_value=0.0, max_value=20.0,
                              value=100 * money_module.DEFAULT_UPLIFT, step=0.1, key="uplift",
                              help="An assumption: the 2025/26 Agenda for Change award (3.6%) carried forward.")
weighted = cols[2].number_input("PCN weighted population (patients)", min_value=0.0, step=100.0, format="%.0f",
                                value=float(row.list_size or 0), key="weighted_population",
                                help="From the PCN's ARRS letter. Until you type it, the registered list is used.")
agreement = cols[3].toggle("Written agreement", key="written_agreement",
                           help="2026/27 rule (provisional): 50% for the first MHP per band, up to 100% "
                                "reimbursement for further MHPs where a written agreement is in place.")
if weighted == float(row.list_size or 0):
    st.caption("The weighted population is not given: the registered list size is used for the ARRS envelope.")
money = money_module.money_for(uplift / 100)
assumptions = ui.assumptions_form()

st.subheader("Current staffing and bands")
current = {}
staffing_file = st.file_uploader("Current MHPs from a file (CSV: pcn_code, role, wte)", type="csv", key="staff_file")
from_file = None
if staffing_file is not None:
    try:
        from_file = workforce.read_current_staffing(staffing_file.getvalue(), staffing_file.name)
    except workforce.StaffingFileError as exc:
        st.error(ui.plain(exc))
used = ui.staffing_in_use(sel.db, sel.period)
kept = impact.in_post_at_year_end(used.frame, sel.period, by_role=True)
if from_file is None and sel.pcn_code in used.unknown:
    st.caption(f"{ui.plain(sel.pcn_name)} made no return in the PCN Workforce edition in use ({ui.plain(used.source)}): "
               "its MHPs are not known, not 0. Type the current WTE below or load a file.")
if from_file is None and any(code == sel.pcn_code for code, _ in kept.index):
    st.caption(f"Current WTE from {ui.plain(used.source)} ({used.when}); change it here or load another file.")
cols = st.columns(4)
bands = {}
for i, role in enumerate(workforce.ROLES):
    current[role] = cols[i].number_input(  # keyed by PCN: another PCN's staffing is never carried over
        f"Current WTE: {workforce.ROLE_NAMES[role]}", min_value=0.0, step=0.1, key=f"current_{role}_{sel.pcn_code}",
        value=workforce.staffing_wte(from_file, sel.pcn_code, role) if from_file is not None
        else float(kept.get((sel.pcn_code, role), 0.0)))
    bands[role] = cols[2 + i].selectbox(f"AfC band: {workforce.ROLE_NAMES[role]}", workforce.BANDS, index=3,
                                        key=f"band_{role}")

years = history + ahead
figures = workforce.money_inputs(money, years, sorted(set(bands.values())), point)
overrides = ui.money_edits(figures)
edited = workforce.with_overrides(figures, overrides)
plan = workforce.workforce_plan(row, years, current, bands, money, assumptions, point, weighted, agreement,
                                overrides)

year = st.selectbox("Year shown", years, index=years.index(ahead[0]), key="plan_year")
this_year, totals = workforce.plan_year(plan, year)
envelope = this_year.arrs_envelope.iloc[0]
low, central, high = workforce.need_range(row, assumptions)
ui.tiles([
    ui.Tile("Guide's entitlement", f"{totals.entitlement_wte:.1f} WTE",
            help=f"{workforce.year_rule(year)}; from list size alone"),
    ui.Tile("Need", f"{central:.1f} WTE", (f"range {low:.1f}-{high:.1f} WTE",),
            "Low and high: every share assumption at half and one and a half times."),
    ui.Tile("Current", f"{totals.current_wte:.1f} WTE"),
    ui.Tile("Suggested", f"{totals.suggested_wte:.1f} WTE", (f"{int(totals.posts)} posts",))])
ui.tiles([ui.Tile(label, f"£{totals[column]:,.0f}", help=f"{year}, £ a year")
          for label, column in (("Gross employment cost", "employment_cost"), ("Provider share", "provider_share"),
                                ("PCN contribution", "pcn_contribution"), ("ARRS reimbursement", "arrs_reimbursement"),
                                ("Net cost to the PCN", "net_pcn_cost"))])
summary = workforce.plan_summary(totals, year, workforce.year_rule(year), envelope,
                                 this_year.envelope_money.iloc[0] or "")
ui.bullets(summary)
st.caption(f"One WTE sees about {workforce.patients_per_wte(assumptions):,.0f} patients a year. Money: "
           f"{', '.join(sorted(set(this_year.money)))}.")
view, tab = ui.view(["Chart", "Year by year"])
with tab:
    if view == "Year by year":
        ui.table(workforce.plan_table(plan))
    else:
        ui.chart(ui.figure(charts.plan_chart, this_year), this_year, f"workforce_{sel.pcn_code}_{year}.csv", "plan")
downloads = st.columns(3)
ui.csv_download(plan, f"mhp_plan_{sel.pcn_code}.csv", "plan_csv", "Plan (CSV)", downloads[0])
downloads[1].download_button("Plan (XLSX)", lambda: exports.plan_xlsx(  # made on the click
                             plan, assumptions, row, edited, sel.suppress, f"MHP workforce plan, {sel.pcn_name} ({sel.pcn_code})"),
                             f"mhp_plan_{sel.pcn_code}.xlsx", key="plan_xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
downloads[2].download_button("Printable one-page plan (HTML)",
                             lambda: exports.plan_html(f"MHP workforce plan: {row.pcn_name} ({sel.pcn_code})",
                                                       f"ICB {sel.icb_code}, {year}", this_year, assumptions, summary),
                             f"mhp_plan_{sel.pcn_code}.html", "text/html", key="plan_html")
