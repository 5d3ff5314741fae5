"""Client calls of the helpdesk and automatic-import views (`routes_helpdesk`), as functions.

Kept beside `EntClient` rather than inside it: only the after-launch screens and the `session`
command use them.
"""

from __future__ import annotations

from typing import Any

from edt_tui.client.client import EntClient, seg


async def snapshot(
    ent: EntClient, uai: str, *, school_year: str | None, export_sha256: str | None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Directory, referential, ENT objects and the export bytes (base64) of one establishment;
    with `job_id`, as they were before that job, with the job and the plan it computed."""
    result: dict[str, Any] = await ent.call(
        "GET", f"/api/v1/establishments/{seg(uai)}/helpdesk/snapshot",
        params={"school_year": school_year, "export_sha256": export_sha256, "job_id": job_id},
    )
    return result


async def automatic_status(ent: EntClient, uai: str, *, limit: int = 10) -> dict[str, Any]:
    """Push URL, quota used today, the last pushes and the first-manual-import requirement."""
    result: dict[str, Any] = await ent.call(
        "GET", f"/api/v1/establishments/{seg(uai)}/automatic", params={"limit": limit}
    )
    return result
