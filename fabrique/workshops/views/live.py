"""Live sessions: joining with a code, the participant's page, the projector, the console.

Every page works without JavaScript (forms post, the page reloads); with it, the pages
speak to the session's websocket (consumers.py) and update themselves. Both call the same
services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from fabrique.accounts.models import User
from fabrique.core.forms import add_service_errors

from .. import live_broadcast
from ..consumers import run_action
from ..forms.live import AskForm, CodeForm, JoinForm, PollForm, SettingsForm
from ..models import LiveParticipant, LivePoll, LiveQuestion, LiveSession, Workshop
from ..permissions import can_run_workshop, workshop_runner_required
from ..selectors.live import (
    live_export_csv,
    live_results,
    live_state,
    participant_state,
    session_for_code,
)
from ..services import live as services

COOKIE = "fabrique_live"
COOKIE_AGE = 7 * 24 * 3600
B = "gestion/<slug:territory_slug>/demarches/<slug:slug>/ateliers/<int:pk>/direct/"


# --- Helpers ------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _participant(request: HttpRequest, session: LiveSession) -> LiveParticipant | None:
    return services.participant_for_token(session=session, token=request.COOKIES.get(COOKIE, ""))


def _live_url(session: LiveSession, anchor: str = "") -> str:
    return reverse("workshops:live", args=[session.code]) + (f"#{anchor}" if anchor else "")


def join_url(request: HttpRequest, session: LiveSession) -> str:
    return request.build_absolute_uri(_live_url(session))


def qr_svg(url: str, *, label: str) -> SafeString:
    import segno

    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=6, border=2, light="#fff", omitsize=True, svgclass="live-qr")
    svg = svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', label), 1)
    return mark_safe(svg)  # segno's own markup; the label is escaped above


def _ws_config(request: HttpRequest, session: LiveSession, **extra: Any) -> dict[str, Any]:
    return {
        "ws": reverse("workshops:live", args=[session.code]) + "ws/",
        "code": session.code,
        **extra,
    }


def decorate(poll: dict[str, Any]) -> dict[str, Any]:
    """A poll's results as the templates draw them: bars with their share, sized words."""
    respondents = poll["respondents"]
    bars: list[dict[str, Any]] = []
    if poll["options"]:
        bars = [
            {"label": o["label"], "count": o["count"], "share": _share(o["count"], respondents)}
            for o in poll["options"]
        ]
    elif poll["scale"]:
        scale = poll["scale"]
        total = sum(scale["counts"])
        bars = [
            {"label": str(value), "count": count, "share": _share(count, total)}
            for value, count in zip(
                range(scale["min"], scale["max"] + 1), scale["counts"], strict=True
            )
        ]
    top = max((n for _, n in poll["words"]), default=1)
    cloud = [
        {"word": word, "count": n, "size": round(1 + 2.5 * n / top, 2)} for word, n in poll["words"]
    ]
    return {
        **poll,
        "bars": bars,
        "cloud": sorted(cloud, key=lambda w: w["word"]),
        "kind_label": LivePoll.Kind(poll["kind"]).label,
        "status_label": LivePoll.Status(poll["status"]).label,
    }


def _share(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def live_texts() -> dict[str, str]:
    """What the scripts write on the pages, translated here."""
    return {
        "lost": _("Connection lost, trying again…"),
        "back": _("Reconnected."),
        "sending": _("Sending…"),
        "waiting": _("Not sent yet: it will be sent as soon as the connection is back."),
        "recorded": _("Your answer is recorded."),
        "closed_poll": _("This poll is closed."),
        "no_poll": _("No poll for now. When the facilitators open one, it appears here."),
        "new_poll": _("A new poll is open."),
        "send_answer": _("Send my answer"),
        "choose_one": _("Choose one answer"),
        "choose_many": _("Choose one or more answers"),
        "choose_up_to": _("Choose up to %(n)s answers"),
        "choose_value": _("Choose a value"),
        "your_words": _("Your words (up to %(n)s)"),
        "word_n": _("Word %(n)s"),
        "answers_one": _("%(n)s answer"),
        "answers_many": _("%(n)s answers"),
        "average": _("Average: %(n)s"),
        "no_word": _("No word yet."),
        "support": _("I support"),
        "supported": _("You support this question."),
        "supports_one": _("%(n)s support"),
        "supports_many": _("%(n)s supports"),
        "answered": pgettext("live question", "Answered"),
        "no_question": _("No question shown yet."),
        "pending_title": _("Your questions awaiting moderation"),
        "question_sent": _("Your question is sent. It will appear once the facilitators show it."),
        "question_posted": _("Your question is posted."),
        "chars": _("%(n)s / %(max)s characters"),
        "too_long": _("Too long: %(n)s characters out of %(max)s."),
        "ended": _("This live session has ended."),
        "approve": _("Show"),
        "hide": _("Hide"),
        "mark_answered": _("Mark answered"),
        "restore": _("Show again"),
        "no_pending": _("No question awaiting moderation."),
    }


# --- Joining ------------------------------------------------------------------------------


def live_join(request: HttpRequest) -> HttpResponse:
    """Type the code shown on the screen (the QR code leads straight to the session)."""
    form = CodeForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        try:
            session = session_for_code(code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return redirect("workshops:live", session.code)
    return render(request, "workshops/live/join.html", {"form": form})


def live(request: HttpRequest, code: str) -> HttpResponse:
    """The participant's page: first a nickname, then the polls and the questions."""
    normalized = services.normalize_code(code)
    if normalized != code:
        return redirect("workshops:live", normalized)
    try:
        session = session_for_code(code=code)
    except ValidationError as error:
        form = CodeForm(initial={"code": code})
        form.is_bound = False
        return render(
            request,
            "workshops/live/join.html",
            {"form": form, "code_error": " ".join(error.messages)},
            status=404 if error.code == "unknown" else 200,
        )
    participant = _participant(request, session)
    user = _user(request)
    if participant is None and user is not None and request.method == "GET":
        participant = session.participants.filter(user=user).first()
    if participant is None:
        initial = {"nickname": user.display_name} if user is not None else {}
        join_form = JoinForm(request.POST or None, initial=initial)
        if request.method == "POST" and join_form.is_valid():
            try:
                participant = services.participant_join(
                    session=session, nickname=join_form.cleaned_data["nickname"], user=user
                )
            except ValidationError as error:
                add_service_errors(join_form, error)
            else:
                joined = redirect("workshops:live", session.code)
                _set_cookie(request, joined, session, participant)
                return joined
        return render(
            request,
            "workshops/live/nickname.html",
            {"session": session, "workshop": session.workshop, "form": join_form},
        )
    response = _participant_page(request, session, participant)
    if request.COOKIES.get(COOKIE) != participant.token:
        _set_cookie(request, response, session, participant)
    return response


def _set_cookie(
    request: HttpRequest, response: HttpResponse, session: LiveSession, participant: LiveParticipant
) -> None:
    response.set_cookie(
        COOKIE,
        participant.token,
        max_age=COOKIE_AGE,
        path=_live_url(session),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _participant_page(
    request: HttpRequest,
    session: LiveSession,
    participant: LiveParticipant,
    *,
    ask_form: AskForm | None = None,
    poll_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    state = live_state(session_id=session.pk)
    mine = participant_state(participant=participant)
    upvoted = set(mine["upvoted"])
    own = {q["id"] for q in mine["questions"]}
    polls = []
    for poll in state["polls"]:
        answer = mine["answers"].get(str(poll["id"]))
        polls.append(
            {
                **decorate(poll),
                "answer": answer,
                "client_id": uuid.uuid4(),
                "error": (poll_errors or {}).get(poll["id"]),
                "choices": poll["options"],
                "values": list(range(poll["scale"]["min"], poll["scale"]["max"] + 1))
                if poll["scale"]
                else [],
                "word_fields": range(poll["max_words"]),
            }
        )
    questions = [
        {**q, "mine": q["id"] in own, "upvoted": q["id"] in upvoted, "client_id": uuid.uuid4()}
        for q in state["questions"]
    ]
    return render(
        request,
        "workshops/live/participant.html",
        {
            "session": session,
            "workshop": session.workshop,
            "participant": participant,
            "polls": polls,
            "questions": questions,
            "my_pending": [q for q in mine["questions"] if q["status"] == "pending"],
            "ask_form": ask_form or AskForm(initial={"client_id": uuid.uuid4()}),
            "live_texts": live_texts(),
            "live_config": _ws_config(
                request,
                session,
                token=participant.token,
                nickname=participant.nickname,
                version=state["version"],
            ),
        },
        status=status,
    )


def _session_and_participant(
    request: HttpRequest, code: str
) -> tuple[LiveSession, LiveParticipant | None]:
    try:
        session = session_for_code(code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        raise _Redirect(reverse("workshops:live_join")) from None
    return session, _participant(request, session)


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _participant_post(view: Any) -> Any:
    """POST only; the session and the participant from the cookie, or back to joining."""

    @require_POST
    def wrapped(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            session, participant = _session_and_participant(request, code)
        except _Redirect as to:
            return redirect(to.url)
        if participant is None:
            messages.error(request, _("Choose a nickname to take part."))
            return redirect("workshops:live", session.code)
        result: HttpResponse = view(request, session, participant, *args, **kwargs)
        return result

    return wrapped


@_participant_post
def live_answer(
    request: HttpRequest, session: LiveSession, participant: LiveParticipant, poll_pk: int
) -> HttpResponse:
    try:
        services.response_submit(
            participant=participant,
            poll_id=poll_pk,
            client_id=request.POST.get("client_id") or None,
            option_ids=[int(o) for o in request.POST.getlist("options") if o.isdigit()],
            value=request.POST.get("value") or None,
            words=request.POST.getlist("words"),
        )
    except ValidationError as error:
        return _participant_page(
            request,
            session,
            participant,
            poll_errors={poll_pk: " ".join(error.messages)},
            status=400,
        )
    live_broadcast.changed_sync(session.pk)
    messages.success(request, _("Your answer is recorded. Thank you!"))
    return redirect(_live_url(session, f"poll-{poll_pk}"))


@_participant_post
def live_ask(
    request: HttpRequest, session: LiveSession, participant: LiveParticipant
) -> HttpResponse:
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            submission = services.question_post(
                participant=participant,
                text=form.cleaned_data["text"],
                client_id=form.cleaned_data.get("client_id"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            live_broadcast.changed_sync(session.pk)
            question = submission.obj
            assert isinstance(question, LiveQuestion)
            if question.status == LiveQuestion.Status.PENDING:
                messages.success(
                    request,
                    _("Your question is sent. It will appear once the facilitators show it."),
                )
            else:
                messages.success(request, _("Your question is posted."))
            return redirect(_live_url(session, "questions"))
    return _participant_page(request, session, participant, ask_form=form, status=400)


@_participant_post
def live_upvote(
    request: HttpRequest, session: LiveSession, participant: LiveParticipant, question_pk: int
) -> HttpResponse:
    try:
        services.question_upvote(
            participant=participant,
            question_id=question_pk,
            client_id=request.POST.get("client_id") or None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        live_broadcast.changed_sync(session.pk)
        messages.success(request, _("You support this question."))
    return redirect(_live_url(session, f"question-{question_pk}"))


# --- The projector ------------------------------------------------------------------------


def live_screen(request: HttpRequest, code: str) -> HttpResponse:
    """Large type for a projector: how to join, live results, the questions."""
    try:
        session = session_for_code(code=code, allow_draft=True)
    except ValidationError:
        raise Http404 from None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_run_workshop(request.user, session.workshop):
        raise PermissionDenied
    url = join_url(request, session)
    state = live_state(session_id=session.pk)
    return render(
        request,
        "workshops/live/screen.html",
        {
            "session": session,
            "workshop": session.workshop,
            "state": state,
            "join_url": url,
            "join_short": request.build_absolute_uri(reverse("workshops:live_join")),
            "qr": qr_svg(url, label=_("QR code to join the session")),
            "screen_poll": next(
                (decorate(p) for p in state["polls"] if p["id"] == session.screen_poll_id), None
            ),
            "live_texts": live_texts(),
            "live_config": _ws_config(request, session, role="screen", version=state["version"]),
        },
    )


# --- The console (back-office) ------------------------------------------------------------


def _bo(workshop: Workshop, **extra: Any) -> dict[str, Any]:
    process = workshop.process
    return {"bo_territory": process.territory, "process": process, "workshop": workshop, **extra}


def _to_console(workshop: Workshop, anchor: str = "") -> HttpResponse:
    url = reverse(
        "workshops:bo_live",
        args=[workshop.process.territory.slug, workshop.process.slug, workshop.pk],
    )
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _current(workshop: Workshop) -> LiveSession | None:
    sessions = workshop.live_sessions.all()
    return sessions.exclude(status=LiveSession.Status.CLOSED).first() or sessions.first()


def _console(
    request: HttpRequest,
    workshop: Workshop,
    *,
    poll_form: PollForm | None = None,
    status: int = 200,
) -> HttpResponse:
    session = _current(workshop)
    context: dict[str, Any] = {"session": session, "poll_form": poll_form}
    if session is not None:
        url = join_url(request, session)
        results = live_results(session=session)
        context.update(
            results=results,
            pending=[q for q in results["questions"] if q["status"] == "pending"],
            shown=[q for q in results["questions"] if q["status"] in ("approved", "answered")],
            hidden=[q for q in results["questions"] if q["status"] == "hidden"],
            settings_form=SettingsForm(
                initial={
                    "questions_enabled": session.questions_enabled,
                    "questions_premoderated": session.questions_premoderated,
                }
            ),
            poll_form=poll_form or PollForm(initial={"kind": LivePoll.Kind.SINGLE}),
            join_url=url,
            qr=qr_svg(url, label=_("QR code to join the session")),
            past=workshop.live_sessions.filter(status=LiveSession.Status.CLOSED).exclude(
                pk=session.pk
            ),
            polls=[decorate(p) for p in results["polls"]],
            live_texts=live_texts(),
            live_config=_ws_config(request, session, role="console", version=0),
        )
    return render(request, "workshops/live/console.html", _bo(workshop, **context), status=status)


@workshop_runner_required
def bo_live(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    if request.method != "POST":
        return _console(request, workshop)
    action = request.POST.get("action", "")
    session = _current(workshop)
    try:
        if action == "create":
            if session is not None and session.status != LiveSession.Status.CLOSED:
                raise ValidationError(_("A live session is already in preparation or open."))
            services.session_create(workshop=workshop, created_by=_user(request))
            messages.success(request, _("Live session created. Prepare your polls, then open it."))
        elif session is None:
            raise ValidationError(_("Create a live session first."))
        elif action == "open":
            services.session_open(session=session)
            messages.success(
                request,
                _("The session is open: participants can join with the code %(code)s.")
                % {"code": session.code},
            )
        elif action == "close":
            services.session_close(session=session)
            messages.success(request, _("The session is closed. Its results stay here."))
        elif action == "settings":
            form = SettingsForm(request.POST)
            form.is_valid()
            services.session_settings(
                session=session,
                questions_enabled=form.cleaned_data.get("questions_enabled", False),
                questions_premoderated=form.cleaned_data.get("questions_premoderated", False),
            )
            messages.success(request, _("Settings saved."))
        elif action == "show":
            run_action(session=session, action="show", data=request.POST.dict())
            messages.success(request, _("The screen shows your choice."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if session is not None:
            live_broadcast.changed_sync(session.pk)
    return _to_console(workshop)


@workshop_runner_required
def bo_live_poll_new(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    session = _current(workshop)
    if session is None or session.status == LiveSession.Status.CLOSED:
        messages.error(request, _("Create a live session first."))
        return _to_console(workshop)
    if request.method != "POST":
        return _to_console(workshop, "new-poll")
    form = PollForm(request.POST)
    if form.is_valid():
        try:
            poll = services.poll_create(session=session, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Poll « %(prompt)s » ready. Open it when the time comes.")
                % {"prompt": poll.prompt},
            )
            return _to_console(workshop, f"poll-{poll.pk}")
    return _console(request, workshop, poll_form=form, status=400)


@require_POST
@workshop_runner_required
def bo_live_poll(request: HttpRequest, workshop: Workshop, poll_pk: int) -> HttpResponse:
    poll = get_object_or_404(LivePoll, session__workshop=workshop, pk=poll_pk)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            services.poll_open(poll=poll)
            messages.success(request, _("The poll is open."))
        elif action == "close":
            services.poll_close(poll=poll)
            messages.success(request, _("The poll is closed."))
        elif action == "delete":
            services.poll_delete(poll=poll)
            messages.success(request, _("The poll is deleted."))
            return _to_console(workshop)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        live_broadcast.changed_sync(poll.session_id)
    return _to_console(workshop, f"poll-{poll.pk}")


@require_POST
@workshop_runner_required
def bo_live_question(request: HttpRequest, workshop: Workshop, question_pk: int) -> HttpResponse:
    question = get_object_or_404(LiveQuestion, session__workshop=workshop, pk=question_pk)
    try:
        services.question_moderate(question=question, status=request.POST.get("status", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        live_broadcast.changed_sync(question.session_id)
        messages.success(request, _("Question updated."))
    return _to_console(workshop, "questions")


@workshop_runner_required
def bo_live_export(request: HttpRequest, workshop: Workshop, session_pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, workshop=workshop, pk=session_pk)
    response = HttpResponse(
        live_export_csv(session=session), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="direct-{session.code}-{session.created_at:%Y-%m-%d}.csv"'
    )
    return response


# --- The public workshop page -------------------------------------------------------------


def detail_context(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What the public workshop page needs from this part (its block template uses it)."""
    session = workshop.live_sessions.filter(status=LiveSession.Status.OPEN).first()
    return {"live_session": session}


urlpatterns: list[URLPattern] = [
    path("direct/", live_join, name="live_join"),
    path("direct/<str:code>/", live, name="live"),
    path("direct/<str:code>/sondages/<int:poll_pk>/", live_answer, name="live_answer"),
    path("direct/<str:code>/questions/", live_ask, name="live_ask"),
    path(
        "direct/<str:code>/questions/<int:question_pk>/soutenir/",
        live_upvote,
        name="live_upvote",
    ),
    path("direct/<str:code>/ecran/", live_screen, name="live_screen"),
    path(B, bo_live, name="bo_live"),
    path(B + "sondages/", bo_live_poll_new, name="bo_live_poll_new"),
    path(B + "sondages/<int:poll_pk>/", bo_live_poll, name="bo_live_poll"),
    path(B + "questions/<int:question_pk>/", bo_live_question, name="bo_live_question"),
    path(B + "<int:session_pk>/export.csv", bo_live_export, name="bo_live_export"),
]
