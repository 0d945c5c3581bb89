"""What gallery and loupe both stand on: the review session (which pass, which
photos, the decisions it records), the key table, the clickable decision strip and
the sentences that name a decision. Imports only `ui.common` among the rooms.
"""
