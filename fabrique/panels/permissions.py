"""Who may do what on panels: the territory's staff run them; volunteers reach their own
space through the private link they receive by e-mail."""

from __future__ import annotations

from fabrique.accounts.permissions import AnyUser
from fabrique.processes.permissions import can_manage_process, process_permission_required

from .models import Panel


def can_manage_panel(user: AnyUser, panel: Panel) -> bool:
    return can_manage_process(user, panel.process)


panel_manager_required = process_permission_required(can_manage_process)
