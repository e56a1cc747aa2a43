"""Who may decide about children a provider named that the roster did not have."""

from __future__ import annotations

import rules

from shkola.accounts.rules import is_school_admin

rules.add_perm("sso.manage_unmatched", is_school_admin)
