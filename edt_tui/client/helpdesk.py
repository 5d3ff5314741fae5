"""Client calls of the helpdesk and automatic-import views (`routes_helpdesk`), as functions.

Kept beside `EntClient` rather than inside it: only the after-launch screens and the `session`
command use them.
"""

from __future__ import annotations

from edt_tui.client.client import EntClient, seg
from edt_tui.wire import AutomaticStatus, HelpdeskSnapshot


async def snapshot(
    ent: EntClient, uai: str, *, school_year: str | None, export_sha256: str | None,
    job_id: str | None = None,
) -> HelpdeskSnapshot:
    """Directory, referential, ENT objects and the export bytes (base64) of one establishment;
    with `job_id`, as they were before that job, with the job and the plan it computed."""
    return await ent.call_as(
        HelpdeskSnapshot, "GET", f"/api/v1/establishments/{seg(uai)}/helpdesk/snapshot",
        params={"school_year": school_year, "export_sha256": export_sha256, "job_id": job_id},
    )


async def automatic_status(ent: EntClient, uai: str, *, limit: int = 10) -> AutomaticStatus:
    """Push URL, quota used today, the last pushes and the first-manual-import requirement."""
    return await ent.call_as(
        AutomaticStatus, "GET", f"/api/v1/establishments/{seg(uai)}/automatic",
        params={"limit": limit},
    )
