from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"

    def ready(self) -> None:
        # A course's outline links to its forums, but courses must not import
        # forums (forums stands on courses): the panel is handed over here.
        from cpd.panels import COURSE_DETAIL, panel_register
        from forums.panels import course_forums_panel

        panel_register(COURSE_DETAIL, course_forums_panel)

        # The cohort report's reply network and reply times (forums owns posts).
        from cpd.panels import COHORT_REPORT
        from forums.report import cohort_social_panel

        panel_register(COHORT_REPORT, cohort_social_panel)

        from cpd.record import backfill_register
        from forums import record_backfill

        backfill_register("threads", record_backfill.threads)
        backfill_register("replies", record_backfill.replies)
        backfill_register("helpful", record_backfill.helpful_marks)
        backfill_register("room-messages", record_backfill.room_messages)

        from django.utils.translation import gettext_lazy as _

        from cpd.notifications.kinds import kind_register
        from forums.services import posting

        kind_register(posting.KIND_REPLY, _("Reply to my thread"))
        kind_register(posting.KIND_MENTION, _("Someone mentions me"))
        kind_register(posting.KIND_ACCEPTED, _("My reply is accepted as the answer"))
        from forums.rooms.services import KIND_CASE_ROOM

        kind_register(KIND_CASE_ROOM, _("A case room opens in my cohort"))

        from cpd.audit import audit_source_register
        from forums.audit import moderation

        audit_source_register("forums.moderation", moderation)
        # A person's export and erasure cover their posts (cpd.privacy cannot
        # import forums).
        from cpd.privacy.registry import (
            eraser_register,
            exporter_register,
            renamer_register,
        )
        from forums.privacy import forums_erase, forums_export, forums_renamed

        exporter_register("forums", forums_export)
        eraser_register("forums", forums_erase)
        renamer_register("forums", forums_renamed)

        # cpd's administrator's area asks for forums' part through cpd.cohort_hooks.
        from forums import cohort_hooks

        cohort_hooks.register()
