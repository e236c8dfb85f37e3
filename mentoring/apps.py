from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        # Photos in private conversations are private cpd images: let cpd show
        # them to whoever may read the message they belong to (cpd cannot import
        # mentoring, so the rule is handed over here).
        from cpd.policies import register_private_image_rule
        from mentoring import policies

        register_private_image_rule(
            policies.message_images_visible_to, policies.can_view_message_image
        )

        from cpd.record import backfill_register
        from mentoring import record_backfill

        backfill_register("mentor-messages", record_backfill.messages)
        backfill_register("checkins", record_backfill.checkins)

        from django.utils.translation import gettext_lazy as _

        from cpd.notifications.kinds import kind_register
        from mentoring.services.conversations import KIND_MESSAGE

        # A mentee's question is time-critical: SMS as well, by default.
        kind_register(
            KIND_MESSAGE, _("A message from my mentor or mentee"), sms="immediate"
        )
        from mentoring.services.checkins import KIND_CHECKIN
        from mentoring.services.nudges import KIND_NUDGE, KIND_NUDGE_MENTOR

        # The check-in reminder is emailed by the reminder itself.
        kind_register(KIND_CHECKIN, _("A check-in is due"), email="off")
        kind_register(KIND_NUDGE, _("A reminder when I have been away a week"))
        kind_register(KIND_NUDGE_MENTOR, _("A mentee has been away a week"))
        # A mentee's question in the cohort's forums reaches their mentor
        # (forums cannot import mentoring: mentoring listens on forums' hook).
        from mentoring import forum_hooks

        kind_register(
            forum_hooks.KIND_MENTEE_QUESTION, _("My mentee asks in the forums")
        )
        forum_hooks.register()
        # A person's export and erasure cover their conversations and check-ins
        # (cpd.privacy cannot import mentoring).
        from cpd.privacy.registry import eraser_register, exporter_register
        from mentoring.privacy import mentoring_erase, mentoring_export

        exporter_register("mentoring", mentoring_export)
        eraser_register("mentoring", mentoring_erase)

        from cpd.audit import audit_source_register
        from mentoring.audit import pairing_changes

        audit_source_register("mentoring.pairing", pairing_changes)

        # The mentor column of a spreadsheet enrolment pairs through mentoring.
        from cpd.enrolment.hooks import mentor_hooks_register
        from mentoring import enrolment

        mentor_hooks_register(
            current=enrolment.current_mentors, assign=enrolment.assign_mentor
        )

        # cpd's administrator's area asks for mentoring's part through cpd.cohort_hooks.
        from mentoring import cohort_hooks

        cohort_hooks.register()

        # Reports: a mentor reads their mentees' learner reports only; mentor
        # contact per learner and per cohort (cpd cannot import mentoring).
        from cpd.learner_report.selectors import learner_part_register
        from cpd.panels import COHORT_REPORT, LEARNER_REPORT, panel_register
        from cpd.policies import register_mentee_rule
        from mentoring import report

        register_mentee_rule(report.mentees_q, report.is_mentor_of)
        panel_register(LEARNER_REPORT, report.learner_mentor_panel)
        panel_register(COHORT_REPORT, report.cohort_mentor_panel)
        learner_part_register("mentor_contact", report.learner_mentor_contact)
        from cpd.report_parts import cohort_part_register

        cohort_part_register("mentor_contact", report.cohort_mentor_contact_figures)
