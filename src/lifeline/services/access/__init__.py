"""Access: partners and staff accounts, the one sign-in policy, sessions, authorisation, and
checks of the audit trail."""
