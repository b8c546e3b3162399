"""The day itself: tables, contributions captured at them, documents, the restitution.

Views, admin and commands call these; each checks what must hold and says why in French.
"""

from __future__ import annotations

import html as html_lib
import random
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.accounts.services import notify
from fabrique.core.sanitize import sanitize_html
from fabrique.core.urls import absolute_url
from fabrique.participation.models import Contribution, ContributionFollow, ContributionRevision
from fabrique.participation.services import lists_changed
from fabrique.processes.models import Theme
from fabrique.territories.models import Commune

from ..models import CapturedContribution, Registration, Table, Workshop, WorkshopDocument
from ..models.day import DOCUMENT_EXTENSIONS
from ..selectors.day import table_facilitator_candidates

MAX_TABLES_AT_ONCE = 50
MAX_DOCUMENT_MB = 10
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
# What the first bytes of a non-image document must be: a PDF, or a zip (office files).
DOCUMENT_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "odt": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
}


# --- Tables -------------------------------------------------------------------------------


def _check_facilitator(workshop: Workshop, facilitator: User | None) -> None:
    if facilitator is None:
        return
    if not table_facilitator_candidates(workshop=workshop).filter(pk=facilitator.pk).exists():
        raise ValidationError(
            {
                "facilitator": _(
                    "Choose a member of the territory's staff or a facilitator of the workshop."
                )
            }
        )


def _check_name(workshop: Workshop, name: str, table: Table | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the table a name.")})
    same = Table.objects.filter(workshop=workshop, name__iexact=name)
    if table is not None:
        same = same.exclude(pk=table.pk)
    if same.exists():
        raise ValidationError(
            {"name": _("A table is already called « %(name)s ».") % {"name": name}}
        )
    return name


def _tell_facilitator(table: Table) -> None:
    """The person now holding a table learns where to type in what is said there."""
    if table.facilitator is None:
        return
    workshop = table.workshop
    notify(
        users=[table.facilitator],
        text=_("You hold « %(table)s » at the workshop « %(workshop)s ».")
        % {"table": table.name, "workshop": workshop.title},
        url=reverse(
            "workshops:bo_table_captures",
            args=[workshop.process.territory.slug, workshop.process.slug, workshop.pk, table.pk],
        ),
    )


def _save_table(table: Table) -> Table:
    try:
        with transaction.atomic():
            table.full_clean(validate_unique=False, validate_constraints=False)
            table.save()
    except IntegrityError as exc:
        # Two people naming a table the same at the same moment: the constraint decides.
        raise ValidationError(
            {"name": _("A table is already called « %(name)s ».") % {"name": table.name}}
        ) from exc
    return table


def table_create(
    *, workshop: Workshop, name: str, topic: str = "", facilitator: User | None = None
) -> Table:
    name = _check_name(workshop, name)
    _check_facilitator(workshop, facilitator)
    with transaction.atomic():
        last = Table.objects.filter(workshop=workshop).aggregate(m=Max("position"))["m"]
        table = _save_table(
            Table(
                workshop=workshop,
                name=name,
                topic=topic.strip(),
                facilitator=facilitator,
                position=0 if last is None else last + 1,
            )
        )
        _tell_facilitator(table)
    return table


def tables_create_many(*, workshop: Workshop, count: int) -> list[Table]:
    """Add ``count`` tables named « Table 1 », « Table 2 »…, skipping names already taken."""
    if not 1 <= count <= MAX_TABLES_AT_ONCE:
        raise ValidationError(
            {"count": _("Between 1 and %(max)s tables at once.") % {"max": MAX_TABLES_AT_ONCE}}
        )
    created: list[Table] = []
    with transaction.atomic():
        # One at a time per workshop: two clicks must not make « Table 3 » twice.
        Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
        taken = {
            n.lower()
            for n in Table.objects.filter(workshop=workshop).values_list("name", flat=True)
        }
        last = Table.objects.filter(workshop=workshop).aggregate(m=Max("position"))["m"]
        position = 0 if last is None else last + 1
        number = 1
        while len(created) < count:
            name = _("Table %(number)s") % {"number": number}
            number += 1
            if name.lower() in taken:
                continue
            created.append(_save_table(Table(workshop=workshop, name=name, position=position)))
            position += 1
    return created


def table_update(*, table: Table, name: str, topic: str, facilitator: User | None) -> Table:
    workshop = table.workshop
    name = _check_name(workshop, name, table)
    _check_facilitator(workshop, facilitator)
    newcomer = facilitator is not None and facilitator.pk != table.facilitator_id
    table.name, table.topic, table.facilitator = name, topic.strip(), facilitator
    with transaction.atomic():
        _save_table(table)
        if newcomer:
            _tell_facilitator(table)
    return table


def table_move(*, table: Table, up: bool) -> None:
    """Swap a table with the one before (``up``) or after it; positions become 0, 1, 2…"""
    with transaction.atomic():
        tables = list(
            Table.objects.select_for_update()
            .filter(workshop_id=table.workshop_id)
            .order_by("position", "pk")
        )
        index = next(i for i, t in enumerate(tables) if t.pk == table.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(tables):
            tables[index], tables[other] = tables[other], tables[index]
        for position, each in enumerate(tables):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])


def table_delete(*, table: Table) -> int:
    """Remove a table. Its contributions stay, captured at the workshop without a table;
    people seated there are seated nowhere. Returns how many contributions were kept."""
    with transaction.atomic():
        kept = table.captures.count()
        table.delete()
    return kept


def registration_seat(*, registration: Registration, table: Table | None) -> None:
    """Seat a present person at a table of their workshop (or at none)."""
    if table is not None and table.workshop_id != registration.workshop_id:
        raise ValidationError(_("This table belongs to another workshop."))
    registration.table = table
    registration.save(update_fields=["table"])


def registrations_seat(*, workshop: Workshop, seating: dict[int, int | None]) -> int:
    """Seat several present people at once: {registration id: table id or None}.
    Returns how many changed place."""
    tables = set(Table.objects.filter(workshop=workshop).values_list("pk", flat=True))
    if any(t is not None and t not in tables for t in seating.values()):
        raise ValidationError(_("This table belongs to another workshop."))
    changed = 0
    with transaction.atomic():
        for registration in Registration.objects.select_for_update().filter(
            workshop=workshop, pk__in=list(seating)
        ):
            if registration.table_id != seating[registration.pk]:
                registration.table_id = seating[registration.pk]
                registration.save(update_fields=["table"])
                changed += 1
    return changed


def tables_seat_at_random(*, workshop: Workshop, rng: random.Random | None = None) -> int:
    """Seat present people who have no table yet, at random, so that tables stay even.

    Those already seated keep their place. Returns how many were seated.
    """
    rng = rng or random.Random()
    with transaction.atomic():
        tables = list(Table.objects.filter(workshop=workshop).order_by("position", "pk"))
        if not tables:
            raise ValidationError(_("Create the tables first."))
        present = list(
            Registration.objects.select_for_update()
            .filter(workshop=workshop, checked_in_at__isnull=False)
            .exclude(status=Registration.Status.CANCELLED)
            .order_by("pk")
        )
        seated = {t.pk: 0 for t in tables}
        for r in present:
            if r.table_id in seated:
                seated[r.table_id] += 1
        waiting = [r for r in present if r.table_id not in seated]
        rng.shuffle(waiting)
        for registration in waiting:
            # The emptiest table, the first one in the order when several are as empty.
            table_id = min(seated, key=lambda pk: seated[pk])
            registration.table_id = table_id
            registration.save(update_fields=["table"])
            seated[table_id] += 1
    return len(waiting)


# --- Contributions captured at a table ----------------------------------------------------


def capture_place(workshop: Workshop) -> str:
    """Where a captured contribution was said, as participation labels it."""
    if workshop.format == Workshop.Format.ONLINE:
        return _("Online workshop")
    parts = [workshop.place_name.strip(), str(workshop.commune or "")]
    place = ", ".join(p for p in parts if p) or workshop.address.strip()
    return (place or workshop.title)[:200]


def _check_capture_fields(
    workshop: Workshop,
    *,
    kind: str,
    title: str,
    body: str,
    themes: list[Theme],
    commune: Commune | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in Contribution.Kind.values:
        errors["kind"] = _("Choose what kind of contribution it is.")
    if not title.strip():
        errors["title"] = _("Give the contribution a title.")
    if not body.strip():
        errors["body"] = _("Type in what the person said.")
    if any(t.process_id != workshop.process_id for t in themes):
        errors["themes"] = _("A theme belongs to another process.")
    if (
        commune is not None
        and not workshop.process.territory.communes.filter(pk=commune.pk).exists()
    ):
        errors["commune"] = _("This commune is not in the territory.")
    if errors:
        raise ValidationError(errors)


def capture_submit(
    *,
    workshop: Workshop,
    table: Table | None,
    captured_by: User,
    kind: str,
    title: str,
    body: str,
    themes: Iterable[Theme] = (),
    commune: Commune | None = None,
    collected_for: str = "",
    consent: bool = False,
) -> CapturedContribution:
    """Type in what a participant said at a table: a contribution like the others, labelled
    as collected in person at the workshop's place and date, in the workshop's phase.

    Participation's ``contribution_submit`` is not used: it takes contributions only in a
    phase open for them today and limits how much one person posts in an hour, which is
    right for the public and wrong for a facilitator typing in a table's notes after a
    workshop held in a phase that opens workshops only.
    """
    if table is not None and table.workshop_id != workshop.pk:
        raise ValidationError(_("This table belongs to another workshop."))
    if workshop.status == Workshop.Status.CANCELLED:
        raise ValidationError(_("This workshop was cancelled."))
    held_on = timezone.localtime(workshop.starts_at).date()
    if timezone.localdate() < held_on:
        raise ValidationError(
            _("The workshop has not taken place yet: contributions are typed in from its day.")
        )
    if not consent:
        raise ValidationError(
            {"consent": _("Record that the person agreed to their words being published.")}
        )
    themes = list(themes)
    _check_capture_fields(
        workshop, kind=kind, title=title, body=body, themes=themes, commune=commune
    )
    process = workshop.process
    with transaction.atomic():
        contribution = Contribution(
            process=process,
            phase=workshop.phase,
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            author=captured_by,
            commune=commune,
            collected_by=captured_by,
            collected_place=capture_place(workshop),
            collected_on=held_on,
            collected_for=collected_for.strip(),
        )
        contribution.full_clean()
        contribution.save()
        contribution.themes.set(themes)
        ContributionFollow.objects.get_or_create(contribution=contribution, user=captured_by)
        capture = CapturedContribution.objects.create(
            contribution=contribution, workshop=workshop, table=table
        )
    lists_changed(process.pk)
    return capture


def capture_can_change(user: User, capture: CapturedContribution) -> bool:
    """Who typed it in changes it; so do those who run the workshop (checked by the view)."""
    return capture.contribution.collected_by_id == user.pk


def capture_edit(
    *,
    capture: CapturedContribution,
    kind: str,
    title: str,
    body: str,
    themes: Iterable[Theme] = (),
    commune: Commune | None = None,
    collected_for: str = "",
) -> CapturedContribution:
    """Correct a captured contribution; as for any contribution, the earlier wording is kept
    and shown once it was published."""
    contribution = capture.contribution
    themes = list(themes)
    _check_capture_fields(
        capture.workshop, kind=kind, title=title, body=body, themes=themes, commune=commune
    )
    with transaction.atomic():
        if (contribution.title, contribution.body) != (title.strip(), body.strip()):
            ContributionRevision.objects.create(
                contribution=contribution, title=contribution.title, body=contribution.body
            )
            contribution.edited_at = timezone.now()
        contribution.kind = kind
        contribution.title, contribution.body = title.strip(), body.strip()
        contribution.commune = commune
        contribution.collected_for = collected_for.strip()
        contribution.full_clean()
        contribution.save()
        contribution.themes.set(themes)
    lists_changed(contribution.process_id)
    return capture


def capture_remove(*, capture: CapturedContribution) -> None:
    """Take back a contribution typed in by mistake. Once people supported or commented on
    it, it is theirs too: moderation hides it instead."""
    contribution = capture.contribution
    if contribution.support_count or contribution.comment_count or contribution.comments.exists():
        raise ValidationError(
            _(
                "People have already supported or commented on this contribution: "
                "ask a moderator to hide it instead."
            )
        )
    process_id = contribution.process_id
    contribution.delete()  # the capture goes with it
    lists_changed(process_id)


# --- Documents ----------------------------------------------------------------------------


def _extension(name: str) -> str:
    return name.lower().rsplit(".", 1)[-1] if "." in name else ""


def _check_upload(upload: UploadedFile) -> str:
    """The file's extension once its size and content match what it claims to be."""
    extension = _extension(upload.name or "")
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("Accepted files: %(types)s.")
                % {"types": ", ".join(e.upper() for e in DOCUMENT_EXTENSIONS)}
            }
        )
    if (upload.size or 0) > MAX_DOCUMENT_MB * 1024 * 1024:
        raise ValidationError(
            {"file": _("The file is larger than %(max)s MB.") % {"max": MAX_DOCUMENT_MB}}
        )
    if extension in IMAGE_FORMATS:
        from PIL import Image, UnidentifiedImageError

        try:
            upload.seek(0)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError({"file": _("This file is not a readable image.")}) from exc
        finally:
            upload.seek(0)
        if found != IMAGE_FORMATS[extension]:
            raise ValidationError({"file": _("This file is not the kind of image its name says.")})
    else:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(DOCUMENT_SIGNATURES[extension]):
            raise ValidationError(
                {"file": _("This file is not the kind of document its name says.")}
            )
    return extension


def document_upload(
    *,
    workshop: Workshop,
    file: UploadedFile,
    title: str,
    description: str = "",
    table: Table | None = None,
    is_public: bool = True,
    uploaded_by: User | None = None,
) -> WorkshopDocument:
    """Attach a photo of a board, a slide deck… to the workshop or one of its tables."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the document a title.")
    if table is not None and table.workshop_id != workshop.pk:
        errors["table"] = _("This table belongs to another workshop.")
    if errors:
        raise ValidationError(errors)
    extension = _check_upload(file)
    if extension in IMAGE_FORMATS and not description.strip():
        raise ValidationError(
            {"description": _("Describe what the image shows, for people who cannot see it.")}
        )
    # A name nobody can guess: documents that are not public must not be found by address.
    file.name = f"{secrets.token_urlsafe(18)}.{extension}"
    document = WorkshopDocument(
        workshop=workshop,
        table=table,
        file=file,
        title=title.strip(),
        description=description.strip(),
        is_public=is_public,
        uploaded_by=uploaded_by,
    )
    document.full_clean(exclude=["uploaded_by"])  # None when a command imports documents
    document.save()
    return document


def documents_set_public(*, workshop: Workshop, public_ids: Iterable[int]) -> None:
    """Which of the workshop's documents the restitution shows: exactly those given."""
    ids = set(public_ids)
    with transaction.atomic():
        docs = WorkshopDocument.objects.filter(workshop=workshop)
        docs.filter(pk__in=ids).update(is_public=True)
        docs.exclude(pk__in=ids).update(is_public=False)


def document_delete(*, document: WorkshopDocument) -> None:
    """Remove a document and its file."""
    storage, name = document.file.storage, document.file.name
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Restitution --------------------------------------------------------------------------


def _check_can_publish(workshop: Workshop) -> None:
    if workshop.status == Workshop.Status.CANCELLED:
        raise ValidationError(_("This workshop was cancelled: it has no restitution."))
    if workshop.status == Workshop.Status.DRAFT or not workshop.process.is_public:
        raise ValidationError(
            _("Publish the workshop first: its restitution is shown on its public page.")
        )
    if workshop.starts_at > timezone.now():
        raise ValidationError(
            _("The workshop has not taken place yet: its restitution is published afterwards.")
        )


def restitution_save(*, workshop: Workshop, text: str) -> Workshop:
    """Save the restitution's text, published or not (a published one is updated at once)."""
    clean = sanitize_html(text or "").strip()
    if workshop.restitution_published_at and not clean:
        raise ValidationError({"restitution": _("A published restitution cannot be empty.")})
    workshop.restitution = clean
    workshop.save(update_fields=["restitution", "updated_at"])
    return workshop


def restitution_publish(*, workshop: Workshop, text: str) -> bool:
    """Save and publish the restitution. The first publication tells the participants and
    the process's followers; later ones only update it. Returns whether it was the first."""
    _check_can_publish(workshop)
    clean = sanitize_html(text or "").strip()
    if not clean:
        raise ValidationError({"restitution": _("Write the restitution before publishing it.")})
    now = timezone.now()
    with transaction.atomic():
        # The claim: whoever sets the date first publishes; a second click only updates.
        first = bool(
            Workshop.objects.filter(pk=workshop.pk, restitution_published_at__isnull=True).update(
                restitution_published_at=now
            )
        )
        Workshop.objects.filter(pk=workshop.pk).update(restitution=clean, updated_at=now)
        workshop.refresh_from_db(fields=["restitution", "restitution_published_at", "updated_at"])
        if first:
            _notify_restitution(workshop)
    return first


def _restitution_recipients(workshop: Workshop) -> QuerySet[Registration]:
    """Registrations to tell: those who came, and those registered who did not cancel."""
    return (
        Registration.objects.filter(workshop=workshop)
        .filter(Q(status=Registration.Status.CONFIRMED) | Q(checked_in_at__isnull=False))
        .exclude(status=Registration.Status.CANCELLED)
    )


def _notify_restitution(workshop: Workshop) -> None:
    from ..day_tasks import restitution_email_task

    text = _("The restitution of the workshop « %(title)s » is published.") % {
        "title": workshop.title
    }
    url = workshop.get_absolute_url()
    registrations = list(_restitution_recipients(workshop).select_related("user"))
    emailed = {r.user_id for r in registrations if r.user_id and r.email}
    others = {r.user_id for r in registrations if r.user_id and not r.email}
    # Registered people with an address get the restitution by e-mail: on the site only.
    notify(users=User.objects.filter(pk__in=emailed), text=text, url=url, email=False)
    # Registered people without an address, and the process's followers: as each one chose.
    followers = User.objects.filter(process_follows__process=workshop.process).exclude(
        pk__in=emailed
    )
    notify(users=[*User.objects.filter(pk__in=others - emailed), *followers], text=text, url=url)
    if any(r.email for r in registrations):
        pk = workshop.pk
        transaction.on_commit(lambda: restitution_email_task.enqueue(pk))


def restitution_email(*, workshop: Workshop) -> int:
    """E-mail the published restitution to every registered or present person with an
    address, one message each (nobody sees the others' addresses). Returns how many."""
    if workshop.restitution_published_at is None:
        return 0
    seen: set[str] = set()
    messages: list[tuple[str, str, str | None, list[str]]] = []
    workshop_url = absolute_url(workshop.get_absolute_url())
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Restitution of the workshop « %(title)s »") % {"title": workshop.title}
        for registration in _restitution_recipients(workshop).exclude(email="").order_by("pk"):
            address = registration.email.lower()
            if address in seen:
                continue
            seen.add(address)
            body = render_to_string(
                "workshops/email/restitution_published.txt",
                {
                    "workshop": workshop,
                    "registration": registration,
                    "workshop_url": workshop_url,
                    "summary": _plain_summary(workshop.restitution),
                },
            )
            messages.append((subject, body, None, [registration.email]))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)


def _plain_summary(html: str, limit: int = 1200) -> str:
    """The restitution's beginning as plain text, for the e-mail."""
    text = strip_tags(html.replace("</p>", "</p>\n\n").replace("<br>", "\n"))
    text = html_lib.unescape(text).strip()
    return Truncator(text).chars(limit)
