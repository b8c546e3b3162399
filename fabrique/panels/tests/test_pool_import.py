"""Importing a pool from a spreadsheet: reading, guessing the columns, checking every line
(all or nothing), duplicates, consent, the frozen pool; then the two screens, for each role."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.panels import services
from fabrique.panels.imports import (
    import_targets,
    mapping_guess,
    pool_import_apply,
    pool_import_read,
)
from fabrique.panels.models import Category, Draw, PoolImport, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel, panel_process
from fabrique.territories import services as territory_services
from fabrique.territories.tests.factories import CommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

HEADER = "Prénom;Nom;Courriel;Téléphone;Commune;Genre;Âge"
GOOD_LINES = [
    "Camille;Martin;camille.martin@example.fr;06 12 34 56 78;Bourg-en-Bresse;Femme;16-34",
    "Lucas;Bernard;;+33 6 98 76 54 32;saint remy;homme;35+",
    "Inès;Petit;ines.petit@example.fr;;1053;FEMME;35+",
]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the one-time tokens of forms live there


@pytest.fixture
def panel():
    """Genre and Âge (from the factory), and a Commune category: three fields to map."""
    territory = TerritoryFactory(
        communes=[
            CommuneFactory(insee_code="01053", name="Bourg-en-Bresse", population=40000),
            CommuneFactory(insee_code="71475", name="Saint-Rémy", population=6000),
        ]
    )
    panel = make_panel(process=panel_process(territory=territory))
    services.category_add(
        panel=panel, kind=Category.Kind.COMMUNE, label="Commune", why_asked="Tout le territoire."
    )
    return panel


def _csv(lines, *, encoding="utf-8", name="vivier.csv"):
    return SimpleUploadedFile(name, "\r\n".join(lines).encode(encoding), content_type="text/csv")


def _xlsx(rows, name="vivier.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile(name, content.getvalue())


def _read(panel, upload):
    return pool_import_read(panel=panel, uploaded_file=upload, by=None)


def _apply(pool_import, *, consent=True, **changes):
    header = pool_import.rows[0]
    mapping = mapping_guess(import_targets(pool_import.panel), header)
    mapping.update(changes)
    return pool_import_apply(pool_import=pool_import, mapping=mapping, confirmed_consent=consent)


def _refusal(pool_import, **kwargs) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _apply(pool_import, **kwargs)
    return caught.value.messages


# --- The service ------------------------------------------------------------------------


def test_a_utf8_csv_with_semicolons_adds_everyone_with_their_answers(panel) -> None:
    created = _apply(_read(panel, _csv([HEADER, *GOOD_LINES])))

    assert [v.number for v in created] == [1, 2, 3]
    ines = panel.volunteers.get(last_name="Petit")
    assert ines.commune.insee_code == "01053"  # « 1053 »: the zero a spreadsheet drops
    assert sorted(v.label for v in ines.values.all()) == ["35+", "Bourg-en-Bresse", "Femme"]
    lucas = panel.volunteers.get(last_name="Bernard")
    assert lucas.commune.name == "Saint-Rémy"
    assert lucas.source == Volunteer.Source.IMPORT
    assert lucas.confirmed_at is not None
    assert lucas.consent_at is not None


def test_a_windows_csv_is_read_with_its_accents(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES], encoding="cp1252"))

    assert pool_import.rows[0] == HEADER.split(";")
    _apply(pool_import)
    assert panel.volunteers.filter(first_name="Inès").exists()


def test_an_xlsx_keeps_numbers_whole_and_text_codes_as_typed(panel) -> None:
    upload = _xlsx(
        [
            ["Prénom", "Nom", "E-mail", "Tél.", "Code INSEE", "Sexe", "Tranche d'âge"],
            ["Camille", "Martin", "camille@example.fr", 612345678, "01053", "Femme", "16-34"],
            ["Lucas", "Bernard", None, "0698765432", 71475, "Homme", "35+"],
            [None, None, None, None, None, None, None],
        ]
    )

    pool_import = _read(panel, upload)

    assert len(pool_import.rows) == 3  # the empty row at the end is dropped
    assert pool_import.rows[1][3:5] == ["612345678", "01053"]
    _apply(pool_import)
    camille = panel.volunteers.get(first_name="Camille")
    assert camille.phone == "0612345678"  # the leading zero a number loses, given back
    assert camille.commune.insee_code == "01053"


def test_the_columns_are_guessed_from_their_names_whatever_the_accents_and_case(panel) -> None:
    targets = import_targets(panel)
    keys = {t.label: t.key for t in targets}

    guess = mapping_guess(
        targets,
        ["N°", "NOM", "prenom", "Adresse e-mail", "Téléphone portable", "Ville", "âge", "Sexe"],
    )

    assert guess == {
        "first_name": 2,
        "last_name": 1,
        "email": 3,
        "phone": 4,
        "commune": 5,
        keys["Âge"]: 6,
        keys["Genre"]: 7,
    }
    assert mapping_guess(targets, ["Courriel", "Mail"])["email"] == 0
    assert mapping_guess(targets, ["Colonne 1"]) == {t.key: None for t in targets}


def test_every_faulty_line_is_reported_by_its_number_and_column_and_nothing_is_written(
    panel,
) -> None:
    add_volunteers(panel, [("Femme", "16-34")])
    before = Volunteer.objects.count()
    pool_import = _read(
        panel,
        _csv(
            [
                HEADER,
                GOOD_LINES[0],
                ";Durand;durand@example.fr;;Saint-Rémy;Femme;16-34",
                "Léa;Roux;lea@;;Mâcon;Femme;16-34",
                "",
                "Marc;Blanc;;;Saint-Rémy;Homme;35+",
            ]
        ),
    )

    errors = _refusal(pool_import)

    assert errors == [
        "Line 3, column « Prénom »: Give a first name.",
        "Line 4, column « Courriel »: « lea@ » is not an e-mail address.",
        f"Line 4, column « Commune »: « Mâcon » is not a commune of {panel.process.territory}.",
        "Line 6, column « Courriel »: Give an e-mail address or a telephone number, to be reached.",
    ]
    assert Volunteer.objects.count() == before
    assert PoolImport.objects.get().imported_at is None


def test_duplicates_inside_the_file_are_reported_on_the_later_line(panel) -> None:
    pool_import = _read(
        panel,
        _csv(
            [
                HEADER,
                GOOD_LINES[0],
                "Claude;Martin;Camille.Martin@example.fr;;Saint-Rémy;Femme;16-34",
                "Dominique;Martin;;0612345678;Saint-Rémy;Homme;16-34",
            ]
        ),
    )

    errors = _refusal(pool_import)

    assert errors == [
        "Line 3, column « Courriel »: « Camille.Martin@example.fr » is also on line 2.",
        "Line 4, column « Téléphone »: « 0612345678 » is also on line 2.",
    ]
    assert not panel.volunteers.exists()


def test_someone_already_in_the_pool_is_found_by_email_or_telephone(panel) -> None:
    (already,) = add_volunteers(panel, [("Femme", "16-34")])
    already.phone = "06 11 22 33 44"
    already.save()
    pool_import = _read(
        panel,
        _csv(
            [
                HEADER,
                f"Anne;Autre;{already.email.upper()};;Saint-Rémy;Femme;16-34",
                "Paul;Autre;;+33611223344;Saint-Rémy;Homme;35+",
            ]
        ),
    )

    errors = _refusal(pool_import)

    assert len(errors) == 2
    assert errors[0].startswith("Line 2, column « Courriel »:")
    assert errors[1].startswith("Line 3, column « Téléphone »:")
    assert all(already.pseudonym in error for error in errors)
    assert panel.volunteers.count() == 1


def test_an_unknown_commune_is_reported(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, "Anne;Dupont;a@example.fr;;Mâcon;Femme;16-34"]))

    errors = _refusal(pool_import)

    assert errors == [
        f"Line 2, column « Commune »: « Mâcon » is not a commune of {panel.process.territory}."
    ]


def test_a_commune_in_no_basin_of_a_basin_category_is_reported(panel) -> None:
    territory = panel.process.territory
    grouping = territory_services.grouping_create(territory=territory, name="Bassins")
    territory_services.basin_save(
        grouping=grouping, name="Nord", communes=territory.communes.filter(insee_code="01053")
    )
    services.category_add(
        panel=panel, kind=Category.Kind.BASIN, label="Bassin", why_asked="…", grouping=grouping
    )
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))

    errors = _refusal(pool_import)

    (error,) = errors
    assert error.startswith("Line 3, column « Commune »: ")
    assert error.endswith("is in no basin of « Bassin ».")
    assert not panel.volunteers.exists()


def test_an_unknown_value_of_a_category_is_reported_with_the_values_expected(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, "Anne;Dupont;a@example.fr;;Saint-Rémy;F;16-34"]))

    errors = _refusal(pool_import)

    assert errors == [
        "Line 2, column « Genre »: « F » is not one of the values: « Femme », « Homme »."
    ]


def test_without_the_consent_of_the_people_nothing_is_imported(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))

    with pytest.raises(ValidationError) as caught:
        _apply(pool_import, consent=False)

    assert "consent" in caught.value.message_dict
    assert not panel.volunteers.exists()


def test_fields_left_without_a_column_or_sharing_one_are_refused(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))

    with pytest.raises(ValidationError) as caught:
        _apply(pool_import, first_name=None, last_name=0, email=None, phone=None)

    assert set(caught.value.message_dict) == {"first_name", "email"}
    with pytest.raises(ValidationError) as caught:
        _apply(pool_import, last_name=0)
    assert set(caught.value.message_dict) == {"last_name"}
    assert not panel.volunteers.exists()


def _publish_seed(panel):
    Draw.objects.create(
        panel=panel,
        seats=panel.size,
        seed="12 34 56",
        seed_published_at=timezone.now(),
        respondents_csv="",
        categories_csv="",
    )


def test_once_a_draw_is_published_the_pool_is_frozen(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))
    _publish_seed(panel)

    errors = _refusal(pool_import)

    assert errors == [
        "The pool is frozen: the seed of this panel's draw has been published with it. "
        "Nobody can be added any more."
    ]
    with pytest.raises(ValidationError):
        _read(panel, _csv([HEADER, *GOOD_LINES]))
    assert not panel.volunteers.exists()


def test_a_file_is_imported_only_once(panel) -> None:
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))
    _apply(pool_import)

    errors = _refusal(pool_import)

    assert errors[0].startswith("This file was already imported")
    assert panel.volunteers.count() == 3
    assert PoolImport.objects.get().rows == [HEADER.split(";")]  # the people are forgotten


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vivier.xls", b"\xd0\xcf\x11\xe0", "save it as an Excel workbook (.xlsx)"),
        ("vivier.pdf", b"%PDF", "Send a .csv file or an Excel workbook (.xlsx)."),
        ("vivier.csv", HEADER.encode(), "The file has only one line."),
        ("vivier.xlsx", b"not a workbook", "cannot be read as an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_the_reason(
    panel, name, content, expected
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _read(panel, SimpleUploadedFile(name, content))

    assert expected in caught.value.message_dict["file"][0]
    assert not PoolImport.objects.exists()


# --- The screens ------------------------------------------------------------------------


def _urls(panel, pool_import=None):
    args = [panel.process.territory.slug, panel.process.slug, panel.slug]
    upload = reverse("panels:bo_import", args=args)
    mapping = reverse("panels:bo_import_map", args=[*args, pool_import.pk]) if pool_import else ""
    return upload, mapping, reverse("panels:bo_pool", args=args)


def _log_in(client, panel, role=None):
    user = UserFactory()
    if role:
        RoleFactory(user=user, role=role, territory=panel.process.territory)
    client.force_login(user)
    return user


def _mapping_post(form, **changes):
    """What the browser sends: the columns shown (the guess), the consent ticked."""
    shown = {name: "" if index is None else str(index) for name, index in form.initial.items()}
    return {**shown, "consent": "on", "form_token": "jeton-unique", **changes}


@pytest.mark.parametrize("view", ["upload", "mapping"])
def test_anonymous_visitors_are_sent_to_log_in(client, panel, view) -> None:
    upload, mapping, _pool = _urls(panel, _read(panel, _csv([HEADER, *GOOD_LINES])))

    response = client.get(upload if view == "upload" else mapping)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("view", ["upload", "mapping"])
@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.FACILITATOR])
def test_only_the_territory_admins_reach_the_import(client, panel, view, role) -> None:
    upload, mapping, _pool = _urls(panel, _read(panel, _csv([HEADER, *GOOD_LINES])))
    _log_in(client, panel, role)

    assert client.get(upload if view == "upload" else mapping).status_code == 403
    assert client.post(upload if view == "upload" else mapping, {}).status_code == 403


@pytest.mark.parametrize("view", ["upload", "mapping"])
def test_a_territory_admin_reaches_the_import(client, panel, view) -> None:
    upload, mapping, _pool = _urls(panel, _read(panel, _csv([HEADER, *GOOD_LINES])))
    _log_in(client, panel, Role.TERRITORY_ADMIN)

    assert client.get(upload if view == "upload" else mapping).status_code == 200


def test_an_import_of_another_panel_is_not_found(client, panel) -> None:
    other = make_panel(process=panel.process, title="Autre panel")
    pool_import = _read(other, _csv(["Prénom;Nom;Courriel;Genre;Âge", "A;B;a@b.fr;Femme;35+"]))
    _upload, mapping, _pool = _urls(panel, pool_import)
    _log_in(client, panel, Role.TERRITORY_ADMIN)

    assert client.get(mapping).status_code == 404


def test_upload_then_mapping_fills_the_pool(client, panel) -> None:
    _log_in(client, panel, Role.TERRITORY_ADMIN)
    upload, _mapping, pool = _urls(panel)

    page = client.get(upload).content.decode()
    assert 'accept=".csv,.xlsx' in page
    assert "« Femme », « Homme »" in page  # the columns expected, with their values
    sent = client.post(upload, {"file": _csv([HEADER, *GOOD_LINES])})
    pool_import = PoolImport.objects.get()
    _upload, mapping, _pool = _urls(panel, pool_import)
    assert sent["Location"] == mapping

    shown = client.get(mapping)
    page = shown.content.decode()
    assert re.search(r'<option value="0" selected>A · Prénom</option>', page)
    assert "camille.martin@example.fr" in page  # the preview of the first lines
    done = client.post(mapping, _mapping_post(shown.context["form"]), follow=True)

    assert done.redirect_chain == [(pool, 302)]
    assert panel.volunteers.count() == 3
    (message,) = done.context["messages"]
    assert message.level_tag == "success"
    assert "3" in str(message)


def test_the_faulty_lines_are_listed_and_the_columns_chosen_are_kept(client, panel) -> None:
    _log_in(client, panel, Role.TERRITORY_ADMIN)
    lines = [HEADER, GOOD_LINES[0], "Léa;Roux;lea@;;Saint-Rémy;Femme;16-34"]
    pool_import = _read(panel, _csv(lines))
    _upload, mapping, _pool = _urls(panel, pool_import)
    form = client.get(mapping).context["form"]

    # The telephone column left out on purpose: the choice must come back as made.
    response = client.post(mapping, _mapping_post(form, phone=""))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert len(response.context["form"].non_field_errors()) == 1
    assert "lea@" in page
    assert response.context["form"]["phone"].value() == ""
    assert response.context["form"]["email"].value() == "2"
    assert not panel.volunteers.exists()


def test_the_missing_consent_is_said_on_its_checkbox(client, panel) -> None:
    _log_in(client, panel, Role.TERRITORY_ADMIN)
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))
    _upload, mapping, _pool = _urls(panel, pool_import)
    form = client.get(mapping).context["form"]
    data = _mapping_post(form)
    del data["consent"]

    response = client.post(mapping, data)

    assert response.context["form"].errors["consent"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not panel.volunteers.exists()


def test_sending_the_mapping_twice_imports_once(client, panel) -> None:
    _log_in(client, panel, Role.TERRITORY_ADMIN)
    pool_import = _read(panel, _csv([HEADER, *GOOD_LINES]))
    _upload, mapping, pool = _urls(panel, pool_import)
    data = _mapping_post(client.get(mapping).context["form"])

    first = client.post(mapping, data)
    second = client.post(mapping, data)  # a double click: the same one-time token
    again = client.post(mapping, {**data, "form_token": "un-autre-jeton"})  # another tab

    assert first["Location"] == pool
    assert second.status_code == 302
    assert again["Location"] == pool
    assert panel.volunteers.count() == 3


def test_the_upload_screen_says_when_the_pool_is_frozen(client, panel) -> None:
    _log_in(client, panel, Role.TERRITORY_ADMIN)
    _publish_seed(panel)
    upload, _mapping, _pool = _urls(panel)

    response = client.post(upload, {"file": _csv([HEADER, *GOOD_LINES])})

    assert response.status_code == 200
    assert not PoolImport.objects.exists()
    assert b'type="file"' not in client.get(upload).content
