"""The administrator's area: organisations, cohorts, members and mentors' load.

Pages in the platform's own layout (not Django admin), scoped to the
organisations a user administers. Other apps' parts (forums, courses,
mentoring) come through ``cpd.cohort_hooks``: this package imports none of them.
"""
