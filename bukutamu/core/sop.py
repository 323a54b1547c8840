"""The SOP as data: steps with their time standards, states, allowed transitions.

Parsed from the text of ``sop.toml`` (read by ``adapters/sopfile.py``) (the office may change standards without touching code)
and validated at start. The state machine is pure: ``Sop.next_state`` answers
whether an event is allowed in a state and where it leads.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Mapping

from bukutamu.core.errors import ConfigError


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    actor: str
    standard_minutes: float | None = None
    guest_time: bool = False
    output: str = ""
    time_column: str = ""  # register column key holding the moment the step completed ("" = none)


@dataclass(frozen=True)
class State:
    code: str
    label: str  # shown in the sheet
    open: bool


@dataclass(frozen=True)
class Transition:
    event: str
    sources: tuple[str, ...] | None  # None = any open state; () = creation (no previous state)
    target: str
    step: int | None


# The standard SOP's inputs, used when an office's own SOP file predates these tables.
DEFAULT_ACTIONS = {"Tamu Diterima": "diterima", "Layanan Selesai": "layanan_selesai",
                   "Umpan Balik Cukup": "cukup", "Umpan Balik Tidak Cukup": "tidak_cukup",
                   "Kunjungan Ditutup": "ditutup", "Tamu Pergi": "batal"}
DEFAULT_VERIFICATION = {"Sesuai": "sesuai", "Tidak Sesuai": "tidak_sesuai"}
DEFAULT_EVENT_LABELS = {"diterima": "Tamu Diterima (tautan petugas)",
                        "layanan_selesai": "Layanan Selesai (tautan petugas)",
                        "cukup": "Umpan balik: cukup", "tidak_cukup": "Umpan balik: tidak cukup"}
DEFAULT_TIME_COLUMNS = {2: "waktu_daftar", 3: "waktu_verifikasi", 4: "waktu_perbaikan", 5: "waktu_dihubungi",
                        6: "waktu_diterima", 7: "waktu_selesai_layanan", 8: "waktu_umpan_balik",
                        9: "waktu_ditutup"}


@dataclass(frozen=True)
class Sop:
    steps: Mapping[int, Step]
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    # "Aksi Helpdesk" dropdown value -> event, in dropdown order.
    actions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    # "Verifikasi KTP" dropdown value -> event.
    verification: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_VERIFICATION))
    # How a person names an event that arrives by an emailed link.
    event_labels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_EVENT_LABELS))

    def event_label(self, event: str) -> str:
        return self.event_labels.get(event) or next(
            (a for a, e in self.actions.items() if e == event), event.replace("_", " "))

    def time_columns(self) -> dict[int, str]:
        """Step number -> the register column holding its completion time."""
        return {n: s.time_column for n, s in self.steps.items() if s.time_column}

    def state_by_label(self, label: str) -> State | None:
        label = (label or "").strip().upper()
        return next((s for s in self.states.values() if s.label == label), None)

    def find(self, event: str, source: str | None) -> Transition | None:
        """The transition ``event`` takes from state code ``source`` (None = new visit)."""
        for t in self.transitions:
            if t.event != event:
                continue
            if source is None:
                if t.sources == ():
                    return t
            elif t.sources is None:
                if self.states[source].open:
                    return t
            elif source in t.sources:
                return t
        return None

    def label(self, code: str) -> str:
        return self.states[code].label


def parse_sop(text: str, where: str = "SOP") -> Sop:
    """The SOP from the text of a ``sop.toml`` (ConfigError naming ``where``)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: bukan TOML yang sah: {e}.") from None
    return sop_from_mapping(raw, where)


def sop_from_mapping(raw: Mapping, where: str = "SOP") -> Sop:

    steps: dict[int, Step] = {}
    for i, s in enumerate(raw.get("step", [])):
        try:
            n = int(s["number"])
            std = s.get("standard_minutes")
            if std is not None and (not isinstance(std, (int, float)) or isinstance(std, bool) or std <= 0):
                raise ConfigError(f"{where}: step nomor {n}: standard_minutes harus angka > 0.")
            has_columns = any("time_column" in x for x in raw.get("step", []))
            column = s.get("time_column", "" if has_columns else DEFAULT_TIME_COLUMNS.get(n, ""))
            steps[n] = Step(n, str(s["name"]), str(s.get("actor", "")),
                            float(std) if std is not None else None,
                            bool(s.get("guest_time", False)), str(s.get("output", "")), str(column))
        except KeyError as e:
            raise ConfigError(f"{where}: [[step]] ke-{i + 1} tidak punya kunci {e.args[0]!r}.") from None
    if not steps:
        raise ConfigError(f"{where}: tidak ada [[step]].")

    states: dict[str, State] = {}
    for code, s in (raw.get("states") or {}).items():
        if not isinstance(s, dict) or "label" not in s:
            raise ConfigError(f"{where}: states.{code} harus {{ label = \"…\", open = true/false }}.")
        states[code] = State(code, str(s["label"]).upper(), bool(s.get("open", True)))
    required = {"MENUNGGU_VERIFIKASI", "PERLU_PERBAIKAN", "TERVERIFIKASI", "PETUGAS_DIHUBUNGI",
                "DILAYANI", "MENUNGGU_UMPAN_BALIK", "MENUNGGU_HELPDESK", "SELESAI", "BATAL", "DUPLIKAT"}
    missing = sorted(required - set(states))
    if missing:
        raise ConfigError(f"{where}: status wajib tidak ada: {', '.join(missing)}.")

    transitions: list[Transition] = []
    for i, t in enumerate(raw.get("transition", [])):
        try:
            src = t["from"]
            sources = None if src == "*" else tuple(src)
            for code in (sources or ()) + (t["to"],):
                if code not in states:
                    raise ConfigError(f"{where}: transition ke-{i + 1}: status {code!r} tidak dikenal.")
            step = t.get("step")
            if step is not None and step not in steps:
                raise ConfigError(f"{where}: transition ke-{i + 1}: langkah {step} tidak ada di [[step]].")
            transitions.append(Transition(str(t["event"]), sources, t["to"], step))
        except KeyError as e:
            raise ConfigError(f"{where}: [[transition]] ke-{i + 1} tidak punya kunci {e.args[0]!r}.") from None
    events = {t.event for t in transitions}
    needed = {"daftar", "ktp_salah", "duplikat", "sesuai", "tidak_sesuai", "petugas_dihubungi", "diterima",
              "layanan_selesai", "cukup", "tidak_cukup", "ditutup", "batal"}
    if needed - events:
        raise ConfigError(f"{where}: event wajib tidak ada: {', '.join(sorted(needed - events))}.")
    tables = {}
    for name, default in (("actions", DEFAULT_ACTIONS), ("verification", DEFAULT_VERIFICATION),
                          ("event_labels", DEFAULT_EVENT_LABELS)):
        table = raw.get(name, default)
        if not isinstance(table, Mapping) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f'{where}: [{name}] harus berisi "pilihan" = "event".')
        tables[name] = {str(k): v for k, v in table.items()}
    for name in ("actions", "verification"):
        unknown = sorted(e for e in tables[name].values() if e not in events)
        if unknown:
            raise ConfigError(f"{where}: [{name}] menyebut event yang tidak ada di [[transition]]: "
                              f"{', '.join(unknown)}.")
    return Sop(steps, states, tuple(transitions), tables["actions"], tables["verification"],
               tables["event_labels"])
