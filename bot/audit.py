"""The audit trail's action names: every sensitive action recorded with `Storage.audit(actor,
action, subject)`. Who (a Telegram id, or none for the bot itself and the server's command line),
what (one of these), on what (the id named beside each) and when; never any content.

Operators read the trail with /audit (and `/audit csv`); the retention job keeps it
`BOT_RETAIN_AUDIT_MONTHS` (24 by default).
"""

from __future__ import annotations

HUB_APPROVED = "hub_approved"  # an operator approved a hub request (or made one): hub id
HUB_REJECTED = "hub_rejected"  # an operator rejected a hub request: hub id
HUB_ENDED = "hub_ended"  # /hub off by a group admin or an operator: hub id
NETWORK_VERIFIED = "network_verified"  # a network's verification (issue of that feature): network
LEAD_REMOVED = "lead_removed"  # a lead removed another with /leads: the removed user's id
OWNER_TRANSFERRED = "owner_transferred"  # a network's ownership handed to another lead: network
LEAD_RESTORED = "lead_restored"  # an operator restored a removed lead: the lead's user id
BACKUP_RESTORED = "backup_restored"  # `python -m bot restore FILE` (the server): no subject
USER_FORGOTTEN = "user_forgotten"  # /forget: the user's own id
NETWORK_ERASED = "network_erased"  # a network went with its last lead's /forget: network id
NETWORK_EXPIRED = "network_expired"  # the retention job erased a quiet network: network id
