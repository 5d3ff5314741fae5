"""Import-session store (TinyDB): wizard decisions, resumable, exportable as a helpdesk bundle."""
