"""Case-room pages: they work by plain HTTP; rooms.js adds the live socket."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import selectors as cpd_selectors
from cpd import services as cpd_services
from cpd.auth import acting_user
from cpd.forms import rate_limit_error
from cpd.limits import RateLimited
from forums.rooms import events, policies, selectors, services
from forums.rooms.forms import CaseRoomForm, HideForm, MessageForm


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    """Rooms of the user's cohorts; each cohort's standing room always exists."""
    cohorts = list(cpd_selectors.cohort_list_for_user(request.user))
    services.rooms_ensure_standing(cohorts=cohorts)
    rooms = selectors.room_list_for_user(request.user)
    can_open = [c for c in cohorts if policies.can_open_case_room(request.user, c)]
    return render(request, "rooms/list.html", {"rooms": rooms, "can_open": can_open})


def _detail(
    request: HttpRequest,
    room_id: int,
    form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    room = selectors.room_get_for_user(request.user, room_id)
    if form is None:
        reply = request.GET.get("reply", "")
        form = MessageForm(
            initial={"reply_to": int(reply)} if reply.isdigit() else None
        )
    history = selectors.room_recent(room)
    context = {
        "room": room,
        "history": history,
        "last_seq": history[-1].seq if history else 0,
        "form": form,
        "can_post": policies.can_post_in_room(request.user, room),
        "can_control": policies.can_control_room(request.user, room),
        "hide_form": HideForm(),
    }
    return render(request, "rooms/detail.html", context, status=status)


@login_required
def room_detail(request: HttpRequest, room_id: int) -> HttpResponse:
    """The last messages, a post form, and (for moderators) the room controls."""
    return _detail(request, room_id)


@login_required
def room_poll(request: HttpRequest, room_id: int) -> JsonResponse:
    """Messages after ``?after=<seq>`` as JSON: the client's fallback to the socket."""
    room = selectors.room_get_for_user(request.user, room_id)
    raw = request.GET.get("after", "0")
    after = int(raw) if raw.isdigit() else 0
    batch = selectors.room_messages_after(room, after)
    return JsonResponse(
        {
            "state": room.state,
            "messages": [events.message_payload(m) for m in batch],
        }
    )


@require_POST
@login_required
def message_post(request: HttpRequest, room_id: int) -> HttpResponse:
    """Post by form; the same client key twice stores one message."""
    room = selectors.room_get_for_user(request.user, room_id)
    form = MessageForm(request.POST, request.FILES)
    status = 400
    retry_after: int | None = None
    if form.is_valid():
        try:
            image = None
            if form.cleaned_data.get("image"):
                # The same safe path as forum photos: sniffed, re-encoded, no EXIF.
                image = cpd_services.image_upload(
                    actor=acting_user(request),
                    cohort=room.cohort,
                    file=form.cleaned_data["image"],
                    no_identifiers_confirmed=form.cleaned_data[
                        "no_identifiers_confirmed"
                    ],
                )
            message = services.message_post(
                actor=acting_user(request),
                room=room,
                body=form.cleaned_data["body"],
                client_key=form.cleaned_data["client_key"],
                reply_to_seq=form.cleaned_data.get("reply_to"),
                image=image,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except RateLimited as exc:
            status = rate_limit_error(form, exc)
            retry_after = exc.wait_seconds
        else:
            if request.headers.get("Accept") == "application/json":
                return JsonResponse(events.message_payload(message), status=201)
            return redirect(f"{reverse('rooms-room', args=[room.pk])}#m{message.seq}")
    response: HttpResponse
    if request.headers.get("Accept") == "application/json":
        # rooms.js drops a message on 400 and shows why; on 429 it keeps the
        # message queued, shows the wait and sends it again after Retry-After.
        response = JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    else:
        response = _detail(request, room_id, form=form, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def room_new(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A mentor or administrator opens a case room in a cohort."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_open_case_room(request.user, cohort):
        raise PermissionDenied
    form = CaseRoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        room = services.room_open_case(
            actor=acting_user(request), cohort=cohort, **form.cleaned_data
        )
        return redirect("rooms-room", room_id=room.pk)
    return render(
        request,
        "rooms/new.html",
        {"form": form, "cohort": cohort},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def room_control(request: HttpRequest, room_id: int, action: str) -> HttpResponse:
    """Close, reopen or archive a room (mentors and administrators)."""
    room = selectors.room_get_for_user(request.user, room_id)
    actor = acting_user(request)
    operations = {
        "close": services.room_close,
        "reopen": services.room_reopen,
        "archive": services.room_archive,
    }
    if action not in operations:
        return HttpResponse(status=404)
    try:
        room = operations[action](actor=actor, room=room)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if room.archived_thread_id:
            messages.success(request, _("The discussion is now a forum thread."))
            return redirect("forums-thread", thread_id=room.archived_thread_id)
    return redirect("rooms-room", room_id=room.pk)


@require_POST
@login_required
def message_hide(request: HttpRequest, room_id: int, seq: int) -> HttpResponse:
    """A moderator hides one message with a reason."""
    room = selectors.room_get_for_user(request.user, room_id)
    message = selectors.room_message_get(room, seq)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the message is hidden."))
    else:
        services.message_hide(
            actor=acting_user(request),
            message=message,
            reason=form.cleaned_data["reason"],
        )
    return redirect("rooms-room", room_id=room.pk)
