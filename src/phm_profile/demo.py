"""Synthetic demo data, written in exactly the layouts NHS England, NHS Digital and MHCLG publish, so the same
readers load it. Deterministic for a seed. Every code is obviously synthetic: practices start with Z, PCNs
with U9, ICBs with QZ, LSOAs with E019, and every name says "(synthetic)".

Two scales: ``icb`` (two synthetic ICBs, 40 PCNs, 200 practices, 1,000 LSOAs with polygon boundaries, three
years) for the app, and ``national`` (England-sized: 6,300 practices, 1,250 PCNs, 33,000 LSOAs, 1.6M
practice-by-LSOA rows, 10M referral records) for benchmarks.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from scipy.spatial import cKDTree

YEARS = ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24")
#: The demo began with 2021-22 to 2023-24; the two earlier years were added for five-year trends (Fingertips tests
#: the most recent five points). Those three are drawn first and keep their year index 0 to 2 (the earlier years
#: -2 and -1), so that adding the earlier years left the later years' figures as they were.
FIRST_DRAWN = 2


def drawn_years() -> list[tuple[int, str]]:
    """(year index, year) in the order the random draws are made."""
    return [(YEARS.index(year) - FIRST_DRAWN, year) for year in YEARS[FIRST_DRAWN:] + YEARS[:FIRST_DRAWN]]

AGE_BANDS = tuple(f"{a}_{a + 4}" for a in range(0, 95, 5)) + ("95+",)
#: England's registered population share by five-year band (approximately), used as a base age structure.
BASE_AGE_SHARE = np.array([5.2, 5.9, 6.1, 5.8, 6.3, 7.2, 7.5, 7.2, 6.7, 6.5, 6.9, 6.9, 6.2, 5.2, 4.8, 3.9,
                           2.6, 1.6, 0.8, 0.3])
BASE_AGE_SHARE = BASE_AGE_SHARE / BASE_AGE_SHARE.sum()

#: National QOF prevalence (share of its list type), its list type, how strongly it rises with deprivation
#: (ratio most/least deprived decile, from the QOF 2019-20 analysis in shared/data/real), and yearly trend.
REGISTERS = {
    #         rate    list     depr   trend/yr  age-driven
    "AF": (0.021, "TOTAL", 0.80, 0.000, True),
    "AST": (0.065, "TOTAL", 1.06, 0.000, False),
    "CAN": (0.034, "TOTAL", 0.75, 0.001, True),
    "CHD": (0.030, "TOTAL", 1.12, 0.000, True),
    "CKD": (0.041, "18OV", 1.04, 0.000, True),
    "COPD": (0.019, "TOTAL", 1.75, 0.000, True),
    "DEM": (0.007, "TOTAL", 0.66, 0.000, True),
    "DEP": (0.127, "18OV", 1.29, 0.004, False),
    "DM": (0.073, "17OV", 1.46, 0.001, True),
    "EP": (0.008, "18OV", 1.39, 0.000, False),
    "HF": (0.010, "TOTAL", 1.09, 0.000, True),
    "HYP": (0.140, "TOTAL", 1.01, 0.000, True),
    "LD": (0.0055, "TOTAL", 1.67, 0.0001, False),
    "MH": (0.0095, "TOTAL", 1.64, 0.0000, False),
    "NDH": (0.060, "18OV", 1.10, 0.004, True),
    "OB": (0.080, "18OV", 1.56, 0.003, False),
    "OST": (0.009, "50OV", 0.79, 0.000, True),
    "PAD": (0.006, "TOTAL", 1.47, 0.000, True),
    "PC": (0.005, "TOTAL", 1.07, 0.000, True),
    "RA": (0.008, "16OV", 1.06, 0.000, True),
    "STIA": (0.018, "TOTAL", 0.98, 0.000, True),
}


@dataclass(frozen=True)
class Scale:
    icbs: int
    pcns: int
    practices: int
    lsoas: int
    lsoas_per_practice: int
    referrals_per_1000: float  # per year, all services
    boundaries: bool
    lsoa_years: tuple[str, ...]


SCALES = {
    "icb": Scale(2, 40, 200, 1000, 60, 60.0, True, YEARS),
    "national": Scale(36, 1250, 6300, 33000, 255, 74.0, False, YEARS[-1:]),
}


def _icb_codes(n: int) -> list[str]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return [f"QZ{alphabet[i]}" for i in range(n)]


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path,
                    pacsv.WriteOptions(quoting_style="needed"))


def _split(total: np.ndarray, weights: np.ndarray, rng) -> np.ndarray:
    """Split each total into integer parts in proportion to the weights (rows), exactly summing."""
    out = np.zeros(weights.shape, dtype=np.int64)
    for i, (n, w) in enumerate(zip(total, weights)):
        out[i] = rng.multinomial(int(n), w / w.sum())
    return out


class DemoWorld:
    """The synthetic geography and population, from which every extract is written."""

    def __init__(self, scale: Scale, seed: int):
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        self._geography()
        self._organisations()
        self._populations()

    # -- places -------------------------------------------------------------------------------------------
    def _geography(self):
        s, rng = self.scale, self.rng
        width, height = (0.9, 0.55) if s.icbs <= 2 else (6.0, 5.0)
        origin = np.array([-2.0, 53.45]) if s.icbs <= 2 else np.array([-5.0, 50.3])
        # Towns: LSOAs cluster around them; deprivation is highest in town centres.
        n_towns = max(4, s.lsoas // 120)
        towns = origin + rng.random((n_towns, 2)) * [width, height]
        town_of = rng.integers(0, n_towns, s.lsoas)
        spread = rng.gamma(2.0, 0.03 if s.icbs <= 2 else 0.08, s.lsoas)
        angle = rng.random(s.lsoas) * 2 * np.pi
        xy = towns[town_of] + np.c_[np.cos(angle), np.sin(angle) * 0.62] * spread[:, None]
        xy = np.clip(xy, origin, origin + [width, height])
        xy += rng.normal(0, 1e-4, xy.shape)
        centre_distance = np.hypot(*(xy - towns[town_of]).T) / (0.03 if s.icbs <= 2 else 0.08)
        score = 45 * np.exp(-centre_distance / 1.6) + rng.gamma(2.2, 5.0, s.lsoas) + 2
        self.lsoa_xy = xy
        self.lsoa_codes = np.array([f"E019{i:05d}" for i in range(1, s.lsoas + 1)])
        self.imd_score = np.round(score, 3)
        rank = (-self.imd_score).argsort().argsort() + 1
        # On IMD 2019's scale (1 to 32,844) whatever the number of synthetic LSOAs, as real ranks are.
        self.imd_rank = np.maximum(1, np.round(rank * 32_844 / s.lsoas)).astype(int)
        self.imd_decile = np.ceil(rank / s.lsoas * 10).astype(int)
        self.lad = town_of % max(2, n_towns // 3)
        self.origin, self.size = origin, np.array([width, height])

    def _organisations(self):
        s, rng = self.scale, self.rng
        # PCN sizes: most around 30,000-50,000; about one in ten over 100,000.
        big = rng.random(s.pcns) < 0.1
        big[:2] = True
        targets = np.where(big, rng.uniform(102_000, 135_000, s.pcns), rng.lognormal(np.log(36_000), 0.3, s.pcns))
        practices_per_pcn = np.maximum(1, np.round(targets / targets.sum() * s.practices)).astype(int)
        while practices_per_pcn.sum() != s.practices:
            i = rng.integers(0, s.pcns)
            step = np.sign(s.practices - practices_per_pcn.sum())
            if practices_per_pcn[i] + step >= 1:
                practices_per_pcn[i] += step
        pcn_of = np.repeat(np.arange(s.pcns), practices_per_pcn)
        list_size = np.zeros(s.practices, dtype=np.int64)
        for p in range(s.pcns):
            members = np.flatnonzero(pcn_of == p)
            share = rng.dirichlet(np.full(len(members), 4.0))
            list_size[members] = np.maximum(1_500, (share * targets[p]).round())
        # Place each PCN at an LSOA, its practices at LSOAs nearby.
        tree = cKDTree(self.lsoa_xy)
        pcn_home = rng.choice(len(self.lsoa_xy), s.pcns, replace=False)
        _, near = tree.query(self.lsoa_xy[pcn_home], k=min(12, len(self.lsoa_xy)))
        practice_lsoa = near[pcn_of, rng.integers(0, near.shape[1], s.practices)]
        self.practice_xy = self.lsoa_xy[practice_lsoa] + rng.normal(0, 0.002, (s.practices, 2))
        self.practice_codes = np.array([f"Z{i:05d}" for i in range(1, s.practices + 1)])
        self.pcn_codes = np.array([f"U9{i:04d}" for i in range(1, s.pcns + 1)])
        self.pcn_of = pcn_of
        # ICBs: PCNs grouped by position west to east; the first ICB holds about 70% in the icb scale.
        order = np.argsort(self.lsoa_xy[pcn_home][:, 0])
        icb_of_pcn = np.empty(s.pcns, dtype=int)
        cuts = [0.7] if s.icbs == 2 else list(np.linspace(0, 1, s.icbs + 1)[1:-1])
        icb_of_pcn[order] = np.searchsorted(np.array(cuts) * s.pcns, np.arange(s.pcns), side="right")
        self.icb_of_pcn = icb_of_pcn
        self.icb_codes = np.array(_icb_codes(s.icbs))
        self.sub_icb_of_pcn = icb_of_pcn * 3 + (np.arange(s.pcns) % 3)
        self.base_list_size = list_size

    def _populations(self):
        s, rng = self.scale, self.rng
        tree = cKDTree(self.lsoa_xy)
        k = min(s.lsoas_per_practice, s.lsoas)
        dist, idx = tree.query(self.practice_xy, k=k)
        weight = np.exp(-dist / (dist[:, [min(8, k - 1)]] + 1e-9)) + 1e-3
        self.catchment_idx, self.catchment_weight = idx, weight / weight.sum(axis=1, keepdims=True)
        score = (self.catchment_weight * self.imd_score[idx]).sum(axis=1)
        self.practice_imd = score
        z = (score - score.mean()) / (score.std() + 1e-9)
        self.depr_z = np.clip(z, -2.5, 2.5)
        # Age structure: deprived practices younger; a few student practices much younger.
        shift = -0.10 * self.depr_z
        student = rng.random(s.practices) < 0.03
        ages = np.arange(len(AGE_BANDS))
        base = np.log(BASE_AGE_SHARE)
        age_logits = base[None, :] + shift[:, None] * (ages[None, :] - 8) / 4
        age_logits[student, 3:5] += 1.8
        age_logits += rng.normal(0, 0.06, age_logits.shape)
        share = np.exp(age_logits)
        self.age_share = share / share.sum(axis=1, keepdims=True)

    # -- per-year figures ---------------------------------------------------------------------------------
    def list_sizes(self, year_index: int) -> np.ndarray:
        growth = (1.0 + 0.012) ** year_index
        noise = np.random.default_rng(1000 + year_index).normal(0, 0.01, len(self.base_list_size))
        return np.round(self.base_list_size * growth * (1 + noise)).astype(np.int64)

    def age_sex(self, year_index: int) -> np.ndarray:
        """patients[practice, sex (0 male, 1 female), band], summing to the list size."""
        rng = np.random.default_rng(2000 + year_index)
        sizes = self.list_sizes(year_index)
        counts = _split(sizes, self.age_share, rng)
        female_share = np.clip(0.5 + (np.arange(len(AGE_BANDS)) - 13).clip(0) * 0.025, 0.5, 0.72)
        female = rng.binomial(counts, female_share[None, :])
        return np.stack([counts - female, female], axis=1)

    def pcn_for_year(self, year_index: int) -> np.ndarray:
        """Practices move PCN now and then: a few change in each later year."""
        pcn_of = self.pcn_of.copy()
        rng = np.random.default_rng(3000)
        movers = rng.choice(len(pcn_of), max(1, len(pcn_of) // 100), replace=False)
        for y in range(1, year_index + 1):
            for m in movers[y - 1:: 2]:
                neighbours = np.flatnonzero(self.icb_of_pcn == self.icb_of_pcn[pcn_of[m]])
                pcn_of[m] = neighbours[(np.searchsorted(neighbours, pcn_of[m]) + 1) % len(neighbours)]
        earlier = np.random.default_rng(3001).choice(len(pcn_of), 4, replace=False)
        for y in range(1, -year_index + 1):  # the years before the first drawn: two others were elsewhere each year
            for m in earlier[2 * (y - 1):2 * y]:
                neighbours = np.flatnonzero(self.icb_of_pcn == self.icb_of_pcn[pcn_of[m]])
                pcn_of[m] = neighbours[(np.searchsorted(neighbours, pcn_of[m]) - 1) % len(neighbours)]
        return pcn_of


def list_type_sizes(age_sex: np.ndarray) -> dict[str, np.ndarray]:
    """QOF list types from five-year bands (16+ takes 4/5 of the 15-19 band, 17+ 3/5, 18+ 2/5)."""
    both = age_sex.sum(axis=1)
    band15 = both[:, 3]
    adult = both[:, 4:].sum(axis=1)
    return {
        "TOTAL": both.sum(axis=1),
        "16OV": adult + np.round(band15 * 0.8).astype(int),
        "17OV": adult + np.round(band15 * 0.6).astype(int),
        "18OV": adult + np.round(band15 * 0.4).astype(int),
        "30_74": both[:, 6:15].sum(axis=1),
        "50OV": both[:, 10:].sum(axis=1),
        "0_64": both[:, :13].sum(axis=1),
        "65OV": both[:, 13:].sum(axis=1),
    }


def _fy_label(year: str) -> tuple[str, str]:
    start = int(year[:4])
    return f"{start}_{start + 1}", f"{str(start)[2:]}{str(start + 1)[2:]}"


def write_demo(out: Path, scale: str = "icb", seed: int = 2024, progress=lambda _: None) -> list[Path]:
    """Write every demo extract into ``out``; returns the files written."""
    spec = SCALES[scale]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = DemoWorld(spec, seed)
    written: list[Path] = []
    rng = np.random.default_rng(seed + 7)
    icb_names = {c: f"NHS Demo {c} Integrated Care Board (synthetic)" for c in world.icb_codes}
    pcn_names = {c: f"Demo PCN {c[2:]} (synthetic)" for c in world.pcn_codes}
    practice_names = {c: f"Demo Practice {c[1:]} (synthetic)" for c in world.practice_codes}

    progress("writing IMD 2019 by LSOA (File 7 layout)")
    imd = pd.DataFrame({
        "LSOA code (2011)": world.lsoa_codes,
        "LSOA name (2011)": [f"Demo Area {c[4:]} (synthetic)" for c in world.lsoa_codes],
        "Local Authority District code (2019)": [f"E0699{d:04d}" for d in world.lad],
        "Local Authority District name (2019)": [f"Demo District {d} (synthetic)" for d in world.lad],
        "Index of Multiple Deprivation (IMD) Score": world.imd_score,
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": world.imd_rank,
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": world.imd_decile,
    })
    path = out / "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
    _write_csv(imd, path)
    written.append(path)

    if spec.boundaries:
        progress("writing LSOA boundaries (GeoJSON)")
        written.append(_write_boundaries(world, out / "lsoa_boundaries_2011_synthetic.geojson"))

    for yi, year in drawn_years():
        long_year, short_year = _fy_label(year)
        progress(f"writing {year}: mapping, list sizes, QOF prevalence, patients")
        pcn_of = world.pcn_for_year(yi)
        sub_icb = world.sub_icb_of_pcn[pcn_of]
        icb = world.icb_codes[world.icb_of_pcn[pcn_of]]
        sub_codes = np.array([f"9{s // 36}{'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[s % 34]}" for s in sub_icb])
        later_layout = yi >= 1
        mapping = pd.DataFrame({
            "NAT_ONS_CODE": "E92000001", "NAT_CODE": "ENG", "NAT_COUNTRY": "England",
            "REGION_ODS_CODE": "Y99", "REGION_ONS_CODE": "E40000099", "REGION_NAME": "Demo Region (synthetic)",
            "ICB_ODS_CODE": icb, "ICB_ONS_CODE": [f"E5400099{i[-1]}" for i in icb],
            "ICB_NAME": [icb_names[i] for i in icb],
            ("SUB_ICB_ODS_CODE" if later_layout else "SUB_ICB_LOC_ODS_CODE"): sub_codes,
            ("SUB_ICB_ONS_CODE" if later_layout else "SUB_ICB_LOC_ONS_CODE"): [f"E380009{s:02d}" for s in sub_icb % 100],
            ("SUB_ICB_NAME" if later_layout else "SUB_ICB_LOC_NAME"): [f"Demo Sub-ICB {c} (synthetic)" for c in sub_codes],
            "PCN_ODS_CODE": world.pcn_codes[pcn_of], "PCN_NAME": [pcn_names[c] for c in world.pcn_codes[pcn_of]],
            "PRACTICE_CODE": world.practice_codes,
            "PRACTICE_NAME": [practice_names[c] for c in world.practice_codes],
        })
        path = out / f"MAPPING_NHS_GEOGRAPHIES_{long_year}.csv"
        _write_csv(mapping, path)
        written.append(path)

        age_sex = world.age_sex(yi)
        lists = list_type_sizes(age_sex)
        list_frame = pd.DataFrame({"PRACTICE_CODE": world.practice_codes, **lists})
        path = out / f"QOF_LIST_SIZE_{short_year}.csv"
        _write_csv(list_frame, path)
        written.append(path)

        prevalence = _qof_registers(world, lists, age_sex, yi, rng)
        path = out / f"PREVALENCE_{short_year}.csv"
        _write_csv(prevalence, path)
        written.append(path)

        extract = f"01APR{int(year[:4]) + 1}"
        written.append(_write_age_sex(world, age_sex, sub_codes, extract, out / f"gp-reg-pat-prac-quin-age-apr-{int(year[:4]) + 1}.csv"))
        if year in spec.lsoa_years:
            written.append(_write_lsoa(world, lists["TOTAL"], extract, out / f"gp-reg-pat-prac-lsoa-all-apr-{int(year[:4]) + 1}.csv", yi))

    progress("writing mental-health service usage")
    written.extend(_write_service_usage(world, spec, out, rng, progress))
    written.append(_write_staffing(world, out))
    written.append(_write_areas(world, out))
    progress("writing the PCN Workforce (individual-level CSV, NHS England's layout)")
    written.extend(_write_pcn_workforce(world, out, pcn_names, icb_names))
    (out / "README.md").write_text(
        "Synthetic demo data written by phm_profile.demo (python -m phm_profile demo). Every code and name is\n"
        "made up; the layouts are those NHS England, NHS Digital and MHCLG publish. Not real patients.\n\n"
        "MHPs and their built-in effect (the MHP impact page should find it): staffing/mhp_staffing.csv gives every\n"
        "third PCN MHPs from a month between July 2021 and December 2022. From that month, each of its practices'\n"
        f"CMHT referrals is made with probability {1 + MHP_EFFECT['cmht_referrals']:.2f} ("
        f"{-100 * MHP_EFFECT['cmht_referrals']:.0f}% fewer referrals) and\n"
        f"rejected {-100 * MHP_EFFECT['cmht_rejected']:.0f} percentage points less often; MHP contacts happen only "
        "where an MHP is in post.\nNothing else changes (Talking Therapies waits, A&E: no effect).\n\n"
        "pcn_workforce/ holds NHS England's PCN Workforce individual-level CSV for every March and September from\n"
        "September 2021 to March 2024 (the latest as the publisher's zip, UTF-8 with BOM; earlier ones cp1252), with\n"
        "the staffing file's MHPs in post at each census; September 2021 tags no MHP role (as the publisher's early\n"
        f"editions); PCN {NO_RETURN_PCN} makes no return in the latest edition.\n\n"
        f"{AREAS_FILE.as_posix()}: a set of your own areas, the second ICB's PCNs grouped into neighbourhoods of\n"
        "about three PCNs, and one neighbourhood of practices that splits a PCN (area_name, code).\n")
    return written


def _qof_registers(world: DemoWorld, lists, age_sex, year_index, rng) -> pd.DataFrame:
    both = age_sex.sum(axis=1)
    older = both[:, 13:].sum(axis=1) / both.sum(axis=1)  # 65+
    older_z = (older - older.mean()) / (older.std() + 1e-9)
    frames = []
    for group, (rate, list_type, depr_ratio, trend, age_driven) in REGISTERS.items():
        slope = np.log(depr_ratio) / 3.0  # practice deprivation z spans about +-1.5
        age_effect = np.exp(0.25 * older_z) if age_driven else 1.0
        if group == "DEM":
            age_effect = np.exp(0.45 * older_z)
        practice_effect = np.exp(np.random.default_rng(5000 + list(REGISTERS).index(group)).normal(0, 0.12, len(older)))
        p = (rate + trend * year_index) * np.exp(slope * world.depr_z) * age_effect * practice_effect
        register = rng.binomial(lists[list_type], np.clip(p, 0, 0.9))
        frames.append(pd.DataFrame({"PRACTICE_CODE": world.practice_codes, "GROUP_CODE": group,
                                    "REGISTER": register, "PATIENT_LIST_TYPE": list_type}))
    return pd.concat(frames).sort_values(["PRACTICE_CODE", "GROUP_CODE"], kind="stable")


def _write_age_sex(world, age_sex, sub_codes, extract, path) -> Path:
    n_practices, _, n_bands = age_sex.shape
    sexes = np.array(["MALE", "FEMALE"])
    practice = np.repeat(np.arange(n_practices), 2 * n_bands)
    sex = np.tile(np.repeat(sexes, n_bands), n_practices)
    band = np.tile(np.array(AGE_BANDS), 2 * n_practices)
    rows = pd.DataFrame({
        "PUBLICATION": "Patients Registered at a GP Practice", "EXTRACT_DATE": extract, "TYPE": "GP",
        "SUB_ICB_LOCATION_CODE": sub_codes[practice], "ONS_SUB_ICB_LOCATION_CODE": "E38000999",
        "ORG_CODE": world.practice_codes[practice], "POSTCODE": "ZZ99 3WZ",
        "SEX": sex, "AGE_GROUP_5": band, "NUMBER_OF_PATIENTS": age_sex.reshape(-1),
    })
    totals = rows.groupby(["ORG_CODE"], sort=False).agg(
        SUB_ICB_LOCATION_CODE=("SUB_ICB_LOCATION_CODE", "first"), NUMBER_OF_PATIENTS=("NUMBER_OF_PATIENTS", "sum")
    ).reset_index()
    totals = totals.assign(PUBLICATION="Patients Registered at a GP Practice", EXTRACT_DATE=extract, TYPE="GP",
                           ONS_SUB_ICB_LOCATION_CODE="E38000999", POSTCODE="ZZ99 3WZ", SEX="ALL", AGE_GROUP_5="ALL")
    _write_csv(pd.concat([rows, totals[rows.columns]]), path)
    return path


def _write_lsoa(world, totals, extract, path, year_index) -> Path:
    rng = np.random.default_rng(4000 + year_index)
    counts = _split(totals, world.catchment_weight, rng)
    practice = np.repeat(np.arange(len(totals)), counts.shape[1])
    lsoa = world.catchment_idx.reshape(-1)
    n = counts.reshape(-1)
    keep = n > 0
    frame = pd.DataFrame({
        "PUBLICATION": "Patients Registered at a GP Practice", "EXTRACT_DATE": extract,
        "PRACTICE_CODE": world.practice_codes[practice[keep]],
        "PRACTICE_NAME": [f"Demo Practice {c[1:]} (synthetic)" for c in world.practice_codes[practice[keep]]],
        "LSOA_CODE": world.lsoa_codes[lsoa[keep]], "SEX": "ALL", "NUMBER_OF_PATIENTS": n[keep],
    })
    _write_csv(frame, path)
    return path


#: The demo's built-in effect of MHPs (issue 18), documented in README.md: in the months from a PCN's MHP start,
#: each CMHT referral of its practices is made with probability 1 + MHP_EFFECT["cmht_referrals"] (15% fewer) and
#: rejected with a probability MHP_EFFECT["cmht_rejected"] lower (5 percentage points). MHP contacts happen
#: only where an MHP is in post. Nothing else changes.
MHP_EFFECT = {"cmht_referrals": -0.15, "cmht_rejected": -0.05}
STAFFING_FILE = Path("staffing") / "mhp_staffing.csv"


def mhp_starts(world: DemoWorld) -> dict[str, np.datetime64]:
    """Every third PCN has MHPs, from a month between July 2021 and December 2022 (the rest have none)."""
    months = np.arange(np.datetime64("2021-07"), np.datetime64("2023-01"))
    treated = world.pcn_codes[::3]
    return {code: months[(5 * k) % len(months)].astype("datetime64[D]") for k, code in enumerate(treated)}


def _write_staffing(world: DemoWorld, out: Path) -> Path:
    """The MHPs in post by PCN with their start dates (the staffing file the MHP impact page reads)."""
    rows = []
    for k, (code, start) in enumerate(mhp_starts(world).items()):
        rows.append({"pcn_code": code, "role": "adult", "band": "7", "wte": 1.0 if k % 2 else 2.0,
                     "start_date": str(start), "end_date": ""})
        if k % 4 == 0:  # a children-and-young-people MHP a year later
            rows.append({"pcn_code": code, "role": "cyp", "band": "6", "wte": 1.0,
                         "start_date": str(start + np.timedelta64(365, "D")), "end_date": ""})
    path = out / STAFFING_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


AREAS_FILE = Path("areas") / "neighbourhoods.csv"


def _write_areas(world: DemoWorld, out: Path) -> Path:
    """A set of your own areas (areas.read_area_set): the last ICB's PCNs in neighbourhoods of three, and one
    neighbourhood of practices (the first half of one PCN's practices and the whole of the next PCN)."""
    latest = world.pcn_for_year(max(i for i, _ in drawn_years()))
    icb = len(world.icb_codes) - 1
    pcns = [c for i, c in enumerate(world.pcn_codes) if world.icb_of_pcn[i] == icb]
    rows = [(f"Demo neighbourhood {k // 3 + 1} (synthetic)", code) for k, code in enumerate(pcns)]
    split = world.practice_codes[latest == list(world.pcn_codes).index(pcns[0])]
    rows += [("Demo split neighbourhood (synthetic)", code) for code in split[: max(1, len(split) // 2)]]
    rows.append(("Demo split neighbourhood (synthetic)", pcns[1]))
    path = out / AREAS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["area_name", "code"]).to_csv(path, index=False)
    return path


def _write_service_usage(world: DemoWorld, spec: Scale, out: Path, rng, progress) -> list[Path]:
    """Record-level referrals (Talking Therapies, CMHT, MHP) and a tidy practice-level A&E measure; with the MHP
    effect (MHP_EFFECT) in the months after each PCN's MHP start, drawn from a generator of its own so that the
    other figures are those drawn without it."""
    starts = mhp_starts(world)
    effect_rng = np.random.default_rng(4040)
    per_1000 = {"TALKING_THERAPIES": 31.0, "CMHT": 9.0, "MHP": 14.0}
    scale = spec.referrals_per_1000 / 60.0
    frames = []
    next_id = 1
    for yi, year in drawn_years():
        sizes = world.list_sizes(yi)
        start = np.datetime64(f"{year[:4]}-04-01")
        for service, rate in per_1000.items():
            uplift = np.exp(0.18 * world.depr_z) if service != "MHP" else np.ones(len(sizes))
            if service == "MHP":
                rate *= max(yi + 1, 0) / (len(YEARS) - FIRST_DRAWN)  # MHPs from 2021-22 (ARRS), growing
            counts = rng.poisson(sizes / 1000 * rate * uplift * scale)
            n = int(counts.sum())
            practice = np.repeat(np.arange(len(sizes)), counts)
            dates = start + rng.integers(0, 365, n).astype("timedelta64[D]")
            pcn = world.pcn_codes[world.pcn_for_year(yi)][practice]
            began = np.array([starts.get(c, np.datetime64("2100-01-01")) for c in pcn], dtype="datetime64[D]")
            after = dates >= began
            kept = np.ones(n, dtype=bool)
            if service == "CMHT":
                reject_p = np.clip(0.22 + 0.06 * world.depr_z, 0.05, 0.6)[practice]
                reject_p = reject_p + MHP_EFFECT["cmht_rejected"] * after
                outcome = np.where(rng.random(n) < reject_p, "REJECTED", "ACCEPTED")
                kept = ~after | (effect_rng.random(n) < 1 + MHP_EFFECT["cmht_referrals"])
                wait = np.full(n, np.nan)
            elif service == "TALKING_THERAPIES":
                outcome = np.full(n, "ACCEPTED")
                wait = np.round(rng.gamma(2.0, 14 + 6 * np.clip(world.depr_z[practice], -1, 2)))
            else:
                outcome = np.full(n, "ATTENDED")
                wait = np.full(n, np.nan)
                kept = after  # MHP contacts where an MHP is in post
            frames.append(pd.DataFrame({
                "REFERRAL_ID": np.arange(next_id, next_id + n), "PRACTICE_CODE": world.practice_codes[practice],
                "REFERRAL_DATE": dates.astype(str), "SERVICE": service, "OUTCOME": outcome,
                "WAIT_DAYS": pd.array(wait, dtype="Int64"),
            })[kept])
            next_id += n
    records = pd.concat(frames, ignore_index=True)
    records = records.iloc[rng.permutation(len(records))] if len(records) < 2_000_000 else records
    path_records = out / "mh_referrals_records.csv"
    progress(f"writing {len(records):,} referral records")
    _write_csv(records, path_records)
    rows = []
    for yi, year in drawn_years():
        sizes = world.list_sizes(yi)
        attendances = rng.poisson(sizes / 1000 * 4.2 * np.exp(0.3 * world.depr_z))
        rows.append(pd.DataFrame({"ORG_TYPE": "practice", "ORG_CODE": world.practice_codes, "PERIOD": year,
                                  "MEASURE": "mh_ae_attendances", "NUMERATOR": attendances, "DENOMINATOR": ""}))
    tidy = pd.concat(rows)
    path_tidy = out / "mh_service_usage_ecds.csv"
    tidy.to_csv(path_tidy, index=False, quoting=csv.QUOTE_MINIMAL)
    return [path_records, path_tidy]


def _write_boundaries(world: DemoWorld, path: Path) -> Path:
    import geopandas as gpd
    import shapely

    points = shapely.points(world.lsoa_xy)
    frame_box = shapely.box(*world.origin, *(world.origin + world.size)).buffer(0.02)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame_box)
    cells = np.array(shapely.get_parts(cells))
    # voronoi_polygons does not keep input order: match each cell to the point inside it.
    tree = shapely.STRtree(cells)
    point_idx, cell_idx = tree.query(points, predicate="within")
    ordered = np.empty(len(points), dtype=object)
    ordered[point_idx] = cells[cell_idx]
    # Clip to a rounded outline of the area so the edge is not a rectangle.
    outline = shapely.MultiPoint(world.lsoa_xy).convex_hull.buffer(0.03)
    geometry = shapely.intersection(ordered, outline)
    frame = gpd.GeoDataFrame({"LSOA11CD": world.lsoa_codes,
                              "LSOA11NM": [f"Demo Area {c[4:]} (synthetic)" for c in world.lsoa_codes]},
                             geometry=geometry, crs=4326)
    frame.to_file(path, driver="GeoJSON")
    return path


#: The PCN Workforce editions the demo writes (census year, month): every March and September of the MHP starts.
WORKFORCE_EDITIONS = ((2021, 9), (2022, 3), (2022, 9), (2023, 3), (2023, 9), (2024, 3))
#: The demo PCN that makes no return in the latest edition ("no return", not 0 MHPs).
NO_RETURN_PCN = "U90002"
#: Other members of every demo PCN's team (staff group, role, detailed role, FTE): the same roles as the MHPs,
#: untagged (not MHPs), and other ARRS roles.
TEAM = (("Other Direct Patient Care staff", "Social Prescribing Link Workers", "Social Prescribing Link Worker", 2.0),
        ("Other Direct Patient Care staff", "Pharmacists", "Pharmacist", 3.0),
        ("Other Direct Patient Care staff", "Care Coordinators", "Care Coordinator", 1.5),
        ("Other Direct Patient Care staff", "Mental Health and Wellbeing Practitioners",
         "Mental Health and Wellbeing Practitioner", 0.6))
_MHP_ROLE = ("Other Direct Patient Care staff", "Mental Health and Wellbeing Practitioners (Mental Health Practitioners)")
_MHP_DETAIL = {"adult": "Mental Health and Wellbeing Practitioner (Mental Health Practitioner - Adult)",
               "cyp": "Mental Health and Wellbeing Practitioner (Mental Health Practitioner - Children and Young People)"}


def _write_pcn_workforce(world: DemoWorld, out: Path, pcn_names: dict, icb_names: dict) -> list[Path]:
    """NHS England's PCN Workforce for WORKFORCE_EDITIONS in its layout: each PCN's team, and the staffing file's
    MHPs in post at each census (adult MHPs contracted from the trust in every second PCN, so with no identifier;
    the rest employed). The first edition tags no MHP role (the publisher's early editions did not), the latest is
    the zip as downloaded (UTF-8 with BOM) and PCN NO_RETURN_PCN makes no return in it; the others are cp1252 CSVs."""
    import zipfile

    staffing = pd.read_csv(out / STAFFING_FILE, parse_dates=["start_date"])
    latest_pcn = world.pcn_for_year(len(YEARS) - 1 - FIRST_DRAWN)
    icb_of = {}
    for practice, pcn in enumerate(latest_pcn):
        icb_of.setdefault(world.pcn_codes[pcn], world.icb_codes[world.icb_of_pcn[pcn]])
    written, person = [], 100_000
    folder = out / "pcn_workforce"
    folder.mkdir(parents=True, exist_ok=True)
    for n, (year, month) in enumerate(WORKFORCE_EDITIONS):
        census = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
        latest, tagged = n == len(WORKFORCE_EDITIONS) - 1, n > 0
        rows = []
        for k, code in enumerate(world.pcn_codes):
            if latest and code == NO_RETURN_PCN:
                continue
            icb = icb_of.get(code, world.icb_codes[0])
            place = {"PCN_CODE": code, "PCN_NAME": pcn_names[code].upper(), "SUB_ICB_CODE": "99X",
                     "SUB_ICB_NAME": f"{icb_names[icb]} - 99X", "ICB_CODE": icb, "ICB_NAME": icb_names[icb],
                     "COMM_REGION_CODE": "Y99", "COMM_REGION_NAME": "Demo Region (synthetic)"}
            for group, role, detail, fte in TEAM:
                person += 1
                rows.append({"Data_source": "NWRS Staff", **place, "STAFF_GROUP": group, "STAFF_ROLE": role,
                             "DETAILED_STAFF_ROLE": detail, "FTE": fte * (1 + (k % 3) / 3), "UNIQUE_IDENTIFIER": person})
            posts = staffing[(staffing.pcn_code == code) & (staffing.start_date <= census)]
            for post in posts.itertuples():
                contracted = post.role == "adult" and k % 2 == 0
                role = _MHP_ROLE[1] if tagged else "Mental Health and Wellbeing Practitioners"
                detail = _MHP_DETAIL[post.role] if tagged else "Mental Health and Wellbeing Practitioner"
                person += 1
                rows.append({"Data_source": "NWRS contracted services" if contracted else "NWRS Staff", **place,
                             "STAFF_GROUP": _MHP_ROLE[0], "STAFF_ROLE": role, "DETAILED_STAFF_ROLE": detail,
                             "FTE": post.wte, "UNIQUE_IDENTIFIER": "" if contracted else person})
        frame = pd.DataFrame(rows)
        frame.insert(1, "CENSUS_YEAR", year)
        frame.insert(2, "CENSUS_MONTH", month)
        frame = frame[["Data_source", "CENSUS_YEAR", "CENSUS_MONTH", "PCN_CODE", "PCN_NAME", "SUB_ICB_CODE",
                       "SUB_ICB_NAME", "ICB_CODE", "ICB_NAME", "COMM_REGION_CODE", "COMM_REGION_NAME", "STAFF_GROUP",
                       "STAFF_ROLE", "DETAILED_STAFF_ROLE", "FTE", "UNIQUE_IDENTIFIER"]]
        name = f"Primary Care Networks \u2013 {census:%B %Y} Individual Level.csv"
        if latest:
            path = folder / f"PCNWFIndividualCSV.{month:02d}{year}.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(f"1.{name.replace(chr(0x2013), '-')}", frame.to_csv(index=False).encode("utf-8-sig"))
        else:
            path = folder / f"{year}_{month:02d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(frame.to_csv(index=False).encode("cp1252"))
        written.append(path)
    return written
