"""The panel after its draw: invitations, answers, leaving, sessions and attendance, the
export, personal data — through the services, then the pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fabrique.accounts.models import Notification, Role
from fabrique.accounts.services import user_delete, user_personal_data
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.panels import membership, services
from fabrique.panels.models import Draw, Session, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel

pytestmark = pytest.mark.django_db

Status = Volunteer.Status
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
DRAWN = [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def panel():
    panel = make_panel(size=4)
    panel.description = "Six samedis matin pour proposer un plan de mobilité."
    panel.save()
    return panel


@pytest.fixture
def admin(panel):
    user = UserFactory()
    RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=panel.process.territory)
    return user


@pytest.fixture
def drawn(panel):
    """Four people drawn (status set by hand: no draw is run here)."""
    people = add_volunteers(panel, DRAWN)
    Volunteer.objects.filter(pk__in=[v.pk for v in people]).update(status=Status.SELECTED)
    for person in people:
        person.refresh_from_db()
    return people


def _session(panel, days=7, **kwargs):
    return membership.session_save(
        panel=panel,
        title=kwargs.pop("title", "Première séance"),
        starts_at=timezone.now() + timedelta(days=days),
        place=kwargs.pop("place", "Salle des fêtes"),
        **kwargs,
    )


def _space(volunteer, name="member_space", *args):
    return reverse(f"panels:{name}", args=[volunteer.token, *args])


def _bo(name, panel, *args):
    process = panel.process
    return reverse(f"panels:{name}", args=[process.territory.slug, process.slug, panel.slug, *args])


# --- Invitations -------------------------------------------------------------------------


def test_invitations_go_once_with_the_absolute_private_link(
    panel, drawn, admin, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://participer.exemple.fr"
    _session(panel, title="Atelier mobilité")
    pool = add_volunteers(panel, [("Femme", "35+")])[0]

    with django_capture_on_commit_callbacks(execute=True):
        sent = membership.members_invite(panel=panel, by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        again = membership.members_invite(panel=panel, by=admin)

    assert (sent, again) == (4, 0)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(v.email for v in drawn)
    first = next(m for m in mailoutbox if m.to == [drawn[0].email])
    link = "https://participer.exemple.fr" + reverse("panels:member_space", args=[drawn[0].token])
    assert link in first.body
    assert panel.description in first.body
    assert "Atelier mobilité" in first.body
    assert first.reply_to == [admin.email]
    assert pool.email not in [m.to[0] for m in mailoutbox]
    assert all(v.invited_at for v in Volunteer.objects.filter(status=Status.SELECTED))


def test_people_without_an_e_mail_address_are_listed_to_call(
    panel, drawn, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Volunteer.objects.filter(pk=drawn[1].pk).update(email="", phone="06 12 34 56 78")

    pending = membership.invitations_pending(panel)
    with django_capture_on_commit_callbacks(execute=True):
        sent = membership.members_invite(panel=panel, by=None)

    assert [v.pk for v in pending.by_phone] == [drawn[1].pk]
    assert len(pending.by_email) == 3
    assert sent == 3
    assert membership.invitations_pending(panel).by_phone == pending.by_phone


def test_one_person_can_be_invited_again(
    panel, drawn, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        membership.member_invite_again(volunteer=drawn[2], by=None)

    assert [m.to for m in mailoutbox] == [[drawn[2].email]]
    drawn[2].refresh_from_db()
    assert drawn[2].invited_at is not None


def test_nobody_who_declined_or_has_no_address_is_invited_again(panel, drawn) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=False)
    drawn[0].refresh_from_db()
    Volunteer.objects.filter(pk=drawn[1].pk).update(email="")
    drawn[1].refresh_from_db()

    with pytest.raises(ValidationError):
        membership.member_invite_again(volunteer=drawn[0], by=None)
    with pytest.raises(ValidationError):
        membership.member_invite_again(volunteer=drawn[1], by=None)


# --- Answers -------------------------------------------------------------------------------


def test_accepting_makes_a_member_and_answering_twice_changes_nothing(panel, drawn) -> None:
    first = membership.invitation_answer(volunteer=drawn[0], accept=True)
    answered_at = first.answered_at

    second = membership.invitation_answer(volunteer=drawn[0], accept=True)

    assert first.status == second.status == Status.ACCEPTED
    assert second.answered_at == answered_at
    assert not Notification.objects.exists()


def test_declining_tells_the_territory_admins_and_the_seat_can_be_replaced(
    panel, drawn, admin
) -> None:
    moderator = UserFactory()
    RoleFactory(user=moderator, role=Role.MODERATOR, territory=panel.process.territory)
    add_volunteers(panel, [("Homme", "35+"), ("Femme", "16-34")])
    Draw.objects.create(
        panel=panel, seats=4, seed="12 34", seed_published_at=timezone.now(),
        respondents_csv="", categories_csv="", status=Draw.Status.DONE,
    )  # fmt: skip

    declined = membership.invitation_answer(volunteer=drawn[3], accept=False, note="Je déménage")
    again = membership.invitation_answer(volunteer=drawn[3], accept=False, note="Autre")

    assert declined.status == again.status == Status.DECLINED
    assert declined.status_note == "Je déménage" == again.status_note
    assert declined.answered_at is not None
    notifications = list(Notification.objects.all())
    assert [n.user for n in notifications] == [admin]
    assert "Je déménage" not in notifications[0].text
    assert notifications[0].url == _bo("bo_members", panel)
    assert membership.seats_to_fill(panel) == [declined]

    draw = services.replacement_seed_publish(panel=panel, seed="56 78", by=admin)

    assert list(draw.replaced.all()) == [declined]
    assert membership.seats_to_fill(panel) == []


def test_a_person_who_declined_may_accept_while_the_seat_is_free(panel, drawn, admin) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=False, note="Pas le temps")

    back = membership.invitation_answer(volunteer=drawn[0], accept=True)

    assert back.status == Status.ACCEPTED
    assert back.status_note == ""
    assert "changed their mind" in Notification.objects.latest("pk").text or (
        "changé d'avis" in Notification.objects.latest("pk").text
    )


def test_once_a_replacement_draw_is_published_the_seat_is_taken(panel, drawn) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=False)
    draw = Draw.objects.create(
        panel=panel, kind=Draw.Kind.REPLACEMENT, seats=1, seed="1",
        seed_published_at=timezone.now(), respondents_csv="", categories_csv="",
    )  # fmt: skip
    draw.replaced.add(drawn[0])

    with pytest.raises(ValidationError, match=r"(someone else|quelqu'un d'autre)"):
        membership.invitation_answer(volunteer=drawn[0], accept=True)

    drawn[0].refresh_from_db()
    assert drawn[0].status == Status.DECLINED
    assert not membership.member_space(drawn[0]).can_change_mind


def test_a_failed_replacement_draw_leaves_the_seat_free(panel, drawn) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=False)
    draw = Draw.objects.create(
        panel=panel, kind=Draw.Kind.REPLACEMENT, seats=1, seed="1", status=Draw.Status.FAILED,
        seed_published_at=timezone.now(), respondents_csv="", categories_csv="",
    )  # fmt: skip
    draw.replaced.add(drawn[0])

    assert membership.seats_to_fill(panel) == [drawn[0]]
    assert membership.invitation_answer(volunteer=drawn[0], accept=True).status == Status.ACCEPTED


def test_an_answer_by_telephone_is_recorded_and_the_caller_is_not_notified(
    panel, drawn, admin
) -> None:
    other_admin = UserFactory()
    RoleFactory(user=other_admin, role=Role.TERRITORY_ADMIN, territory=panel.process.territory)
    Volunteer.objects.filter(pk=drawn[1].pk).update(email="")

    volunteer = membership.invitation_answer(volunteer=drawn[1], accept=False, by=admin)

    assert volunteer.status == Status.DECLINED
    assert volunteer.invited_at is not None
    assert [n.user for n in Notification.objects.all()] == [other_admin]


def test_people_not_drawn_or_gone_cannot_answer(panel, drawn) -> None:
    pool = add_volunteers(panel, [("Femme", "35+")])[0]
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    membership.member_leave(volunteer=drawn[0])

    for person in (pool, drawn[0]):
        with pytest.raises(ValidationError):
            membership.invitation_answer(volunteer=person, accept=True)


def test_leaving_frees_the_seat_once_and_tells_staff(panel, drawn, admin) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)

    left = membership.member_leave(volunteer=drawn[0], note="Raisons de santé")
    membership.member_leave(volunteer=drawn[0], note="Encore")

    left.refresh_from_db()
    assert left.status == Status.LEFT
    assert left.status_note == "Raisons de santé"
    assert Notification.objects.filter(user=admin).count() == 1
    assert membership.seats_to_fill(panel) == [left]


def test_a_volunteer_in_the_pool_withdraws_and_their_name_is_erased(panel, drawn) -> None:
    pool = add_volunteers(panel, [("Femme", "35+")])[0]

    gone = membership.pool_withdraw(volunteer=pool)

    assert gone.status == Status.WITHDRAWN
    assert (gone.first_name, gone.email) == ("—", "")
    assert gone.pseudonym == pool.pseudonym
    with pytest.raises(ValidationError):
        membership.pool_withdraw(volunteer=drawn[0])


# --- Sessions and attendance ------------------------------------------------------------------


def test_attendance_is_exactly_the_members_ticked(panel, drawn) -> None:
    session = _session(panel, days=-1)
    pool = add_volunteers(panel, [("Femme", "35+")])[0]

    membership.attendance_set(session=session, present_ids=[drawn[0].pk, drawn[1].pk])
    membership.attendance_set(session=session, present_ids=[drawn[1].pk])

    assert list(session.attendees.all()) == [drawn[1]]
    with pytest.raises(ValidationError):
        membership.attendance_set(session=session, present_ids=[pool.pk])


def test_attendance_of_someone_who_left_afterwards_is_kept(panel, drawn) -> None:
    session = _session(panel, days=-1)
    membership.attendance_set(session=session, present_ids=[drawn[0].pk])
    membership.member_leave(volunteer=drawn[0])

    assert drawn[0] in membership.attendance_candidates(session)
    membership.attendance_set(session=session, present_ids=[drawn[0].pk, drawn[2].pk])
    assert session.attendees.count() == 2


def test_members_who_accepted_are_told_of_a_new_session(
    panel, drawn, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)

    with django_capture_on_commit_callbacks(execute=True):
        _session(panel, title="Visite du dépôt de bus", tell_members=True)
    with django_capture_on_commit_callbacks(execute=True):
        _session(panel, title="Sans e-mail")

    assert [m.to for m in mailoutbox] == [[drawn[0].email]]
    assert "Visite du dépôt de bus" in mailoutbox[0].body
    assert reverse("panels:member_space", args=[drawn[0].token]) in mailoutbox[0].body


def test_a_session_document_can_be_replaced_and_removed(panel) -> None:
    session = _session(panel, document=SimpleUploadedFile("ordre.pdf", b"%PDF-1"))
    first = session.document.name
    storage = session.document.storage

    membership.session_save(
        panel=panel, session=session, title=session.title, starts_at=session.starts_at,
        document=SimpleUploadedFile("ordre-v2.pdf", b"%PDF-2"),
    )  # fmt: skip
    second = session.document.name
    membership.session_save(
        panel=panel, session=session, title=session.title, starts_at=session.starts_at,
        document=False,
    )  # fmt: skip

    assert not storage.exists(first)
    assert not storage.exists(second)
    assert not Session.objects.get(pk=session.pk).document


def test_a_session_refuses_an_unsafe_file(panel) -> None:
    with pytest.raises(ValidationError):
        _session(panel, document=SimpleUploadedFile("page.html", b"<script>1</script>"))
    assert not panel.sessions.exists()


# --- Export ------------------------------------------------------------------------------------


def _export_setup(panel, drawn):
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    membership.invitation_answer(volunteer=drawn[1], accept=False, note="Pas disponible")
    Volunteer.objects.filter(pk=drawn[2].pk).update(
        first_name='=HYPERLINK("http://x")', phone="+33 6 12 34 56 78"
    )
    session = _session(panel, days=-1)
    membership.attendance_set(session=session, present_ids=[drawn[0].pk])
    add_volunteers(panel, [("Femme", "35+")])  # in the pool: not exported


def test_the_csv_export_is_for_french_spreadsheets(panel, drawn) -> None:
    _export_setup(panel, drawn)

    content = membership.members_export_csv(panel)

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    assert "Genre" in header
    assert "Âge" in header
    first = dict(zip(header, body[0], strict=True))
    assert first[header[1]] == drawn[0].pseudonym
    assert first["Genre"] == "Femme"
    assert first["Âge"] == "16-34"
    assert body[0][-1] == "1"
    assert "Pas disponible" in body[1]
    assert body[2][2].startswith("'=")
    assert "+33 6 12 34 56 78" in body[2]


def test_the_xlsx_export_holds_the_same_table(panel, drawn) -> None:
    _export_setup(panel, drawn)
    header, _rows = membership.members_export_table(panel)

    sheet = load_workbook(io.BytesIO(membership.members_export_xlsx(panel))).active
    read = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert read[0] == header
    assert len(read) == 5
    assert read[1][0] == drawn[0].number
    assert read[1][-1] == 1
    assert read[1][header.index("Genre")] == "Femme"
    assert read[2][-4] == "Pas disponible"
    assert read[1][-2] is not None  # answered on: a date
    assert sheet.cell(row=4, column=3).data_type == "s"
    assert sheet.cell(row=4, column=3).value == '=HYPERLINK("http://x")'


# --- Personal data ---------------------------------------------------------------------------


def test_a_volunteer_with_an_account_is_in_their_data_export(panel, drawn) -> None:
    user = UserFactory()
    Volunteer.objects.filter(pk=drawn[0].pk).update(user=user)
    session = _session(panel, days=-1, title="Séance 1")
    membership.attendance_set(session=session, present_ids=[drawn[0].pk])

    data = user_personal_data(user=user)["panels"]["volunteers"]

    assert len(data) == 1
    assert data[0]["pseudonym"] == drawn[0].pseudonym
    assert data[0]["email"] == drawn[0].email
    assert data[0]["answers"] == {"Genre": "Femme", "Âge": "16-34"}
    assert data[0]["sessions_attended"][0]["title"] == "Séance 1"


def test_deleting_the_account_erases_name_and_contact_and_frees_the_seat(
    panel, drawn, admin
) -> None:
    user = UserFactory()
    Volunteer.objects.filter(pk=drawn[0].pk).update(user=user, status=Status.ACCEPTED)

    user_delete(user=user)

    volunteer = Volunteer.objects.get(pk=drawn[0].pk)
    assert (volunteer.first_name, volunteer.last_name, volunteer.email, volunteer.phone) == (
        "—", "—", "", "",
    )  # fmt: skip
    assert volunteer.pseudonym == drawn[0].pseudonym
    assert volunteer.status == Status.LEFT
    assert volunteer.user is None
    assert Notification.objects.filter(user=admin, text__contains=volunteer.pseudonym).exists()


# --- Pages: who may open them ----------------------------------------------------------------


def _bo_urls(panel, session):
    return [
        _bo("bo_members", panel),
        _bo("bo_members_export_csv", panel),
        _bo("bo_members_export_xlsx", panel),
        _bo("bo_sessions", panel),
        _bo("bo_session", panel, session.pk),
        _bo("bo_session_delete", panel, session.pk),
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 403), (Role.MODERATOR, 403), (Role.FACILITATOR, 403),
     (Role.BODY_MEMBER, 403), (Role.TERRITORY_ADMIN, 200)],
)  # fmt: skip
def test_only_the_territory_admins_reach_the_members_and_sessions(
    client, panel, drawn, role, status
) -> None:
    session = _session(panel)
    user = UserFactory()
    if role != "participant":
        RoleFactory(user=user, role=role, territory=panel.process.territory)
    client.force_login(user)

    for url in _bo_urls(panel, session):
        assert client.get(url).status_code == status, url
    assert client.post(_bo("bo_members", panel), {"form": "invite"}).status_code in (status, 302)


def test_visitors_are_sent_to_log_in(client, panel, drawn) -> None:
    session = _session(panel)

    for url in _bo_urls(panel, session):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    client.post(_bo("bo_members", panel), {"form": "invite"})
    assert not Volunteer.objects.filter(invited_at__isnull=False).exists()


def test_a_wrong_token_is_not_found(client, panel, drawn) -> None:
    session = _session(panel)
    for url in (
        reverse("panels:member_space", args=["pas-un-jeton"]),
        reverse("panels:member_leave", args=["pas-un-jeton"]),
        reverse("panels:member_withdraw", args=["pas-un-jeton"]),
        reverse("panels:member_document", args=["pas-un-jeton", session.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("panels:member_space", args=["x"]), {"action": "accept"}).status_code
        == 404
    )


# --- Pages: the member space ---------------------------------------------------------------


def test_a_drawn_person_opens_their_page_and_accepts(client, panel, drawn, admin) -> None:
    _session(panel, title="Atelier mobilité")

    page = client.get(_space(drawn[0]))
    response = client.post(_space(drawn[0]), {"action": "accept"}, follow=True)

    html = page.content.decode()
    assert page.status_code == 200
    assert drawn[0].first_name in html
    assert '<meta name="robots" content="noindex' in html
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert panel.description in html
    assert 'value="accept"' in html
    assert 'value="decline"' in html
    drawn[0].refresh_from_db()
    assert drawn[0].status == Status.ACCEPTED
    after = response.content.decode()
    assert "Atelier mobilité" in after
    assert 'value="accept"' not in after
    assert reverse("panels:member_leave", args=[drawn[0].token]) in after


def test_declining_on_the_page_with_a_reason_then_changing_ones_mind(client, panel, drawn) -> None:
    client.post(_space(drawn[0]), {"action": "decline", "decline-note": "Trop loin"})
    drawn[0].refresh_from_db()
    page = client.get(_space(drawn[0])).content.decode()

    assert drawn[0].status == Status.DECLINED
    assert drawn[0].status_note == "Trop loin"
    assert "Trop loin" in page
    assert 'value="accept"' in page  # the seat is still free

    client.post(_space(drawn[0]), {"action": "accept"})
    drawn[0].refresh_from_db()
    assert drawn[0].status == Status.ACCEPTED


def test_a_refused_change_of_mind_says_why(client, panel, drawn) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=False)
    draw = Draw.objects.create(
        panel=panel, kind=Draw.Kind.REPLACEMENT, seats=1, seed="1",
        seed_published_at=timezone.now(), respondents_csv="", categories_csv="",
    )  # fmt: skip
    draw.replaced.add(drawn[0])

    response = client.post(_space(drawn[0]), {"action": "accept"}, follow=True)

    html = response.content.decode()
    assert "someone else" in html or "quelqu" in html
    assert 'value="accept"' not in html


def test_leaving_is_asked_once_more_then_done(client, panel, drawn) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    url = _space(drawn[0], "member_leave")

    confirm = client.get(url)
    drawn[0].refresh_from_db()
    assert drawn[0].status == Status.ACCEPTED
    assert confirm.status_code == 200
    assert 'name="reason-note"' in confirm.content.decode()

    client.post(url, {"reason-note": "Je déménage"})
    drawn[0].refresh_from_db()
    assert drawn[0].status == Status.LEFT
    assert drawn[0].status_note == "Je déménage"
    assert client.get(url)["Location"] == _space(drawn[0])


def test_a_volunteer_in_the_pool_withdraws_from_their_page(client, panel) -> None:
    pool = add_volunteers(panel, [("Femme", "35+")])[0]

    page = client.get(_space(pool)).content.decode()
    client.post(_space(pool, "member_withdraw"))

    assert _space(pool, "member_withdraw") in page
    pool.refresh_from_db()
    assert pool.status == Status.WITHDRAWN
    assert pool.first_name == "—"
    assert client.get(_space(pool)).status_code == 200


def test_members_see_past_sessions_with_their_attendance_and_download_documents(
    client, panel, drawn
) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    past = _session(panel, days=-7, title="Séance passée",
                    document=SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4 cr"))  # fmt: skip
    _session(panel, days=-1, title="Séance manquée")
    membership.attendance_set(session=past, present_ids=[drawn[0].pk])

    html = client.get(_space(drawn[0])).content.decode()
    download = client.get(_space(drawn[0], "member_document", past.pk))

    assert "Séance passée" in html
    assert "Séance manquée" in html
    assert "present at 1 of the 2" in html or "1 des 2" in html
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 cr"
    assert "attachment" in download["Content-Disposition"]
    pool = add_volunteers(panel, [("Femme", "35+")])[0]
    assert client.get(_space(pool, "member_document", past.pk)).status_code == 404


def test_a_sessions_programme_is_escaped(client, panel, drawn, admin) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    session = _session(panel, title=XSS, description=XSS, place=XSS)
    client.force_login(admin)

    pages = [
        client.get(_space(drawn[0])).content.decode(),
        client.get(_bo("bo_sessions", panel)).content.decode(),
        client.get(_bo("bo_session", panel, session.pk)).content.decode(),
    ]

    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;" in html


# --- Pages: the back-office ---------------------------------------------------------------


def test_the_members_page_shows_where_everyone_stands(client, panel, drawn, admin) -> None:
    Volunteer.objects.filter(pk=drawn[3].pk).update(email="", phone="06 11 22 33 44")
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    membership.invitation_answer(volunteer=drawn[1], accept=False, note="Indisponible")
    client.force_login(admin)

    html = client.get(_bo("bo_members", panel)).content.decode()

    assert "06 11 22 33 44" in html
    assert "Indisponible" in html
    assert drawn[2].pseudonym in html
    assert 'value="invite"' in html
    assert '<th scope="col">' in html
    assert "<caption" in html
    assert _bo("bo_members_export_xlsx", panel) in html


def test_invitations_sent_twice_by_the_same_form_go_once(
    client, panel, drawn, admin, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(admin)
    data = {"form": "invite", "form_token": "jeton-unique"}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_bo("bo_members", panel), data)
        second = client.post(_bo("bo_members", panel), data, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert len(mailoutbox) == 4


def test_staff_record_a_telephone_answer_and_a_departure(client, panel, drawn, admin) -> None:
    client.force_login(admin)
    url = _bo("bo_members", panel)

    client.post(url, {"form": "answer", "answer-volunteer": drawn[0].pk, "answer-answer": "yes"})
    client.post(url, {"form": "answer", "answer-volunteer": drawn[1].pk,
                      "answer-answer": "no", "answer-note": "Au téléphone"})  # fmt: skip
    client.post(url, {"form": "left", "left-volunteer": drawn[0].pk, "left-note": "Malade"})
    refused = client.post(url, {"form": "left", "left-volunteer": drawn[1].pk})

    statuses = dict(Volunteer.objects.values_list("pk", "status"))
    assert statuses[drawn[0].pk] == Status.LEFT
    assert statuses[drawn[1].pk] == Status.DECLINED
    assert refused.status_code == 200
    assert refused.context["left_form"].errors


def test_staff_send_one_invitation_again(
    client, panel, drawn, admin, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_bo("bo_members", panel), {"form": "again", "volunteer": drawn[1].pk})
    response = client.post(_bo("bo_members", panel), {"form": "again", "volunteer": "abc"})

    assert [m.to for m in mailoutbox] == [[drawn[1].email]]
    assert response.status_code == 404


def test_the_exports_are_downloads(client, panel, drawn, admin) -> None:
    client.force_login(admin)

    csv_response = client.get(_bo("bo_members_export_csv", panel))
    xlsx_response = client.get(_bo("bo_members_export_xlsx", panel))

    assert csv_response["Content-Type"].startswith("text/csv")
    assert f"{panel.slug}-membres.csv" in csv_response["Content-Disposition"]
    assert xlsx_response["Content-Type"].endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(xlsx_response.content)).active.max_row == 5


def test_staff_plan_change_take_attendance_and_delete_a_session(
    client, panel, drawn, admin, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    membership.invitation_answer(volunteer=drawn[0], accept=True)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(_bo("bo_sessions", panel), {
            "session-title": "Lancement", "session-starts_at": "2030-03-07T18:30",
            "session-place": "Mairie", "session-description": "Accueil, présentation",
            "session-tell_members": "on",
            "session-document": SimpleUploadedFile("programme.pdf", b"%PDF-1"),
        })  # fmt: skip
    session = panel.sessions.get()
    assert created.status_code == 302
    assert timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M") == "2030-03-07 18:30"
    assert session.document
    assert [m.to for m in mailoutbox] == [[drawn[0].email]]

    page = client.get(_bo("bo_session", panel, session.pk)).content.decode()
    assert 'value="2030-03-07T18:30"' in page
    assert 'type="checkbox" name="attendance-present"' in page

    client.post(_bo("bo_session", panel, session.pk), {
        "form": "session", "session-title": "Lancement du panel",
        "session-starts_at": "2030-03-07T19:00", "session-place": "Mairie",
    })  # fmt: skip
    client.post(_bo("bo_session", panel, session.pk), {
        "form": "attendance", "attendance-present": [drawn[0].pk, drawn[1].pk],
    })  # fmt: skip
    session.refresh_from_db()
    assert session.title == "Lancement du panel"
    assert session.document  # kept when no new file is sent
    assert set(session.attendees.all()) == {drawn[0], drawn[1]}

    confirm = client.get(_bo("bo_session_delete", panel, session.pk))
    assert confirm.status_code == 200
    assert panel.sessions.exists()
    client.post(_bo("bo_session_delete", panel, session.pk))
    assert not panel.sessions.exists()


def test_a_session_with_a_forbidden_file_keeps_what_was_typed(client, panel, admin) -> None:
    client.force_login(admin)

    response = client.post(_bo("bo_sessions", panel), {
        "session-title": "Lancement", "session-starts_at": "2030-03-07T18:30",
        "session-document": SimpleUploadedFile("page.svg", b"<svg onload=alert(1)>"),
    })  # fmt: skip

    assert response.status_code == 200
    assert response.context["form"].errors["document"]
    assert 'value="Lancement"' in response.content.decode()
    assert not panel.sessions.exists()


def test_attendance_cannot_tick_someone_outside_the_panel(client, panel, drawn, admin) -> None:
    session = _session(panel)
    pool = add_volunteers(panel, [("Femme", "35+")])[0]
    client.force_login(admin)

    response = client.post(_bo("bo_session", panel, session.pk), {
        "form": "attendance", "attendance-present": [pool.pk],
    })  # fmt: skip

    assert response.status_code == 200
    assert not session.attendees.exists()


def test_sessions_are_listed_in_date_order_whatever_order_they_were_planned_in(panel) -> None:
    later = _session(panel, days=30, title="Troisième séance")
    first = _session(panel, days=3, title="Première séance")
    middle = _session(panel, days=10, title="Deuxième séance")

    assert list(membership.sessions_with_attendance(panel)) == [first, middle, later]
