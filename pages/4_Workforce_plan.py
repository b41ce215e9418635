import streamlit as st

from phm_profile import charts, exports, ui, views, workforce

sel = ui.sidebar()
inputs = views.workforce_inputs(sel.db, sel.icb_code, sel.period, sel.suppress).set_index("pcn_code")
row = inputs.loc[sel.pcn_code]
ui.title(f"Workforce plan: {row.pcn_name} ({sel.pcn_code})", sel, "MHPs")
st.caption(f"Mental Health Practitioners through the ARRS; need from the {sel.period} profile.")

rates = workforce.reimbursement_table()
uploaded_rates = st.sidebar.file_uploader("Your own reimbursement rates (CSV: year, band, max_reimbursable_per_wte)",
                                          type="csv", key="rates_file")
if uploaded_rates is not None:
    try:
        rates = workforce.reimbursement_table(uploaded_rates)
    except ValueError as exc:
        st.error(str(exc))
assumptions = ui.assumptions_form()

st.subheader("Current staffing and bands")
current = {}
staffing_file = st.file_uploader("Current MHPs from a file (CSV: pcn_code, role, wte)", type="csv", key="staff_file")
from_file = None
if staffing_file is not None:
    try:
        from_file = workforce.read_current_staffing(staffing_file.getvalue(), staffing_file.name)
    except workforce.StaffingFileError as exc:
        st.error(str(exc))
cols = st.columns(4)
bands = {}
for i, role in enumerate(workforce.ROLES):
    current[role] = cols[i].number_input(f"Current WTE: {workforce.ROLE_NAMES[role]}", min_value=0.0, step=0.1,
                                         value=workforce.staffing_wte(from_file, sel.pcn_code, role),
                                         key=f"current_{role}")
    bands[role] = cols[2 + i].selectbox(f"AfC band: {workforce.ROLE_NAMES[role]}", workforce.BANDS, index=2,
                                        key=f"band_{role}")

years = sorted(set(rates.year) | {sel.period})
plan = workforce.workforce_plan(row, years, current, bands, rates, assumptions)
this_year, totals = workforce.plan_year(plan, sel.period)
tiles = st.columns(5)
tiles[0].metric("ARRS entitlement", f"{totals.entitlement_wte:.1f} WTE")
tiles[1].metric("Need", f"{totals.need_wte:.1f} WTE")
tiles[2].metric("Current", f"{totals.current_wte:.1f} WTE")
tiles[3].metric("Suggested", f"{totals.suggested_wte:.1f} WTE")
tiles[4].metric("Net cost to the PCN", f"£{totals.net_pcn_cost:,.0f}")
st.caption(f"Reimbursement rates of {', '.join(sorted(set(this_year.rates_year)))} "
           f"(one WTE sees about {workforce.patients_per_wte(assumptions):,.0f} patients a year).")
ui.chart(charts.plan_chart(this_year), this_year, f"workforce_{sel.pcn_code}_{sel.period}.csv", "plan")

st.subheader("Suggested plan by year")
ui.table(plan)
summary = workforce.plan_summary(totals, sel.period)
downloads = st.columns(3)
ui.csv_download(plan, f"mhp_plan_{sel.pcn_code}.csv", "plan_csv", "Plan (CSV)", downloads[0])
downloads[1].download_button("Plan (XLSX)", exports.plan_xlsx(plan, assumptions, row, rates, sel.suppress),
                             f"mhp_plan_{sel.pcn_code}.xlsx", key="plan_xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
downloads[2].download_button("Printable one-page plan (HTML)",
                             exports.plan_html(f"MHP workforce plan: {row.pcn_name} ({sel.pcn_code})",
                                               f"ICB {sel.icb_code}, {sel.period}", plan, assumptions, summary),
                             f"mhp_plan_{sel.pcn_code}.html", "text/html", key="plan_html")
