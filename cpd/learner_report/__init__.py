"""One learner's report in one cohort: the cohort report's figures and a timeline.

Pages and CSV in ``views``, the JSON endpoint in ``api``, reads in ``selectors``.
Other apps add their parts (courses, CPD hours, mentor contact) through the
``learner-report`` panel slot (``cpd.panels``) and, for the API, through
``selectors.learner_part_register``.
"""
