"""The tabs and headers ``init`` creates, from settings (tab names, renames)."""

from __future__ import annotations

from bukutamu.adapters.sopfile import load_sop
from bukutamu.adapters.store import TabSpec
from bukutamu.config import Settings
from bukutamu.core.linkforms import CONFIRM_COLUMNS, FEEDBACK_COLUMNS, SKM_ELEMENTS
from bukutamu.core.schema import (FORM, HELPDESK, HISTORY_COLUMNS, OFFICER_COLUMNS, PROGRAM,
                                  QUEUE_COLUMNS, REGISTER_COLUMNS, SYSTEM_COLUMNS, headers_for)


DONE = CONFIRM_COLUMNS[-1].header


def tab_specs(settings: Settings) -> list[TabSpec]:
    t, ren = settings.tabs, settings.columns
    # In Google mode the Form owns its question columns (init never invents them);
    # the embedded store is its own form, so it gets them all.
    reg = tuple(c for c in REGISTER_COLUMNS if settings.store.kind != "google" or c.owner != FORM)
    name = {c.key: ren.get(c.key, c.header) for c in REGISTER_COLUMNS}
    # NIK and phone must be Plain text before the first response arrives, also (above
    # all) in Google mode where the Form owns them: located by header (or its
    # aliases, unless [columns] renames it), formatted when present, never created.
    text_cols = tuple(c for c in REGISTER_COLUMNS if c.plain_text)
    sop = load_sop(settings.sop_path)  # the dropdowns offer the SOP's own inputs
    choices = {"aksi": tuple(sop.actions), "verifikasi": tuple(sop.verification)}
    return [
        TabSpec(
            t.register, headers_for(reg, ren),
            dropdowns={name[c.key]: choices.get(c.key, c.choices) for c in reg if c.owner == HELPDESK and c.choices},
            protected=tuple(name[c.key] for c in reg if c.owner == PROGRAM),
            plain_text=tuple(name[c.key] for c in text_cols),
            datetimes=tuple(name[c.key] for c in reg if c.datetime),
            aliases={name[c.key]: c.aliases for c in text_cols if c.key not in ren},
        ),
        TabSpec(t.history, headers_for(HISTORY_COLUMNS), protected=headers_for(HISTORY_COLUMNS),
                datetimes=("Waktu Kejadian",)),
        TabSpec(t.queue, headers_for(QUEUE_COLUMNS), protected=headers_for(QUEUE_COLUMNS)),
        TabSpec(t.officers, headers_for(OFFICER_COLUMNS),
                dropdowns={"Aktif": ("Ya", "Tidak")}),
        TabSpec(t.system, headers_for(SYSTEM_COLUMNS), protected=headers_for(SYSTEM_COLUMNS)),
        TabSpec(t.confirmations, headers_for(CONFIRM_COLUMNS), protected=(DONE,), datetimes=("Stempel waktu",)),
        TabSpec(t.feedback, headers_for(FEEDBACK_COLUMNS) + SKM_ELEMENTS, protected=(DONE,),
                datetimes=("Stempel waktu",)),
    ]


def form_headers(settings: Settings) -> tuple[str, ...]:
    """The register headers the Google Form owns (its question titles), in order."""
    return tuple(settings.columns.get(c.key, c.header) for c in REGISTER_COLUMNS if c.owner == FORM)
