"""Invitations in bulk and cohort join links: the admins' page, the claim flow, SMS."""
